//! Which thread runs a callback ([`CallbackScope`]) and the hold that keeps callbacks from
//! starting ([`CallbackHold`]).

use std::cell::Cell;

thread_local! {
    /// The current thread is running one of the loop's callbacks.
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

/// True while the current thread runs a callback of some [`TokioLoop`](crate::TokioLoop).
pub(crate) fn in_callback() -> bool {
    IN_CALLBACK.with(Cell::get)
}

/// Marks the current thread as running callbacks until dropped.
pub(crate) struct CallbackScope(bool);

impl CallbackScope {
    pub(crate) fn enter() -> CallbackScope {
        CallbackScope(IN_CALLBACK.with(|c| c.replace(true)))
    }
}

impl Drop for CallbackScope {
    fn drop(&mut self) {
        IN_CALLBACK.with(|c| c.set(self.0));
    }
}

/// Keeps a [`TokioLoop`](crate::TokioLoop)'s callbacks from starting while it lives (see
/// [`TokioLoop::hold_callbacks`](crate::TokioLoop::hold_callbacks)). Dropping it lets them
/// run again.
#[derive(Debug)]
pub struct CallbackHold {
    pub(crate) _guard: tokio::sync::OwnedMutexGuard<()>,
}
