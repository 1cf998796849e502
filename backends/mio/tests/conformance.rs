//! The whole backend conformance suite against [`rvirt_mio::MioLoop`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mio::{Events, Poll, Token};
use rvirt_core::event::SharedLoop;
use rvirt_core::event::conformance::{Backend, Runner};
use rvirt_mio::MioLoop;

/// A mio poll owned by the "application", with an rvirt loop on a token range of its own.
struct MioBackend {
    event_loop: MioLoop,
    poll: Arc<Mutex<(Poll, Events)>>,
}

impl MioBackend {
    fn new() -> MioBackend {
        let poll = Poll::new().expect("mio poll");
        // A small base, to check the scheme with tokens the application could also use.
        let event_loop = MioLoop::new(poll.registry(), 1000).expect("mio loop");
        assert!(event_loop.owns_token(Token(1000)) && !event_loop.owns_token(Token(999)));
        MioBackend {
            event_loop,
            poll: Arc::new(Mutex::new((poll, Events::with_capacity(256)))),
        }
    }
}

impl Backend for MioBackend {
    fn event_loop(&self) -> SharedLoop {
        self.event_loop.shared()
    }

    fn run_until(&self, limit: Duration, done: &mut dyn FnMut() -> bool) -> bool {
        let deadline = Instant::now() + limit;
        let mut guard = self.poll.lock().unwrap();
        let (poll, events) = &mut *guard;
        loop {
            if done() {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return done();
            }
            let slice = (deadline - now).min(Duration::from_millis(20));
            self.event_loop
                .run_once(poll, events, Some(slice))
                .expect("mio loop iteration");
        }
    }

    fn spawn_runner(&self) -> Box<dyn Runner> {
        let quit = Arc::new(AtomicBool::new(false));
        let (l, p, q) = (self.event_loop.clone(), self.poll.clone(), quit.clone());
        let thread = std::thread::spawn(move || {
            let mut guard = p.lock().unwrap();
            let (poll, events) = &mut *guard;
            while !q.load(Ordering::SeqCst) {
                // Blocking: only a due timer, a ready fd or the waker ends the wait.
                l.run_once(poll, events, None).expect("mio loop iteration");
            }
        });
        Box::new(MioRunner {
            event_loop: self.event_loop.clone(),
            quit,
            thread,
        })
    }
}

struct MioRunner {
    event_loop: MioLoop,
    quit: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Runner for MioRunner {
    fn stop(self: Box<Self>) {
        self.quit.store(true, Ordering::SeqCst);
        self.event_loop.wake().expect("wake");
        self.thread.join().expect("mio loop thread panicked");
    }
}

rvirt_core::conformance_tests!(MioBackend::new());
