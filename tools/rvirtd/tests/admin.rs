//! Debian's virt-admin (libvirt-clients 9.0) managing a real rvirtd process through
//! its admin socket, with virsh and raw protocol clients as the managed clients.

mod common;

use std::time::{Duration, Instant};

use common::{
    Daemon, Raw, admin_field as field, client_rows, free_port, have_virsh, have_virt_admin, text,
    virsh_background, virsh_ok, virt_admin, virt_admin_ok,
};
use rvirt_rpc::{MessageStatus, procs};

/// Waits (at most 10 s) until server `srv` has `n` clients; returns its client rows.
fn wait_clients(d: &Daemon, srv: &str, n: usize) -> Vec<(u64, String)> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let rows = client_rows(&virt_admin_ok(&d.admin_uri(), &["client-list", srv]));
        if rows.len() == n {
            return rows;
        }
        assert!(
            Instant::now() < deadline,
            "server {srv} never had {n} clients: {rows:?}\n{}",
            d.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn client_info(d: &Daemon, id: u64) -> String {
    virt_admin_ok(
        &d.admin_uri(),
        &["client-info", "libvirtd", &id.to_string()],
    )
}

fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

#[test]
fn version_servers_and_threadpool() {
    if !have_virt_admin() || !have_virsh() {
        return;
    }
    let d = Daemon::start_with("adm-basic", &["--workers", "3"]);
    let uri = d.admin_uri();

    let out = virt_admin_ok(&uri, &["version"]);
    assert!(out.contains("Running against daemon: 9.0.0"), "{out}");
    let out = virt_admin_ok(&uri, &["uri"]);
    assert_eq!(out.trim(), uri);

    let out = virt_admin_ok(&uri, &["srv-list"]);
    let names: Vec<&str> = out
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert_eq!(names, ["libvirtd", "admin"], "{out}");

    let out = virt_admin_ok(&uri, &["srv-threadpool-info", "libvirtd"]);
    for (k, v) in [
        ("minWorkers", "3"),
        ("maxWorkers", "3"),
        ("nWorkers", "3"),
        ("freeWorkers", "3"),
        ("prioWorkers", "0"),
        ("jobQueueDepth", "0"),
    ] {
        assert_eq!(field(&out, k), Some(v), "{k} in:\n{out}");
    }
    let out = virt_admin_ok(&uri, &["srv-threadpool-info", "admin"]);
    assert_eq!(
        (field(&out, "minWorkers"), field(&out, "maxWorkers")),
        (Some("1"), Some("5")),
        "{out}"
    );

    // The pool really changes: a higher minimum starts workers at once.
    virt_admin_ok(
        &uri,
        &[
            "srv-threadpool-set",
            "libvirtd",
            "--min-workers",
            "5",
            "--max-workers",
            "6",
        ],
    );
    let out = virt_admin_ok(&uri, &["srv-threadpool-info", "libvirtd"]);
    assert_eq!(
        (
            field(&out, "minWorkers"),
            field(&out, "maxWorkers"),
            field(&out, "nWorkers")
        ),
        (Some("5"), Some("6"), Some("5")),
        "{out}"
    );
    // What cannot be set is refused with libvirt's errors, and nothing changes.
    let o = virt_admin(
        &uri,
        &["srv-threadpool-set", "libvirtd", "--max-workers", "2"],
    );
    assert!(!o.status.success());
    assert!(
        text(&o)
            .1
            .contains("invalid argument: minWorkers cannot be larger than maxWorkers"),
        "{:?}",
        text(&o)
    );
    let o = virt_admin(
        &uri,
        &["srv-threadpool-set", "libvirtd", "--priority-workers", "2"],
    );
    assert!(!o.status.success());
    assert!(
        text(&o).1.contains("argument unsupported"),
        "{:?}",
        text(&o)
    );
    let out = virt_admin_ok(&uri, &["srv-threadpool-info", "libvirtd"]);
    assert_eq!(field(&out, "maxWorkers"), Some("6"), "{out}");

    let o = virt_admin(&uri, &["srv-threadpool-info", "nosuch"]);
    assert!(!o.status.success());
    assert!(
        text(&o)
            .1
            .contains("Server not found: No server named 'nosuch'"),
        "{:?}",
        text(&o)
    );
    // No truthful mapping for logging settings: the procedure is unknown.
    let o = virt_admin(&uri, &["daemon-log-outputs"]);
    assert!(!o.status.success());
    assert!(
        text(&o).1.contains("unknown procedure: 14"),
        "{:?}",
        text(&o)
    );

    // Calls still run on the resized pool.
    let out = virsh_ok(&d.uri(), &["list", "--all"]);
    assert!(out.contains(" 1    test   running"), "{out}");
}

#[test]
fn clients_list_info_and_disconnect() {
    if !have_virt_admin() || !have_virsh() {
        return;
    }
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let d = Daemon::start_with(
        "adm-clients",
        &["--listen-tcp", &addr, "--auth-tcp", "none"],
    );
    d.wait_tcp(&addr);
    let uri = d.admin_uri();
    let events = ["event", "--all", "--loop", "--timeout", "60"];
    let rw = virsh_background(&d.uri(), &events);
    let ro = virsh_background(&d.ro_uri(), &events);
    let tcp = virsh_background(&format!("test+tcp://{addr}/default"), &events);
    let rows = wait_clients(&d, "libvirtd", 3);

    // Each client by its identity: unix peers by pid, the TCP one by its address.
    let (mut rw_id, mut ro_id, mut tcp_id) = (None, None, None);
    for (id, transport) in &rows {
        let info = client_info(&d, *id);
        assert_eq!(field(&info, "id"), Some(id.to_string().as_str()), "{info}");
        assert_eq!(
            field(&info, "transport"),
            Some(transport.as_str()),
            "{info}"
        );
        assert!(field(&info, "connection_time").is_some(), "{info}");
        match transport.as_str() {
            "unix" => {
                assert_eq!(
                    field(&info, "unix_user_id"),
                    Some(euid().to_string().as_str())
                );
                assert!(field(&info, "unix_group_id").is_some(), "{info}");
                let pid: u32 = field(&info, "unix_process_id").unwrap().parse().unwrap();
                if pid == rw.pid() {
                    assert_eq!(field(&info, "readonly"), Some("no"), "{info}");
                    rw_id = Some(*id);
                } else {
                    assert_eq!(pid, ro.pid(), "{info}");
                    assert_eq!(field(&info, "readonly"), Some("yes"), "{info}");
                    ro_id = Some(*id);
                }
            }
            "tcp" => {
                let sock = field(&info, "sock_addr").unwrap();
                assert!(sock.starts_with("127.0.0.1:"), "{info}");
                assert_eq!(field(&info, "readonly"), Some("no"), "{info}");
                assert!(field(&info, "unix_user_id").is_none(), "{info}");
                tcp_id = Some(*id);
            }
            t => panic!("unexpected transport {t}"),
        }
    }
    let (rw_id, ro_id, tcp_id) = (rw_id.unwrap(), ro_id.unwrap(), tcp_id.unwrap());

    // The admin server lists its own client; ids are daemon-wide and never reused.
    let admin_rows = client_rows(&virt_admin_ok(&uri, &["client-list", "admin"]));
    assert_eq!(admin_rows.len(), 1, "{admin_rows:?}");
    assert_eq!(admin_rows[0].1, "unix");
    assert!(![rw_id, ro_id, tcp_id].contains(&admin_rows[0].0));
    let out = virt_admin_ok(&uri, &["srv-clients-info", "libvirtd"]);
    assert_eq!(field(&out, "nclients"), Some("3"), "{out}");

    // Disconnecting the read-write virsh: it notices at once and exits.
    let out = virt_admin_ok(&uri, &["client-disconnect", "libvirtd", &rw_id.to_string()]);
    assert!(
        out.contains(&format!("Client '{rw_id}' disconnected")),
        "{out}"
    );
    let o = rw.wait_exit(10);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("end of file"), "{:?}", text(&o));
    let rows = wait_clients(&d, "libvirtd", 2);
    assert!(rows.iter().all(|(id, _)| *id != rw_id), "{rows:?}");
    let o = virt_admin(&uri, &["client-disconnect", "libvirtd", &rw_id.to_string()]);
    assert!(!o.status.success());
    assert!(
        text(&o)
            .1
            .contains(&format!("No client with matching ID '{rw_id}'")),
        "{:?}",
        text(&o)
    );

    // A raw client: after the disconnect its next call gets no reply, only EOF.
    let mut raw = Raw::connect(&d.rw_socket());
    raw.open();
    let rows = wait_clients(&d, "libvirtd", 3);
    let raw_id = rows
        .iter()
        .map(|(id, _)| *id)
        .find(|id| {
            field(&client_info(&d, *id), "unix_process_id")
                == Some(std::process::id().to_string().as_str())
        })
        .expect("the raw client is listed");
    virt_admin_ok(
        &uri,
        &["client-disconnect", "libvirtd", &raw_id.to_string()],
    );
    let next = raw.try_read();
    assert!(
        matches!(next, Ok(None) | Err(_)),
        "disconnected client got {next:?}"
    );
    let h = rvirt_rpc::Header::call(rvirt_rpc::REMOTE_PROGRAM, 1, procs::CONNECT_GET_TYPE, 9);
    let sent = std::io::Write::write_all(
        &mut raw.stream,
        &rvirt_rpc::encode_message(&h, &[]).unwrap(),
    );
    if sent.is_ok() {
        assert!(matches!(raw.try_read(), Ok(None) | Err(_)));
    }

    // The daemon keeps serving everyone else.
    let out = virsh_ok(&d.uri(), &["list", "--all"]);
    assert!(out.contains(" 1    test   running"), "{out}");
    wait_clients(&d, "libvirtd", 2);
    let mut ro = ro;
    let mut tcp = tcp;
    assert!(ro.child.try_wait().unwrap().is_none(), "the ro virsh died");
    assert!(
        tcp.child.try_wait().unwrap().is_none(),
        "the tcp virsh died"
    );
    assert!(
        d.log()
            .contains(&format!("disconnecting client {rw_id} of server libvirtd"))
    );
}

/// `server-clients-set --max-clients`: as in libvirtd, a server at its limit stops
/// accepting, so an extra client is not served (its connection waits, unanswered, in
/// the listen backlog) until a slot frees; the admin server is not affected.
#[test]
fn client_limit_turns_extra_clients_away() {
    if !have_virt_admin() {
        return;
    }
    let d = Daemon::start("adm-limits");
    let uri = d.admin_uri();
    // The harness's readiness probes are gone once the list is empty.
    wait_clients(&d, "libvirtd", 0);
    let out = virt_admin_ok(&uri, &["srv-clients-info", "libvirtd"]);
    for (k, v) in [
        ("nclients_max", "5000"),
        ("nclients", "0"),
        ("nclients_unauth_max", "20"),
        ("nclients_unauth", "0"),
    ] {
        assert_eq!(field(&out, k), Some(v), "{k} in:\n{out}");
    }
    // libvirt's rule: the maximum may not drop below the unauthenticated maximum.
    let o = virt_admin(&uri, &["srv-clients-set", "libvirtd", "--max-clients", "2"]);
    assert!(!o.status.success());
    assert!(
        text(&o).1.contains("must not be less than"),
        "{:?}",
        text(&o)
    );
    virt_admin_ok(
        &uri,
        &[
            "srv-clients-set",
            "libvirtd",
            "--max-clients",
            "2",
            "--max-unauth-clients",
            "1",
        ],
    );

    let mut a = Raw::connect(&d.rw_socket());
    a.open();
    let mut b = Raw::connect(&d.ro_socket());
    b.open();
    let out = virt_admin_ok(&uri, &["srv-clients-info", "libvirtd"]);
    assert_eq!(
        (field(&out, "nclients_max"), field(&out, "nclients")),
        (Some("2"), Some("2")),
        "{out}"
    );

    // The third client connects (the kernel queues it) but is never served.
    let mut extra = Raw::connect(&d.rw_socket());
    extra
        .stream
        .set_read_timeout(Some(Duration::from_millis(1500)))
        .unwrap();
    let serial = extra.call_raw(procs::AUTH_LIST, &[]);
    let r = extra.try_read();
    assert!(
        matches!(&r, Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)),
        "the extra client was served: {r:?}"
    );
    let out = virt_admin_ok(&uri, &["srv-clients-info", "libvirtd"]);
    assert_eq!(field(&out, "nclients"), Some("2"), "{out}");
    assert!(
        d.log()
            .contains("server libvirtd: not accepting new clients (2 of 2 clients"),
        "{}",
        d.log()
    );

    // A slot frees: the waiting client is accepted and its call answered.
    drop(b);
    extra
        .stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let m = extra.read().expect("reply once a slot freed");
    assert_eq!(
        (m.header.proc_, m.header.serial, m.header.status),
        (procs::AUTH_LIST, serial, MessageStatus::OK)
    );
    a.call(procs::CONNECT_GET_TYPE, &());

    // Raising the limit lets new clients straight in.
    virt_admin_ok(
        &uri,
        &["srv-clients-set", "libvirtd", "--max-clients", "10"],
    );
    let mut c = Raw::connect(&d.rw_socket());
    c.open();
    let out = virt_admin_ok(&uri, &["srv-clients-info", "libvirtd"]);
    assert_eq!(
        (field(&out, "nclients_max"), field(&out, "nclients")),
        (Some("10"), Some("3")),
        "{out}"
    );
}

/// `daemon-timeout`: 0 turns auto-shutdown off, N makes the daemon exit after N
/// seconds without clients.
#[test]
fn daemon_timeout_is_set_at_run_time() {
    if !have_virt_admin() {
        return;
    }
    let mut d = Daemon::start("adm-timeout");
    let mut keep = Raw::connect(&d.rw_socket());
    keep.open();
    virt_admin_ok(&d.admin_uri(), &["daemon-timeout", "--timeout", "1"]);
    virt_admin_ok(&d.admin_uri(), &["daemon-timeout", "--timeout", "0"]);
    drop(keep);
    std::thread::sleep(Duration::from_millis(2500));
    assert!(d.alive(), "timeout 0 must keep the daemon up\n{}", d.log());

    virt_admin_ok(&d.admin_uri(), &["daemon-timeout", "--timeout", "1"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(st) = d.child.try_wait().unwrap() {
            break st;
        }
        assert!(Instant::now() < deadline, "rvirtd did not time out");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}\n{}", d.log());
    assert!(!d.admin_socket().exists());
    assert!(
        d.log().contains("auto-shutdown timeout set to never"),
        "{}",
        d.log()
    );
}
