//! [`DropProbe`]: detects when (and in which context) a callback box is freed.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

/// Shared flags observed by a probe and the test.
#[derive(Debug, Default)]
pub(crate) struct ProbeState {
    /// How many probes sharing this state were dropped.
    drops: AtomicUsize,
    /// The thread that is inside a `remove_*` call or a callback body right now: a drop on
    /// that thread, then, happens on the forbidden call stack.
    forbidden: Mutex<Option<ThreadId>>,
    /// A probe was dropped on the forbidden call stack.
    violation: AtomicBool,
}

impl ProbeState {
    pub(crate) fn new() -> Arc<ProbeState> {
        Arc::new(ProbeState::default())
    }

    pub(crate) fn drops(&self) -> usize {
        self.drops.load(Ordering::SeqCst)
    }

    /// Runs `f` with drops on this thread forbidden.
    pub(crate) fn forbid_during<R>(&self, f: impl FnOnce() -> R) -> R {
        *self.forbidden.lock().unwrap() = Some(std::thread::current().id());
        let r = f();
        *self.forbidden.lock().unwrap() = None;
        r
    }

    pub(crate) fn assert_no_violation(&self, what: &str) {
        assert!(
            !self.violation.load(Ordering::SeqCst),
            "{what}: a callback was freed inside remove or inside its own dispatch"
        );
    }
}

/// Captured by a callback; its drop is the callback's `ff`.
#[derive(Debug)]
pub(crate) struct DropProbe(pub(crate) Arc<ProbeState>);

impl Drop for DropProbe {
    fn drop(&mut self) {
        let here = std::thread::current().id();
        let forbidden = self
            .0
            .forbidden
            .lock()
            .map(|g| *g == Some(here))
            .unwrap_or(false);
        if forbidden {
            self.0.violation.store(true, Ordering::SeqCst);
        }
        self.0.drops.fetch_add(1, Ordering::SeqCst);
    }
}
