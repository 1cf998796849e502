//! Boots tiny boot sectors under the real qemu-system-x86_64 (TCG) with an argv from
//! `command_line`, speaking QMP through `QmpCodec`.

use std::os::fd::AsRawFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::time::{Duration, Instant};

use rvirt_core::conf::DomainDef;
use rvirt_driver_qemu::command_line::{Accel, RuntimeOptions, build_args, emulator};
use rvirt_driver_qemu::process::{QemuProcess, pid_exists, spawn_with_monitor};
use rvirt_driver_qemu::qmp::{Message, QmpEvent, QmpStream};
use rvirt_testkit::{LOOP, POWEROFF, TempDir, boot_disk, domain_xml};

const STEP: Duration = Duration::from_secs(10);

struct Guest {
    dir: TempDir,
    proc: QemuProcess,
    qmp: QmpStream,
    started: Instant,
}

impl Drop for Guest {
    fn drop(&mut self) {
        let pid = self.proc.pid();
        let _ = self.proc.kill();
        if pid != 0 {
            assert!(!pid_exists(pid), "qemu {pid} left behind");
        }
        // The directory (a field) is removed after this.
    }
}

fn start(tag: &str, code: &[u8]) -> Guest {
    let dir = TempDir::new(&format!("boot-{tag}"));
    let disk = boot_disk(&dir.join("boot.img"), code);
    let xml = domain_xml(&format!("boot-{tag}"), &disk);
    let def = DomainDef::from_xml(&xml).unwrap();
    let sock = dir.join("monitor.sock");
    let listener = UnixListener::bind(&sock).unwrap();
    let mut rt = RuntimeOptions::new(listener.as_raw_fd());
    rt.accel = Accel::Tcg;
    rt.pidfile = Some(dir.join("qemu.pid"));
    let args = build_args(&def, &rt).unwrap();
    let started = Instant::now();
    let proc = spawn_with_monitor(
        &emulator(&def),
        &args,
        &listener,
        Some(&dir.join("qemu.log")),
    )
    .unwrap();
    drop(listener);
    let stream = UnixStream::connect(&sock).unwrap();
    let mut qmp = QmpStream::new(stream, STEP);
    let version = qmp.handshake().expect("QMP handshake");
    assert!(version.major >= 7);
    Guest {
        dir,
        proc,
        qmp,
        started,
    }
}

fn next_event(g: &mut Guest) -> Option<QmpEvent> {
    match g.qmp.next_event(STEP).expect("event in time") {
        Some(Message::Event { event, .. }) => Some(event),
        Some(other) => panic!("not an event: {other:?}"),
        None => None,
    }
}

#[test]
fn guest_powers_off_via_acpi_pm1a() {
    // mov dx,0x604; mov ax,0x2000; out dx,ax; hlt; jmp $
    let mut g = start("poweroff", POWEROFF);
    let pid = g.proc.pid();
    let pidfile = std::fs::read_to_string(g.dir.join("qemu.pid")).unwrap();
    assert_eq!(pidfile.trim().parse::<u32>().unwrap(), pid);
    let status = g.qmp.execute("query-status", None).unwrap();
    assert_eq!(status["status"], "prelaunch");
    let cont_at = Instant::now();
    g.qmp.execute("cont", None).unwrap();
    assert_eq!(next_event(&mut g), Some(QmpEvent::Resume));
    let ev = next_event(&mut g);
    let boot_ms = cont_at.elapsed().as_millis();
    assert!(
        matches!(
            ev,
            Some(QmpEvent::Shutdown {
                guest: Some(true),
                ..
            })
        ),
        "{ev:?}"
    );
    // -no-shutdown: QEMU pauses instead of exiting.
    assert_eq!(next_event(&mut g), Some(QmpEvent::Stop));
    let status = g.qmp.execute("query-status", None).unwrap();
    assert_eq!(status["status"], "shutdown");
    eprintln!(
        "spawn→SHUTDOWN {} ms, cont→SHUTDOWN {boot_ms} ms",
        g.started.elapsed().as_millis()
    );
    g.qmp.execute("quit", None).unwrap();
    // The monitor closes and the process exits by itself.
    loop {
        match g.qmp.next_event(STEP).unwrap() {
            None => break,
            Some(Message::Event { .. }) => {}
            Some(other) => panic!("{other:?}"),
        }
    }
    let exit = g.proc.wait_timeout(STEP).unwrap().expect("qemu exited");
    assert!(exit.success(), "{exit:?}");
    assert!(!pid_exists(pid));
}

#[test]
fn stop_cont_reset_and_kill() {
    // jmp $
    let mut g = start("loop", LOOP);
    g.qmp.execute("cont", None).unwrap();
    assert_eq!(next_event(&mut g), Some(QmpEvent::Resume));
    g.qmp.execute("stop", None).unwrap();
    assert_eq!(next_event(&mut g), Some(QmpEvent::Stop));
    assert_eq!(
        g.qmp.execute("query-status", None).unwrap()["status"],
        "paused"
    );
    g.qmp.execute("cont", None).unwrap();
    assert_eq!(next_event(&mut g), Some(QmpEvent::Resume));
    g.qmp.execute("system_reset", None).unwrap();
    assert_eq!(
        next_event(&mut g),
        Some(QmpEvent::Reset { guest: Some(false) })
    );
    // SIGKILL: the codec-based reader sees end-of-file, nothing else — but for
    // events QEMU sent before it died (on a loaded host the firmware may reset the
    // machine once more after system_reset, a guest-initiated RESET).
    let pid = g.proc.pid();
    let t = Instant::now();
    g.proc.kill().unwrap();
    assert!(!pid_exists(pid));
    loop {
        match g.qmp.next_event(STEP).unwrap() {
            None => break,
            Some(e) => assert!(
                matches!(
                    e,
                    Message::Event {
                        event: QmpEvent::Reset { guest: Some(true) },
                        ..
                    }
                ),
                "{e:?}"
            ),
        }
    }
    assert!(g.qmp.is_eof());
    eprintln!("kill→EOF {} µs", t.elapsed().as_micros());
}
