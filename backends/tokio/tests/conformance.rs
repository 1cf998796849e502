//! The whole backend conformance suite against [`rvirt_tokio::TokioLoop`], on a
//! `current_thread` runtime and on a `multi_thread` runtime.

use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rvirt_core::event::SharedLoop;
use rvirt_core::event::conformance::Runner;
use rvirt_tokio::{CallbackHold, TokioLoop};
use tokio::runtime::Runtime;
use tokio::sync::oneshot;

/// Runs this binary's tests one at a time: the two `ten_thousand_watches` tests together
/// would need more than the 20,000 descriptors a process may have here, and the timing
/// checks are steadier without the other flavor's busy loops competing for the CPUs.
static SERIAL: Mutex<()> = Mutex::new(());

/// Where a multi-threaded harness keeps its [`CallbackHold`] while it is not driving.
type Gate = Arc<Mutex<Option<CallbackHold>>>;

/// A runtime plus a loop on it, built from outside the runtime (as a non-runtime thread would).
///
/// The suite expects the loop to run only inside `run_until` and while a runner is alive,
/// as a loop driven by one thread does. A `current_thread` runtime behaves so by itself.
/// A `multi_thread` runtime's workers run tasks all the time, so its harness keeps the
/// loop's callbacks held ([`TokioLoop::hold_callbacks`]) the rest of the time: otherwise a
/// callback still in flight on a worker when `run_until` returns could race the test's next
/// step (for example fire once more just after the test disabled its timer).
struct Harness {
    event_loop: TokioLoop,
    runtime: Arc<Runtime>,
    gate: Option<Gate>,
    /// Dropped last, once the runtime is gone.
    _serial: MutexGuard<'static, ()>,
}

impl Harness {
    fn new(runtime: Runtime, gated: bool) -> Harness {
        let serial = SERIAL
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let runtime = Arc::new(runtime);
        let event_loop = TokioLoop::new(runtime.handle().clone());
        let gate = gated.then(|| Arc::new(Mutex::new(Some(event_loop.blocking_hold_callbacks()))));
        Harness {
            event_loop,
            runtime,
            gate,
            _serial: serial,
        }
    }

    /// Lets the loop's callbacks run.
    fn open(&self) {
        if let Some(gate) = &self.gate {
            drop(gate.lock().unwrap().take());
        }
    }

    /// Drives the runtime on this thread (`block_on`), checking `done` every millisecond.
    fn run_until(&self, limit: Duration, done: &mut dyn FnMut() -> bool) -> bool {
        let deadline = Instant::now() + limit;
        self.open();
        self.runtime.block_on(async {
            let result = loop {
                if done() {
                    break true;
                }
                if Instant::now() >= deadline {
                    break done();
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            };
            if let Some(gate) = &self.gate {
                // Waits for the callback in flight, if any, to return.
                let hold = self.event_loop.hold_callbacks().await;
                *gate.lock().unwrap() = Some(hold);
            }
            result
        })
    }

    /// Drives the runtime on a background thread that blocks until told to stop: only
    /// tokio's own wake-ups (task spawns and wakes, reactor events, timers) make progress.
    fn spawn_runner(&self) -> Box<dyn Runner> {
        let (stop, stopped) = oneshot::channel::<()>();
        self.open();
        let rt = self.runtime.clone();
        let thread = std::thread::spawn(move || {
            rt.block_on(async {
                let _ = stopped.await;
            });
        });
        Box::new(TokioRunner {
            stop,
            thread,
            event_loop: self.event_loop.clone(),
            gate: self.gate.clone(),
        })
    }
}

struct TokioRunner {
    stop: oneshot::Sender<()>,
    thread: JoinHandle<()>,
    event_loop: TokioLoop,
    gate: Option<Gate>,
}

impl Runner for TokioRunner {
    fn stop(self: Box<Self>) {
        let _ = self.stop.send(());
        self.thread.join().expect("runtime thread panicked");
        if let Some(gate) = &self.gate {
            *gate.lock().unwrap() = Some(self.event_loop.blocking_hold_callbacks());
        }
    }
}

macro_rules! backend {
    ($name:ident, $builder:expr, $gated:expr) => {
        /// The suite's backend for one runtime flavor.
        struct $name(Harness);

        impl $name {
            fn new() -> $name {
                let rt = $builder.enable_all().build().expect("tokio runtime");
                $name(Harness::new(rt, $gated))
            }
        }

        impl rvirt_core::event::conformance::Backend for $name {
            fn event_loop(&self) -> SharedLoop {
                self.0.event_loop.shared()
            }

            fn run_until(&self, limit: Duration, done: &mut dyn FnMut() -> bool) -> bool {
                self.0.run_until(limit, done)
            }

            fn spawn_runner(&self) -> Box<dyn Runner> {
                self.0.spawn_runner()
            }
        }
    };
}

backend!(
    CurrentThreadBackend,
    tokio::runtime::Builder::new_current_thread(),
    false
);
backend!(
    MultiThreadBackend,
    tokio::runtime::Builder::new_multi_thread().worker_threads(2),
    true
);

mod current_thread {
    use super::CurrentThreadBackend;
    rvirt_core::conformance_tests!(CurrentThreadBackend::new());
}

mod multi_thread {
    use super::MultiThreadBackend;
    rvirt_core::conformance_tests!(MultiThreadBackend::new());
}
