//! Faults and load with real processes (issue 9): clients that vanish in the middle of
//! a call or of an event stream; 200 concurrent clients doing lifecycle calls with no
//! error, no leaked fd and stable memory. (rvirtd killed while QEMU guests run is a
//! cross-crate scenario: `tests/tests/daemon_faults.rs`.)

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Daemon, Raw, open_fds, rss_kib};
use rvirt_rpc::{Header, Message, MessageStatus, procs, types};

fn dom_call(c: &mut Raw, proc_: i32, dom: &rvirt_rpc::RemoteNonnullDomain) -> MessageStatus {
    c.call(proc_, &types::DomainArgs { dom: dom.clone() })
        .header
        .status
}

/// One client: define its own domain, `cycles` × create/suspend/resume/destroy,
/// undefine. Returns the number of failed calls.
fn lifecycle_client(sock: &Path, name: String, cycles: usize) -> usize {
    let mut c = Raw::connect(sock);
    c.open();
    let xml = format!(
        "<domain type='test'><name>{name}</name><memory unit='KiB'>8192</memory><os><type>hvm</type></os></domain>"
    );
    let m = c.call(
        procs::DOMAIN_DEFINE_XML,
        &types::DomainDefineXmlArgs { xml },
    );
    if m.header.status != MessageStatus::OK {
        return 1;
    }
    let dom = m.decode_payload::<types::DomainRet>().unwrap().dom;
    let mut failed = 0;
    for _ in 0..cycles {
        for p in [
            procs::DOMAIN_CREATE,
            procs::DOMAIN_SUSPEND,
            procs::DOMAIN_RESUME,
            procs::DOMAIN_DESTROY,
        ] {
            failed += usize::from(dom_call(&mut c, p, &dom) != MessageStatus::OK);
        }
    }
    failed += usize::from(dom_call(&mut c, procs::DOMAIN_UNDEFINE, &dom) != MessageStatus::OK);
    failed
}

fn load_round(sock: &Path, round: usize) -> usize {
    let handles: Vec<_> = (0..200)
        .map(|i| {
            let sock = sock.to_path_buf();
            std::thread::spawn(move || lifecycle_client(&sock, format!("load-{round}-{i}"), 5))
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).sum()
}

#[test]
fn two_hundred_clients_and_vanishing_clients_leave_no_trace() {
    let d = Daemon::start("load");
    let pid = d.pid();
    let sock = d.rw_socket();
    // The start-up probes' connections may still be closing: let the count settle.
    std::thread::sleep(Duration::from_millis(200));
    let fds_idle = open_fds(pid);

    // A subscriber that disappears while events are being pushed to it, and a client
    // that hangs up in the middle of sending a call.
    let mut sub = Raw::connect(&sock);
    sub.open();
    let m = sub.call(
        procs::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
        &types::ConnectDomainEventCallbackRegisterAnyArgs {
            event_id: 0,
            dom: None,
        },
    );
    assert_eq!(m.header.status, MessageStatus::OK);
    let mut half = Raw::connect(&sock);
    half.open();
    half.send_raw(&[0, 0, 0, 200, 0x20, 0, 0x80, 0x86, 0, 0, 0]); // 11 of 200 bytes
    drop(half);
    // A client that hangs up with calls in flight: eight pipelined calls (the daemon
    // queues them and runs up to five at once on its workers) and no reply read.
    let mut gone = Raw::connect(&sock);
    gone.open();
    let lookup = Message::with_body(
        Header::call(0, 0, 0, 0),
        &types::DomainLookupByNameArgs {
            name: "test".into(),
        },
    )
    .unwrap()
    .payload;
    for _ in 0..8 {
        gone.call_raw(procs::DOMAIN_LOOKUP_BY_NAME, &lookup);
    }
    drop(gone);

    // Round 1 (also fills every pool and cache), with the subscriber dropped mid-way.
    let stream = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        drop(sub);
    });
    let t = Instant::now();
    assert_eq!(load_round(&sock, 1), 0, "failed calls in round 1");
    stream.join().unwrap();
    let rss_warm = rss_kib(pid);
    assert_eq!(load_round(&sock, 2), 0, "failed calls in round 2");
    eprintln!(
        "2 x 200 clients x 26 calls in {:?}; RSS after round 1: {rss_warm} KiB, after round 2: {} KiB",
        t.elapsed(),
        rss_kib(pid)
    );
    // Memory is stable: the second round adds (almost) nothing.
    assert!(
        rss_kib(pid) < rss_warm + 8 * 1024,
        "RSS grew from {rss_warm} to {} KiB",
        rss_kib(pid)
    );
    // Every client socket was closed again.
    let deadline = Instant::now() + Duration::from_secs(5);
    while open_fds(pid) > fds_idle {
        assert!(
            Instant::now() < deadline,
            "fds: {} idle, {} after the load",
            fds_idle,
            open_fds(pid)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // And the daemon still serves.
    let mut c = Raw::connect(&sock);
    c.open();
    let m = c.call(
        procs::DOMAIN_LOOKUP_BY_NAME,
        &types::DomainLookupByNameArgs {
            name: "test".into(),
        },
    );
    assert_eq!(m.header.status, MessageStatus::OK);
}
