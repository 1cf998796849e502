//! Events a real guest causes, through rvirtd to Debian's libvirt clients: a TCG guest
//! ([`EVENT_TOUR`]) sets its RTC, resets itself and suspends to RAM; python3-libvirt
//! receives RTC_CHANGE, REBOOT and PMSUSPEND with the lifecycle change, wakes the guest
//! with `pMWakeup()` and receives PMWAKEUP and STARTED/WAKEUP; `virsh event --all` on
//! another connection (27 registrations) prints the same events.

use rvirt_testkit::{
    Daemon, EVENT_TOUR, QemuReaper, TempDir, have_python_libvirt, have_qemu, have_virsh, python,
    text, virsh_thread, write_guest,
};

const SCRIPT: &str = r#"
import sys, time, libvirt
libvirt.virEventRegisterDefaultImpl()
c = libvirt.open(sys.argv[1])
got = []
def lifecycle(conn, dom, event, detail, opaque):
    got.append(("lifecycle", event, detail))
def reboot(conn, dom, opaque):
    got.append(("reboot",))
def rtc(conn, dom, offset, opaque):
    got.append(("rtc-change", offset))
def pm(name):
    def cb(conn, dom, reason, opaque):
        got.append((name, reason))
    return cb
E = libvirt
ids = [c.domainEventRegisterAny(None, E.VIR_DOMAIN_EVENT_ID_LIFECYCLE, lifecycle, None),
       c.domainEventRegisterAny(None, E.VIR_DOMAIN_EVENT_ID_REBOOT, reboot, None),
       c.domainEventRegisterAny(None, E.VIR_DOMAIN_EVENT_ID_RTC_CHANGE, rtc, None),
       c.domainEventRegisterAny(None, E.VIR_DOMAIN_EVENT_ID_PMSUSPEND, pm("pm-suspend"), None),
       c.domainEventRegisterAny(None, E.VIR_DOMAIN_EVENT_ID_PMWAKEUP, pm("pm-wakeup"), None)]
def run_until(pred, secs):
    deadline = time.time() + secs
    while not pred() and time.time() < deadline:
        libvirt.virEventRunDefaultImpl()
dom = c.defineXML(open(sys.argv[2]).read())
dom.create()
run_until(lambda: any(g[0] == "pm-suspend" for g in got), 20)
print("state after suspend", dom.state())
dom.pMWakeup(0)
run_until(lambda: ("lifecycle", 2, 4) in got, 20)
print("state after wakeup", dom.state())
dom.destroy()
run_until(lambda: ("lifecycle", 5, 1) in got, 10)
for i in ids:
    c.domainEventDeregisterAny(i)
dom.undefine()
for g in got:
    print("got", *g)
"#;

#[test]
fn guest_caused_events_reach_python_and_virsh() {
    if !have_virsh() || !have_qemu() || !have_python_libvirt() {
        return;
    }
    let root = TempDir::new("qemu-events");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu-events", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let xml = write_guest(&root, "tour", EVENT_TOUR);

    let virsh = virsh_thread(&uri, &["event", "--all", "--loop", "--timeout", "10"], 30);
    // virsh registers every one of the 27 ids (callbackIDs 0–26) before it waits.
    d.wait_log("memory-device-size-change event callback 26 registered");

    let o = python(SCRIPT, &[&uri, xml.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}\n{}", d.log());
    let got: Vec<&str> = out.lines().filter_map(|l| l.strip_prefix("got ")).collect();
    // Started, RTC set, reset, then suspended to RAM.
    assert!(got.contains(&"lifecycle 2 0"), "{out}");
    assert!(got.contains(&"reboot"), "{out}");
    let offset: i64 = got
        .iter()
        .find_map(|g| g.strip_prefix("rtc-change "))
        .unwrap_or_else(|| panic!("no rtc-change: {out}"))
        .parse()
        .unwrap();
    assert!((-60..=0).contains(&offset), "seconds set to 0: {offset}");
    let at = |what: &str| got.iter().position(|g| *g == what);
    let suspend = at("pm-suspend 0").unwrap_or_else(|| panic!("{out}"));
    let suspended = at("lifecycle 7 0").unwrap_or_else(|| panic!("{out}"));
    assert!(
        suspend < suspended,
        "PMSUSPEND comes first, as in libvirt: {out}"
    );
    // PMSUSPENDED (7) reason unknown (0).
    assert!(out.contains("state after suspend [7, 0]"), "{out}");
    // Woken: PMWAKEUP, then STARTED/WAKEUP and RUNNING/WAKEUP (1, 8).
    let wakeup = at("pm-wakeup 0").unwrap_or_else(|| panic!("{out}"));
    let started = at("lifecycle 2 4").unwrap_or_else(|| panic!("{out}"));
    assert!(suspended < wakeup && wakeup < started, "{out}");
    assert!(out.contains("state after wakeup [1, 8]"), "{out}");
    assert!(got.contains(&"lifecycle 5 1"), "destroyed: {out}");

    let o = virsh.join().unwrap();
    let (vout, verr) = text(&o);
    assert!(o.status.success(), "{vout}\n{verr}");
    for want in [
        "event 'rtc-change' for domain 'tour': ",
        "event 'reboot' for domain 'tour'",
        "event 'pm-suspend' for domain 'tour'",
        "event 'pm-wakeup' for domain 'tour'",
        "event 'lifecycle' for domain 'tour': PMSuspended Memory",
        "event 'lifecycle' for domain 'tour': Started Event wakeup",
    ] {
        assert!(vout.contains(want), "virsh missed {want:?}:\n{vout}");
    }
}
