//! The rvirt backends under test and the three workloads run through rvirt's [`EventLoop`] API.
//!
//! Loops that an application iterates itself (default, glib, calloop, async-io, mio) share one
//! implementation of each workload through [`Driver`]; tokio, whose runtime runs the callbacks
//! on its own, has an async implementation in [`tokio_rt`].

use std::future::{Future, poll_fn};
use std::os::fd::{AsRawFd, OwnedFd};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::{Duration, Instant};

use rvirt_core::event::{DefaultLoop, EventLoop, Interest, TimerInterval, WatchId};

#[cfg(feature = "backend-tokio")]
use crate::common::readiness_rounds_on;
use crate::common::{Counter, consume, eventfds, jitter, poke, rate, readiness_rounds};

/// Churn cycles between two loop iterations (so deferred frees and reconciliation are paid
/// for inside the measurement, as libvirt's loop pays its cleanup in each iteration).
pub const CHURN_BATCH: usize = 100;

/// A loop the calling thread iterates itself.
pub trait Driver {
    /// The rvirt registration API of the loop.
    fn event_loop(&self) -> &dyn EventLoop;
    /// Iterates the loop (blocking when idle) until `done` returns true.
    fn run_until(&mut self, done: &mut dyn FnMut() -> bool);
    /// Runs one iteration without blocking, so deferred work is done.
    fn settle(&mut self);
}

/// rvirt's own default loop.
struct Default {
    ev: DefaultLoop,
}

impl Driver for Default {
    fn event_loop(&self) -> &dyn EventLoop {
        &self.ev
    }
    fn run_until(&mut self, done: &mut dyn FnMut() -> bool) {
        while !done() {
            self.ev.run_once().expect("default loop iteration");
        }
    }
    fn settle(&mut self) {
        self.ev
            .run_once_timeout(Duration::ZERO)
            .expect("default loop iteration");
    }
}

/// rvirt-glib on a private `MainContext`.
struct Glib {
    ev: rvirt_glib::GlibLoop,
    ctx: glib::MainContext,
}

impl Driver for Glib {
    fn event_loop(&self) -> &dyn EventLoop {
        &self.ev
    }
    fn run_until(&mut self, done: &mut dyn FnMut() -> bool) {
        while !done() {
            self.ctx.iteration(true);
        }
    }
    fn settle(&mut self) {
        self.ctx.iteration(false);
    }
}

/// rvirt-calloop inserted into a calloop loop. Field order matters: the attachment is
/// dropped before the calloop loop.
struct Calloop {
    ev: rvirt_calloop::CalloopLoop,
    _attachment: rvirt_calloop::Attachment<'static, ()>,
    calloop: calloop::EventLoop<'static, ()>,
}

impl Driver for Calloop {
    fn event_loop(&self) -> &dyn EventLoop {
        &self.ev
    }
    fn run_until(&mut self, done: &mut dyn FnMut() -> bool) {
        while !done() {
            self.calloop
                .dispatch(None, &mut ())
                .expect("calloop dispatch");
        }
    }
    fn settle(&mut self) {
        self.calloop
            .dispatch(Some(Duration::ZERO), &mut ())
            .expect("calloop dispatch");
    }
}

/// rvirt-async-io, its `Run` future driven by `async_io::block_on`.
struct AsyncIo {
    ev: rvirt_async_io::AsyncIoLoop,
    run: Pin<Box<rvirt_async_io::Run>>,
}

impl Driver for AsyncIo {
    fn event_loop(&self) -> &dyn EventLoop {
        &self.ev
    }
    fn run_until(&mut self, done: &mut dyn FnMut() -> bool) {
        let run = &mut self.run;
        async_io::block_on(poll_fn(|cx| {
            if done() {
                return Poll::Ready(());
            }
            if let Poll::Ready(r) = run.as_mut().poll(cx) {
                panic!("async-io run future ended: {r:?}");
            }
            if done() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }));
    }
    fn settle(&mut self) {
        let run = &mut self.run;
        async_io::block_on(poll_fn(|cx| {
            let _ = run.as_mut().poll(cx);
            Poll::Ready(())
        }));
    }
}

/// rvirt-mio on a `mio::Poll` holding nothing else.
#[cfg(feature = "backend-mio")]
struct Mio {
    ev: rvirt_mio::MioLoop,
    poll: mio::Poll,
    events: mio::Events,
}

#[cfg(feature = "backend-mio")]
impl Driver for Mio {
    fn event_loop(&self) -> &dyn EventLoop {
        &self.ev
    }
    fn run_until(&mut self, done: &mut dyn FnMut() -> bool) {
        while !done() {
            self.ev
                .run_once(&mut self.poll, &mut self.events, None)
                .expect("mio loop iteration");
        }
    }
    fn settle(&mut self) {
        self.ev
            .run_once(&mut self.poll, &mut self.events, Some(Duration::ZERO))
            .expect("mio loop iteration");
    }
}

/// Builds the driver called `name`, or `None` when `name` is not a self-iterated loop.
pub fn driver(name: &str) -> Option<Box<dyn Driver>> {
    Some(match name {
        "default" => Box::new(Default {
            ev: DefaultLoop::new().expect("default loop"),
        }),
        "glib" => {
            let ctx = glib::MainContext::new();
            Box::new(Glib {
                ev: rvirt_glib::GlibLoop::new(ctx.clone()),
                ctx,
            })
        }
        "calloop" => {
            let calloop = calloop::EventLoop::try_new().expect("calloop loop");
            let ev = rvirt_calloop::CalloopLoop::new();
            let attachment = ev.insert(&calloop.handle()).expect("calloop insert");
            Box::new(Calloop {
                ev,
                _attachment: attachment,
                calloop,
            })
        }
        "async-io" => {
            let ev = rvirt_async_io::AsyncIoLoop::new();
            let run = Box::pin(ev.run());
            Box::new(AsyncIo { ev, run })
        }
        #[cfg(feature = "backend-mio")]
        "mio" => {
            let poll = mio::Poll::new().expect("mio poll");
            let ev = rvirt_mio::MioLoop::new(poll.registry(), rvirt_mio::DEFAULT_TOKEN_BASE)
                .expect("mio loop");
            Box::new(Mio {
                ev,
                poll,
                // The same capacity as the raw mio baseline.
                events: mio::Events::with_capacity(1024),
            })
        }
        _ => return None,
    })
}

/// Every backend name this build has, in table order (`tokio-ct` and `tokio-mt` are
/// rvirt-tokio on a current-thread and on a multi-thread runtime; `tokio-mt-ext` is
/// `tokio-mt` with the readiness rounds driven from a thread outside the runtime).
pub fn backends() -> Vec<&'static str> {
    let mut names = vec!["default", "glib", "calloop", "async-io"];
    if cfg!(feature = "backend-mio") {
        names.push("mio");
    }
    if cfg!(feature = "backend-tokio") {
        names.extend(["tokio-ct", "tokio-mt", "tokio-mt-ext"]);
    }
    names
}

/// Workload 1 on the backend called `name`, if this build has it.
pub fn readiness_on(name: &str, watches: usize, events: usize, reps: usize) -> Option<f64> {
    if let Some(mut d) = driver(name) {
        return Some(readiness(d.as_mut(), watches, events, reps));
    }
    #[cfg(feature = "backend-tokio")]
    if let Some(rt) = tokio_rt::runtime(name) {
        let outside = tokio_rt::from_outside(name);
        return Some(tokio_rt::readiness(&rt, outside, watches, events, reps));
    }
    None
}

/// Workload 2 on the backend called `name`, if this build has it.
pub fn timer_jitter_on(name: &str, period: Duration, firings: usize) -> Option<(f64, f64)> {
    if let Some(mut d) = driver(name) {
        return Some(timer_jitter(d.as_mut(), period, firings));
    }
    #[cfg(feature = "backend-tokio")]
    if let Some(rt) = tokio_rt::runtime(name) {
        return Some(tokio_rt::timer_jitter(&rt, period, firings));
    }
    None
}

/// Workload 3 on the backend called `name`, if this build has it.
pub fn churn_on(name: &str, cycles: usize) -> Option<f64> {
    if let Some(mut d) = driver(name) {
        return Some(churn(d.as_mut(), cycles));
    }
    #[cfg(feature = "backend-tokio")]
    if let Some(rt) = tokio_rt::runtime(name) {
        return Some(tokio_rt::churn(&rt, cycles));
    }
    None
}

/// Registers one READABLE watch per fd whose callback consumes the event and counts it.
fn watch_all(ev: &dyn EventLoop, fds: &[OwnedFd], counter: &Arc<Counter>) -> Vec<WatchId> {
    fds.iter()
        .map(|fd| {
            let c = counter.clone();
            ev.add_handle(
                fd.as_raw_fd(),
                Interest::READABLE,
                Box::new(move |_, fd, _| {
                    consume(fd);
                    c.hit();
                }),
            )
            .expect("add watch")
        })
        .collect()
}

/// Workload 1: readiness-dispatch throughput, best events/s of `reps` repetitions (see
/// [`readiness_rounds`]).
pub fn readiness(d: &mut dyn Driver, watches: usize, events: usize, reps: usize) -> f64 {
    let fds = eventfds(watches);
    let counter = Arc::new(Counter::default());
    let ids = watch_all(d.event_loop(), &fds, &counter);
    let best = readiness_rounds(&fds, &counter, events, reps, &mut |target| {
        d.run_until(&mut || counter.reached(target));
    });
    for id in ids {
        d.event_loop().remove_handle(id).expect("remove watch");
    }
    d.settle();
    best
}

/// Workload 2: one periodic timer of `period`, `firings` firings; returns the median and p99
/// of |interval − period| in µs.
pub fn timer_jitter(d: &mut dyn Driver, period: Duration, firings: usize) -> (f64, f64) {
    let stamps = Arc::new(Mutex::new(Vec::with_capacity(firings + 1)));
    let counter = Arc::new(Counter::default());
    let (s, c) = (stamps.clone(), counter.clone());
    let timer = d
        .event_loop()
        .add_timeout(
            TimerInterval::Every(period),
            Box::new(move |_| {
                s.lock().expect("stamps").push(Instant::now());
                c.hit();
            }),
        )
        .expect("add timer");
    d.run_until(&mut || counter.reached(firings));
    d.event_loop().remove_timeout(timer).expect("remove timer");
    d.settle();
    let stamps = stamps.lock().expect("stamps");
    jitter(&stamps[..firings], period)
}

/// Workload 3: `cycles` times, add then remove a watch, and add then remove a timer, on the
/// loop's thread; one loop iteration every [`CHURN_BATCH`] cycles. Returns add+remove pairs/s.
///
/// The iteration is made non-blocking by a "kicker" eventfd that stays readable (its
/// callback never consumes), exactly as in the libvirt harness.
pub fn churn(d: &mut dyn Driver, cycles: usize) -> f64 {
    let fds = eventfds(2);
    let (kicker, target) = (fds[0].as_raw_fd(), fds[1].as_raw_fd());
    poke(kicker);
    let kicks = Arc::new(Counter::default());
    let k = kicks.clone();
    let kick_watch = d
        .event_loop()
        .add_handle(kicker, Interest::READABLE, Box::new(move |_, _, _| k.hit()))
        .expect("add kicker");
    let start = Instant::now();
    for i in 0..cycles {
        let ev = d.event_loop();
        let w = ev
            .add_handle(target, Interest::READABLE, Box::new(|_, _, _| {}))
            .expect("add watch");
        ev.remove_handle(w).expect("remove watch");
        let t = ev
            .add_timeout(
                TimerInterval::Every(Duration::from_secs(1)),
                Box::new(|_| {}),
            )
            .expect("add timer");
        ev.remove_timeout(t).expect("remove timer");
        if (i + 1) % CHURN_BATCH == 0 {
            let seen = kicks.get();
            d.run_until(&mut || kicks.get() > seen);
        }
    }
    let elapsed = start.elapsed();
    d.event_loop()
        .remove_handle(kick_watch)
        .expect("remove kicker");
    d.settle();
    rate(2 * cycles, elapsed)
}

/// The same workloads on rvirt-tokio, current-thread or multi-thread runtime.
#[cfg(feature = "backend-tokio")]
pub mod tokio_rt {
    use super::*;
    use rvirt_tokio::TokioLoop;
    use tokio::runtime::{Builder, Runtime};

    /// A runtime of the flavour named by `name` (`tokio-ct`, or `tokio-mt` and
    /// `tokio-mt-ext`), if it is one.
    pub fn runtime(name: &str) -> Option<Runtime> {
        let mut b = match name {
            "tokio-ct" => Builder::new_current_thread(),
            "tokio-mt" | "tokio-mt-ext" => Builder::new_multi_thread(),
            _ => return None,
        };
        Some(b.enable_all().build().expect("tokio runtime"))
    }

    /// True for the backend name whose readiness rounds run outside the runtime
    /// (see [`readiness_rounds_on`]).
    pub fn from_outside(name: &str) -> bool {
        name == "tokio-mt-ext"
    }

    /// Workload 1 on rvirt-tokio; the pokes and the waits run in a task on the runtime, or
    /// on the `block_on` thread when `from_outside` (see [`readiness_rounds_on`]).
    pub fn readiness(
        rt: &Runtime,
        from_outside: bool,
        watches: usize,
        events: usize,
        reps: usize,
    ) -> f64 {
        let ev = TokioLoop::new(rt.handle().clone());
        let fds = eventfds(watches);
        let counter = Arc::new(Counter::default());
        let ids = watch_all(&ev, &fds, &counter);
        // The fds come back, open until their watches are removed.
        let (best, _fds) = readiness_rounds_on(rt, from_outside, fds, counter, events, reps);
        for id in ids {
            ev.remove_handle(id).expect("remove watch");
        }
        best
    }

    /// Workload 2 on rvirt-tokio.
    pub fn timer_jitter(rt: &Runtime, period: Duration, firings: usize) -> (f64, f64) {
        let ev = TokioLoop::new(rt.handle().clone());
        let stamps = Arc::new(Mutex::new(Vec::with_capacity(firings + 1)));
        let counter = Arc::new(Counter::default());
        counter.expect(firings);
        let (s, c) = (stamps.clone(), counter.clone());
        let timer = ev
            .add_timeout(
                TimerInterval::Every(period),
                Box::new(move |_| {
                    s.lock().expect("stamps").push(Instant::now());
                    c.hit();
                }),
            )
            .expect("add timer");
        rt.block_on(counter.wait(firings));
        ev.remove_timeout(timer).expect("remove timer");
        let stamps = stamps.lock().expect("stamps");
        jitter(&stamps[..firings], period)
    }

    /// Workload 3 on rvirt-tokio, from a task on the runtime (a worker thread on the
    /// multi-thread runtime), yielding to the scheduler every [`CHURN_BATCH`] cycles.
    pub fn churn(rt: &Runtime, cycles: usize) -> f64 {
        let ev = TokioLoop::new(rt.handle().clone());
        let fds = eventfds(1);
        let target = fds[0].as_raw_fd();
        let task = rt.spawn(async move {
            let start = Instant::now();
            for i in 0..cycles {
                let w = ev
                    .add_handle(target, Interest::READABLE, Box::new(|_, _, _| {}))
                    .expect("add watch");
                ev.remove_handle(w).expect("remove watch");
                let t = ev
                    .add_timeout(
                        TimerInterval::Every(Duration::from_secs(1)),
                        Box::new(|_| {}),
                    )
                    .expect("add timer");
                ev.remove_timeout(t).expect("remove timer");
                if (i + 1) % CHURN_BATCH == 0 {
                    tokio::task::yield_now().await;
                }
            }
            start.elapsed()
        });
        let elapsed = rt.block_on(task).expect("churn task");
        drop(fds);
        rate(2 * cycles, elapsed)
    }
}
