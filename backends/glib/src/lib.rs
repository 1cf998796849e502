//! rvirt's event-loop adapter for GLib: libvirt-style fd watches and timers as `GSource`s
//! attached to a [`glib::MainContext`].
//!
//! [`GlibLoop`] implements [`rvirt_core::event::EventLoop`] the way libvirt's own
//! `vireventglib.c` does:
//!
//! * a watch is a `g_unix_fd_source_new` source (level-triggered `poll(2)` semantics); changing
//!   its mask destroys the source and creates a new one, and a mask of
//!   [`Interest::NONE`] simply has no source;
//! * a periodic timer is a `g_timeout_source_new` source, a timer firing on every iteration
//!   is an idle source at default priority (so ready fds cannot starve it), a disabled timer
//!   has no source;
//! * the callback box of a removed watch or timer is dropped later by a one-shot idle source
//!   on the loop's context (or right after its own dispatch if it removed itself), never
//!   inside `remove_*`;
//! * attaching a source wakes the context when another thread is polling it, so every
//!   change is seen at once, from any thread.
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

use std::collections::HashMap;
use std::fmt;
use std::os::fd::RawFd;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use glib::{ControlFlow, IOCondition, MainContext, Priority, Source};
use rvirt_core::event::backend::Garbage;
use rvirt_core::event::{
    EventError, EventLoop, HandleCallback, Interest, SharedLoop, TimerCallback, TimerId,
    TimerInterval, WatchId,
};

/// A libvirt-style [`EventLoop`] whose watches and timers are `GSource`s on a GLib
/// [`MainContext`].
///
/// Cloning gives another handle on the same registrations. All methods may be called from
/// any thread and from inside callbacks; callbacks run on whichever thread iterates the
/// context. Dropping the last handle destroys every source it attached.
#[derive(Clone)]
pub struct GlibLoop {
    inner: Arc<Inner>,
}

struct Inner {
    ctx: MainContext,
    state: Mutex<State>,
}

struct Watch {
    fd: RawFd,
    events: Interest,
    /// Which source is current: a source whose generation differs is stale.
    generation: u64,
    source: Option<Source>,
    /// `None` while the callback is out being dispatched.
    callback: Option<HandleCallback>,
}

struct Timer {
    generation: u64,
    source: Option<Source>,
    /// `None` while the callback is out being dispatched.
    callback: Option<TimerCallback>,
}

struct State {
    next_watch: u64,
    next_timer: u64,
    next_generation: u64,
    watches: HashMap<u64, Watch>,
    timers: HashMap<u64, Timer>,
    graveyard: Vec<Garbage>,
    /// The idle source that will empty the graveyard, if one is attached.
    reaper: Option<Source>,
}

impl fmt::Debug for GlibLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.inner.lock();
        f.debug_struct("GlibLoop")
            .field("watches", &st.watches.len())
            .field("timers", &st.timers.len())
            .finish_non_exhaustive()
    }
}

fn condition_of(events: Interest) -> IOCondition {
    let mut c = IOCondition::empty();
    if events.contains(Interest::READABLE) {
        c |= IOCondition::IN;
    }
    if events.contains(Interest::WRITABLE) {
        c |= IOCondition::OUT;
    }
    c
}

fn interest_of(cond: IOCondition) -> Interest {
    let mut i = Interest::NONE;
    if cond.intersects(IOCondition::IN | IOCondition::PRI) {
        i |= Interest::READABLE;
    }
    if cond.contains(IOCondition::OUT) {
        i |= Interest::WRITABLE;
    }
    if cond.intersects(IOCondition::ERR | IOCondition::NVAL) {
        i |= Interest::ERROR;
    }
    if cond.contains(IOCondition::HUP) {
        i |= Interest::HANGUP;
    }
    i
}

fn check_fd(fd: RawFd) -> Result<(), EventError> {
    // SAFETY: F_GETFD takes no pointer argument; it only inspects the descriptor table.
    if fd < 0 || unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        let err = if fd < 0 {
            std::io::Error::from_raw_os_error(libc::EBADF)
        } else {
            std::io::Error::last_os_error()
        };
        return Err(EventError::BadFd(fd, err));
    }
    Ok(())
}

impl GlibLoop {
    /// An event loop whose sources are attached to `ctx`.
    ///
    /// The application (or the GTK main loop) keeps iterating `ctx`; this adapter never
    /// iterates it itself.
    pub fn new(ctx: MainContext) -> GlibLoop {
        GlibLoop {
            inner: Arc::new(Inner {
                ctx,
                state: Mutex::new(State {
                    next_watch: 1,
                    next_timer: 1,
                    next_generation: 1,
                    watches: HashMap::new(),
                    timers: HashMap::new(),
                    graveyard: Vec::new(),
                    reaper: None,
                }),
            }),
        }
    }

    /// An event loop on the process-wide default context (`g_main_context_default()`), the
    /// one `g_main_loop_new(NULL, ..)` and GTK run.
    pub fn default_context() -> GlibLoop {
        GlibLoop::new(MainContext::default())
    }

    /// The context this loop attaches its sources to.
    pub fn context(&self) -> &MainContext {
        &self.inner.ctx
    }

    /// This loop as a [`SharedLoop`], for `rvirt_core::event::register` or a connection.
    pub fn shared(&self) -> SharedLoop {
        Arc::new(self.clone())
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl State {
    fn generation(&mut self) -> u64 {
        let g = self.next_generation;
        self.next_generation += 1;
        g
    }

    /// Defers dropping `g` to an idle source on the loop's context.
    fn bury(&mut self, inner: &Arc<Inner>, g: Garbage) {
        self.graveyard.push(g);
        if self.reaper.is_none() {
            let weak = Arc::downgrade(inner);
            let src = glib::idle_source_new(None, Priority::HIGH, move || {
                if let Some(inner) = weak.upgrade() {
                    let (garbage, reaper) = {
                        let mut st = inner.lock();
                        (std::mem::take(&mut st.graveyard), st.reaper.take())
                    };
                    drop(garbage);
                    drop(reaper);
                }
                ControlFlow::Break
            });
            src.attach(Some(&inner.ctx));
            self.reaper = Some(src);
        }
    }
}

/// Creates and attaches the source of watch `id`, or none for an empty mask.
fn watch_source(
    inner: &Arc<Inner>,
    id: u64,
    generation: u64,
    fd: RawFd,
    events: Interest,
) -> Option<Source> {
    if events.is_empty() {
        return None;
    }
    let weak = Arc::downgrade(inner);
    let src = glib_unix::fd_source_new(
        fd,
        condition_of(events),
        None,
        Priority::DEFAULT,
        move |_, cond| dispatch_watch(&weak, id, generation, cond),
    );
    src.attach(Some(&inner.ctx));
    Some(src)
}

/// Creates and attaches the source of timer `id`, or none when it is disabled.
fn timer_source(
    inner: &Arc<Inner>,
    id: u64,
    generation: u64,
    interval: TimerInterval,
) -> Option<Source> {
    let weak = Arc::downgrade(inner);
    let func = move || dispatch_timer(&weak, id, generation);
    let src = match interval {
        TimerInterval::Disabled => return None,
        TimerInterval::EveryIteration => glib::idle_source_new(None, Priority::DEFAULT, func),
        TimerInterval::Every(d) => glib::timeout_source_new(
            d.max(std::time::Duration::from_millis(1)),
            None,
            Priority::DEFAULT,
            func,
        ),
    };
    src.attach(Some(&inner.ctx));
    Some(src)
}

fn dispatch_watch(weak: &Weak<Inner>, id: u64, generation: u64, cond: IOCondition) -> ControlFlow {
    let Some(inner) = weak.upgrade() else {
        return ControlFlow::Break;
    };
    let (mut cb, fd, fire) = {
        let mut st = inner.lock();
        let Some(w) = st.watches.get_mut(&id) else {
            return ControlFlow::Break;
        };
        if w.generation != generation {
            return ControlFlow::Break;
        }
        let fire = interest_of(cond).reported_to(w.events);
        if fire.is_empty() {
            return ControlFlow::Continue;
        }
        let Some(cb) = w.callback.take() else {
            // Re-entered from a nested iteration inside this very callback.
            return ControlFlow::Continue;
        };
        (cb, w.fd, fire)
    };
    cb(WatchId::new(id).expect("watch ids start at 1"), fd, fire);
    let removed = {
        let mut st = inner.lock();
        match st.watches.get_mut(&id) {
            Some(w) => {
                w.callback = Some(cb);
                None
            }
            None => Some(cb),
        }
    };
    // The watch removed itself: its dispatch is over, so free it now, outside the lock.
    drop(removed);
    ControlFlow::Continue
}

fn dispatch_timer(weak: &Weak<Inner>, id: u64, generation: u64) -> ControlFlow {
    let Some(inner) = weak.upgrade() else {
        return ControlFlow::Break;
    };
    let mut cb = {
        let mut st = inner.lock();
        let Some(t) = st.timers.get_mut(&id) else {
            return ControlFlow::Break;
        };
        if t.generation != generation {
            return ControlFlow::Break;
        }
        let Some(cb) = t.callback.take() else {
            return ControlFlow::Continue;
        };
        cb
    };
    cb(TimerId::new(id).expect("timer ids start at 1"));
    let removed = {
        let mut st = inner.lock();
        match st.timers.get_mut(&id) {
            Some(t) => {
                t.callback = Some(cb);
                None
            }
            None => Some(cb),
        }
    };
    drop(removed);
    ControlFlow::Continue
}

impl EventLoop for GlibLoop {
    fn add_handle(
        &self,
        fd: RawFd,
        events: Interest,
        callback: HandleCallback,
    ) -> Result<WatchId, EventError> {
        check_fd(fd)?;
        let mut st = self.inner.lock();
        let id = st.next_watch;
        st.next_watch += 1;
        let generation = st.generation();
        let source = watch_source(&self.inner, id, generation, fd, events);
        st.watches.insert(
            id,
            Watch {
                fd,
                events,
                generation,
                source,
                callback: Some(callback),
            },
        );
        Ok(WatchId::new(id).expect("watch ids start at 1"))
    }

    fn update_handle(&self, watch: WatchId, events: Interest) -> Result<(), EventError> {
        let old = {
            let mut st = self.inner.lock();
            let generation = st.generation();
            let w = st
                .watches
                .get_mut(&watch.get())
                .ok_or(EventError::UnknownWatch(watch))?;
            if w.events == events {
                return Ok(());
            }
            // As vireventglib.c does: destroy the source and create a new one.
            let old = w.source.take();
            if let Some(s) = &old {
                s.destroy();
            }
            w.events = events;
            w.generation = generation;
            w.source = watch_source(&self.inner, watch.get(), generation, w.fd, events);
            old
        };
        drop(old);
        Ok(())
    }

    fn remove_handle(&self, watch: WatchId) -> Result<(), EventError> {
        let source = {
            let mut st = self.inner.lock();
            let w = st
                .watches
                .remove(&watch.get())
                .ok_or(EventError::UnknownWatch(watch))?;
            if let Some(s) = &w.source {
                s.destroy();
            }
            if let Some(cb) = w.callback {
                st.bury(&self.inner, Garbage::Handle(cb));
            }
            w.source
        };
        drop(source);
        Ok(())
    }

    fn add_timeout(
        &self,
        interval: TimerInterval,
        callback: TimerCallback,
    ) -> Result<TimerId, EventError> {
        let mut st = self.inner.lock();
        let id = st.next_timer;
        st.next_timer += 1;
        let generation = st.generation();
        let source = timer_source(&self.inner, id, generation, interval);
        st.timers.insert(
            id,
            Timer {
                generation,
                source,
                callback: Some(callback),
            },
        );
        Ok(TimerId::new(id).expect("timer ids start at 1"))
    }

    fn update_timeout(&self, timer: TimerId, interval: TimerInterval) -> Result<(), EventError> {
        let old = {
            let mut st = self.inner.lock();
            let generation = st.generation();
            let t = st
                .timers
                .get_mut(&timer.get())
                .ok_or(EventError::UnknownTimer(timer))?;
            // Always re-created: the next firing counts from this update.
            let old = t.source.take();
            if let Some(s) = &old {
                s.destroy();
            }
            t.generation = generation;
            t.source = timer_source(&self.inner, timer.get(), generation, interval);
            old
        };
        drop(old);
        Ok(())
    }

    fn remove_timeout(&self, timer: TimerId) -> Result<(), EventError> {
        let source = {
            let mut st = self.inner.lock();
            let t = st
                .timers
                .remove(&timer.get())
                .ok_or(EventError::UnknownTimer(timer))?;
            if let Some(s) = &t.source {
                s.destroy();
            }
            if let Some(cb) = t.callback {
                st.bury(&self.inner, Garbage::Timer(cb));
            }
            t.source
        };
        drop(source);
        Ok(())
    }

    /// True while the calling thread owns the context (it is iterating it, or holds it
    /// between iterations as a running `MainLoop` does).
    fn is_loop_thread(&self) -> bool {
        self.inner.ctx.is_owner()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        let st = self.state.get_mut().unwrap_or_else(|p| p.into_inner());
        let sources = st
            .watches
            .values()
            .filter_map(|w| w.source.as_ref())
            .chain(st.timers.values().filter_map(|t| t.source.as_ref()))
            .chain(st.reaper.as_ref());
        for s in sources {
            s.destroy();
        }
    }
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GlibLoop")
    }
}
