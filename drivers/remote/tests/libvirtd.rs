//! The remote driver against a real libvirtd (test driver) in a private mount namespace.
//! Skipped with a notice when libvirtd cannot run here, a failure when `CI` is set.

use std::sync::mpsc::{self, Receiver};
use std::thread::JoinHandle;
use std::time::Duration;

use rvirt_core::api::{
    DefinedDetail, DomainState, ListFlags, ResumedDetail, RunningReason, StartedDetail,
    StoppedDetail, SuspendedDetail, UndefinedDetail,
};
use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, DomainEvent, DomainEventId, ErrorCode, ErrorDomain, Lifecycle};
use rvirt_testkit::RVIRT_DEMO_XML;
use rvirt_testkit::libvirtd::{Libvirtd, Options};

const WAIT: Duration = Duration::from_secs(10);

/// A default loop running on its own thread until dropped.
struct LoopThread {
    ev: DefaultLoop,
    thread: Option<JoinHandle<()>>,
}

impl LoopThread {
    fn start() -> LoopThread {
        let ev = DefaultLoop::new().unwrap();
        let runner = ev.clone();
        let thread = std::thread::spawn(move || runner.run().unwrap());
        LoopThread {
            ev,
            thread: Some(thread),
        }
    }
}

impl Drop for LoopThread {
    fn drop(&mut self) {
        self.ev.quit();
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

fn open(uri: &str) -> Connect {
    rvirt_driver_remote::register().unwrap();
    Connect::open(uri).unwrap()
}

fn lifecycle_events(conn: &Connect) -> Receiver<(String, Option<u32>, Lifecycle)> {
    let (tx, rx) = mpsc::channel();
    conn.domain_event_register_any(None, DomainEventId::Lifecycle, move |d, ev| {
        if let DomainEvent::Lifecycle(l) = ev {
            let _ = tx.send((d.name().to_string(), d.id(), *l));
        }
    })
    .unwrap();
    rx
}

fn next(rx: &Receiver<(String, Option<u32>, Lifecycle)>) -> (String, Option<u32>, Lifecycle) {
    rx.recv_timeout(WAIT).expect("lifecycle event within 10 s")
}

#[test]
fn lists_lifecycle_and_idle_events() {
    let Some(daemon) = Libvirtd::start() else {
        return;
    };
    let lp = LoopThread::start();
    rvirt_driver_remote::register().unwrap();
    // The watcher only listens: every event reaches it while its connection is idle,
    // through the socket watch on the loop.
    let watcher = Connect::open_with_loop(&daemon.uri(), lp.ev.shared()).unwrap();
    assert_eq!(watcher.driver_name(), "remote");
    let rx = lifecycle_events(&watcher);
    let conn = open(&daemon.uri());

    assert_eq!(conn.hypervisor_type().unwrap(), "TEST");
    assert!(!conn.hostname().unwrap().is_empty());
    let node = conn.node_info().unwrap();
    assert_eq!((node.model.as_str(), node.cpus), ("i686", 16));

    let all = conn.list_all_domains(ListFlags::default()).unwrap();
    let names: Vec<(&str, Option<u32>)> = all.iter().map(|d| (d.name(), d.id())).collect();
    assert_eq!(names, [("test", Some(1))]);
    let test = conn.lookup_domain_by_name("test").unwrap();
    assert_eq!(test.uuid_string(), "6695eb01-f6a4-8304-79aa-97f2502e193f");
    assert_eq!(
        test.state().unwrap(),
        rvirt_core::api::StateReason::Running(RunningReason::Unknown)
    );
    assert_eq!(conn.lookup_domain_by_id(1).unwrap().name(), "test");
    assert_eq!(
        conn.lookup_domain_by_uuid(test.uuid()).unwrap().name(),
        "test"
    );

    let e = conn.lookup_domain_by_name("nosuch").unwrap_err();
    assert_eq!(
        (e.code(), e.domain()),
        (ErrorCode::NoDomain, ErrorDomain::Test)
    );

    let mut dom = conn.define_xml(RVIRT_DEMO_XML).unwrap();
    assert_eq!((dom.name(), dom.id()), ("rvirt-demo", None));
    assert_eq!(
        next(&rx),
        (
            "rvirt-demo".into(),
            None,
            Lifecycle::Defined(DefinedDetail::Added)
        )
    );
    assert!(dom.is_persistent().unwrap());
    assert!(!dom.autostart().unwrap());
    assert!(dom.xml_desc(0).unwrap().contains("<name>rvirt-demo</name>"));
    let inactive = conn.list_all_domains(ListFlags::INACTIVE).unwrap();
    assert_eq!(inactive.len(), 1);

    dom.create().unwrap();
    let id = dom.id().expect("started domain has an id");
    let (name, ev_id, l) = next(&rx);
    assert_eq!(
        (name.as_str(), ev_id, l),
        (
            "rvirt-demo",
            Some(id),
            Lifecycle::Started(StartedDetail::Booted)
        )
    );
    assert_eq!(dom.info().unwrap().state, DomainState::Running);
    assert_eq!(dom.info().unwrap().max_mem_kib, 1_048_576);

    dom.suspend().unwrap();
    assert_eq!(next(&rx).2, Lifecycle::Suspended(SuspendedDetail::Paused));
    assert_eq!(dom.state().unwrap().state(), DomainState::Paused);
    dom.resume().unwrap();
    assert_eq!(next(&rx).2, Lifecycle::Resumed(ResumedDetail::Unpaused));

    dom.destroy().unwrap();
    assert_eq!(
        next(&rx),
        (
            "rvirt-demo".into(),
            None,
            Lifecycle::Stopped(StoppedDetail::Destroyed)
        )
    );
    assert!(!dom.is_active().unwrap());
    // Destroying an inactive domain: the daemon's error, numbers unchanged.
    let e = dom.destroy().unwrap_err();
    assert_eq!(
        (e.code(), e.domain()),
        (ErrorCode::OperationInvalid, ErrorDomain::Domain)
    );

    dom.create().unwrap();
    assert_eq!(next(&rx).2, Lifecycle::Started(StartedDetail::Booted));
    dom.shutdown().unwrap();
    assert_eq!(next(&rx).2, Lifecycle::Stopped(StoppedDetail::Shutdown));

    dom.undefine().unwrap();
    assert_eq!(
        next(&rx),
        (
            "rvirt-demo".into(),
            None,
            Lifecycle::Undefined(UndefinedDetail::Removed)
        )
    );
    let e = conn.lookup_domain_by_name("rvirt-demo").unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoDomain);
    assert!(rx.try_recv().is_err(), "no extra events");
    conn.close().unwrap();
    watcher.close().unwrap();
}

#[test]
fn daemon_death_fails_later_calls() {
    let Some(mut daemon) = Libvirtd::start() else {
        return;
    };
    let lp = LoopThread::start();
    rvirt_driver_remote::register().unwrap();
    let with_loop = Connect::open_with_loop(&daemon.uri(), lp.ev.shared()).unwrap();
    let without = open(&daemon.uri());
    assert_eq!(
        without
            .list_all_domains(ListFlags::default())
            .unwrap()
            .len(),
        1
    );
    daemon.kill();
    // Without a loop nobody notices until the next call reads end-of-file.
    let first = without.list_all_domains(ListFlags::default()).unwrap_err();
    assert_eq!(first.domain(), ErrorDomain::Rpc, "{first}");
    let again = without.hostname().unwrap_err();
    assert_eq!(
        (again.code(), again.domain()),
        (ErrorCode::InternalError, ErrorDomain::Rpc)
    );
    assert!(
        again.to_string().contains("client socket is closed"),
        "{again}"
    );
    // With a loop the watch sees the hang-up while idle.
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        match with_loop.hostname() {
            Err(e) if e.to_string().contains("client socket is closed") => break,
            r => assert!(std::time::Instant::now() < deadline, "still {r:?}"),
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn keepalive_pings_are_answered() {
    // The daemon PINGs after 1 s of silence and drops a peer that stays silent for 2 more
    // PINGs; a connection idle for 5 s survives only if the watch answers with PONG.
    let Some(daemon) = Libvirtd::start_with(Options {
        keepalive: Some((1, 2)),
        ..Options::default()
    }) else {
        return;
    };
    let lp = LoopThread::start();
    rvirt_driver_remote::register().unwrap();
    let conn = Connect::open_with_loop(&daemon.uri(), lp.ev.shared()).unwrap();
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(conn.hypervisor_type().unwrap(), "TEST");
    assert_eq!(
        conn.list_all_domains(ListFlags::default()).unwrap().len(),
        1
    );
}

#[test]
fn tcp_transport_and_refused_transports() {
    let Some(daemon) = Libvirtd::start_with(Options {
        tcp: true,
        ..Options::default()
    }) else {
        return;
    };
    let port = daemon.tcp_port.unwrap();
    let conn = open(&format!("test+tcp://127.0.0.1:{port}/default"));
    let names: Vec<String> = conn
        .list_all_domains(ListFlags::default())
        .unwrap()
        .iter()
        .map(|d| d.name().to_string())
        .collect();
    assert_eq!(names, ["test"]);
    // Transient domains, autostart and capabilities over TCP.
    let transient = conn
        .create_xml(&RVIRT_DEMO_XML.replace("rvirt-demo", "rvirt-transient"), 0)
        .unwrap();
    assert!(transient.id().is_some());
    assert!(!transient.is_persistent().unwrap());
    transient.destroy().unwrap();
    assert_eq!(
        conn.lookup_domain_by_name("rvirt-transient")
            .unwrap_err()
            .code(),
        ErrorCode::NoDomain
    );
    let test = conn.lookup_domain_by_name("test").unwrap();
    test.set_autostart(true).unwrap();
    assert!(test.autostart().unwrap());
    assert!(conn.capabilities().unwrap().contains("<capabilities>"));
    for uri in [
        "test+ssh://localhost/default",
        "test+ext:///default?command=/bin/false",
    ] {
        let e = Connect::open(uri).unwrap_err();
        assert_eq!(
            (e.code(), e.domain()),
            (ErrorCode::NoSupport, ErrorDomain::Remote)
        );
    }
    // The daemon has no QEMU driver: its CONNECT_OPEN error comes back unchanged, and it
    // names the URI as sent (transport and socket parameter stripped).
    let qemu = format!("qemu+unix:///system?socket={}", daemon.socket().display());
    let e = Connect::open(&qemu).unwrap_err();
    assert_eq!(
        (e.code(), e.domain()),
        (ErrorCode::NoConnect, ErrorDomain::None)
    );
    assert!(e.to_string().contains("qemu:///system"), "{e}");
    assert!(!e.to_string().contains("socket"), "{e}");
    let missing = format!("test+unix:///default?socket={}/nope", daemon.dir.display());
    let e = Connect::open(&missing).unwrap_err();
    assert_eq!(
        (e.code(), e.domain()),
        (ErrorCode::SystemError, ErrorDomain::Rpc)
    );
}

#[test]
fn concurrent_calls_and_events_on_one_connection() {
    let Some(daemon) = Libvirtd::start() else {
        return;
    };
    let lp = LoopThread::start();
    rvirt_driver_remote::register().unwrap();
    let conn = Connect::open_with_loop(&daemon.uri(), lp.ev.shared()).unwrap();
    let rx = lifecycle_events(&conn);
    // Readers hammer the connection while the main thread drives a domain on it, so event
    // MESSAGEs arrive while calls are in flight and are read by calling threads.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|i| {
            let conn = conn.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut calls = 0u32;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let test = conn.lookup_domain_by_name("test").unwrap();
                    assert_eq!(test.id(), Some(1));
                    if i % 2 == 0 {
                        assert_eq!(test.state().unwrap().state(), DomainState::Running);
                    } else {
                        assert_eq!(conn.hypervisor_type().unwrap(), "TEST");
                        assert_eq!(test.info().unwrap().nr_virt_cpu, 2);
                    }
                    calls += 1;
                }
                calls
            })
        })
        .collect();
    let mut got = Vec::new();
    for _ in 0..5 {
        let mut dom = conn.define_xml(RVIRT_DEMO_XML).unwrap();
        dom.create().unwrap();
        dom.destroy().unwrap();
        dom.undefine().unwrap();
        for _ in 0..4 {
            got.push(next(&rx).2);
        }
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let calls: u32 = readers.into_iter().map(|t| t.join().unwrap()).sum();
    assert!(calls > 20, "only {calls} concurrent calls");
    let cycle = [
        Lifecycle::Defined(DefinedDetail::Added),
        Lifecycle::Started(StartedDetail::Booted),
        Lifecycle::Stopped(StoppedDetail::Destroyed),
        Lifecycle::Undefined(UndefinedDetail::Removed),
    ];
    assert_eq!(got, cycle.repeat(5));
    conn.close().unwrap();
    // Closing twice is harmless; calls on a closed connection are refused by core.
    conn.close().unwrap();
    assert_eq!(conn.hostname().unwrap_err().code(), ErrorCode::InvalidConn);
}
