//! rvirsh (the real binary) against a private libvirtd through the remote driver.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rvirt_testkit::{KillOnDrop, Libvirtd, RVIRT_DEMO_XML, run};

/// `rvirsh -c URI ARGS…`, bounded.
fn rvirsh(uri: &str, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rvirsh"));
    c.arg("-c").arg(uri).args(args);
    run(c, 20)
}

fn ok(uri: &str, args: &[&str]) -> String {
    let out = rvirsh(uri, args);
    assert!(
        out.status.success(),
        "rvirsh {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn commands_and_events_through_libvirtd() {
    let Some(daemon) = Libvirtd::start() else {
        return;
    };
    let uri = daemon.uri();
    assert_eq!(
        ok(&uri, &["list", "--all"]),
        " Id   Name   State\n----------------------\n 1    test   running\n\n"
    );

    // A second rvirsh waits for events while this one drives the daemon.
    let mut events = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_rvirsh"))
            .args(["-c", &uri, "event", "--loop", "--timeout", "10"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = events.0.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = tx.send(line.unwrap());
        }
    });
    // Nothing is printed until an event arrives: define and undefine a probe domain until
    // the listener reports it, so the real sequence starts once it is registered. (Until
    // the listener is connected, each rvirsh is libvirtd's only test:///default client and
    // gets a fresh default world, so the undefine may find nothing.)
    let probe = daemon.dir.join("probe.xml");
    let probe_xml = RVIRT_DEMO_XML
        .replace("rvirt-demo", "rvirt-probe")
        .replace("12345678", "87654321");
    std::fs::write(&probe, probe_xml).unwrap();
    let probe = probe.to_str().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(8);
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "the listener never saw an event"
        );
        ok(&uri, &["define", probe]);
        let _ = rvirsh(&uri, &["undefine", "rvirt-probe"]);
        if let Ok(line) = lines.recv_timeout(Duration::from_millis(300)) {
            assert!(line.contains("'rvirt-probe'"), "{line}");
            break;
        }
    }
    let _ = rvirsh(&uri, &["undefine", "rvirt-probe"]);

    let xml = daemon.dir.join("demo.xml");
    std::fs::write(&xml, RVIRT_DEMO_XML).unwrap();
    let xml = xml.to_str().unwrap();
    assert_eq!(
        ok(&uri, &["define", xml]),
        format!("Domain 'rvirt-demo' defined from {xml}\n\n")
    );
    assert_eq!(
        ok(&uri, &["list", "--all"]),
        " Id   Name         State\n\
         -----------------------------\n \
         1    test         running\n \
         -    rvirt-demo   shut off\n\n"
    );
    assert_eq!(
        ok(&uri, &["start", "rvirt-demo"]),
        "Domain 'rvirt-demo' started\n\n"
    );
    let info = ok(&uri, &["dominfo", "rvirt-demo"]);
    assert!(info.contains("State:          running\n"), "{info}");
    assert!(ok(&uri, &["dumpxml", "rvirt-demo"]).contains("<name>rvirt-demo</name>"));
    assert_eq!(
        ok(&uri, &["suspend", "rvirt-demo"]),
        "Domain 'rvirt-demo' suspended\n\n"
    );
    assert_eq!(
        ok(&uri, &["resume", "rvirt-demo"]),
        "Domain 'rvirt-demo' resumed\n\n"
    );
    assert_eq!(
        ok(&uri, &["destroy", "rvirt-demo"]),
        "Domain 'rvirt-demo' destroyed\n\n"
    );
    let out = rvirsh(&uri, &["destroy", "rvirt-demo"]);
    assert_eq!(out.status.code(), Some(1));
    let e = String::from_utf8(out.stderr).unwrap();
    assert!(
        e.starts_with(
            "error: Failed to destroy domain 'rvirt-demo'\nerror: Requested operation is not valid"
        ),
        "{e}"
    );
    assert_eq!(
        ok(&uri, &["undefine", "rvirt-demo"]),
        "Domain 'rvirt-demo' has been undefined\n\n"
    );

    assert!(events.0.wait().unwrap().success());
    reader.join().unwrap();
    let lines: Vec<String> = lines
        .try_iter()
        .filter(|l| !l.contains("'rvirt-probe'"))
        .collect();
    let expected = [
        "event 'lifecycle' for domain 'rvirt-demo': Defined Added",
        "event 'lifecycle' for domain 'rvirt-demo': Started Booted",
        "event 'lifecycle' for domain 'rvirt-demo': Suspended Paused",
        "event 'lifecycle' for domain 'rvirt-demo': Resumed Unpaused",
        "event 'lifecycle' for domain 'rvirt-demo': Stopped Destroyed",
        "event 'lifecycle' for domain 'rvirt-demo': Undefined Removed",
        "event loop timed out",
        // The count includes the probe's events.
    ];
    assert_eq!(lines[..expected.len()], expected);
    let count = lines[expected.len()]
        .strip_prefix("events received: ")
        .unwrap();
    assert!(count.parse::<u32>().unwrap() >= 7, "{count}");
    assert_eq!(lines[expected.len() + 1..], [""]);
}
