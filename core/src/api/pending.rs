//! [`Pending`]: the future of one asynchronous operation, and [`Completer`], the end a
//! driver completes it with.
//!
//! Plain `std::future::Future` and wakers: any executor polls a [`Pending`]. The driver (or
//! the worker thread that ran a local driver's blocking operation) calls
//! [`Completer::complete`] once; that stores the result and wakes the task. A per-call
//! [`Pending::timeout`] is a timer on the connection's event loop that completes the
//! operation with `VIR_ERR_OPERATION_TIMEOUT` first.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::driver::AsyncReply;
use crate::event::{SharedLoop, TimerId, TimerInterval};
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// The state both ends share.
#[derive(Default)]
struct Slot {
    /// Set once, by the first completion (the driver's reply or the timeout).
    result: Option<Result<AsyncReply>>,
    done: bool,
    waker: Option<Waker>,
    /// The timeout timer, removed at completion.
    timer: Option<(Weak<dyn crate::event::EventLoop>, TimerId)>,
}

#[derive(Default)]
struct Shared {
    slot: Mutex<Slot>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stores `r` unless a result is already there; wakes the task and removes the timeout
    /// timer. Returns whether `r` was taken.
    fn complete(&self, r: Result<AsyncReply>) -> bool {
        let (waker, timer) = {
            let mut slot = self.lock();
            if slot.done {
                return false;
            }
            slot.done = true;
            slot.result = Some(r);
            (slot.waker.take(), slot.timer.take())
        };
        remove_timer(timer);
        if let Some(w) = waker {
            w.wake();
        }
        true
    }
}

fn remove_timer(timer: Option<(Weak<dyn crate::event::EventLoop>, TimerId)>) {
    if let Some((l, t)) = timer
        && let Some(l) = l.upgrade()
    {
        // Already removed by its own callback is fine.
        let _ = l.remove_timeout(t);
    }
}

/// The error of an operation whose [`Pending::timeout`] elapsed first:
/// `VIR_ERR_OPERATION_TIMEOUT` (68), "operation timed out: no reply within 200ms".
pub fn timeout_error(after: Duration) -> Error {
    Error::new(
        ErrorCode::OperationTimeout,
        ErrorDomain::None,
        format!("no reply within {after:?}"),
    )
}

/// The driver's end of one asynchronous operation: complete it exactly once, from any
/// thread. Dropping it uncompleted completes the operation with `VIR_ERR_INTERNAL_ERROR`,
/// so a future never hangs on a lost completer.
///
/// ```
/// use rvirt_core::api::Pending;
/// use rvirt_core::driver::AsyncReply;
///
/// let (done, pending) = Pending::channel(None, |reply| reply.into_text());
/// std::thread::spawn(move || done.complete(Ok(AsyncReply::Text("hello".into()))));
/// # let _ = pending;
/// ```
pub struct Completer {
    shared: Option<Arc<Shared>>,
}

impl fmt::Debug for Completer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Completer")
            .field("abandoned", &self.is_abandoned())
            .finish()
    }
}

impl Completer {
    /// Completes the operation with `r` and wakes the task awaiting it. A result that
    /// comes after the timeout (or after the future was dropped) is discarded.
    pub fn complete(mut self, r: Result<AsyncReply>) {
        if let Some(shared) = self.shared.take() {
            shared.complete(r);
        }
    }

    /// True when nobody will see a result any more: the operation already completed
    /// (its timeout elapsed) or its future was dropped. A driver may then skip work.
    pub fn is_abandoned(&self) -> bool {
        match &self.shared {
            None => true,
            Some(s) => Arc::strong_count(s) == 1 || s.lock().done,
        }
    }
}

impl Drop for Completer {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            shared.complete(Err(Error::new(
                ErrorCode::InternalError,
                ErrorDomain::None,
                "the driver dropped an asynchronous operation without completing it",
            )));
        }
    }
}

type Convert<T> = Box<dyn FnOnce(AsyncReply) -> Result<T> + Send>;

/// The future of one asynchronous operation (`Connect::lookup_domain_by_name_async`,
/// `Domain::info_async`, …). Its output is the operation's `Result`.
///
/// The operation starts when it is created, not when first polled: over the remote driver
/// the call is already written; the reply is matched on the connection's event loop and
/// wakes the task. Dropping the future abandons the result, not the operation.
///
/// ```no_run
/// # async fn f(conn: rvirt_core::Connect) -> rvirt_core::Result<()> {
/// use std::time::Duration;
/// let dom = conn
///     .lookup_domain_by_name_async("test")
///     .timeout(Duration::from_secs(5))
///     .await?;
/// println!("{:?}", dom.state_async().await?);
/// # Ok(()) }
/// ```
#[must_use = "a Pending does nothing useful unless awaited"]
pub struct Pending<T> {
    shared: Arc<Shared>,
    event_loop: Option<SharedLoop>,
    convert: Option<Convert<T>>,
}

impl<T> fmt::Debug for Pending<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slot = self.shared.lock();
        f.debug_struct("Pending")
            .field("done", &slot.done)
            .field("timeout", &slot.timer.as_ref().map(|t| t.1))
            .finish()
    }
}

impl<T> Pending<T> {
    /// A new operation: the driver's [`Completer`] and the future, whose output is
    /// `convert` applied to the driver's reply. Timeouts use `event_loop`'s timers (else
    /// one helper thread of rvirt-core's that serves every deadline).
    pub fn channel(
        event_loop: Option<SharedLoop>,
        convert: impl FnOnce(AsyncReply) -> Result<T> + Send + 'static,
    ) -> (Completer, Pending<T>) {
        let shared = Arc::new(Shared::default());
        let done = Completer {
            shared: Some(shared.clone()),
        };
        let pending = Pending {
            shared,
            event_loop,
            convert: Some(Box::new(convert)),
        };
        (done, pending)
    }

    /// An operation that already failed (checked before it could start).
    pub fn failed(e: Error) -> Pending<T> {
        let (done, pending) = Pending::channel(None, |_| unreachable_reply());
        done.complete(Err(e));
        pending
    }

    /// Completes the operation with [`timeout_error`] if no result came within `after`
    /// (counted from now). The timer runs on the connection's event loop (without one, on
    /// rvirt-core's deadline thread); the task that awaits the future is woken from there.
    /// The driver's reply, should it still come, is discarded.
    ///
    /// ```no_run
    /// # async fn f(dom: rvirt_core::Domain) {
    /// use std::time::Duration;
    /// match dom.info_async().timeout(Duration::from_millis(500)).await {
    ///     Err(e) if e.code() == rvirt_core::ErrorCode::OperationTimeout => println!("slow"),
    ///     r => println!("{r:?}"),
    /// }
    /// # }
    /// ```
    pub fn timeout(self, after: Duration) -> Pending<T> {
        if self.shared.lock().done {
            return self;
        }
        let weak = Arc::downgrade(&self.shared);
        let fire = move || {
            if let Some(shared) = weak.upgrade() {
                shared.complete(Err(timeout_error(after)));
            }
        };
        match &self.event_loop {
            Some(l) => self.arm_loop_timer(l, after, fire),
            None => {
                if !super::deadlines::after(after, Box::new(fire)) {
                    self.shared.complete(Err(Error::new(
                        ErrorCode::InternalError,
                        ErrorDomain::None,
                        "cannot start rvirt's deadline thread",
                    )));
                }
            }
        }
        self
    }

    fn arm_loop_timer(&self, l: &SharedLoop, after: Duration, fire: impl Fn() + Send + 'static) {
        let weak_loop = Arc::downgrade(l);
        let timer_loop = weak_loop.clone();
        let added = l.add_timeout(
            TimerInterval::Every(after.max(Duration::from_millis(1))),
            Box::new(move |id| {
                fire();
                if let Some(l) = timer_loop.upgrade() {
                    let _ = l.remove_timeout(id);
                }
            }),
        );
        match added {
            Ok(id) => {
                let mut slot = self.shared.lock();
                if slot.done {
                    drop(slot);
                    remove_timer(Some((weak_loop, id)));
                } else {
                    let old = slot.timer.replace((weak_loop, id));
                    drop(slot);
                    remove_timer(old);
                }
            }
            Err(e) => {
                self.shared.complete(Err(e.into()));
            }
        }
    }
}

fn unreachable_reply<T>() -> Result<T> {
    Err(Error::new(
        ErrorCode::InternalError,
        ErrorDomain::None,
        "a failed operation has no reply",
    ))
}

impl<T> Future for Pending<T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let taken = {
            let mut slot = self.shared.lock();
            match slot.result.take() {
                Some(r) => r,
                None if slot.done => {
                    return Poll::Ready(Err(Error::new(
                        ErrorCode::InternalError,
                        ErrorDomain::None,
                        "a completed operation was polled again",
                    )));
                }
                None => {
                    match &mut slot.waker {
                        Some(w) if w.will_wake(cx.waker()) => {}
                        w => *w = Some(cx.waker().clone()),
                    }
                    return Poll::Pending;
                }
            }
        };
        let convert = self.convert.take().ok_or_else(|| {
            Error::new(
                ErrorCode::InternalError,
                ErrorDomain::None,
                "a completed operation was polled again",
            )
        });
        Poll::Ready(convert.and_then(|c| taken.and_then(c)))
    }
}

impl<T> Drop for Pending<T> {
    fn drop(&mut self) {
        let timer = self.shared.lock().timer.take();
        remove_timer(timer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    struct CountWake(AtomicUsize);
    impl Wake for CountWake {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn poll_once<T>(p: &mut Pending<T>, w: &Arc<CountWake>) -> Poll<Result<T>> {
        let waker = Waker::from(w.clone());
        Pin::new(p).poll(&mut Context::from_waker(&waker))
    }

    #[test]
    fn completion_wakes_and_converts() {
        let w = Arc::new(CountWake(AtomicUsize::new(0)));
        let (done, mut p) = Pending::channel(None, |r| r.into_text().map(|s| s.len()));
        assert!(poll_once(&mut p, &w).is_pending());
        assert!(!done.is_abandoned());
        done.complete(Ok(AsyncReply::Text("four".into())));
        assert_eq!(w.0.load(Ordering::SeqCst), 1);
        assert_eq!(poll_once(&mut p, &w), Poll::Ready(Ok(4)));
    }

    #[test]
    fn dropped_completer_fails_the_future() {
        let w = Arc::new(CountWake(AtomicUsize::new(0)));
        let (done, mut p) = Pending::channel(None, |r| r.into_unit());
        drop(done);
        let Poll::Ready(Err(e)) = poll_once(&mut p, &w) else {
            panic!("not failed")
        };
        assert_eq!(e.code(), ErrorCode::InternalError);
    }

    #[test]
    fn timeout_without_a_loop_fires_and_late_results_are_discarded() {
        let w = Arc::new(CountWake(AtomicUsize::new(0)));
        let (done, p) = Pending::channel(None, |r| r.into_unit());
        let mut p = p.timeout(Duration::from_millis(20));
        assert!(poll_once(&mut p, &w).is_pending());
        let t0 = std::time::Instant::now();
        while w.0.load(Ordering::SeqCst) == 0 {
            assert!(t0.elapsed() < Duration::from_secs(5), "timeout never fired");
            std::thread::sleep(Duration::from_millis(2));
        }
        assert!(done.is_abandoned());
        done.complete(Ok(AsyncReply::Unit));
        let Poll::Ready(Err(e)) = poll_once(&mut p, &w) else {
            panic!("not timed out")
        };
        assert_eq!(e.code(), ErrorCode::OperationTimeout);
        assert_eq!(e.to_string(), "operation timed out: no reply within 20ms");
    }

    #[test]
    fn dropping_the_future_abandons_the_completer() {
        let (done, p) = Pending::channel(None, |r| r.into_unit());
        drop(p);
        assert!(done.is_abandoned());
        done.complete(Ok(AsyncReply::Unit));
    }

    #[test]
    fn failed_is_ready_at_once() {
        let w = Arc::new(CountWake(AtomicUsize::new(0)));
        let mut p: Pending<()> = Pending::failed(timeout_error(Duration::ZERO));
        let Poll::Ready(Err(e)) = poll_once(&mut p, &w) else {
            panic!("not failed")
        };
        assert_eq!(e.code(), ErrorCode::OperationTimeout);
    }
}
