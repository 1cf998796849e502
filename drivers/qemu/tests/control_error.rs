//! A monitor that starts sending garbage: CONTROL_ERROR, later commands fail with a typed
//! error, the domain can still be destroyed. Real QEMU never emits invalid JSON, so the
//! "QEMU" here is a stand-in adopted through the reconnect path: a `sh` process whose
//! command line carries `-uuid UUID`, and a monitor socket served by this test.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, DomainEvent, DomainEventId, ErrorCode};

const UUID: &str = "0b5a3c1e-5f6d-4e2a-9c1b-7d8e9f0a1b2c";

/// Serves one monitor connection: greeting, replies to the handshake and
/// `query-status`, then (when told) one valid event followed by a line of garbage.
fn fake_monitor(listener: UnixListener, go: mpsc::Receiver<()>) {
    let (stream, _) = listener.accept().unwrap();
    let mut out = stream.try_clone().unwrap();
    let mut lines = BufReader::new(stream).lines();
    out.write_all(
        b"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"\"}, \"capabilities\": []}}\r\n",
    )
    .unwrap();
    for reply in [
        "{}",
        "{\"status\": \"running\", \"singlestep\": false, \"running\": true}",
    ] {
        let cmd: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        let id = cmd["id"].clone();
        writeln!(out, "{{\"return\": {reply}, \"id\": {id}}}\r").unwrap();
    }
    go.recv().unwrap();
    out.write_all(b"{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"RTC_CHANGE\", \"data\": {\"offset\": 5, \"qom-path\": \"/machine/unattached/device[0]\"}}\r\n{\"event\": \"STOP\", \"timestamp\": nope}\r\n").unwrap();
    // Keep the connection open until the driver lets go of it.
    for _ in lines {}
}

/// The stand-in process, killed and reaped however the test ends.
struct StandIn(std::process::Child);

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn garbage_from_the_monitor_raises_control_error_and_breaks_the_monitor() {
    rvirt_driver_qemu::register().unwrap();
    let root = PathBuf::from(format!("/tmp/rvq-ctl-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let lib = root.join("lib/qemu/domain-1-ctl");
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::create_dir_all(root.join("run/qemu")).unwrap();
    let sock = lib.join("monitor.sock");
    let listener = UnixListener::bind(&sock).unwrap();
    let (go, go_rx) = mpsc::channel();
    let server = std::thread::spawn(move || fake_monitor(listener, go_rx));
    // Two commands, so that the shell cannot exec `sleep` and lose its arguments.
    let stand_in = StandIn(
        std::process::Command::new("/bin/sh")
            .args(["-c", "sleep 30; exit 0", "-uuid", UUID])
            .spawn()
            .unwrap(),
    );
    let pid = stand_in.0.id();
    std::fs::write(
        root.join("run/qemu/ctl.xml"),
        format!(
            "<domstatus state='running' reason='booted' pid='{pid}'>\n  <monitor path='{}' type='unix'/>\n  <libDir path='{}'/>\n<domain type='qemu' id='1'>\n  <name>ctl</name>\n  <uuid>{UUID}</uuid>\n  <memory unit='KiB'>65536</memory>\n  <vcpu>1</vcpu>\n  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n</domain>\n</domstatus>\n",
            sock.display(),
            lib.display()
        ),
    )
    .unwrap();

    let l = DefaultLoop::new().unwrap();
    let conn = Connect::open_with_loop(
        &format!("qemu:///embed?root={}", root.display()),
        l.shared(),
    )
    .unwrap();
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
    drop(stand_in);
    server.join().unwrap();
    let _ = std::fs::remove_dir_all(&root);
}
