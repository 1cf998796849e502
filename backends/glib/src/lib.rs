//! rvirt's event-loop adapter for GLib: libvirt-style fd watches and timers served by a
//! [`glib::MainContext`] through one `GSource`.
//!
//! [`GlibLoop`] implements [`rvirt_core::event::EventLoop`] the way the other adapters host
//! their set (see [`rvirt_core::event::backend`]):
//!
//! * every watched fd is in a level-triggered epoll set of the adapter's own, registered once
//!   with the union of its watches' masks (a mask of [`Interest::NONE`] is not polled), at
//!   once, inside `add/update/remove_handle`, from whatever thread: an fd may be closed as
//!   soon as the `remove_handle` of its last watch returns;
//! * the context polls only that set's fd, through a single `GSource` at default priority.
//!   When it is readable, the source takes every ready fd from it in one non-sleeping
//!   `epoll_wait` and runs their callbacks: one `poll` entry for GLib however many watches
//!   there are (libvirt's `vireventglib.c`, one source per watch, makes GLib poll every fd on
//!   every iteration). epoll reports exactly the conditions pending at the time of the
//!   dispatch, `ERROR`/`HANGUP` included, and reports an fd again on the next iteration for
//!   as long as one stays pending;
//! * periodic timers are kept by the adapter, which arms a timerfd in the same set for the
//!   earliest deadline: they fire to the microsecond, not rounded to GLib's millisecond poll
//!   timeout. A timer firing on every iteration makes the source due on every iteration, and
//!   a disabled one is simply not armed. Due timers run before ready fds, as in libvirt;
//! * the callback box of a removed watch or timer is dropped by the source's next dispatch
//!   (or right after its own dispatch if it removed itself), outside every lock, never inside
//!   `remove_*`; a removal from another thread wakes the context for it;
//! * registrations made from another thread wake a context sleeping in `poll` (the kernel
//!   does it for fds and periodic timers, GLib's ready time for the rest).
//!
//! The application may watch the same fds in GSources of its own: the adapter neither owns
//! nor modifies them, and a watch is told only what is pending when the adapter's source
//! runs (if the application's source consumed the data first, the watch is not called).
//!
//! Callbacks run inside the adapter's source, which GLib does not dispatch re-entered: a
//! nested iteration of the context run from inside an rvirt callback dispatches the
//! application's sources but none of rvirt's until that callback has returned.
//!
//! Whoever owns the context drives it: a `glib::MainLoop`, `MainContext::iteration`, or a
//! GTK application.
//!
//! ```
//! use rvirt_core::event::{EventLoop, EventLoopExt, TimerInterval};
//! use rvirt_glib::GlibLoop;
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicU32, Ordering};
//!
//! let ctx = glib::MainContext::new();
//! let ev = GlibLoop::new(ctx.clone());
//! let fired = Arc::new(AtomicU32::new(0));
//! let f = fired.clone();
//! let timer = ev.timer(TimerInterval::EveryIteration, move |_| {
//!     f.fetch_add(1, Ordering::SeqCst);
//! })?;
//! while fired.load(Ordering::SeqCst) < 3 {
//!     ctx.iteration(true);
//! }
//! ev.remove_timeout(timer)?;
//! // Register it process-wide like virEventRegisterImpl:
//! // rvirt_core::event::register(ev.shared())?;
//! # Ok::<(), rvirt_core::event::EventError>(())
//! ```

mod local;
mod owner_bound;
mod set;
mod source;

pub use local::LocalEvents;

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;
use std::time::Instant;

use glib::{MainContext, Source};
use rvirt_core::event::backend::Garbage;
use rvirt_core::event::{
    EventError, EventLoop, HandleCallback, Interest, SharedLoop, TimerCallback, TimerId,
    TimerInterval, WatchId,
};

use set::{Set, State};

/// A libvirt-style [`EventLoop`] served by a GLib [`MainContext`] through one `GSource`.
///
/// Cloning gives another handle on the same registrations. All methods may be called from
/// any thread and from inside callbacks; callbacks run on whichever thread iterates the
/// context. Dropping the last handle removes the source from the context.
#[derive(Clone)]
pub struct GlibLoop {
    inner: Arc<Inner>,
}

struct Inner {
    ctx: MainContext,
    /// The source attached to `ctx`; it holds `set` too (its dispatch runs on it).
    source: Source,
    set: Arc<Set>,
}

impl fmt::Debug for GlibLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GlibLoop")
            .field("set", &self.inner.set)
            .finish_non_exhaustive()
    }
}

impl GlibLoop {
    /// An event loop attached to `ctx`.
    ///
    /// The application (or the GTK main loop) keeps iterating `ctx`; this adapter never
    /// iterates it itself.
    ///
    /// # Panics
    ///
    /// When the kernel refuses the adapter an epoll instance or a timerfd (no fd left);
    /// [`GlibLoop::try_new`] reports that instead.
    pub fn new(ctx: MainContext) -> GlibLoop {
        GlibLoop::try_new(ctx).expect("rvirt-glib: cannot create its epoll set")
    }

    /// An event loop attached to `ctx`, or why its epoll set or timerfd could not be made.
    pub fn try_new(ctx: MainContext) -> io::Result<GlibLoop> {
        let set = Arc::new(Set::new()?);
        let source = source::new(set.epoll.as_raw_fd(), set.clone());
        source.attach(Some(&ctx));
        Ok(GlibLoop {
            inner: Arc::new(Inner { ctx, source, set }),
        })
    }

    /// An event loop on the process-wide default context (`g_main_context_default()`), the
    /// one `g_main_loop_new(NULL, ..)` and GTK run.
    ///
    /// # Panics
    ///
    /// Like [`GlibLoop::new`].
    pub fn default_context() -> GlibLoop {
        GlibLoop::new(MainContext::default())
    }

    /// The context this loop's source is attached to.
    pub fn context(&self) -> &MainContext {
        &self.inner.ctx
    }

    /// This loop as a [`SharedLoop`], for `rvirt_core::event::register` or a connection.
    pub fn shared(&self) -> SharedLoop {
        Arc::new(self.clone())
    }

    /// Runs `f` on the registrations, with the lock held.
    fn with_state<R>(&self, f: impl FnOnce(&mut State, &Inner) -> R) -> R {
        let inner = &*self.inner;
        let mut st = inner.set.lock();
        f(&mut st, inner)
    }

    /// Arms what timer `timer`, just added or updated to `interval`, needs to fire.
    fn schedule(st: &mut State, inner: &Inner, timer: TimerId, interval: TimerInterval) {
        match interval {
            TimerInterval::Disabled => {}
            TimerInterval::EveryIteration => st.request_dispatch(&inner.source),
            TimerInterval::Every(_) => {
                let deadline = st.timers.deadline(timer).unwrap_or_else(Instant::now);
                st.arm(deadline);
            }
        }
    }
}

impl EventLoop for GlibLoop {
    fn add_handle(
        &self,
        fd: RawFd,
        events: Interest,
        callback: HandleCallback,
    ) -> Result<WatchId, EventError> {
        // The kernel makes the set readable once the fd is ready: no wake-up needed.
        let added =
            self.with_state(|st, inner| st.watches.add(&inner.set.epoll, fd, events, callback));
        // A refused callback is dropped here, outside the lock.
        added.map_err(|(e, _callback)| e)
    }

    fn update_handle(&self, watch: WatchId, events: Interest) -> Result<(), EventError> {
        self.with_state(|st, inner| st.watches.update(&inner.set.epoll, watch, events))
    }

    fn remove_handle(&self, watch: WatchId) -> Result<(), EventError> {
        self.with_state(|st, inner| {
            // Deregistered now, before returning, so that the caller may close the fd.
            // `None`: the callback is out being dispatched, and its dispatch frees it.
            if let Some(cb) = st.watches.remove(&inner.set.epoll, watch)? {
                st.bury(Garbage::Handle(cb), &inner.source);
            }
            Ok(())
        })
    }

    fn add_timeout(
        &self,
        interval: TimerInterval,
        callback: TimerCallback,
    ) -> Result<TimerId, EventError> {
        Ok(self.with_state(|st, inner| {
            let id = st.timers.add(interval, callback);
            GlibLoop::schedule(st, inner, id, interval);
            id
        }))
    }

    fn update_timeout(&self, timer: TimerId, interval: TimerInterval) -> Result<(), EventError> {
        self.with_state(|st, inner| {
            // The next firing counts from this update.
            st.timers.update(timer, interval)?;
            GlibLoop::schedule(st, inner, timer, interval);
            Ok(())
        })
    }

    fn remove_timeout(&self, timer: TimerId) -> Result<(), EventError> {
        // The timerfd may stay armed for it: the dispatch it causes re-arms it.
        self.with_state(|st, inner| {
            if let Some(cb) = st.timers.remove(timer)? {
                st.bury(Garbage::Timer(cb), &inner.source);
            }
            Ok(())
        })
    }

    /// True while the calling thread owns the context (it is iterating it, or holds it
    /// between iterations as a running `MainLoop` does).
    fn is_loop_thread(&self) -> bool {
        self.inner.ctx.is_owner()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The source goes away once GLib lets go of it (after a dispatch in progress), and
        // with it the registrations and their callbacks.
        self.source.destroy();
    }
}
