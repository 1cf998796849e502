//! A monitor that starts sending garbage: CONTROL_ERROR, later commands fail with a typed
//! error, the domain can still be destroyed. Real QEMU never emits invalid JSON, so the
//! "QEMU" here is a stand-in (see `stand_in`).

mod support;

use std::io::Write;
use std::os::unix::net::UnixListener;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rvirt_core::{DomainEvent, DomainEventId, ErrorCode};
use rvirt_testkit::stand_in;

/// Serves one monitor connection: the handshake, then (when told) one valid event
/// followed by a line of garbage.
fn fake_monitor(listener: UnixListener, go: mpsc::Receiver<()>) {
    let (mut out, lines) = stand_in::accept_and_handshake(&listener);
    go.recv().unwrap();
    out.write_all(b"{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"RTC_CHANGE\", \"data\": {\"offset\": 5, \"qom-path\": \"/machine/unattached/device[0]\"}}\r\n{\"event\": \"STOP\", \"timestamp\": nope}\r\n").unwrap();
    // Keep the connection open until the driver lets go of it.
    for _ in lines {}
}

#[test]
fn garbage_from_the_monitor_raises_control_error_and_breaks_the_monitor() {
    rvirt_driver_qemu::register().unwrap();
    // Two commands, so that the shell cannot exec `sleep` and lose its arguments.
    let mut prep = stand_in::prepare("ctl", "ctl", "sleep 30; exit 0");
    let root = prep.root.clone();
    let pid = prep.proc.0.id();
    let listener = prep.listener.take().unwrap();
    let (go, go_rx) = mpsc::channel();
    let server = std::thread::spawn(move || fake_monitor(listener, go_rx));

    let (l, conn) = support::open(&root);
    let dom = conn.lookup_domain_by_name("ctl").unwrap();
    assert_eq!(dom.id(), Some(1));
    let seen = Arc::new(Mutex::new(Vec::new()));
    for id in [DomainEventId::ControlError, DomainEventId::RtcChange] {
        let sink = seen.clone();
        conn.domain_event_register_any(None, id, move |_, ev| {
            sink.lock().unwrap().push(ev.clone());
        })
        .unwrap();
    }
    go.send(()).unwrap();
    let t = Instant::now();
    while !seen.lock().unwrap().contains(&DomainEvent::ControlError) {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "no CONTROL_ERROR: {:?}",
            seen
        );
        l.run_once_timeout(Duration::from_millis(20)).unwrap();
    }
    // The valid event before the garbage still counted; the garbage raised one error.
    let evs = seen.lock().unwrap().clone();
    assert!(matches!(evs[0], DomainEvent::RtcChange { .. }), "{evs:?}");
    assert_eq!(
        evs.iter()
            .filter(|e| **e == DomainEvent::ControlError)
            .count(),
        1
    );
    // The domain is still there, but its monitor is not usable any more.
    assert!(dom.is_active().unwrap());
    let err = dom.suspend().unwrap_err();
    assert_eq!(err.code(), ErrorCode::InternalError, "{err}");
    assert!(err.to_string().contains("monitor is broken"), "{err}");
    // Destroy still works: it signals the process, not the monitor.
    dom.destroy().unwrap();
    assert!(!rvirt_driver_qemu::process::process_alive(pid));
    conn.close().unwrap();
    drop(prep);
    server.join().unwrap();
}
