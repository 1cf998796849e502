//! The asynchronous Connect/Domain forms on a local (blocking) driver: the operation runs on
//! a worker thread, never on the caller's; the future completes with the driver's result;
//! per-call timeouts fire on the connection's event loop while it keeps running; read-only
//! and closed connections refuse at once, as the blocking forms do.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use rvirt_core::api::{DomainState, ListFlags, StateReason};
use rvirt_core::driver::{DomainRef, Driver, DriverConnection, OpenContext, register_driver};
use rvirt_core::event::DefaultLoop;
use rvirt_core::uri::Uri;
use rvirt_core::{Connect, ErrorCode, OpenOptions, Result, Uuid};

/// Threads the driver's blocking methods ran on.
fn ran_on() -> &'static Mutex<Vec<ThreadId>> {
    static THREADS: OnceLock<Mutex<Vec<ThreadId>>> = OnceLock::new();
    THREADS.get_or_init(|| Mutex::new(Vec::new()))
}

fn dom(name: &str) -> DomainRef {
    DomainRef {
        name: name.into(),
        uuid: Uuid::from_bytes([7; 16]),
        id: None,
    }
}

struct SlowDriver;
struct SlowConn;

impl Driver for SlowDriver {
    fn name(&self) -> &'static str {
        "slowprobe"
    }
    fn accepts(&self, uri: &Uri) -> bool {
        uri.driver() == "slowprobe" && !uri.is_remote()
    }
    fn open(&self, _uri: &Uri, _ctx: OpenContext) -> Result<Box<dyn DriverConnection>> {
        Ok(Box::new(SlowConn))
    }
}

impl DriverConnection for SlowConn {
    fn hypervisor_type(&self) -> &str {
        "SLOW"
    }
    fn list_all_domains(&self, _flags: ListFlags) -> Result<Vec<DomainRef>> {
        ran_on().lock().unwrap().push(std::thread::current().id());
        Ok(vec![dom("a"), dom("b")])
    }
    /// Blocks as a QEMU start would: `slow` for 2 s, anything else for 50 ms.
    fn lookup_by_name(&self, name: &str) -> Result<DomainRef> {
        ran_on().lock().unwrap().push(std::thread::current().id());
        let pause = if name == "slow" { 2000 } else { 50 };
        std::thread::sleep(Duration::from_millis(pause));
        Ok(dom(name))
    }
    fn domain_state(&self, _dom: &DomainRef) -> Result<StateReason> {
        Ok(StateReason::from_raw(5, 0).unwrap())
    }
    fn define_xml(&self, _xml: &str) -> Result<DomainRef> {
        Ok(dom("defined"))
    }
}

struct Flag(AtomicBool);
impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Drives `fut` from this thread while running `l` (one thread for both, as an application
/// with a single-threaded loop); returns the output and how long the longest loop
/// iteration took.
fn run<T>(l: &DefaultLoop, fut: impl Future<Output = T>) -> (T, Duration) {
    let woken = Arc::new(Flag(AtomicBool::new(true)));
    let waker = Waker::from(woken.clone());
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut longest = Duration::ZERO;
    loop {
        if woken.0.swap(false, Ordering::SeqCst)
            && let Poll::Ready(v) = fut.as_mut().poll(&mut cx)
        {
            return (v, longest);
        }
        assert!(Instant::now() < deadline, "future never completed");
        let t0 = Instant::now();
        l.run_once_timeout(Duration::from_millis(5)).unwrap();
        longest = longest.max(t0.elapsed());
    }
}

fn open(read_only: bool) -> (DefaultLoop, Connect) {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| register_driver(Arc::new(SlowDriver)).unwrap());
    let l = DefaultLoop::new().unwrap();
    let options = OpenOptions {
        event_loop: Some(l.shared()),
        read_only,
    };
    (
        l.clone(),
        Connect::open_with("slowprobe:///x", options).unwrap(),
    )
}

#[test]
fn blocking_work_runs_off_the_caller_thread() {
    let (l, conn) = open(false);
    let before = ran_on().lock().unwrap().len();
    let (doms, longest) = run(&l, async {
        let a = conn.lookup_domain_by_name_async("a").await?;
        let all = conn.list_all_domains_async(ListFlags::default()).await?;
        let state = a.state_async().await?;
        Ok::<_, rvirt_core::Error>((a, all, state))
    });
    let (a, all, state) = doms.unwrap();
    assert_eq!(a.name(), "a");
    assert_eq!(all.iter().map(|d| d.name()).collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(state.state(), DomainState::Shutoff);
    // The 50 ms lookup never held up the caller's loop.
    assert!(longest < Duration::from_millis(40), "{longest:?}");
    let me = std::thread::current().id();
    let threads = ran_on().lock().unwrap()[before..].to_vec();
    assert!(!threads.is_empty() && threads.iter().all(|t| *t != me));
}

#[test]
fn timeout_fires_on_the_loop_and_the_loop_keeps_running() {
    let (l, conn) = open(false);
    let t0 = Instant::now();
    let (r, longest) = run(
        &l,
        conn.lookup_domain_by_name_async("slow")
            .timeout(Duration::from_millis(100)),
    );
    let took = t0.elapsed();
    let e = r.unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationTimeout);
    assert!(
        took >= Duration::from_millis(100) && took < Duration::from_millis(1000),
        "{took:?}"
    );
    assert!(longest < Duration::from_millis(40), "{longest:?}");
    // A timeout that does not elapse changes nothing.
    let (r, _) = run(
        &l,
        conn.lookup_domain_by_name_async("quick")
            .timeout(Duration::from_secs(5)),
    );
    assert_eq!(r.unwrap().name(), "quick");
}

#[test]
fn refusals_come_at_once() {
    let (l, ro) = open(true);
    let (r, _) = run(&l, ro.define_xml_async("<domain/>"));
    assert_eq!(r.unwrap_err().code(), ErrorCode::OperationDenied);
    let (l, rw) = open(false);
    let (r, _) = run(&l, rw.define_xml_async("<domain/>"));
    let d = r.unwrap();
    assert_eq!(d.name(), "defined");
    rw.close().unwrap();
    let (r, _) = run(&l, d.info_async());
    let e = r.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidConn);
    assert_eq!(
        e.message(),
        "invalid connection pointer in virDomainGetInfo"
    );
    // A driver without the operation answers libvirt's VIR_ERR_NO_SUPPORT.
    let (l, conn) = open(false);
    let (r, _) = run(&l, conn.lookup_domain_by_id_async(1));
    assert_eq!(r.unwrap_err().code(), ErrorCode::NoSupport);
}
