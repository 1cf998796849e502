//! Connect/Domain/event-dispatch behaviour of rvirt-core, against a small in-test driver
//! whose only job is to hand events to core the way real drivers do (from any thread).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use rvirt_core::api::{
    DomainEvent, DomainEventId, Lifecycle, ListFlags, StartedDetail, StoppedDetail,
};
use rvirt_core::driver::{
    DomainRef, Driver, DriverConnection, EventSink, OpenContext, register_driver,
};
use rvirt_core::event::DefaultLoop;
use rvirt_core::uri::Uri;
use rvirt_core::{Connect, ErrorCode, ErrorDomain, OpenOptions, Result, Uuid};

/// Sinks of every open "probe" connection, so tests can emit like a driver would.
fn sinks() -> &'static Mutex<Vec<EventSink>> {
    static SINKS: OnceLock<Mutex<Vec<EventSink>>> = OnceLock::new();
    SINKS.get_or_init(|| Mutex::new(Vec::new()))
}

fn dom(name: &str, n: u8) -> DomainRef {
    DomainRef {
        name: name.into(),
        uuid: Uuid::from_bytes([n; 16]),
        id: Some(u32::from(n)),
    }
}

struct ProbeDriver;
struct ProbeConn;

impl Driver for ProbeDriver {
    fn name(&self) -> &'static str {
        "probe"
    }
    fn accepts(&self, uri: &Uri) -> bool {
        uri.driver() == "probe" && !uri.is_remote()
    }
    fn open(&self, _uri: &Uri, ctx: OpenContext) -> Result<Box<dyn DriverConnection>> {
        sinks().lock().unwrap().push(ctx.events);
        Ok(Box::new(ProbeConn))
    }
}

impl DriverConnection for ProbeConn {
    fn hypervisor_type(&self) -> &str {
        "PROBE"
    }
    fn list_all_domains(&self, _flags: ListFlags) -> Result<Vec<DomainRef>> {
        Ok(vec![dom("a", 1), dom("b", 2)])
    }
    fn define_xml(&self, _xml: &str) -> Result<DomainRef> {
        Ok(dom("c", 3))
    }
}

fn setup() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| register_driver(Arc::new(ProbeDriver)).unwrap());
}

/// Opens a probe connection on a fresh loop; returns the loop, connection and its sink.
/// Held around every probe open: tests run in parallel and each open adds a sink, so
/// `open_probe` can take the one its open added, with no other open in between.
fn opening() -> std::sync::MutexGuard<'static, ()> {
    static OPENING: Mutex<()> = Mutex::new(());
    OPENING.lock().unwrap_or_else(|p| p.into_inner())
}

fn open_probe() -> (DefaultLoop, Connect, EventSink) {
    setup();
    let l = DefaultLoop::new().unwrap();
    let opening = opening();
    let before = sinks().lock().unwrap().len();
    let conn = Connect::open_with_loop("probe:///x", l.shared()).unwrap();
    let sink = sinks().lock().unwrap()[before].clone();
    drop(opening);
    (l, conn, sink)
}

fn run_until(l: &DefaultLoop, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !done() && Instant::now() < deadline {
        l.run_once_timeout(Duration::from_millis(20)).unwrap();
    }
    done()
}

type Seen = Arc<Mutex<Vec<(String, Lifecycle, ThreadId)>>>;

fn lifecycle_recorder(
    seen: &Seen,
) -> impl FnMut(&rvirt_core::Domain, &DomainEvent) + Send + 'static {
    let seen = seen.clone();
    move |d, e| {
        if let DomainEvent::Lifecycle(l) = e {
            seen.lock()
                .unwrap()
                .push((d.name().to_string(), *l, std::thread::current().id()));
        }
    }
}

const STARTED: Lifecycle = Lifecycle::Started(StartedDetail::Booted);
const DESTROYED: Lifecycle = Lifecycle::Stopped(StoppedDetail::Destroyed);

#[test]
fn bad_uris_and_missing_drivers_are_typed_errors() {
    setup();
    let e = Connect::open("").unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoConnect);
    let e = Connect::open("nosuchdriver:///x").unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoConnect);
    assert!(e.to_string().contains("nosuchdriver:///x"), "{e}");
    let e = Connect::open("probe://[::1/x").unwrap_err();
    assert_eq!(
        (e.code(), e.domain()),
        (ErrorCode::InternalError, ErrorDomain::Uri)
    );
}

#[test]
fn embed_uris_need_an_event_loop() {
    setup();
    // No process-wide loop is registered in this test binary.
    let e = {
        let _opening = opening();
        Connect::open("probe:///embed?root=/tmp/x").unwrap_err()
    };
    assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
}

#[test]
fn events_need_an_event_loop() {
    setup();
    let conn = {
        let _opening = opening();
        Connect::open("probe:///noloop").unwrap()
    };
    let e = conn
        .domain_event_register_any(None, DomainEventId::Lifecycle, |_, _| {})
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InternalError);
}

#[test]
fn events_arrive_on_the_loop_thread_in_order() {
    let (l, conn, sink) = open_probe();
    let seen: Seen = Arc::default();
    let id = conn
        .domain_event_register_any(None, DomainEventId::Lifecycle, lifecycle_recorder(&seen))
        .unwrap();
    assert_eq!(id.0, 0, "callback ids start at 0 per connection");
    // Emitted from a driver thread, never delivered there.
    let emitter = std::thread::spawn(move || {
        for e in [STARTED, DESTROYED, STARTED] {
            assert!(sink.emit(dom("a", 1), DomainEvent::Lifecycle(e)));
        }
        std::thread::current().id()
    });
    let emitter_thread = emitter.join().unwrap();
    assert!(
        seen.lock().unwrap().is_empty(),
        "delivered before the loop ran"
    );
    assert!(run_until(&l, || seen.lock().unwrap().len() == 3));
    let got = seen.lock().unwrap().clone();
    let here = std::thread::current().id();
    assert_eq!(
        got.iter().map(|(_, e, _)| *e).collect::<Vec<_>>(),
        vec![STARTED, DESTROYED, STARTED]
    );
    assert!(
        got.iter()
            .all(|(n, _, t)| n == "a" && *t == here && *t != emitter_thread)
    );
}

#[test]
fn inline_dispatch_runs_callbacks_on_the_emitting_thread_in_order() {
    let (_l, conn, sink) = open_probe();
    conn.dispatch_events_inline();
    let seen: Seen = Arc::default();
    conn.domain_event_register_any(None, DomainEventId::Lifecycle, lifecycle_recorder(&seen))
        .unwrap();
    // Delivered before the emit returns, on the emitting thread; the loop never runs.
    sink.emit(dom("a", 1), DomainEvent::Lifecycle(STARTED));
    assert_eq!(
        seen.lock().unwrap().clone(),
        vec![("a".to_string(), STARTED, std::thread::current().id())]
    );
    seen.lock().unwrap().clear();
    // Two emitters at once: one drains while the other adds (it drains those too),
    // nothing is lost and each emitter's events stay in order.
    let emitters: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|name| {
            let sink = sink.clone();
            std::thread::spawn(move || {
                for k in 0..200u32 {
                    let ev = if k % 2 == 0 { STARTED } else { DESTROYED };
                    sink.emit(dom(name, 1), DomainEvent::Lifecycle(ev));
                }
                std::thread::current().id()
            })
        })
        .collect();
    let threads: Vec<ThreadId> = emitters.into_iter().map(|t| t.join().unwrap()).collect();
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 400);
    assert!(got.iter().all(|(_, _, t)| threads.contains(t)));
    for name in ["a", "b"] {
        let mine: Vec<Lifecycle> = got
            .iter()
            .filter(|(n, _, _)| n == name)
            .map(|(_, e, _)| *e)
            .collect();
        assert_eq!(mine.len(), 200);
        assert!(
            mine.iter()
                .enumerate()
                .all(|(k, e)| *e == if k % 2 == 0 { STARTED } else { DESTROYED })
        );
    }
}

#[test]
fn callbacks_filter_by_domain_and_event_id() {
    let (l, conn, sink) = open_probe();
    let doms = conn.list_all_domains(ListFlags::ALL).unwrap();
    let a = doms.iter().find(|d| d.name() == "a").unwrap();
    let only_a: Seen = Arc::default();
    let all: Seen = Arc::default();
    let reboots = Arc::new(AtomicUsize::new(0));
    let ida = conn
        .domain_event_register_any(
            Some(a),
            DomainEventId::Lifecycle,
            lifecycle_recorder(&only_a),
        )
        .unwrap();
    let idall = conn
        .domain_event_register_any(None, DomainEventId::Lifecycle, lifecycle_recorder(&all))
        .unwrap();
    let r = reboots.clone();
    let idr = conn
        .domain_event_register_any(None, DomainEventId::Reboot, move |_, e| {
            assert_eq!(*e, DomainEvent::Reboot);
            r.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
    assert_eq!((ida.0, idall.0, idr.0), (0, 1, 2));
    sink.emit(dom("b", 2), DomainEvent::Lifecycle(STARTED));
    sink.emit(dom("a", 1), DomainEvent::Reboot);
    sink.emit(dom("a", 1), DomainEvent::Lifecycle(DESTROYED));
    assert!(run_until(&l, || all.lock().unwrap().len() == 2
        && reboots.load(Ordering::SeqCst) == 1));
    l.run_once_timeout(Duration::from_millis(10)).unwrap();
    let a_events: Vec<_> = only_a
        .lock()
        .unwrap()
        .iter()
        .map(|(n, e, _)| (n.clone(), *e))
        .collect();
    assert_eq!(a_events, vec![("a".to_string(), DESTROYED)]);
    assert_eq!(reboots.load(Ordering::SeqCst), 1);
}

#[test]
fn deregistration_stops_delivery_and_unknown_ids_fail() {
    let (l, conn, sink) = open_probe();
    let seen: Seen = Arc::default();
    let id = conn
        .domain_event_register_any(None, DomainEventId::Lifecycle, lifecycle_recorder(&seen))
        .unwrap();
    sink.emit(dom("a", 1), DomainEvent::Lifecycle(STARTED));
    assert!(run_until(&l, || seen.lock().unwrap().len() == 1));
    conn.domain_event_deregister_any(id).unwrap();
    sink.emit(dom("a", 1), DomainEvent::Lifecycle(DESTROYED));
    for _ in 0..5 {
        l.run_once_timeout(Duration::from_millis(5)).unwrap();
    }
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "delivered after deregistration"
    );
    let e = conn.domain_event_deregister_any(id).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg);
    let next = conn
        .domain_event_register_any(None, DomainEventId::Lifecycle, |_, _| {})
        .unwrap();
    assert_eq!(next.0, 1, "callback ids are not reused");
}

#[test]
fn a_callback_may_deregister_itself() {
    let (l, conn, sink) = open_probe();
    let calls = Arc::new(AtomicUsize::new(0));
    let slot = Arc::new(Mutex::new(None));
    let (c, s, conn2) = (calls.clone(), slot.clone(), conn.clone());
    let id = conn
        .domain_event_register_any(None, DomainEventId::Lifecycle, move |_, _| {
            c.fetch_add(1, Ordering::SeqCst);
            if let Some(id) = s.lock().unwrap().take() {
                conn2.domain_event_deregister_any(id).unwrap();
            }
        })
        .unwrap();
    *slot.lock().unwrap() = Some(id);
    sink.emit(dom("a", 1), DomainEvent::Lifecycle(STARTED));
    sink.emit(dom("a", 1), DomainEvent::Lifecycle(DESTROYED));
    assert!(run_until(&l, || calls.load(Ordering::SeqCst) >= 1));
    for _ in 0..5 {
        l.run_once_timeout(Duration::from_millis(5)).unwrap();
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "ran after deregistering itself"
    );
}

#[test]
fn closing_a_connection_detaches_its_sink() {
    let (_l, conn, sink) = open_probe();
    conn.domain_event_register_any(None, DomainEventId::Lifecycle, |_, _| {})
        .unwrap();
    assert!(sink.emit(dom("a", 1), DomainEvent::Lifecycle(STARTED)));
    conn.close().unwrap();
    assert!(!conn.is_alive());
    assert!(!sink.emit(dom("a", 1), DomainEvent::Lifecycle(STARTED)));
    let e = conn.list_all_domains(ListFlags::ALL).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidConn);
}

#[test]
fn domain_handles_keep_their_identity_after_close() {
    let (_l, conn, _sink) = open_probe();
    let doms = conn.list_all_domains(ListFlags::ALL).unwrap();
    let dom = doms[0].clone();
    let (name, uuid, id) = (dom.name().to_string(), *dom.uuid(), dom.id());
    conn.close().unwrap();
    assert_eq!(
        (dom.name(), *dom.uuid(), dom.id()),
        (name.as_str(), uuid, id)
    );
    assert!(!dom.connect().is_alive());
    let e = dom.info().unwrap_err();
    assert_eq!(
        (e.code(), e.to_string()),
        (
            ErrorCode::InvalidConn,
            "invalid connection pointer in virDomainGetInfo".to_string()
        )
    );
    let e = dom.suspend().unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid connection pointer in virDomainSuspend"
    );
}

#[test]
fn read_only_connections_refuse_writes_and_unsupported_calls_say_so() {
    setup();
    let opening = opening();
    let ro = Connect::open_with(
        "probe:///ro",
        OpenOptions {
            read_only: true,
            ..OpenOptions::default()
        },
    )
    .unwrap();
    assert_eq!(ro.list_all_domains(ListFlags::ALL).unwrap().len(), 2);
    let e = ro.define_xml("<domain/>").unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationDenied);
    // libvirt's exact refusal: VIR_FROM_DOMAIN, naming the API.
    assert_eq!(e.domain(), rvirt_core::ErrorDomain::Domain);
    assert_eq!(
        e.message(),
        "operation forbidden: read only access prevents virDomainDefineXML"
    );
    let rw = Connect::open("probe:///rw").unwrap();
    drop(opening);
    assert_eq!(rw.define_xml("<domain/>").unwrap().name(), "c");
    let e = rw.lookup_domain_by_name("a").unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoSupport);
    assert_eq!(e.code().as_raw(), 3);
    let e = rw.lookup_domain_by_uuid_str("not-a-uuid").unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg);
    assert_eq!(rw.hypervisor_type().unwrap(), "PROBE");
}

#[test]
fn events_emitted_during_dispatch_are_not_stranded() {
    // Emitters race the dispatcher; every event must arrive without further emits.
    let (l, conn, sink) = open_probe();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    conn.domain_event_register_any(None, DomainEventId::Lifecycle, move |_, _| {
        c.fetch_add(1, Ordering::SeqCst);
    })
    .unwrap();
    let runner = {
        let l = l.clone();
        std::thread::spawn(move || l.run().unwrap())
    };
    const THREADS: usize = 4;
    const EACH: usize = 5_000;
    let emitters: Vec<_> = (0..THREADS)
        .map(|_| {
            let sink = sink.clone();
            std::thread::spawn(move || {
                for i in 0..EACH {
                    sink.emit(dom("a", 1), DomainEvent::Lifecycle(STARTED));
                    if i % 64 == 0 {
                        std::thread::yield_now();
                    }
                }
            })
        })
        .collect();
    for e in emitters {
        e.join().unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while count.load(Ordering::SeqCst) < THREADS * EACH && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    l.quit();
    runner.join().unwrap();
    assert_eq!(count.load(Ordering::SeqCst), THREADS * EACH);
}

#[test]
fn dispatch_and_teardown_cost_what_the_matching_callbacks_cost() {
    // 20,000 callbacks that all match one event, plus 20,000 that never match: one
    // event reaches exactly the first 20,000, in registration order, and removing all
    // 40,000 stays linear (it was quadratic: a lookup by scanning per call and per
    // removal).
    const N: usize = 20_000;
    let (l, conn, sink) = open_probe();
    let order = Arc::new(Mutex::new(Vec::with_capacity(N)));
    let mut ids = Vec::new();
    for i in 0..N {
        let order = order.clone();
        ids.push(
            conn.domain_event_register_any(None, DomainEventId::Lifecycle, move |_, _| {
                order.lock().unwrap().push(i)
            })
            .unwrap(),
        );
        ids.push(
            conn.domain_event_register_any(None, DomainEventId::Reboot, |_, _| {
                panic!("a reboot callback got a lifecycle event")
            })
            .unwrap(),
        );
    }
    let t = Instant::now();
    sink.emit(dom("a", 1), DomainEvent::Lifecycle(STARTED));
    assert!(run_until(&l, || order.lock().unwrap().len() == N));
    let dispatch = t.elapsed();
    assert!(order.lock().unwrap().windows(2).all(|w| w[0] < w[1]));
    let t = Instant::now();
    for id in ids {
        conn.domain_event_deregister_any(id).unwrap();
    }
    let teardown = t.elapsed();
    assert!(
        dispatch < Duration::from_secs(2) && teardown < Duration::from_secs(2),
        "dispatch {dispatch:?}, teardown {teardown:?}"
    );
}
