//! [`Liveness`]: how a driver tells rvirt-core that its connection died under it (the
//! daemon closed the socket, a read failed, keepalive timed out).
//!
//! [`Liveness::lost`] may be called from any thread, even under the driver's own locks: it
//! only flips a flag (so [`Connect::is_alive`](crate::Connect::is_alive) turns false at
//! once) and arms a one-shot timer on the connection's event loop. The timer's callback,
//! on the loop thread and with no driver lock held, ends the connection's event
//! registrations (their callbacks are dropped, so channel-fed streams end) and calls the
//! close callback (`virConnectRegisterCloseCallback`) with the reason.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};

use crate::api::{CloseReason, ConnectInner};
use crate::event::{SharedLoop, TimerId, TimerInterval};

/// One connection's liveness flag. Cheap to clone; reached by drivers through
/// [`EventSink::liveness`](crate::driver::EventSink::liveness).
///
/// ```
/// use rvirt_core::api::CloseReason;
/// use rvirt_core::driver::EventSink;
/// let sink = EventSink::detached();
/// assert!(!sink.liveness().is_lost());
/// sink.liveness().lost(CloseReason::Eof);
/// sink.liveness().lost(CloseReason::Error); // the first reason wins
/// assert_eq!(sink.liveness().reason(), Some(CloseReason::Eof));
/// ```
#[derive(Clone)]
pub struct Liveness {
    inner: Arc<LiveInner>,
}

struct LiveInner {
    event_loop: Option<SharedLoop>,
    conn: OnceLock<Weak<ConnectInner>>,
    lost: AtomicBool,
    state: Mutex<LiveState>,
}

#[derive(Default)]
struct LiveState {
    reason: Option<CloseReason>,
    timer: Option<TimerId>,
    /// Set by an explicit close: a later loss is not reported.
    disarmed: bool,
}

impl fmt::Debug for Liveness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Liveness")
            .field("reason", &self.reason())
            .finish_non_exhaustive()
    }
}

impl Liveness {
    pub(crate) fn new(event_loop: Option<SharedLoop>) -> Liveness {
        Liveness {
            inner: Arc::new(LiveInner {
                event_loop,
                conn: OnceLock::new(),
                lost: AtomicBool::new(false),
                state: Mutex::new(LiveState::default()),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, LiveState> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn attach(&self, conn: Weak<ConnectInner>) {
        let _ = self.inner.conn.set(conn);
    }

    /// The connection died for `reason`. The first call counts; later ones are ignored.
    /// Never runs user code itself, so it may be called under the driver's locks.
    pub fn lost(&self, reason: CloseReason) {
        let mut st = self.state();
        if st.reason.is_some() {
            return;
        }
        st.reason = Some(reason);
        self.inner.lost.store(true, Ordering::Release);
        if st.disarmed {
            return;
        }
        let Some(l) = &self.inner.event_loop else {
            return;
        };
        let weak = Arc::downgrade(&self.inner);
        // An error means the loop is gone: nobody is left to tell.
        if let Ok(t) = l.add_timeout(
            TimerInterval::EveryIteration,
            Box::new(move |_| {
                if let Some(inner) = weak.upgrade() {
                    report(&inner);
                }
            }),
        ) {
            st.timer = Some(t);
        }
    }

    /// True once [`Liveness::lost`] was called.
    pub fn is_lost(&self) -> bool {
        self.inner.lost.load(Ordering::Acquire)
    }

    /// Why the connection died, once it did.
    pub fn reason(&self) -> Option<CloseReason> {
        self.state().reason
    }

    /// The connection is being closed on purpose: report nothing from now on (libvirt's
    /// remote driver unsets the close callback before closing its client).
    pub(crate) fn disarm(&self) {
        let timer = {
            let mut st = self.state();
            st.disarmed = true;
            st.timer.take()
        };
        if let (Some(t), Some(l)) = (timer, &self.inner.event_loop) {
            let _ = l.remove_timeout(t);
        }
    }
}

/// The one-shot timer's body, on the loop thread.
fn report(inner: &Arc<LiveInner>) {
    let (timer, reason) = {
        let mut st = inner.state.lock().unwrap_or_else(|p| p.into_inner());
        (st.timer.take(), st.reason)
    };
    let Some(timer) = timer else {
        // Disarmed meanwhile, or already reported.
        return;
    };
    if let Some(l) = &inner.event_loop {
        let _ = l.remove_timeout(timer);
    }
    let (Some(reason), Some(conn)) = (reason, inner.conn.get().and_then(Weak::upgrade)) else {
        return;
    };
    conn.connection_lost(reason);
}
