//! The embedded driver against the real qemu-system-x86_64 (TCG), with a DefaultLoop
//! driven on the test thread.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rvirt_core::api::{
    DefinedDetail, PausedReason, ResumedDetail, ShutdownDetail, ShutoffReason, StartedDetail,
    StateReason, StoppedDetail, SuspendedDetail,
};
use rvirt_core::{Connect, DomainEvent, DomainEventId, ErrorCode, Lifecycle};
use rvirt_driver_qemu::process::pid_exists;
use rvirt_testkit::{ACPI_AWARE, LOOP, POWEROFF, TempDir, domain_xml, run, text, write_guest};
use support::*;

#[test]
fn poweroff_guest_create_xml_runs_to_stopped_shutdown() {
    let env = setup("off");
    let disk = env.disk(POWEROFF);
    let t = Instant::now();
    let dom = env.conn().create_xml(&domain_xml("off", &disk), 0).unwrap();
    let started_ms = t.elapsed().as_millis();
    let pid = env.pid("off");
    assert!(dom.id().is_some());
    let evs = env.run_until(is_stopped);
    eprintln!(
        "create_xml {started_ms} ms, STOPPED after {} ms",
        t.elapsed().as_millis()
    );
    assert_eq!(
        evs,
        vec![
            Lifecycle::Started(StartedDetail::Booted),
            Lifecycle::Shutdown(ShutdownDetail::Guest),
            Lifecycle::Stopped(StoppedDetail::Shutdown),
        ]
    );
    env.run_until_gone(pid);
    // Transient: gone, and its run files with it.
    let err = env.conn().lookup_domain_by_name("off").unwrap_err();
    assert_eq!(err.code(), ErrorCode::NoDomain);
    assert!(!env.root.join("run/qemu/off.pid").exists());
    assert!(!env.root.join("run/qemu/off.xml").exists());
    assert!(env.root.join("log/qemu/off.log").exists());
}

#[test]
fn looping_guest_suspend_resume_destroy() {
    let env = setup("loop");
    let dom = env.create("loop", LOOP);
    let pid = env.pid("loop");
    env.run_until(|l| matches!(l, Lifecycle::Started(_)));
    assert_eq!(
        dom.state().unwrap(),
        StateReason::Running(rvirt_core::api::RunningReason::Booted)
    );
    assert_eq!(
        env.conn()
            .list_all_domains(Default::default())
            .unwrap()
            .len(),
        1
    );
    assert!(dom.xml_desc(0).unwrap().contains("<name>loop</name>"));
    dom.suspend().unwrap();
    assert_eq!(
        dom.state().unwrap(),
        StateReason::Paused(PausedReason::User)
    );
    env.run_until(|l| matches!(l, Lifecycle::Suspended(_)));
    dom.resume().unwrap();
    env.run_until(|l| matches!(l, Lifecycle::Resumed(_)));
    let info = dom.info().unwrap();
    assert_eq!(info.max_mem_kib, 65536);
    // ACPI power button: the guest ignores it; the call itself must work.
    dom.shutdown().unwrap();
    dom.destroy().unwrap();
    assert!(!pid_exists(pid), "qemu {pid} still there");
    let evs = env.run_until(is_stopped);
    assert_eq!(
        evs,
        vec![
            Lifecycle::Started(StartedDetail::Booted),
            Lifecycle::Suspended(SuspendedDetail::Paused),
            Lifecycle::Resumed(ResumedDetail::Unpaused),
            Lifecycle::Stopped(StoppedDetail::Destroyed),
        ]
    );
    // Nothing else arrives (the EOF the kill caused is ignored).
    for _ in 0..5 {
        env.l.run_once_timeout(Duration::from_millis(20)).unwrap();
    }
    assert_eq!(env.events.lock().unwrap().len(), 4);
    assert!(env.conn().lookup_domain_by_name("loop").is_err());
}

#[test]
fn start_paused_keeps_the_guest_stopped_until_resumed() {
    let env = setup("paused");
    let mut dom = env
        .conn()
        .define_xml(&env.guest_xml("paused", LOOP))
        .unwrap();
    // VIR_DOMAIN_START_PAUSED = 1 (and AUTODESTROY = 2); other flags are refused.
    let err = dom.create_with_flags(4).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArg, "{err}");
    dom.create_with_flags(1).unwrap();
    let pid = env.pid("paused");
    assert_eq!(
        dom.state().unwrap(),
        StateReason::Paused(PausedReason::User)
    );
    env.run_until(|l| matches!(l, Lifecycle::Suspended(_)));
    dom.resume().unwrap();
    env.run_until(|l| matches!(l, Lifecycle::Resumed(_)));
    assert_eq!(
        dom.state().unwrap(),
        StateReason::Running(rvirt_core::api::RunningReason::Unpaused)
    );
    dom.destroy().unwrap();
    env.run_until_gone(pid);
    assert_eq!(
        env.run_until(is_stopped),
        vec![
            Lifecycle::Defined(rvirt_core::api::DefinedDetail::Added),
            Lifecycle::Started(StartedDetail::Booted),
            Lifecycle::Suspended(SuspendedDetail::Paused),
            Lifecycle::Resumed(ResumedDetail::Unpaused),
            Lifecycle::Stopped(StoppedDetail::Destroyed),
        ]
    );
    dom.undefine().unwrap();
}

#[test]
fn sigkill_of_qemu_is_a_crash() {
    let env = setup("crash");
    let mut dom = env
        .conn()
        .define_xml(&env.guest_xml("crash", LOOP))
        .unwrap();
    assert!(env.root.join("etc/qemu/crash.xml").exists());
    dom.create().unwrap();
    let pid = env.pid("crash");
    // SAFETY: SIGKILL to the QEMU this test started.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGKILL);
    }
    let evs = env.run_until(is_stopped);
    assert_eq!(
        evs,
        vec![
            Lifecycle::Defined(rvirt_core::api::DefinedDetail::Added),
            Lifecycle::Started(StartedDetail::Booted),
            Lifecycle::Stopped(StoppedDetail::Failed),
        ]
    );
    env.run_until_gone(pid);
    // Its run files are gone; the persistent definition stays.
    assert!(!env.root.join("run/qemu/crash.pid").exists());
    assert!(!env.root.join("run/qemu/crash.xml").exists());
    assert_eq!(
        dom.state().unwrap(),
        StateReason::Shutoff(ShutoffReason::Crashed)
    );
    // Persistent: it stays, inactive, and can be undefined.
    let again = env.conn().lookup_domain_by_name("crash").unwrap();
    assert_eq!(again.id(), None);
    again.undefine().unwrap();
    assert!(!env.root.join("etc/qemu/crash.xml").exists());
    assert!(env.conn().lookup_domain_by_name("crash").is_err());
}

/// `rvirt-qemu-run -r ROOT XML`, bounded.
fn run_tool(root: &std::path::Path, xml: &std::path::Path) -> std::process::Output {
    let mut tool = std::process::Command::new(env!("CARGO_BIN_EXE_rvirt-qemu-run"));
    tool.arg("-r").arg(root).arg(xml);
    run(tool, DEADLINE.as_secs())
}

#[test]
fn a_root_is_shared_in_process_and_locked_against_other_processes() {
    let mut env = setup("lock");
    let uri = format!("qemu:///embed?root={}", env.root.display());
    // Same process: a second connection shares the instance and its events.
    let second = Connect::open_with_loop(&uri, env.l.shared()).unwrap();
    let seen = record_lifecycle(&second);
    let disk = env.disk(POWEROFF);
    env.conn().define_xml(&domain_xml("shared", &disk)).unwrap();
    assert_eq!(second.lookup_domain_by_name("shared").unwrap().id(), None);
    env.run_until(|l| matches!(l, Lifecycle::Defined(_)));
    assert_eq!(
        *seen.lock().unwrap(),
        vec![Lifecycle::Defined(rvirt_core::api::DefinedDetail::Added)]
    );
    // Another process: refused while this one holds the root.
    let xml = env.root.join("guest.xml");
    std::fs::write(&xml, domain_xml("other", &disk)).unwrap();
    let out = run_tool(&env.root, &xml);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("already in use"), "{err}");
    // Released once the last connection of this process closes.
    second.close().unwrap();
    env.conn.take().unwrap().close().unwrap();
    let out = run_tool(&env.root, &xml);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_closed_instance_leaves_qemu_running_and_the_next_one_reconnects() {
    let mut env = setup("recon");
    let mut dom = env
        .conn()
        .define_xml(&env.guest_xml("recon", LOOP))
        .unwrap();
    dom.create().unwrap();
    let pid = env.pid("recon");
    let id = dom.id();
    dom.suspend().unwrap();
    env.conn.take().unwrap().close().unwrap();
    assert!(pid_exists(pid), "closing the connection killed QEMU");
    let status = std::fs::read_to_string(env.root.join("run/qemu/recon.xml")).unwrap();
    assert!(status.contains("state='paused' reason='user'"), "{status}");

    // Keep the root: `again` owns it now.
    let root = std::mem::take(&mut env.root);
    drop(env);
    let again = reopen(&root);
    let dom = again.conn().lookup_domain_by_name("recon").unwrap();
    assert_eq!(dom.id(), id);
    assert_eq!(
        dom.state().unwrap(),
        StateReason::Paused(PausedReason::User)
    );
    assert!(dom.is_persistent().unwrap());
    // The monitor is live again: commands work and their events arrive.
    dom.resume().unwrap();
    again.run_until(|l| matches!(l, Lifecycle::Resumed(_)));
    let status = std::fs::read_to_string(root.join("run/qemu/recon.xml")).unwrap();
    assert!(
        status.contains("state='running' reason='unpaused'"),
        "{status}"
    );
    // The adopted QEMU is not our child: a crash is still seen through the monitor.
    // SAFETY: SIGKILL to the QEMU this test started.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGKILL);
    }
    let evs = again.run_until(is_stopped);
    assert_eq!(evs.last(), Some(&Lifecycle::Stopped(StoppedDetail::Failed)));
    assert_eq!(
        dom.state().unwrap(),
        StateReason::Shutoff(ShutoffReason::Crashed)
    );
    assert!(!root.join("run/qemu/recon.xml").exists());
}

/// The embedding process of the SIGKILL tests when run by `embed_until_started` (this
/// binary again, with its variable set); a no-op in a normal test run.
#[test]
fn embedder_process() {
    support::embedder_process();
}

#[test]
fn sigkill_of_the_embedding_process_then_a_new_process_reconnects() {
    let root = TempDir::short("rvq", "k9");
    // A guest started without auto-destroy outlives the process embedding the driver.
    let (mut tool, qemu) = embed_until_started(&root, "k9");
    tool.kill().unwrap(); // SIGKILL
    tool.wait().unwrap();
    assert!(pid_exists(qemu), "QEMU died with the embedding process");
    // This test process is the "new process".
    let env = reopen(&root.join("state"));
    let dom = env.conn().lookup_domain_by_name("k9").unwrap();
    assert!(dom.is_active().unwrap());
    assert!(!dom.is_persistent().unwrap());
    assert_eq!(
        dom.state().unwrap().state(),
        rvirt_core::api::DomainState::Running
    );
    dom.destroy().unwrap();
    assert!(!rvirt_driver_qemu::process::process_alive(qemu));
    let evs = env.run_until(is_stopped);
    assert_eq!(evs, vec![Lifecycle::Stopped(StoppedDetail::Destroyed)]);
    assert!(env.conn().lookup_domain_by_name("k9").is_err());
}

#[test]
fn a_qemu_that_died_with_the_embedding_process_is_cleaned_up() {
    let root = TempDir::short("rvq", "corpse");
    let (mut tool, qemu) = run_tool_until_started(&root, "corpse");
    tool.kill().unwrap();
    tool.wait().unwrap();
    // SAFETY: SIGKILL to the QEMU this test caused to be started.
    unsafe {
        libc::kill(qemu as libc::pid_t, libc::SIGKILL);
    }
    let t = Instant::now();
    while rvirt_driver_qemu::process::process_alive(qemu) && t.elapsed() < DEADLINE {
        std::thread::sleep(Duration::from_millis(10));
    }
    let state = root.join("state");
    let env = reopen(&state);
    let err = env.conn().lookup_domain_by_name("corpse").unwrap_err();
    assert_eq!(err.code(), ErrorCode::NoDomain);
    assert!(!state.join("run/qemu/corpse.xml").exists());
    assert!(!state.join("run/qemu/corpse.pid").exists());
}

#[test]
fn rvirt_qemu_run_runs_the_poweroff_guest() {
    let root = TempDir::short("rvq", "run");
    let xml = write_guest(&root, "run", POWEROFF);
    let t = Instant::now();
    let mut tool = std::process::Command::new(env!("CARGO_BIN_EXE_rvirt-qemu-run"));
    tool.arg("-v").arg(&xml);
    let o = run(tool, DEADLINE.as_secs());
    let (_, err) = text(&o);
    eprintln!("rvirt-qemu-run wall {} ms:\n{err}", t.elapsed().as_millis());
    assert!(o.status.success(), "{:?}: {err}", o.status);
    assert!(err.contains("opened") && err.contains("started") && err.contains("stopped"));
}

#[test]
fn rvirt_qemu_run_destroys_on_sigterm() {
    let root = TempDir::short("rvq", "term");
    let t = Instant::now();
    let (mut child, qemu_pid) = run_tool_until_started(&root, "term");
    // Let create_xml finish (the monitor handshake) before signalling.
    std::thread::sleep(Duration::from_millis(500));
    // SAFETY: SIGTERM to the child this test started.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            // SAFETY: clean up the QEMU the tool started.
            unsafe {
                libc::kill(qemu_pid as libc::pid_t, libc::SIGKILL);
            }
            panic!("rvirt-qemu-run ignored SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(status.success(), "{status:?}");
    assert!(!pid_exists(qemu_pid), "qemu {qemu_pid} left behind");
}

/// Waits up to `limit` for `pid` to be gone.
fn gone_within(pid: u32, limit: Duration) -> bool {
    let t = Instant::now();
    while pid_exists(pid) {
        if t.elapsed() > limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    true
}

#[test]
fn a_sigkilled_rvirt_qemu_run_takes_its_qemu_down() {
    let root = TempDir::short("rvq", "kill");
    let (mut child, qemu_pid) = run_tool_until_started(&root, "kill");
    assert!(pid_exists(qemu_pid));
    // No handler runs for SIGKILL: only the kernel can end QEMU now.
    child.kill().unwrap();
    child.wait().unwrap();
    let gone = gone_within(qemu_pid, Duration::from_secs(5));
    if !gone {
        // SAFETY: clean up the QEMU the tool started.
        unsafe {
            libc::kill(qemu_pid as libc::pid_t, libc::SIGKILL);
        }
    }
    assert!(
        gone,
        "qemu {qemu_pid} outlived its SIGKILLed rvirt-qemu-run"
    );
}

#[test]
fn an_autodestroy_guest_outlives_the_thread_that_started_it() {
    let env = setup("adthr");
    let xml = env.guest_xml("adthr", LOOP);
    let conn = env.conn().clone();
    // Started from a thread that ends at once: the parent-death signal must not
    // follow that thread.
    std::thread::spawn(move || {
        conn.create_xml(&xml, rvirt_core::api::create_flags::START_AUTODESTROY)
            .unwrap();
    })
    .join()
    .unwrap();
    let pid = env.pid("adthr");
    std::thread::sleep(Duration::from_millis(300));
    assert!(pid_exists(pid), "qemu {pid} died with the starting thread");
    let dom = env.conn().lookup_domain_by_name("adthr").unwrap();
    assert!(dom.is_active().unwrap());
    // Closing the connection is what ends it.
    let mut env = env;
    env.conn.take().unwrap().close().unwrap();
    assert!(
        gone_within(pid, Duration::from_secs(15)),
        "qemu {pid} outlived its connection"
    );
}

#[test]
fn acpi_shutdown_request_is_honoured_by_an_acpi_aware_guest() {
    let env = setup("acpi");
    let dom = env.create("acpi", ACPI_AWARE);
    env.run_until(|l| matches!(l, Lifecycle::Started(_)));
    let evs = env.press_until(|| dom.shutdown().unwrap(), is_stopped);
    assert_eq!(
        evs,
        vec![
            Lifecycle::Started(StartedDetail::Booted),
            Lifecycle::Shutdown(ShutdownDetail::Guest),
            Lifecycle::Stopped(StoppedDetail::Shutdown),
        ]
    );
}

#[test]
fn reboot_is_a_fake_reboot_the_guest_boots_again() {
    let env = setup("reboot");
    let reboots = Arc::new(Mutex::new(0));
    let r = reboots.clone();
    env.conn()
        .domain_event_register_any(None, DomainEventId::Reboot, move |_, ev| {
            if matches!(ev, DomainEvent::Reboot) {
                *r.lock().unwrap() += 1;
            }
        })
        .unwrap();
    let dom = env.create("reboot", ACPI_AWARE);
    let pid = env.pid("reboot");
    env.run_until(|l| matches!(l, Lifecycle::Started(_)));
    assert_eq!(
        *reboots.lock().unwrap(),
        0,
        "the start-up reset is libvirt's own"
    );
    // VIR_DOMAIN_REBOOT_INITCTL: libvirt's QEMU driver takes only the ACPI and agent
    // modes ("unsupported flags (0x4) in function qemuDomainReboot").
    let err = dom.reboot(4).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArg);
    assert!(err.to_string().contains("qemuDomainReboot"), "{err}");
    env.press_until(
        || dom.reboot(0).unwrap(),
        |l| matches!(l, Lifecycle::Resumed(_)),
    );
    let t = Instant::now();
    while *reboots.lock().unwrap() == 0 {
        assert!(t.elapsed() < DEADLINE, "no REBOOT event");
        env.l.run_once_timeout(Duration::from_millis(20)).unwrap();
    }
    assert_eq!(
        env.pid("reboot"),
        pid,
        "a fake reboot keeps the QEMU process"
    );
    assert_eq!(
        dom.state().unwrap(),
        StateReason::Running(rvirt_core::api::RunningReason::Booted)
    );
    // The guest booted again and waits for the power button once more.
    let evs = env.press_until(|| dom.shutdown().unwrap(), is_stopped);
    assert_eq!(
        evs,
        vec![
            Lifecycle::Started(StartedDetail::Booted),
            Lifecycle::Resumed(ResumedDetail::Unpaused),
            Lifecycle::Shutdown(ShutdownDetail::Guest),
            Lifecycle::Stopped(StoppedDetail::Shutdown),
        ]
    );
    // One REBOOT per guest reset QEMU reports (the firmware may reset once more).
    assert!(*reboots.lock().unwrap() >= 1);
}

/// A boot sector that resets the machine through the keyboard controller
/// (`mov al, 0xfe; out 0x64, al`), then spins.
const KBC_RESET: &[u8] = &[0xB0, 0xFE, 0xE6, 0x64, 0xEB, 0xFE];

/// `<on_reboot>destroy</on_reboot>` beside an action that restarts (so QEMU runs with
/// `-no-shutdown` and resets the machine itself): the guest's reset ends the domain
/// as libvirt ends it — REBOOT, then STOPPED/DESTROYED, state SHUTOFF/DESTROYED, QEMU
/// gone. With `restart` (the default) the same reset is only a REBOOT.
#[test]
fn a_guest_reset_with_on_reboot_destroy_destroys_the_domain() {
    let env = setup("rbdest");
    let reboots = Arc::new(Mutex::new(0));
    let r = reboots.clone();
    env.conn()
        .domain_event_register_any(None, DomainEventId::Reboot, move |_, ev| {
            if matches!(ev, DomainEvent::Reboot) {
                *r.lock().unwrap() += 1;
            }
        })
        .unwrap();
    let actions = "<on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot>\
                   <on_crash>restart</on_crash></domain>";
    let xml = env
        .guest_xml("rbdest", KBC_RESET)
        .replace("</domain>", actions);
    let mut dom = env.conn().define_xml(&xml).unwrap();
    dom.create().unwrap();
    let pid = env.pid("rbdest");
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    assert!(
        String::from_utf8_lossy(&cmdline).contains("-no-shutdown"),
        "QEMU resets by itself"
    );
    let evs = env.run_until(is_stopped);
    assert_eq!(
        evs,
        vec![
            Lifecycle::Defined(DefinedDetail::Added),
            Lifecycle::Started(StartedDetail::Booted),
            Lifecycle::Stopped(StoppedDetail::Destroyed),
        ]
    );
    assert_eq!(*reboots.lock().unwrap(), 1);
    assert_eq!(
        dom.state().unwrap(),
        StateReason::Shutoff(ShutoffReason::Destroyed)
    );
    env.run_until_gone(pid);

    // The default on_reboot (restart): the same guest keeps resetting and running.
    let restarting = env
        .guest_xml("rbkeep", KBC_RESET)
        .replace("</domain>", "<on_crash>restart</on_crash></domain>");
    let mut keep = env.conn().define_xml(&restarting).unwrap();
    keep.create().unwrap();
    let t = Instant::now();
    while *reboots.lock().unwrap() < 3 {
        assert!(t.elapsed() < DEADLINE, "no further REBOOT events");
        env.l.run_once_timeout(Duration::from_millis(20)).unwrap();
    }
    assert!(keep.is_active().unwrap());
    keep.destroy().unwrap();
}
