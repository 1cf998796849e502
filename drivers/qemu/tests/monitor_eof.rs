//! A monitor that closes while its QEMU lives on: the domain stops as crashed at once,
//! the event loop is never blocked waiting for the process, and the process is killed
//! and reaped by the driver's reaper timer on the same loop. Real QEMU closes its
//! monitor only when it exits, so the "QEMU" here is a stand-in (see `stand_in`) that
//! ignores SIGTERM.

mod support;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use rvirt_core::api::StoppedDetail;
use rvirt_core::{ErrorCode, Lifecycle};
use rvirt_driver_qemu::process::pid_exists;
use rvirt_testkit::stand_in;

#[test]
fn a_monitor_eof_never_blocks_the_loop_and_the_process_is_reaped() {
    rvirt_driver_qemu::register().unwrap();
    // Short sleeps: once the shell is killed, its last `sleep` ends on its own quickly.
    let mut prep = stand_in::prepare(
        "eof",
        "eof",
        "trap '' TERM; i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done",
    );
    let pid = prep.proc.0.id();
    let listener = prep.listener.take().unwrap();
    let (go, go_rx) = mpsc::channel::<()>();
    let server = std::thread::spawn(move || {
        let (out, lines) = stand_in::accept_and_handshake(&listener);
        go_rx.recv().unwrap();
        // Closing both halves is the monitor's end-of-file; the process lives on.
        drop(out);
        drop(lines);
    });

    let (l, conn) = support::open(&prep.root);
    let dom = conn.lookup_domain_by_name("eof").unwrap();
    assert!(dom.is_active().unwrap());
    let seen = support::record_lifecycle(&conn);

    go.send(()).unwrap();
    let start = Instant::now();
    let mut longest = Duration::ZERO;
    while seen.lock().unwrap().is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no lifecycle event"
        );
        let t = Instant::now();
        l.run_once_timeout(Duration::from_millis(20)).unwrap();
        longest = longest.max(t.elapsed());
    }
    assert_eq!(
        *seen.lock().unwrap(),
        [Lifecycle::Stopped(StoppedDetail::Failed)]
    );
    // Transient (no persistent definition): gone once stopped, as in libvirt.
    assert_eq!(dom.state().unwrap_err().code(), ErrorCode::NoDomain);
    // The process ignores SIGTERM and never exits by itself within this test: the old
    // behaviour (a blocking wait inside the watch callback) held the loop for 5 s.
    // Now the callback waits a few milliseconds, then SIGKILL + the reaper timer.
    assert!(
        longest < Duration::from_secs(1),
        "one loop iteration took {longest:?}"
    );
    // The loop's reaper timer collects the killed process (it is this test's child,
    // so a zombie would still "exist": gone means reaped).
    let t = Instant::now();
    while pid_exists(pid) {
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "stand-in {pid} not reaped"
        );
        l.run_once_timeout(Duration::from_millis(20)).unwrap();
    }
    assert!(
        !prep.root.join("run/qemu/eof.xml").exists(),
        "status file left"
    );
    conn.close().unwrap();
    server.join().unwrap();
}
