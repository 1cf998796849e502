//! The rvirt event-loop conformance suite, run against [`CalloopLoop`] in calloop loops the
//! backend owns.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use calloop::{EventLoop as Calloop, LoopSignal};
use rvirt_calloop::{Attachment, CalloopLoop};
use rvirt_core::event::SharedLoop;
use rvirt_core::event::conformance::{Backend, Runner};

/// A calloop loop on the test thread with the adapter inserted.
struct Local {
    // Declared first: detach before the calloop loop is dropped.
    _attachment: Attachment<'static, ()>,
    calloop: Calloop<'static, ()>,
}

/// A [`CalloopLoop`] driven by a calloop loop on whichever thread the suite asks for.
struct CalloopBackend {
    event_loop: CalloopLoop,
    local: RefCell<Option<Local>>,
}

impl CalloopBackend {
    fn new() -> CalloopBackend {
        CalloopBackend {
            event_loop: CalloopLoop::new(),
            local: RefCell::new(None),
        }
    }
}

impl Backend for CalloopBackend {
    fn event_loop(&self) -> SharedLoop {
        self.event_loop.shared()
    }

    fn run_until(&self, limit: Duration, done: &mut dyn FnMut() -> bool) -> bool {
        let mut local = self.local.borrow_mut();
        if local.is_none() {
            let calloop = Calloop::try_new().expect("create calloop loop");
            let attachment = self
                .event_loop
                .insert(&calloop.handle())
                .expect("insert adapter");
            *local = Some(Local {
                _attachment: attachment,
                calloop,
            });
        }
        let local = local.as_mut().expect("local loop");
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
            local
                .calloop
                .dispatch(Some(slice), &mut ())
                .expect("calloop dispatch");
        }
    }

    fn spawn_runner(&self) -> Box<dyn Runner> {
        // The runner's loop takes the adapter over; the local one must be re-created later.
        self.local.borrow_mut().take();
        let event_loop = self.event_loop.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let mut calloop: Calloop<'static, ()> = Calloop::try_new().expect("calloop loop");
            let attachment = event_loop
                .insert(&calloop.handle())
                .expect("insert adapter");
            tx.send(calloop.get_signal()).expect("runner started");
            calloop.run(None, &mut (), |_| {}).expect("calloop run");
            drop(attachment);
        });
        let signal = rx.recv().expect("runner thread started");
        Box::new(CalloopRunner { signal, thread })
    }
}

struct CalloopRunner {
    signal: LoopSignal,
    thread: std::thread::JoinHandle<()>,
}

impl Runner for CalloopRunner {
    fn stop(self: Box<Self>) {
        self.signal.stop();
        self.signal.wakeup();
        self.thread.join().expect("calloop runner thread panicked");
    }
}

rvirt_core::conformance_tests!(CalloopBackend::new());
