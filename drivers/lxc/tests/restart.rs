//! Driver restart in another process: a container started here is found, reported
//! running and destroyed by a second process (this test binary re-executed) opening the
//! same root.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{alive, namespaces_available, setup, sh_xml, wait_gone};
use rvirt_core::api::{ShutoffReason, StateReason, StoppedDetail};
use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, DomainEvent, DomainEventId, Lifecycle};
use rvirt_testkit::{run, text};

const HELPER_ENV: &str = "RVL_RESTART_HELPER_ROOT";

/// The second process's part (does nothing unless started by the test below).
#[test]
fn helper_process() {
    let Some(root) = std::env::var_os(HELPER_ENV) else {
        return;
    };
    rvirt_driver_lxc::register().unwrap();
    let l = DefaultLoop::new().unwrap();
    let uri = format!("lxc:///embed?root={}", root.to_string_lossy());
    let conn = Connect::open_with_loop(&uri, l.shared()).unwrap();
    let stopped = std::sync::Arc::new(std::sync::Mutex::new(None));
    let sink = stopped.clone();
    conn.domain_event_register_any(None, DomainEventId::Lifecycle, move |_, ev| {
        if let DomainEvent::Lifecycle(Lifecycle::Stopped(d)) = ev {
            *sink.lock().unwrap() = Some(*d);
        }
    })
    .unwrap();
    let dom = conn.lookup_domain_by_name("survivor").unwrap();
    println!("FOUND id={:?} state={:?}", dom.id(), dom.state().unwrap());
    dom.destroy().unwrap();
    let t = Instant::now();
    while stopped.lock().unwrap().is_none() && t.elapsed() < Duration::from_secs(10) {
        l.run_once_timeout(Duration::from_millis(20)).unwrap();
    }
    println!("STOPPED {:?}", stopped.lock().unwrap());
    conn.close().unwrap();
}

#[test]
fn another_process_on_the_same_root_reconnects_and_destroys() {
    if !namespaces_available() {
        return;
    }
    let mut env = setup("proc");
    let mut dom = env
        .conn()
        .define_xml(&sh_xml("survivor", "exec sleep 1000", None))
        .unwrap();
    dom.create().unwrap();
    let ctl = dom.id().unwrap();
    env.pids.push(ctl);
    drop(dom);
    // Release the root (the lock is per process): the container runs on.
    env.conn.take().unwrap().close().unwrap();
    assert!(alive(ctl));

    let mut helper = Command::new(std::env::current_exe().unwrap());
    helper
        .args([
            "--exact",
            "helper_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HELPER_ENV, &env.root);
    let o = run(helper, 20);
    let out = text(&o).0;
    assert!(o.status.success(), "helper failed: {out}");
    assert!(
        out.contains(&format!("FOUND id=Some({ctl}) state=Running(Booted)")),
        "{out}"
    );
    assert!(
        out.contains(&format!("STOPPED Some({:?})", StoppedDetail::Destroyed)),
        "{out}"
    );
    // The controller is gone (a zombie of ours until reaped here).
    assert!(wait_gone(ctl));
    rvirt_driver_lxc::process::reap(ctl, Duration::from_secs(1));

    // Back here, the persistent domain is shut off.
    env.reopen();
    let dom = env.conn().lookup_domain_by_name("survivor").unwrap();
    assert_eq!(dom.id(), None);
    assert_eq!(
        dom.state().unwrap(),
        StateReason::Shutoff(ShutoffReason::Unknown)
    );
}
