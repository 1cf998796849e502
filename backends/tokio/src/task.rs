//! The dispatch task: waits for the epoll set to be readable, then runs the due timers and
//! the callbacks of every ready fd, for as long as anything is registered.

use std::future::poll_fn;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use rvirt_core::event::backend::{Epoll, TimerTable, dispatch_due, dispatch_ready};
use tokio::io::unix::{AsyncFd, AsyncFdReadyGuard};

use crate::scope::CallbackScope;
use crate::state::{Inner, TIMER_TOKEN};

/// How many times in a row the task looks at the watches added by the callbacks it ran
/// (a callback that adds a watch on a ready fd every time must not keep it forever).
const NEW_WATCH_PASSES: usize = 4;

/// Ready fds served in one busy period (from a wake-up until the set reports nothing) from
/// which, on a multi-thread runtime, the task wakes an idle worker as it goes back to wait
/// (see [`Inner::run`]): about what one thread wake-up costs, in callbacks.
const HANDOFF_EVENTS: usize = 64;

/// Keeps the loop served when a callback panics: the panic ends the task (tokio catches
/// it), and this guard spawns a new one for the other registrations. (The panicking
/// callback itself is gone: its watch or timer is never dispatched again.)
struct TaskGuard {
    inner: Arc<Inner>,
    set: Arc<AsyncFd<Epoll>>,
    /// The task ended by itself (nothing left, or no reactor).
    ended: bool,
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        let mut st = self.inner.state();
        if std::thread::panicking() && !st.is_idle() {
            drop(st);
            let (inner, set) = (self.inner.clone(), self.set.clone());
            self.inner.handle.spawn(async move { inner.run(set).await });
        } else {
            // Dropped unfinished: the runtime shuts down.
            st.task = false;
            st.task_waker = None;
        }
    }
}

/// True when a timer wants a round at once; reads the clock only when there are timers.
fn every_iteration(timers: &TimerTable) -> bool {
    !timers.is_empty() && timers.next_timeout(Instant::now()) == Some(Duration::ZERO)
}

/// Why the task runs a round (or ends).
enum Wake<'a> {
    /// The set is readable.
    Set(AsyncFdReadyGuard<'a, Epoll>),
    /// An every-iteration timer wants a round.
    Timer,
    /// Nothing is registered, or the reactor is gone.
    End,
}

/// The task's reusable buffers.
#[derive(Default)]
struct Scratch {
    events: Vec<libc::epoll_event>,
    due: Vec<u64>,
}

impl Inner {
    /// Drops the deferred callbacks, with no lock held.
    pub(crate) fn reap(&self) {
        let garbage = {
            let mut st = self.state();
            st.reaper_scheduled = false;
            std::mem::take(&mut st.graveyard)
        };
        drop(garbage);
    }

    /// Takes the dispatch mutex, without going through the async wait when it is free.
    async fn serialize(&self) -> tokio::sync::MutexGuard<'_, ()> {
        match self.dispatch.try_lock() {
            Ok(g) => g,
            Err(_) => self.dispatch.lock().await,
        }
    }

    /// Serves every watch and timer until nothing is registered.
    pub(crate) async fn run(self: Arc<Self>, set: Arc<AsyncFd<Epoll>>) {
        let mut guard = TaskGuard {
            inner: self.clone(),
            set: set.clone(),
            ended: false,
        };
        let mut scratch = Scratch::default();
        // A timer fires on every iteration (or is already due again): look without waiting.
        let mut again = false;
        let handoff = self.handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread;
        // Ready fds served since the task last found the set empty.
        let mut busy = 0usize;
        loop {
            let readiness = if again {
                // Every iteration, but once the other tasks had their turn.
                tokio::task::yield_now().await;
                if self.end_if_idle() {
                    guard.ended = true;
                    return;
                }
                None
            } else {
                match poll_fn(|cx| self.poll_set(&set, cx)).await {
                    Wake::Set(r) => Some(r),
                    Wake::Timer => None,
                    Wake::End => {
                        guard.ended = true;
                        return;
                    }
                }
            };
            let serial = self.serialize().await;
            let (looked, rerun) = self.dispatch(set.get_ref(), &mut scratch);
            again = rerun;
            drop(serial);
            match (readiness, looked) {
                (Some(mut r), Ok(0)) => {
                    // Nothing pending: forget the edge that woke us and wait for the next
                    // one (one that came since the readiness was taken keeps it set).
                    r.clear_ready();
                    if handoff && busy >= HANDOFF_EVENTS {
                        Self::wake_idle_worker(&self.handle);
                    }
                    busy = 0;
                }
                (_, Ok(0)) => {}
                (_, looked) => {
                    busy += looked.unwrap_or(0);
                    // Level-triggered: look at the set again at once, for as long as it is
                    // busy, with no trip through the reactor and no wake-up of another worker
                    // (as `yield_now` would cause); tokio's budget makes the task yield now
                    // and then so that it does not starve the others.
                    tokio::task::coop::consume_budget().await;
                }
            }
        }
    }

    /// Makes an idle worker of a multi-thread runtime take over the reactor while this one
    /// runs what the callbacks woke.
    ///
    /// A task woken by a callback (the consumer of what a watched fd delivered) waits in
    /// this worker's LIFO slot, which no other worker may steal from, and runs here once
    /// this task waits again. The set's next edge is then seen only when some worker polls
    /// the reactor: an idle one, if it parked on the reactor, or this one once it has
    /// nothing left to run. An idle worker that parked while this one held the reactor sleeps
    /// on until something wakes it, and every busy period then runs serially on one worker:
    /// its woken tasks, then the next callbacks. Spawning an empty task moves the LIFO task to
    /// the stealable queue, which wakes an idle worker; finding nothing more to do, that worker
    /// parks on the reactor, and the next callbacks run there while this worker runs the
    /// woken tasks. Done only after a busy period long enough to pay for the wake-up.
    fn wake_idle_worker(handle: &tokio::runtime::Handle) {
        drop(handle.spawn(async {}));
    }

    /// One dispatch round: the due timers, then every ready fd. Returns what the look at the
    /// set gave (an error, EINTR, counts as "something may be pending") and whether a timer
    /// wants another round at once.
    fn dispatch(&self, set: &Epoll, scratch: &mut Scratch) -> (std::io::Result<usize>, bool) {
        let Scratch { events, due } = scratch;
        let (mut ids, timer_limit) = {
            let st = self.state();
            let timer_limit = (!st.timers.is_empty()).then(|| st.timers.id_limit());
            (1..st.watches.id_limit(), timer_limit)
        };
        let looked = set.ready_now(events);
        let mut n = *looked.as_ref().unwrap_or(&0);
        if let Some(i) = events[..n].iter().position(|e| e.u64 == TIMER_TOKEN) {
            if let Some(t) = &mut self.state().timer_fd {
                t.expired();
            }
            n -= 1;
            events.swap(i, n);
        }
        let scope = CallbackScope::enter();
        // With no timer before the look, none is due in this round (and no clock read).
        if let Some(timer_limit) = timer_limit {
            dispatch_due(
                &self.state,
                |st| &mut st.timers,
                Instant::now(),
                timer_limit,
                due,
            );
        }
        for _ in 0..NEW_WATCH_PASSES {
            dispatch_ready(&self.state, |st| &mut st.watches, &events[..n], ids.clone());
            // Watches the callbacks just added get their first look now, before any other
            // callback can run: in a single-threaded loop they would be polled on the very
            // next iteration.
            let limit = self.state().watches.id_limit();
            if limit == ids.end {
                break;
            }
            ids = ids.end..limit;
            n = set.ready_now(events).unwrap_or(0);
            // The timerfd, reported again, waits for the next round.
            if let Some(i) = events[..n].iter().position(|e| e.u64 == TIMER_TOKEN) {
                n -= 1;
                events.swap(i, n);
            }
        }
        drop(scope);
        let mut st = self.state();
        let next = st.timers.next_deadline();
        // On failure, look again at once rather than miss the timers.
        let armed = st.timer_fd.as_mut().is_some_and(|t| t.set(next).is_ok());
        let rerun = !armed || every_iteration(&st.timers);
        (looked, rerun)
    }

    /// Ends the task if nothing is registered (true then).
    fn end_if_idle(&self) -> bool {
        let mut st = self.state();
        if st.is_idle() {
            st.task = false;
            st.task_waker = None;
            return true;
        }
        false
    }

    /// Polls for a reason to run a round: the set is readable, or an every-iteration timer
    /// (added or enabled since the last round) wants one; or for the end of the task, when
    /// nothing is registered or the reactor is gone.
    fn poll_set<'a>(&self, set: &'a AsyncFd<Epoll>, cx: &mut Context<'_>) -> Poll<Wake<'a>> {
        let every = {
            let mut st = self.state();
            if st.is_idle() {
                st.task = false;
                st.task_waker = None;
                return Poll::Ready(Wake::End);
            }
            match &st.task_waker {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => st.task_waker = Some(cx.waker().clone()),
            }
            every_iteration(&st.timers)
        };
        match set.poll_read_ready(cx) {
            Poll::Ready(Ok(readiness)) => Poll::Ready(Wake::Set(readiness)),
            Poll::Ready(Err(_)) => {
                // The reactor is gone (the runtime shuts down): so is this task.
                let mut st = self.state();
                st.task = false;
                st.task_waker = None;
                Poll::Ready(Wake::End)
            }
            Poll::Pending if every => Poll::Ready(Wake::Timer),
            Poll::Pending => Poll::Pending,
        }
    }
}
