//! rvirsh (the real binary) against the in-process test driver, `test:///default`.

use std::process::{Command, Output};

use rvirt_testkit::{TempDir, run};

/// `rvirsh -c test:///default ARGS…`, bounded.
fn rvirsh(args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rvirsh"));
    c.arg("-c")
        .arg("test:///default")
        .args(args)
        .env_remove("LIBVIRT_DEFAULT_URI");
    run(c, 20)
}

fn ok(args: &[&str]) -> String {
    let out = rvirsh(args);
    assert!(
        out.status.success(),
        "rvirsh {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn err(args: &[&str]) -> String {
    let out = rvirsh(args);
    assert_eq!(out.status.code(), Some(1), "rvirsh {args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn list_prints_virshs_table() {
    let expected = " Id   Name   State\n----------------------\n 1    test   running\n\n";
    assert_eq!(ok(&["list"]), expected);
    assert_eq!(ok(&["list", "--all"]), expected);
    assert_eq!(
        ok(&["list", "--inactive"]),
        " Id   Name   State\n--------------------\n\n"
    );
}

#[test]
fn dominfo_and_dumpxml() {
    let info = ok(&["dominfo", "test"]);
    for line in [
        "Id:             1\n",
        "Name:           test\n",
        "UUID:           6695eb01-f6a4-8304-79aa-97f2502e193f\n",
        "State:          running\n",
        "CPU(s):         2\n",
        "Max memory:     8388608 KiB\n",
        "Persistent:     yes\n",
        "Autostart:      disable\n",
    ] {
        assert!(info.contains(line), "missing {line:?} in\n{info}");
    }
    // Lookup by id and by UUID, as virsh resolves arguments.
    assert!(ok(&["dominfo", "1"]).contains("Name:           test\n"));
    let by_uuid = ok(&["dominfo", "6695eb01-f6a4-8304-79aa-97f2502e193f"]);
    assert!(by_uuid.contains("Name:           test\n"));
    assert!(ok(&["dumpxml", "test"]).contains("<name>test</name>"));
    assert_eq!(
        err(&["dominfo", "nosuch"]),
        "error: failed to get domain 'nosuch'\n"
    );
}

/// Every invocation is a new process, so each command sees the default world afresh
/// (as with virsh on `test:///default`).
#[test]
fn lifecycle_commands() {
    assert_eq!(err(&["start", "test"]), "error: Domain is already active\n");
    assert_eq!(ok(&["suspend", "test"]), "Domain 'test' suspended\n\n");
    assert_eq!(
        ok(&["shutdown", "test"]),
        "Domain 'test' is being shutdown\n\n"
    );
    assert_eq!(ok(&["destroy", "test"]), "Domain 'test' destroyed\n\n");
    assert_eq!(
        ok(&["undefine", "test"]),
        "Domain 'test' has been undefined\n\n"
    );
    // The same wording as virsh for a domain that is not paused.
    assert_eq!(
        err(&["resume", "test"]),
        "error: Failed to resume domain 'test'\nerror: internal error: domain 'test' not paused\n"
    );
}

#[test]
fn define_reads_the_file() {
    let dir = TempDir::new("rvirsh-define");
    let path = dir.join("fromfile.xml");
    std::fs::write(
        &path,
        "<domain type='test'><name>fromfile</name><memory unit='KiB'>65536</memory>\
         <vcpu>1</vcpu><os><type arch='i686'>hvm</type></os></domain>",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    assert_eq!(
        ok(&["define", p]),
        format!("Domain 'fromfile' defined from {p}\n\n")
    );
    std::fs::remove_file(&path).unwrap();
    let e = err(&["define", p]);
    assert!(e.starts_with("error: Failed to read file"), "{e}");
}

#[test]
fn event_times_out_and_bad_uris_fail() {
    assert_eq!(
        ok(&["event", "--loop", "--timeout", "1"]),
        "event loop timed out\nevents received: 0\n\n"
    );
    let mut c = Command::new(env!("CARGO_BIN_EXE_rvirsh"));
    c.args(["-c", "test+ssh://example.invalid/default", "list"]);
    let out = run(c, 20);
    assert_eq!(out.status.code(), Some(1));
    let e = String::from_utf8(out.stderr).unwrap();
    assert!(
        e.starts_with("error: failed to connect to the hypervisor\nerror: ") && e.contains("'ssh'"),
        "{e}"
    );
}
