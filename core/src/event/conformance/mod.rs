//! The backend conformance suite (feature `test-util`).
//!
//! Every event-loop backend runs these same tests against itself, so that drivers can rely on
//! libvirt's semantics whatever loop the application runs. A backend crate provides a
//! [`Backend`] (how to drive its loop) and expands [`conformance_tests!`](crate::conformance_tests)
//! in a test file:
//!
//! ```ignore
//! rvirt_core::conformance_tests!(my_backend::TestBackend::new());
//! ```
//!
//! Each test takes a fresh backend, panics with a message on failure, and bounds every wait.

mod conditions;
mod fds;
mod freeing;
mod ids;
mod probe;
mod reentrancy;
mod scale;
mod threads;
mod timers;

use std::time::{Duration, Instant};

use super::{DefaultLoop, SharedLoop};

pub use conditions::{
    error_is_reported, hangup_is_reported, level_triggered_redelivers_unread_data,
    paused_watch_is_not_dispatched, split_masks_on_one_fd,
};
pub use freeing::{
    callback_freed_after_self_removal, free_is_deferred_out_of_remove,
    removed_watch_is_never_dispatched_again,
};
pub use ids::{ids_start_at_one_and_are_never_reused, unknown_ids_are_errors};
pub use reentrancy::callbacks_can_add_update_and_remove;
pub use scale::ten_thousand_watches;
pub use threads::{concurrent_registration_from_many_threads, cross_thread_changes_wake_the_loop};
pub use timers::{timer_intervals, timer_updates};

/// Upper bound for any single wait in the suite; generous so a loaded CI machine passes.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// How the suite drives a backend's loop.
pub trait Backend {
    /// The loop under test, as the registration trait object drivers see.
    fn event_loop(&self) -> SharedLoop;

    /// Drives the loop on the calling thread until `done()` returns true or `limit` has
    /// passed; returns the last value of `done()`.
    fn run_until(&self, limit: Duration, done: &mut dyn FnMut() -> bool) -> bool;

    /// Starts driving the loop on a background thread with *blocking* waits (no polling
    /// slices), so that only the backend's wake-up mechanism can notice a registration
    /// change. The returned handle stops the thread.
    fn spawn_runner(&self) -> Box<dyn Runner>;

    /// Drives the loop on the calling thread for `time`, whatever happens.
    fn run_for(&self, time: Duration) {
        self.run_until(time, &mut || false);
    }
}

/// A loop being driven on a background thread (see [`Backend::spawn_runner`]).
pub trait Runner: Send {
    /// Stops the background thread and waits for it to finish.
    fn stop(self: Box<Self>);
}

/// One conformance test: panics if the backend breaks the contract.
pub type ConformanceTest = fn(&dyn Backend);

/// All conformance tests, by name, for runners that do not use the macro.
pub const ALL: &[(&str, ConformanceTest)] = &[
    (
        "ids_start_at_one_and_are_never_reused",
        ids_start_at_one_and_are_never_reused,
    ),
    ("unknown_ids_are_errors", unknown_ids_are_errors),
    (
        "free_is_deferred_out_of_remove",
        free_is_deferred_out_of_remove,
    ),
    (
        "callback_freed_after_self_removal",
        callback_freed_after_self_removal,
    ),
    (
        "removed_watch_is_never_dispatched_again",
        removed_watch_is_never_dispatched_again,
    ),
    (
        "callbacks_can_add_update_and_remove",
        callbacks_can_add_update_and_remove,
    ),
    (
        "cross_thread_changes_wake_the_loop",
        cross_thread_changes_wake_the_loop,
    ),
    (
        "concurrent_registration_from_many_threads",
        concurrent_registration_from_many_threads,
    ),
    ("timer_intervals", timer_intervals),
    ("timer_updates", timer_updates),
    ("hangup_is_reported", hangup_is_reported),
    ("error_is_reported", error_is_reported),
    (
        "level_triggered_redelivers_unread_data",
        level_triggered_redelivers_unread_data,
    ),
    (
        "paused_watch_is_not_dispatched",
        paused_watch_is_not_dispatched,
    ),
    ("split_masks_on_one_fd", split_masks_on_one_fd),
    ("ten_thousand_watches", ten_thousand_watches),
];

/// Expands to one `#[test]` per conformance test, each on a fresh backend from `$make`.
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr) => {
        $crate::conformance_tests!(@each $make;
            ids_start_at_one_and_are_never_reused,
            unknown_ids_are_errors,
            free_is_deferred_out_of_remove,
            callback_freed_after_self_removal,
            removed_watch_is_never_dispatched_again,
            callbacks_can_add_update_and_remove,
            cross_thread_changes_wake_the_loop,
            concurrent_registration_from_many_threads,
            timer_intervals,
            timer_updates,
            hangup_is_reported,
            error_is_reported,
            level_triggered_redelivers_unread_data,
            paused_watch_is_not_dispatched,
            split_masks_on_one_fd,
            ten_thousand_watches,
        );
    };
    (@each $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let backend = $make;
                $crate::event::conformance::$name(&backend);
            }
        )*
    };
}

/// The [`Backend`] for rvirt's own [`DefaultLoop`].
#[derive(Debug)]
pub struct DefaultBackend {
    event_loop: DefaultLoop,
}

impl DefaultBackend {
    /// A fresh default loop.
    pub fn new() -> DefaultBackend {
        DefaultBackend {
            event_loop: DefaultLoop::new().expect("create default loop"),
        }
    }
}

impl Default for DefaultBackend {
    fn default() -> Self {
        Self::new()
    }
}

impl Backend for DefaultBackend {
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
            let slice = (deadline - now).min(Duration::from_millis(20));
            self.event_loop
                .run_once_timeout(slice)
                .expect("default loop iteration");
        }
    }

    fn spawn_runner(&self) -> Box<dyn Runner> {
        let l = self.event_loop.clone();
        let thread = std::thread::spawn(move || l.run().expect("default loop run"));
        Box::new(DefaultRunner {
            event_loop: self.event_loop.clone(),
            thread,
        })
    }
}

struct DefaultRunner {
    event_loop: DefaultLoop,
    thread: std::thread::JoinHandle<()>,
}

impl Runner for DefaultRunner {
    fn stop(self: Box<Self>) {
        self.event_loop.quit();
        self.thread.join().expect("default loop thread panicked");
    }
}
