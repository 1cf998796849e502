//! The daemon's drivers run with no client connected (issue 15): rvirtd started as the
//! README shows, Debian's virsh makes one call and leaves, and the QEMU state alone
//! follows the guest — a guest that powers itself off has its QEMU reaped, and a guest
//! told to reboot comes back running, with nobody connected. Real QEMU (TCG).

use std::path::Path;
use std::time::{Duration, Instant};

use rvirt_testkit::{
    ACPI_AWARE, Daemon, QemuReaper, delayed_poweroff, have_virsh, pid_exists, qemu_pids, text,
    virsh, virsh_ok, write_guest,
};

const DEADLINE: Duration = Duration::from_secs(20);

/// rvirtd as the README starts it (a socket dir, `--keep-open test:///default`, a QEMU
/// root), and the `qemu+unix:///system` URI of its read-write socket.
fn daemon(tag: &str) -> (Daemon, String) {
    let d = Daemon::start(tag);
    let uri = d.qemu_uri();
    (d, uri)
}

/// Defines and starts `name` booting `code` with virsh, which then exits; returns the
/// guest's QEMU pid.
fn start_guest(d: &Daemon, uri: &str, name: &str, code: &[u8]) -> i32 {
    let xml = write_guest(&d.dir, name, code);
    virsh_ok(uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(uri, &["start", name]);
    let pids = qemu_pids(&d.dir.0);
    assert_eq!(pids.len(), 1, "{pids:?}");
    pids[0]
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let t = Instant::now();
    while !done() {
        assert!(t.elapsed() < DEADLINE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn domstate(uri: &str, name: &str) -> String {
    virsh_ok(uri, &["domstate", name, "--reason"])
        .trim()
        .to_string()
}

#[test]
fn a_guest_that_powers_off_with_no_client_connected_is_reaped() {
    if !have_virsh() {
        return;
    }
    let (d, uri) = daemon("nc-off");
    let _reaper = QemuReaper(d.dir.0.clone());
    // About 2.5 s of work, then power off: virsh is long gone by then.
    let pid = start_guest(&d, &uri, "off", &delayed_poweroff(0x2800_0000));
    assert!(pid_exists(pid));
    // Nobody is connected: the daemon's QEMU state sees the power-off and reaps QEMU.
    wait_until("QEMU to be reaped", || !pid_exists(pid));
    assert_eq!(domstate(&uri, "off"), "shut off (shutdown)");
    assert!(!Path::new(&d.dir.0.join("q/run/qemu/off.xml")).exists());
}

#[test]
fn a_reboot_completes_with_no_client_connected() {
    if !have_virsh() {
        return;
    }
    let (d, uri) = daemon("nc-reboot");
    let _reaper = QemuReaper(d.dir.0.clone());
    let pid = start_guest(&d, &uri, "rb", ACPI_AWARE);
    // The firmware clears the power button's status while it runs: a press before the
    // boot sector enables the event is lost. Press (one virsh call each, which then
    // exits) until the daemon reports the reboot.
    let t = Instant::now();
    std::thread::sleep(Duration::from_millis(500));
    while !d.log().contains("domain 'rb' rebooted") {
        assert!(t.elapsed() < DEADLINE, "no reboot; log:\n{}", d.log());
        let o = virsh(&uri, &["reboot", "rb"]);
        assert!(o.status.success(), "{:?}", text(&o));
        let pressed = Instant::now();
        while pressed.elapsed() < Duration::from_secs(1)
            && !d.log().contains("domain 'rb' rebooted")
        {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    // The same QEMU runs the guest again.
    assert!(pid_exists(pid));
    assert_eq!(qemu_pids(&d.dir.0), vec![pid]);
    assert_eq!(domstate(&uri, "rb"), "running (booted)");
    virsh_ok(&uri, &["destroy", "rb"]);
    wait_until("QEMU to go", || !pid_exists(pid));
}
