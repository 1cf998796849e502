//! Debian's virsh (libvirt-clients 9.0) against a real rvirtd process.

mod common;

use common::{DEMO_XML, Daemon, have_virsh, text, virsh, virsh_ok, virsh_thread};

fn row(out: &str, name: &str) -> String {
    out.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(name))
        .unwrap_or_else(|| panic!("no row for {name} in:\n{out}"))
        .to_string()
}

#[test]
fn list_dominfo_dumpxml() {
    if !have_virsh() {
        return;
    }
    let d = Daemon::start("virsh-read");
    let out = virsh_ok(&d.uri(), &["list", "--all"]);
    assert!(out.contains(" Id   Name   State"), "{out}");
    assert!(out.contains(" 1    test   running"), "{out}");

    let out = virsh_ok(&d.uri(), &["dominfo", "test"]);
    for want in [
        "Id:             1",
        "Name:           test",
        "UUID:           6695eb01-f6a4-8304-79aa-97f2502e193f",
        "State:          running",
        "CPU(s):         2",
        "Max memory:     8388608 KiB",
        "Used memory:    2097152 KiB",
        "Persistent:     yes",
        "Autostart:      disable",
        "Managed save:   no",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    assert!(out.contains("OS Type:"), "{out}");

    let out = virsh_ok(&d.uri(), &["dumpxml", "test"]);
    assert!(out.contains("<name>test</name>"), "{out}");
    assert!(
        out.contains("<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>"),
        "{out}"
    );

    // Lookup by id and by UUID, and a miss.
    let out = virsh_ok(&d.uri(), &["domstate", "1"]);
    assert_eq!(out.trim(), "running");
    let out = virsh_ok(
        &d.uri(),
        &["domname", "6695eb01-f6a4-8304-79aa-97f2502e193f"],
    );
    assert_eq!(out.trim(), "test");
    let o = virsh(&d.uri(), &["dominfo", "nosuch"]);
    assert!(!o.status.success());
    assert!(
        text(&o).1.contains("failed to get domain 'nosuch'"),
        "{:?}",
        text(&o)
    );

    let out = virsh_ok(&d.uri(), &["nodeinfo"]);
    assert!(out.contains("CPU(s):              16"), "{out}");
    let out = virsh_ok(&d.uri(), &["version"]);
    assert!(out.contains("Using API: TEST 9.0.0"), "{out}");
    let out = virsh_ok(&d.uri(), &["uri"]);
    assert!(out.contains("test+unix:///default"), "{out}");
}

/// define, start, suspend, resume, destroy, undefine while `virsh event --all --loop`
/// runs on another connection and prints every lifecycle event.
#[test]
fn lifecycle_with_event_loop() {
    if !have_virsh() {
        return;
    }
    let d = Daemon::start("virsh-life");
    let xml = d.dir.0.join("demo.xml");
    std::fs::write(&xml, DEMO_XML).unwrap();
    let xml = xml.to_str().unwrap();

    let events = virsh_thread(
        &d.uri(),
        &["event", "--all", "--loop", "--timeout", "8"],
        20,
    );
    // Wait until the event client's lifecycle callback is registered.
    d.wait_log("lifecycle event callback 0 registered");

    let out = virsh_ok(&d.uri(), &["define", xml]);
    assert!(out.contains("Domain 'demo' defined from"), "{out}");
    let out = virsh_ok(&d.uri(), &["list", "--all"]);
    assert!(row(&out, "demo").contains("shut off"), "{out}");
    assert!(row(&out, "demo").trim_start().starts_with('-'), "{out}");

    let out = virsh_ok(&d.uri(), &["start", "demo"]);
    assert!(out.contains("Domain 'demo' started"), "{out}");
    let o = virsh(&d.uri(), &["start", "demo"]);
    assert!(!o.status.success());
    assert!(
        text(&o).1.contains("Domain is already active"),
        "{:?}",
        text(&o)
    );
    let out = virsh_ok(&d.uri(), &["list"]);
    assert!(row(&out, "demo").contains("running"), "{out}");

    let out = virsh_ok(&d.uri(), &["suspend", "demo"]);
    assert!(out.contains("Domain 'demo' suspended"), "{out}");
    let out = virsh_ok(&d.uri(), &["domstate", "demo"]);
    assert_eq!(out.trim(), "paused");
    let out = virsh_ok(&d.uri(), &["resume", "demo"]);
    assert!(out.contains("Domain 'demo' resumed"), "{out}");
    let out = virsh_ok(&d.uri(), &["destroy", "demo"]);
    assert!(out.contains("Domain 'demo' destroyed"), "{out}");
    let o = virsh(&d.uri(), &["destroy", "demo"]);
    assert!(!o.status.success(), "destroying a stopped domain must fail");
    let out = virsh_ok(&d.uri(), &["undefine", "demo"]);
    assert!(out.contains("Domain 'demo' has been undefined"), "{out}");
    let out = virsh_ok(&d.uri(), &["list", "--all"]);
    assert!(!out.contains("demo"), "{out}");

    let o = events.join().unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "virsh event failed: {out}\n{err}");
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("event 'lifecycle'"))
        .collect();
    assert_eq!(
        lines,
        [
            "event 'lifecycle' for domain 'demo': Defined Added",
            "event 'lifecycle' for domain 'demo': Started Booted",
            "event 'lifecycle' for domain 'demo': Suspended Paused",
            "event 'lifecycle' for domain 'demo': Resumed Unpaused",
            "event 'lifecycle' for domain 'demo': Stopped Destroyed",
            "event 'lifecycle' for domain 'demo': Undefined Removed",
        ],
        "{out}"
    );
    assert!(out.contains("events received: 6"), "{out}");
}

#[test]
fn shutdown_and_start_the_default_domain() {
    if !have_virsh() {
        return;
    }
    let d = Daemon::start("virsh-shutdown");
    let out = virsh_ok(&d.uri(), &["shutdown", "test"]);
    assert!(out.contains("Domain 'test' is being shutdown"), "{out}");
    let out = virsh_ok(&d.uri(), &["list", "--all"]);
    assert!(row(&out, "test").contains("shut off"), "{out}");
    virsh_ok(&d.uri(), &["start", "test"]);
    let out = virsh_ok(&d.uri(), &["list"]);
    assert!(row(&out, "test").contains("running"), "{out}");
}

/// The read-only socket refuses writes with libvirt's 29/20 error; `virsh -r` is
/// refused by the client library itself; reads still work.
#[test]
fn read_only_socket_refuses_writes() {
    if !have_virsh() {
        return;
    }
    let d = Daemon::start("virsh-ro");
    let xml = d.dir.0.join("demo.xml");
    std::fs::write(&xml, DEMO_XML).unwrap();

    let out = virsh_ok(&d.ro_uri(), &["list", "--all"]);
    assert!(out.contains(" 1    test   running"), "{out}");
    virsh_ok(&d.ro_uri(), &["dumpxml", "test"]);

    let o = virsh(&d.ro_uri(), &["destroy", "test"]);
    assert!(!o.status.success());
    assert!(
        text(&o)
            .1
            .contains("operation forbidden: read only access prevents virDomainDestroy"),
        "{:?}",
        text(&o)
    );
    let o = virsh(&d.ro_uri(), &["define", xml.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        text(&o)
            .1
            .contains("operation forbidden: read only access prevents virDomainDefineXML"),
        "{:?}",
        text(&o)
    );
    let o = virsh(&d.ro_uri(), &["dumpxml", "--security-info", "test"]);
    assert!(!o.status.success());
    assert!(
        text(&o)
            .1
            .contains("operation forbidden: virDomainGetXMLDesc with secure flag"),
        "{:?}",
        text(&o)
    );
    // `virsh -r` on the read-write socket.
    let o = virsh(&d.uri(), &["-r", "destroy", "test"]);
    assert!(!o.status.success());
    assert!(
        text(&o)
            .1
            .contains("read only access prevents virDomainDestroy"),
        "{:?}",
        text(&o)
    );

    // Nothing changed.
    let out = virsh_ok(&d.uri(), &["list", "--all"]);
    assert!(out.contains(" 1    test   running"), "{out}");
    assert!(!out.contains("demo"), "{out}");
}

#[test]
fn tcp_on_loopback() {
    if !have_virsh() {
        return;
    }
    let addr = format!("127.0.0.1:{}", common::free_port());
    // Plain TCP is unauthenticated: the daemon wants that said explicitly.
    let d = Daemon::start_with("virsh-tcp", &["--listen-tcp", &addr, "--auth-tcp", "none"]);
    d.wait_tcp(&addr);
    let out = virsh_ok(&format!("test+tcp://{addr}/default"), &["list", "--all"]);
    assert!(out.contains(" 1    test   running"), "{out}");
}
