//! The rvirt event-loop conformance suite, run against [`GlibLoop`] on a private context.

use std::time::{Duration, Instant};

use glib::{ControlFlow, MainContext, MainLoop, Priority};
use rvirt_core::event::SharedLoop;
use rvirt_core::event::conformance::{Backend, Runner};
use rvirt_glib::GlibLoop;

/// A [`GlibLoop`] on its own private [`MainContext`].
struct GlibBackend {
    ctx: MainContext,
    event_loop: GlibLoop,
}

impl GlibBackend {
    fn new() -> GlibBackend {
        let ctx = MainContext::new();
        GlibBackend {
            event_loop: GlibLoop::new(ctx.clone()),
            ctx,
        }
    }
}

impl Backend for GlibBackend {
    fn event_loop(&self) -> SharedLoop {
        self.event_loop.shared()
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
            // Bound the blocking iteration with a guard timeout.
            let slice = (deadline - now).min(Duration::from_millis(20));
            let guard = glib::timeout_source_new(
                slice.max(Duration::from_millis(1)),
                None,
                Priority::DEFAULT,
                || ControlFlow::Break,
            );
            guard.attach(Some(&self.ctx));
            self.ctx.iteration(true);
            guard.destroy();
        }
    }

    fn spawn_runner(&self) -> Box<dyn Runner> {
        let main_loop = MainLoop::new(Some(&self.ctx), false);
        let (ctx, ml) = (self.ctx.clone(), main_loop.clone());
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let _owner = ctx.acquire().expect("acquire the backend's context");
            tx.send(()).expect("runner started");
            ml.run();
        });
        rx.recv().expect("runner thread started");
        Box::new(GlibRunner { main_loop, thread })
    }
}

struct GlibRunner {
    main_loop: MainLoop,
    thread: std::thread::JoinHandle<()>,
}

impl Runner for GlibRunner {
    fn stop(self: Box<Self>) {
        // The loop may not have entered `run` yet: keep quitting until the thread ends.
        while !self.thread.is_finished() {
            self.main_loop.quit();
            std::thread::sleep(Duration::from_millis(1));
        }
        self.thread.join().expect("glib runner thread panicked");
    }
}

rvirt_core::conformance_tests!(GlibBackend::new());
