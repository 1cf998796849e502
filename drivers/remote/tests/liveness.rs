//! A dead rvirtd is visible (issue 20): after `kill -9` the connection is no longer alive,
//! its close callback runs once with the reason, a call in flight fails instead of hanging
//! and a tokio stream of its events ends; a frozen rvirtd (SIGSTOP) is dropped by
//! per-connection keepalive with reason KEEPALIVE. rvirtd runs as a process of the test,
//! signalled and killed by pid.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use rvirt_core::api::{CloseReason, DomainEventId};
use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, ErrorCode, ErrorDomain};
use rvirt_testkit::Daemon;
use rvirt_tokio::TokioLoop;

fn signal(daemon: &Daemon, sig: i32) {
    // SAFETY: kill(2) on the pid of a child this test started and has not reaped.
    let rc = unsafe { libc::kill(daemon.pid(), sig) };
    assert_eq!(rc, 0, "kill({}, {sig})", daemon.pid());
}

/// Registers a close callback that reports each call (reason, when) on a channel and
/// counts them.
fn watch_close(conn: &Connect) -> (std_mpsc::Receiver<(CloseReason, Instant)>, Arc<AtomicUsize>) {
    let (tx, rx) = std_mpsc::channel();
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    conn.register_close_callback(move |conn, reason| {
        counted.fetch_add(1, Ordering::SeqCst);
        assert!(!conn.is_alive());
        let _ = tx.send((reason, Instant::now()));
    })
    .unwrap();
    (rx, calls)
}

fn wait_dead(conn: &Connect, within: Duration) -> Duration {
    let t0 = Instant::now();
    while conn.is_alive() {
        assert!(t0.elapsed() < within, "still alive after {within:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
    t0.elapsed()
}

#[test]
fn killed_daemon_ends_the_connection() {
    rvirt_driver_remote::register().unwrap();
    let daemon = Daemon::start("liveness-kill");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let ev = TokioLoop::new(rt.handle().clone());

    // An idle connection with a close callback and a stream of lifecycle events.
    let idle = Connect::open_with_loop(&daemon.uri(), ev.shared()).unwrap();
    assert!(idle.is_alive());
    let (closed, close_calls) = watch_close(&idle);
    let (tx, mut stream) = tokio::sync::mpsc::unbounded_channel();
    idle.domain_event_register_any(None, DomainEventId::Lifecycle, move |dom, _| {
        let _ = tx.send(dom.name().to_string());
    })
    .unwrap();
    // A second connection whose call is in flight when the daemon dies.
    let busy = Connect::open_with_loop(&daemon.uri(), ev.shared()).unwrap();
    let (busy_closed, _) = watch_close(&busy);

    // Stopped first, so that the call is surely in flight (written, unanswered) at the kill.
    signal(&daemon, libc::SIGSTOP);
    let caller = {
        let busy = busy.clone();
        std::thread::spawn(move || {
            let r = busy.hostname();
            (r, Instant::now())
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        !caller.is_finished(),
        "the call did not wait for the daemon"
    );
    signal(&daemon, libc::SIGKILL);
    let killed = Instant::now();

    // The idle connection: dead within a second, callback once with EOF, stream ended.
    let took = wait_dead(&idle, Duration::from_secs(1));
    let (reason, when) = closed.recv_timeout(Duration::from_secs(1)).unwrap();
    assert_eq!(reason, CloseReason::Eof);
    assert!(
        when.duration_since(killed) < Duration::from_secs(1),
        "{took:?}"
    );
    let ended =
        rt.block_on(async { tokio::time::timeout(Duration::from_secs(1), stream.recv()).await });
    assert_eq!(ended, Ok(None), "the event stream did not end");
    let e = idle.hostname().unwrap_err();
    assert_eq!(
        (e.code(), e.domain(), e.message()),
        (
            ErrorCode::InternalError,
            ErrorDomain::Rpc,
            "client socket is closed"
        )
    );

    // The call in flight failed promptly with libvirt's error (the daemon died with our
    // request unread: a reset, else an EOF).
    let (r, failed_at) = caller.join().unwrap();
    let e = r.unwrap_err();
    assert_eq!(
        (e.code(), e.domain()),
        (ErrorCode::SystemError, ErrorDomain::Rpc)
    );
    assert!(
        e.message() == "Cannot recv data: Connection reset by peer"
            || e.message() == "End of file while reading data: Input/output error",
        "{e}"
    );
    assert!(failed_at.duration_since(killed) < Duration::from_secs(1));
    let (reason, _) = busy_closed.recv_timeout(Duration::from_secs(1)).unwrap();
    assert!(
        matches!(reason, CloseReason::Error | CloseReason::Eof),
        "{reason:?}"
    );
    assert!(!busy.is_alive());

    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        close_calls.load(Ordering::SeqCst),
        1,
        "close callback called again"
    );
    drop((idle, busy, daemon));
    rt.shutdown_timeout(Duration::from_secs(1));
}

#[test]
fn frozen_daemon_is_dropped_by_keepalive() {
    rvirt_driver_remote::register().unwrap();
    let daemon = Daemon::start("liveness-stop");
    let ev = DefaultLoop::new().unwrap();
    let runner = ev.clone();
    let thread = std::thread::spawn(move || runner.run().unwrap());
    let conn = Connect::open_with_loop(&daemon.uri(), ev.shared()).unwrap();
    let (closed, calls) = watch_close(&conn);
    let interval = Duration::from_millis(200);
    let count = 2;
    assert_eq!(conn.set_keepalive(interval, count), Ok(true));

    // Alive: the daemon answers the PINGs through an idle second.
    std::thread::sleep(Duration::from_secs(1));
    assert!(conn.is_alive());
    assert_eq!(conn.hypervisor_type().unwrap(), "TEST");

    signal(&daemon, libc::SIGSTOP);
    let stopped = Instant::now();
    let limit = interval * (count + 2) + Duration::from_millis(500);
    let (reason, when) = closed.recv_timeout(limit * 2).unwrap();
    signal(&daemon, libc::SIGCONT);
    assert_eq!(reason, CloseReason::Keepalive);
    let took = when.duration_since(stopped);
    assert!(took < limit, "closed after {took:?}, limit {limit:?}");
    assert!(!conn.is_alive());
    let e = conn.hostname().unwrap_err();
    assert_eq!(e.message(), "client socket is closed");
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    drop(conn);
    drop(daemon);
    ev.quit();
    thread.join().unwrap();
}

#[test]
fn close_callback_is_one_at_a_time_and_not_called_by_close() {
    rvirt_driver_remote::register().unwrap();
    let daemon = Daemon::start("liveness-close");
    let ev = DefaultLoop::new().unwrap();
    let runner = ev.clone();
    let thread = std::thread::spawn(move || runner.run().unwrap());
    let conn = Connect::open_with_loop(&daemon.uri(), ev.shared()).unwrap();
    let (closed, _) = watch_close(&conn);
    let e = conn.register_close_callback(|_, _| {}).unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (
            ErrorCode::OperationInvalid,
            "A close callback is already registered"
        )
    );
    conn.unregister_close_callback().unwrap();
    let e = conn.unregister_close_callback().unwrap_err();
    assert_eq!(e.message(), "A different callback was requested");
    let (closed2, calls) = watch_close(&conn);
    conn.close().unwrap();
    assert!(!conn.is_alive());
    std::thread::sleep(Duration::from_millis(200));
    assert!(closed.try_recv().is_err() && closed2.try_recv().is_err());
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    // Without an event loop there is no keepalive to set.
    let plain = Connect::open(&daemon.uri()).unwrap();
    assert_eq!(plain.set_keepalive(Duration::from_secs(1), 1), Ok(false));
    drop(plain);
    drop(daemon);
    ev.quit();
    thread.join().unwrap();
}
