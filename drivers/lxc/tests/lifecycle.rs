//! Containers started through `lxc:///embed?root=…`, events observed on a DefaultLoop.
//! Skipped (with a message) where namespaces cannot be created.

mod common;

use std::time::Duration;

use common::{alive, namespaces_available, setup, sh_xml, wait_gone};
use rvirt_core::api::{
    DefinedDetail, DomainState, ListFlags, RunningReason, ShutoffReason, StartedDetail,
    StateReason, StoppedDetail,
};
use rvirt_core::{ErrorCode, Lifecycle};

fn is_stopped(l: &Lifecycle) -> bool {
    matches!(l, Lifecycle::Stopped(_))
}

#[test]
fn init_runs_in_its_namespaces_and_its_exit_is_a_shutdown() {
    if !namespaces_available() {
        return;
    }
    let env = setup("hi");
    let xml = sh_xml(
        "hi",
        "echo hi; echo pid=$$; echo host=$(cat /proc/sys/kernel/hostname); \
         if (echo x > /.rvl-probe) 2>/dev/null; then echo root=rw; else echo root=ro; fi; \
         echo stdin=$(readlink /proc/$$/fd/0); echo sockets=$(ls -l /proc/$$/fd | grep -c socket); \
         exit 0",
        None,
    );
    let mut dom = env.conn().define_xml(&xml).unwrap();
    assert!(env.root.join("etc/lxc/hi.xml").is_file());
    dom.create().unwrap();
    let evs = env.run_until("hi", is_stopped);
    assert_eq!(
        evs,
        [
            Lifecycle::Defined(DefinedDetail::Added),
            Lifecycle::Started(StartedDetail::Booted),
            Lifecycle::Stopped(StoppedDetail::Shutdown),
        ]
    );
    assert_eq!(
        dom.state().unwrap(),
        StateReason::Shutoff(ShutoffReason::Shutdown)
    );
    let log = env.log("hi");
    assert!(log.lines().any(|l| l == "hi"), "log: {log}");
    // PID 1 of its own PID namespace, hostname = domain name.
    assert!(log.contains("pid=1\n"), "log: {log}");
    assert!(log.contains("host=hi\n"), "log: {log}");
    // The host's root is shared read-only.
    assert!(log.contains("root=ro\n"), "log: {log}");
    // The monitor socket does not leak into the container.
    assert!(log.contains("stdin=/dev/null\n"), "log: {log}");
    assert!(log.contains("sockets=0\n"), "log: {log}");
    // Nothing of the run is left behind; the definition stays.
    for f in ["hi.pid", "hi.xml", "hi.sock", "hi.rootfs"] {
        assert!(!env.root.join("run/lxc").join(f).exists(), "{f} left");
    }
    assert!(dom.is_persistent().unwrap());
    let d2 = env.conn().lookup_domain_by_name("hi").unwrap();
    assert_eq!(d2.id(), None);
}

#[test]
fn destroy_stops_a_sleeping_container_and_kills_its_processes() {
    if !namespaces_available() {
        return;
    }
    let mut env = setup("sleep");
    let dom = env
        .conn()
        .create_xml(&sh_xml("sleeper", "exec sleep 1000", None), 0)
        .unwrap();
    let ctl = dom.id().expect("running domain has an id");
    env.pids.push(ctl);
    assert_eq!(
        env.conn().lookup_domain_by_id(ctl).unwrap().name(),
        "sleeper"
    );
    assert_eq!(
        dom.state().unwrap(),
        StateReason::Running(RunningReason::Booted)
    );
    let info = dom.info().unwrap();
    assert_eq!(info.state, DomainState::Running);
    assert_eq!(info.max_mem_kib, 64 * 1024);
    assert!(dom.xml_desc(0).unwrap().contains(&format!("id='{ctl}'")));
    assert!(!dom.is_persistent().unwrap());
    assert!(alive(ctl));
    let init_pid = find_init_pid(&env, "sleeper");
    env.pids.push(init_pid);
    assert!(alive(init_pid));
    env.run_until("sleeper", |l| matches!(l, Lifecycle::Started(_)));
    dom.destroy().unwrap();
    let evs = env.run_until("sleeper", is_stopped);
    assert_eq!(
        evs,
        [
            Lifecycle::Started(StartedDetail::Booted),
            Lifecycle::Stopped(StoppedDetail::Destroyed),
        ]
    );
    assert!(wait_gone(ctl), "controller {ctl} survived destroy");
    assert!(wait_gone(init_pid), "init {init_pid} survived destroy");
    // Transient: gone from the driver.
    let e = env.conn().lookup_domain_by_name("sleeper").unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoDomain);
    // Nothing more is reported.
    env.spin(Duration::from_millis(50));
    assert_eq!(env.events_of("sleeper").len(), 2);
}

#[test]
fn a_killed_controller_means_failed_and_its_init_dies_too() {
    if !namespaces_available() {
        return;
    }
    let mut env = setup("kill");
    let mut dom = env
        .conn()
        .define_xml(&sh_xml("victim", "exec sleep 1000", None))
        .unwrap();
    dom.create().unwrap();
    let ctl = dom.id().unwrap();
    env.pids.push(ctl);
    let init = env
        .conn()
        .lookup_domain_by_name("victim")
        .unwrap()
        .xml_desc(0)
        .unwrap();
    assert!(init.contains("<init>/bin/sh</init>"));
    let init_pid = find_init_pid(&env, "victim");
    env.pids.push(init_pid);
    assert!(alive(init_pid));
    rvirt_driver_lxc::process::signal(ctl, libc::SIGKILL);
    let evs = env.run_until("victim", is_stopped);
    assert_eq!(evs.last(), Some(&Lifecycle::Stopped(StoppedDetail::Failed)));
    assert_eq!(
        dom.state().unwrap(),
        StateReason::Shutoff(ShutoffReason::Failed)
    );
    assert!(
        wait_gone(init_pid),
        "init {init_pid} outlived its controller"
    );
    assert!(!env.root.join("run/lxc/victim.xml").exists());
}

/// The init pid recorded in the status file.
fn find_init_pid(env: &common::Env, name: &str) -> u32 {
    let status = std::fs::read_to_string(env.root.join(format!("run/lxc/{name}.xml"))).unwrap();
    let s = rvirt_driver_lxc::state::Status::parse(&status).unwrap();
    s.init_pid.unwrap()
}

#[test]
fn a_fresh_connection_reconnects_to_a_running_container() {
    if !namespaces_available() {
        return;
    }
    let mut env = setup("recon");
    let mut dom = env
        .conn()
        .define_xml(&sh_xml("keeper", "exec sleep 1000", None))
        .unwrap();
    dom.create().unwrap();
    let ctl = dom.id().unwrap();
    env.pids.push(ctl);
    env.pids.push(find_init_pid(&env, "keeper"));
    env.run_until("keeper", |l| matches!(l, Lifecycle::Started(_)));
    drop(dom);
    // Close the only connection: the instance goes, the container runs on.
    env.reopen();
    assert!(alive(ctl));
    let dom = env.conn().lookup_domain_by_name("keeper").unwrap();
    assert_eq!(dom.id(), Some(ctl));
    assert_eq!(
        dom.state().unwrap(),
        StateReason::Running(RunningReason::Booted)
    );
    let active = env.conn().list_all_domains(ListFlags::ACTIVE).unwrap();
    assert_eq!(active.len(), 1);
    // The reconnected monitor is watched: destroy is reported on the loop.
    dom.destroy().unwrap();
    let evs = env.run_until("keeper", is_stopped);
    assert_eq!(
        evs.last(),
        Some(&Lifecycle::Stopped(StoppedDetail::Destroyed))
    );
    assert!(wait_gone(ctl));
    // Persistent: still defined, shut off.
    let again = env.conn().lookup_domain_by_name("keeper").unwrap();
    assert_eq!(again.id(), None);
}

#[test]
fn a_reconnected_instance_sees_its_controller_die() {
    if !namespaces_available() {
        return;
    }
    let mut env = setup("gone");
    let mut dom = env
        .conn()
        .define_xml(&sh_xml("brief", "exec sleep 1000", None))
        .unwrap();
    dom.create().unwrap();
    let ctl = dom.id().unwrap();
    env.pids.push(ctl);
    drop(dom);
    env.reopen();
    // Kill it while the new instance watches: EOF without EXIT is a failure.
    rvirt_driver_lxc::process::signal(ctl, libc::SIGKILL);
    let evs = env.run_until("brief", is_stopped);
    assert_eq!(evs.last(), Some(&Lifecycle::Stopped(StoppedDetail::Failed)));
}

#[test]
fn shutdown_signals_init_and_a_bind_mounted_root_works() {
    if !namespaces_available() {
        return;
    }
    let env = setup("shut");
    let script = "trap 'echo bye; exit 0' TERM; echo ready; while :; do sleep 0.05; done";
    let dom = env
        .conn()
        .create_xml(&sh_xml("polite", script, Some("/")), 0)
        .unwrap();
    env.wait_log("polite", "ready");
    dom.shutdown().unwrap();
    let evs = env.run_until("polite", is_stopped);
    assert_eq!(
        evs,
        [
            Lifecycle::Started(StartedDetail::Booted),
            Lifecycle::Stopped(StoppedDetail::Shutdown),
        ]
    );
    assert!(env.log("polite").contains("bye"));
}

#[test]
fn a_missing_init_fails_the_start_cleanly() {
    if !namespaces_available() {
        return;
    }
    let env = setup("noinit");
    let xml = "<domain type='lxc'><name>broken</name><memory>1024</memory>\
               <os><type>exe</type><init>/no/such/init</init></os></domain>";
    let mut dom = env.conn().define_xml(xml).unwrap();
    let e = dom.create().unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationFailed);
    assert!(e.message().contains("exec of init"), "{e}");
    assert_eq!(dom.id(), None);
    assert!(!dom.is_active().unwrap());
    assert!(!env.root.join("run/lxc/broken.pid").exists());
    assert!(!env.root.join("run/lxc/broken.sock").exists());
    assert!(!env.root.join("run/lxc/broken.rootfs").exists());
    env.spin(Duration::from_millis(50));
    assert_eq!(
        env.events_of("broken"),
        [Lifecycle::Defined(DefinedDetail::Added)]
    );
}

#[test]
fn reboot_from_inside_restarts_the_container() {
    if !namespaces_available() {
        return;
    }
    let mut env = setup("reboot");
    let reboots = std::sync::Arc::new(std::sync::Mutex::new(0));
    let seen = reboots.clone();
    env.conn()
        .domain_event_register_any(None, rvirt_core::DomainEventId::Reboot, move |_, _| {
            *seen.lock().unwrap() += 1;
        })
        .unwrap();
    let log = env.root.join("log/lxc/bouncer.log");
    // reboot(2) from inside a child PID namespace only kills that namespace's init
    // with SIGHUP; the `$$ = 1` guard makes sure we are in one.
    let script = format!(
        "if grep -q rebooting {}; then echo second boot; exec sleep 1000; fi; \
         [ $$ = 1 ] || exit 3; echo rebooting; \
         exec python3 -c 'import ctypes; ctypes.CDLL(None).reboot(0x01234567)'",
        log.display()
    );
    if !std::path::Path::new("/usr/bin/python3").exists() {
        eprintln!("SKIPPED: no /usr/bin/python3 to call reboot(2) with");
        return;
    }
    let mut dom = env
        .conn()
        .define_xml(&sh_xml("bouncer", &script, None))
        .unwrap();
    dom.create().unwrap();
    let first = dom.id().unwrap();
    env.pids.push(first);
    env.wait_log("bouncer", "second boot");
    let t = std::time::Instant::now();
    while *reboots.lock().unwrap() == 0 {
        assert!(t.elapsed() < common::DEADLINE, "no REBOOT event");
        env.spin(Duration::from_millis(20));
    }
    let now = env.conn().lookup_domain_by_name("bouncer").unwrap();
    let second = now.id().expect("running again after the reboot");
    env.pids.push(second);
    assert_ne!(first, second);
    assert!(wait_gone(first));
    assert_eq!(
        now.state().unwrap(),
        StateReason::Running(RunningReason::Booted)
    );
    assert_eq!(
        env.events_of("bouncer"),
        [
            Lifecycle::Defined(DefinedDetail::Added),
            Lifecycle::Started(StartedDetail::Booted),
        ]
    );
    let text = env.log("bouncer");
    assert!(text.contains("exiting: Reboot"), "log: {text}");
    assert_eq!(text.matches("rebooting").count(), 1, "log: {text}");
    now.destroy().unwrap();
    env.run_until("bouncer", is_stopped);
    assert!(wait_gone(second));
}
