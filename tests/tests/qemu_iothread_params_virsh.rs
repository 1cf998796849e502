//! `virsh iothreadset` through rvirtd's QEMU driver (DOMAIN_SET_IOTHREAD_PARAMS): an I/O
//! thread's polling and worker pool set live on QEMU's object (read back with `qom-get`
//! and `domstats --iothread`), the pool bounds kept in the live and persistent
//! `<iothreadids>`, and libvirt 9.0's refusals in its words (checked against libvirtd
//! 9.0's QEMU driver on the same kind of guest).

use rvirt_testkit::{
    Daemon, HALT, QemuReaper, TempDir, have_qemu, have_virsh, virsh_err, virsh_ok, write_guest,
};

/// QEMU's value of `property` of I/O thread 1.
fn qom(uri: &str, property: &str) -> serde_json::Value {
    let cmd = format!(
        r#"{{"execute":"qom-get","arguments":{{"path":"/objects/iothread1","property":"{property}"}}}}"#
    );
    let out = virsh_ok(uri, &["qemu-monitor-command", "io", &cmd]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    v["return"].clone()
}

#[test]
fn iothreadset_live_config_and_refusals() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-iothreadset");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.join("q").to_str().unwrap()]);
    let uri = d.qemu_uri();
    let xml = write_guest(&root, "io", HALT);
    let text = std::fs::read_to_string(&xml).unwrap();
    let text = text.replace("<os>", "<iothreads>1</iothreads><os>");
    std::fs::write(&xml, text).unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "io"]);

    // Polling, live: QEMU's object and the statistics show it.
    virsh_ok(
        &uri,
        &[
            "iothreadset",
            "io",
            "1",
            "--poll-max-ns",
            "2000",
            "--poll-grow",
            "2",
            "--poll-shrink",
            "3",
        ],
    );
    assert_eq!(qom(&uri, "poll-max-ns"), 2000);
    assert_eq!(qom(&uri, "poll-grow"), 2);
    let stats = virsh_ok(&uri, &["domstats", "io", "--iothread"]);
    for line in [
        "iothread.1.poll-max-ns=2000",
        "iothread.1.poll-grow=2",
        "iothread.1.poll-shrink=3",
    ] {
        assert!(stats.contains(line), "{stats}");
    }

    // The worker pool, live: QEMU's object and the live XML.
    virsh_ok(
        &uri,
        &[
            "iothreadset",
            "io",
            "1",
            "--thread-pool-min",
            "1",
            "--thread-pool-max",
            "4",
        ],
    );
    assert_eq!(qom(&uri, "thread-pool-max"), 4);
    assert_eq!(qom(&uri, "thread-pool-min"), 1);
    let live = virsh_ok(&uri, &["dumpxml", "io"]);
    assert!(
        live.contains("<iothread id='1' thread_pool_min='1' thread_pool_max='4'/>"),
        "{live}"
    );
    assert!(!virsh_ok(&uri, &["dumpxml", "io", "--inactive"]).contains("thread_pool_max"));

    // libvirt's refusals.
    let cases: [(&[&str], &str); 6] = [
        (
            &["--poll-max-ns", "99999999999999"],
            "unsupported configuration: poll-max-ns (99999999999999) must be less than or equal to 2147483647",
        ),
        (
            &["--thread-pool-min", "5", "--thread-pool-max", "2"],
            "Requested operation is not valid: thread_pool_min (5) can't be greater than thread_pool_max (2)",
        ),
        (
            &["--thread-pool-max", "0"],
            "unsupported configuration: thread_pool_max (0) must be a positive number or -1",
        ),
        (
            &["--thread-pool-min", "-1"],
            "Requested operation is not valid: thread_pool_min (-1) must be equal to or greater than 0 for live change",
        ),
        (
            &["--poll-max-ns", "5000", "--config"],
            "Operation not supported: configuring persistent polling values is not supported",
        ),
        (
            &["--thread-pool-min", "5"],
            "Requested operation is not valid: thread_pool_min (5) can't be greater than thread_pool_max (4)",
        ),
    ];
    for (extra, want) in cases {
        let mut args = vec!["iothreadset", "io", "1"];
        args.extend_from_slice(extra);
        let err = virsh_err(&uri, &args);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    let err = virsh_err(&uri, &["iothreadset", "io", "7", "--poll-max-ns", "1"]);
    assert!(
        err.contains("invalid argument: cannot find IOThread '7' in iothreadids"),
        "{err}"
    );
    let ro = format!("qemu+unix:///system?socket={}", d.ro_socket().display());
    let err = virsh_err(&ro, &["iothreadset", "io", "1", "--poll-max-ns", "1"]);
    assert!(
        err.contains("read only access prevents virDomainSetIOThreadParams"),
        "{err}"
    );

    // --config: the persistent definition, applied at the next start.
    virsh_ok(
        &uri,
        &[
            "iothreadset",
            "io",
            "1",
            "--thread-pool-max",
            "6",
            "--config",
        ],
    );
    let inactive = virsh_ok(&uri, &["dumpxml", "io", "--inactive"]);
    assert!(
        inactive.contains("<iothread id='1' thread_pool_max='6'/>"),
        "{inactive}"
    );
    virsh_ok(&uri, &["destroy", "io"]);
    virsh_ok(&uri, &["start", "io"]);
    assert_eq!(qom(&uri, "thread-pool-max"), 6);
    virsh_ok(&uri, &["destroy", "io"]);
    let err = virsh_err(&uri, &["iothreadset", "io", "1", "--poll-max-ns", "1"]);
    assert!(
        err.contains("configuring persistent polling values is not supported"),
        "{err}"
    );
}
