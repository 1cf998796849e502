//! Client keepalive against a real libvirtd: a frozen daemon (SIGSTOP) is detected and the
//! pending call fails; a live one keeps an idle connection open. Its own test binary,
//! because keepalive settings are process-wide.

use std::process::Command;
use std::time::{Duration, Instant};

use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, ErrorCode, ErrorDomain};
use rvirt_testkit::Libvirtd;

fn signal(daemon: &Libvirtd, sig: &str) {
    let st = Command::new("kill")
        .args([sig, &daemon.pid().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
}

#[test]
fn client_keepalive_detects_a_frozen_daemon() {
    let Some(daemon) = Libvirtd::start() else {
        return;
    };
    rvirt_driver_remote::register().unwrap();
    rvirt_driver_remote::set_keepalive(Some((Duration::from_millis(300), 2)));
    let ev = DefaultLoop::new().unwrap();
    let runner = ev.clone();
    let thread = std::thread::spawn(move || runner.run().unwrap());
    let conn = Connect::open_with_loop(&daemon.uri(), ev.shared()).unwrap();

    // Alive: the daemon answers our PINGs, so an idle second passes unharmed.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(conn.hypervisor_type().unwrap(), "TEST");
    assert!(!conn.hostname().unwrap().is_empty());

    // Frozen: the call in flight fails once 2 PINGs went unanswered (~0.9 s).
    signal(&daemon, "-STOP");
    let t0 = Instant::now();
    let e = conn.hostname().unwrap_err();
    let waited = t0.elapsed();
    signal(&daemon, "-CONT");
    assert_eq!(
        (e.code(), e.domain()),
        (ErrorCode::InternalError, ErrorDomain::Rpc)
    );
    assert!(e.to_string().contains("keepalive timeout"), "{e}");
    assert!(waited < Duration::from_secs(5), "took {waited:?}");
    assert!(
        conn.hostname()
            .unwrap_err()
            .to_string()
            .contains("client socket is closed")
    );
    rvirt_driver_remote::set_keepalive(None);
    ev.quit();
    thread.join().unwrap();
}
