//! rvirt-core's event-loop conformance suite against [`CEventLoop`]: the adapter that
//! forwards rvirt-core's `EventLoop` to six C callbacks, as `rvirEventRegisterImpl` does.
//!
//! The "C" implementation here is a set of `extern "C"` functions in libvirt's exact shapes
//! (written in Rust), which keep their watches and timers on a private `DefaultLoop` and call
//! the C callback + `ff` they were given. libvirt's callbacks carry no context pointer, so
//! each test gets its own instantiation of the functions (a const-generic slot).

use std::cell::Cell;
use std::ffi::{c_int, c_void};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rvirt_core::event::conformance::{Backend, Runner};
use rvirt_core::event::{
    DefaultLoop, EventLoop, Interest, SharedLoop, TimerId, TimerInterval, WatchId,
};
use rvirt_ffi::event_impl::{
    CEventImpl, CEventLoop, rvirEventHandleCallback, rvirEventTimeoutCallback, rvirFreeCallback,
};

const SLOTS: usize = 24;
static LOOPS: [OnceLock<DefaultLoop>; SLOTS] = [const { OnceLock::new() }; SLOTS];
static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// True while this thread is inside one of our add functions: a callback box dropped
    /// then is one the loop refused, whose `ff` the contract says must not run.
    static ADDING: Cell<bool> = const { Cell::new(false) };
}

/// The caller's `opaque` + `ff`; dropping it is "the loop frees the registration".
struct Opaque {
    ptr: *mut c_void,
    ff: rvirFreeCallback,
}

// SAFETY: the pointers belong to the adapter, whose contexts are Send + Sync.
unsafe impl Send for Opaque {}

impl Opaque {
    fn get(&self) -> *mut c_void {
        self.ptr
    }
}

impl Drop for Opaque {
    fn drop(&mut self) {
        if ADDING.with(Cell::get) {
            return;
        }
        if let Some(ff) = self.ff {
            // SAFETY: the adapter's free function for its own pointer, called once.
            unsafe { ff(self.ptr) }
        }
    }
}

fn slot<const N: usize>() -> &'static DefaultLoop {
    LOOPS[N]
        .get()
        .expect("slot initialised before its functions are registered")
}

fn adding<R>(f: impl FnOnce() -> R) -> R {
    ADDING.with(|a| a.set(true));
    let r = f();
    ADDING.with(|a| a.set(false));
    r
}

unsafe extern "C" fn add_handle<const N: usize>(
    fd: c_int,
    event: c_int,
    cb: rvirEventHandleCallback,
    opaque: *mut c_void,
    ff: rvirFreeCallback,
) -> c_int {
    let Some(cb) = cb else { return -1 };
    let data = Opaque { ptr: opaque, ff };
    let r = adding(|| {
        slot::<N>().add_handle(
            fd,
            Interest::from_bits_truncate(event),
            Box::new(move |w, fd, ready| {
                // SAFETY: the adapter's trampoline with the opaque it gave us.
                unsafe { cb(w.get() as c_int, fd, ready.bits(), data.get()) }
            }),
        )
    });
    r.map_or(-1, |w| w.get() as c_int)
}

unsafe extern "C" fn update_handle<const N: usize>(watch: c_int, event: c_int) {
    if let Some(w) = WatchId::new(watch as u64) {
        let _ = slot::<N>().update_handle(w, Interest::from_bits_truncate(event));
    }
}

unsafe extern "C" fn remove_handle<const N: usize>(watch: c_int) -> c_int {
    match WatchId::new(watch as u64).map(|w| slot::<N>().remove_handle(w)) {
        Some(Ok(())) => 0,
        _ => -1,
    }
}

unsafe extern "C" fn add_timeout<const N: usize>(
    timeout: c_int,
    cb: rvirEventTimeoutCallback,
    opaque: *mut c_void,
    ff: rvirFreeCallback,
) -> c_int {
    let Some(cb) = cb else { return -1 };
    let data = Opaque { ptr: opaque, ff };
    let r = adding(|| {
        slot::<N>().add_timeout(
            TimerInterval::from_millis(timeout.into()),
            Box::new(move |t| {
                // SAFETY: the adapter's trampoline with the opaque it gave us.
                unsafe { cb(t.get() as c_int, data.get()) }
            }),
        )
    });
    r.map_or(-1, |t| t.get() as c_int)
}

unsafe extern "C" fn update_timeout<const N: usize>(timer: c_int, timeout: c_int) {
    if let Some(t) = TimerId::new(timer as u64) {
        let _ = slot::<N>().update_timeout(t, TimerInterval::from_millis(timeout.into()));
    }
}

unsafe extern "C" fn remove_timeout<const N: usize>(timer: c_int) -> c_int {
    match TimerId::new(timer as u64).map(|t| slot::<N>().remove_timeout(t)) {
        Some(Ok(())) => 0,
        _ => -1,
    }
}

macro_rules! c_impls {
    ($($n:literal)*) => {
        fn c_impl(n: usize) -> CEventImpl {
            match n {
                $($n => CEventImpl::new(
                    Some(add_handle::<$n>),
                    Some(update_handle::<$n>),
                    Some(remove_handle::<$n>),
                    Some(add_timeout::<$n>),
                    Some(update_timeout::<$n>),
                    Some(remove_timeout::<$n>),
                ).expect("all six functions"),)*
                _ => panic!("more backends than slots"),
            }
        }
    };
}
c_impls!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23);

/// A backend whose registration API is [`CEventLoop`] over a fresh set of C functions.
struct CBackend {
    inner: DefaultLoop,
    adapter: SharedLoop,
}

impl CBackend {
    fn new() -> CBackend {
        let n = NEXT_SLOT.fetch_add(1, Ordering::SeqCst);
        assert!(n < SLOTS, "raise SLOTS");
        let inner = DefaultLoop::new().expect("default loop");
        assert!(LOOPS[n].set(inner.clone()).is_ok());
        CBackend {
            inner,
            adapter: std::sync::Arc::new(CEventLoop::new(c_impl(n))),
        }
    }
}

impl Backend for CBackend {
    fn event_loop(&self) -> SharedLoop {
        self.adapter.clone()
    }

    fn run_until(&self, limit: Duration, done: &mut dyn FnMut() -> bool) -> bool {
        let deadline = Instant::now() + limit;
        loop {
            if done() {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return done();
            }
            let slice = (deadline - now).min(Duration::from_millis(20));
            self.inner.run_once_timeout(slice).expect("loop iteration");
        }
    }

    fn spawn_runner(&self) -> Box<dyn Runner> {
        let l = self.inner.clone();
        let thread = std::thread::spawn(move || l.run().expect("loop run"));
        Box::new(CRunner {
            event_loop: self.inner.clone(),
            thread,
        })
    }
}

struct CRunner {
    event_loop: DefaultLoop,
    thread: std::thread::JoinHandle<()>,
}

impl Runner for CRunner {
    fn stop(self: Box<Self>) {
        self.event_loop.quit();
        self.thread.join().expect("loop thread panicked");
    }
}

rvirt_core::conformance_tests!(CBackend::new());
