//! The rvirt event-loop conformance suite, run against [`AsyncIoLoop`] driven by
//! `async_io::block_on`.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use async_io::Timer;
use rvirt_async_io::AsyncIoLoop;
use rvirt_core::event::SharedLoop;
use rvirt_core::event::conformance::{Backend, Runner};

/// An [`AsyncIoLoop`] whose `Run` future is block_on'd by the suite's threads.
struct AsyncIoBackend {
    event_loop: AsyncIoLoop,
}

impl AsyncIoBackend {
    fn new() -> AsyncIoBackend {
        AsyncIoBackend {
            event_loop: AsyncIoLoop::new(),
        }
    }
}

impl Backend for AsyncIoBackend {
    fn event_loop(&self) -> SharedLoop {
        self.event_loop.shared()
    }

    fn run_until(&self, limit: Duration, done: &mut dyn FnMut() -> bool) -> bool {
        let deadline = Instant::now() + limit;
        let mut run = pin!(self.event_loop.run());
        // Re-check `done` at least every 20 ms even if nothing wakes the loop.
        let mut tick = Timer::interval(Duration::from_millis(20));
        let mut end = Timer::at(deadline);
        async_io::block_on(poll_fn(|cx| {
            if done() {
                return Poll::Ready(true);
            }
            if let Poll::Ready(r) = run.as_mut().poll(cx) {
                panic!("run future ended: {r:?}");
            }
            if done() {
                return Poll::Ready(true);
            }
            if Pin::new(&mut end).poll(cx).is_ready() {
                return Poll::Ready(done());
            }
            let _ = Pin::new(&mut tick).poll(cx);
            Poll::Pending
        }))
    }

    fn spawn_runner(&self) -> Box<dyn Runner> {
        let stop = Arc::new(Stop::default());
        let (event_loop, s) = (self.event_loop.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut run = pin!(event_loop.run());
            async_io::block_on(poll_fn(|cx| {
                *s.waker.lock().unwrap() = Some(cx.waker().clone());
                if s.flag.load(Ordering::SeqCst) {
                    return Poll::Ready(());
                }
                if let Poll::Ready(r) = run.as_mut().poll(cx) {
                    panic!("run future ended: {r:?}");
                }
                Poll::Pending
            }));
        });
        Box::new(AsyncIoRunner { stop, thread })
    }
}

#[derive(Default)]
struct Stop {
    flag: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

struct AsyncIoRunner {
    stop: Arc<Stop>,
    thread: std::thread::JoinHandle<()>,
}

impl Runner for AsyncIoRunner {
    fn stop(self: Box<Self>) {
        self.stop.flag.store(true, Ordering::SeqCst);
        if let Some(w) = self.stop.waker.lock().unwrap().take() {
            w.wake();
        }
        self.thread.join().expect("async-io runner thread panicked");
    }
}

rvirt_core::conformance_tests!(AsyncIoBackend::new());
