//! Which conditions are reported: HANGUP, ERROR, level-triggering, paused and split masks.

use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::fds::{EventFd, pipe, read_some, socketpair, write_all};
use super::{Backend, PATIENCE};
use crate::event::Interest;

/// Watches `fd` for `mask`, runs `trigger`, and expects `expected` to be reported; the
/// callback pauses its watch once it has seen it.
fn expect_condition(
    b: &dyn Backend,
    fd: RawFd,
    mask: Interest,
    trigger: impl FnOnce(),
    expected: Interest,
) {
    let l = b.event_loop();
    let seen = Arc::new(AtomicI32::new(0));
    let s = seen.clone();
    let l2 = l.clone();
    let watch = l
        .add_handle(
            fd,
            mask,
            Box::new(move |me, _, ready| {
                s.fetch_or(ready.bits(), Ordering::SeqCst);
                if ready.contains(expected) {
                    l2.update_handle(me, Interest::NONE).unwrap();
                }
            }),
        )
        .unwrap();
    trigger();
    assert!(
        b.run_until(PATIENCE, &mut || seen.load(Ordering::SeqCst)
            & expected.bits()
            != 0),
        "{expected:?} not reported (saw {:?})",
        Interest::from_bits_truncate(seen.load(Ordering::SeqCst))
    );
    l.remove_handle(watch).unwrap();
}

/// A READABLE watch on a pipe's read end is told HANGUP once the writer closes.
pub fn hangup_is_reported(b: &dyn Backend) {
    let (r, w) = pipe();
    let idle = Arc::new(AtomicI32::new(0));
    let i = idle.clone();
    let l = b.event_loop();
    let probe = l
        .add_handle(
            r.as_raw_fd(),
            Interest::READABLE,
            Box::new(move |_, _, ready| {
                i.fetch_or(ready.bits(), Ordering::SeqCst);
            }),
        )
        .unwrap();
    b.run_for(Duration::from_millis(20));
    assert_eq!(idle.load(Ordering::SeqCst), 0, "idle pipe reported");
    l.remove_handle(probe).unwrap();
    expect_condition(
        b,
        r.as_raw_fd(),
        Interest::READABLE,
        move || drop(w),
        Interest::HANGUP,
    );
}

/// A WRITABLE watch on a pipe's write end is told ERROR once the reader closes.
pub fn error_is_reported(b: &dyn Backend) {
    let (r, w) = pipe();
    expect_condition(
        b,
        w.as_raw_fd(),
        Interest::WRITABLE,
        move || drop(r),
        Interest::ERROR,
    );
}

/// Two bytes pending, a callback that reads one per call: it is called exactly twice.
pub fn level_triggered_redelivers_unread_data(b: &dyn Backend) {
    let l = b.event_loop();
    let (r, w) = pipe();
    write_all(w.as_raw_fd(), b"xy");
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let watch = l
        .add_handle(
            r.as_raw_fd(),
            Interest::READABLE,
            Box::new(move |_, fd, _| {
                c.fetch_add(1, Ordering::SeqCst);
                assert_eq!(read_some(fd, 1), 1, "called with nothing to read");
            }),
        )
        .unwrap();
    assert!(
        b.run_until(PATIENCE, &mut || calls.load(Ordering::SeqCst) >= 2),
        "unread data was not reported again (calls: {})",
        calls.load(Ordering::SeqCst)
    );
    b.run_for(Duration::from_millis(50));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "called with the pipe empty"
    );
    write_all(w.as_raw_fd(), b"z");
    assert!(b.run_until(PATIENCE, &mut || calls.load(Ordering::SeqCst) == 3));
    l.remove_handle(watch).unwrap();
}

/// A watch whose mask is NONE is not dispatched, even on a ready fd, until updated.
pub fn paused_watch_is_not_dispatched(b: &dyn Backend) {
    let l = b.event_loop();
    let fd = EventFd::new();
    fd.signal();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let watch = l
        .add_handle(
            fd.raw(),
            Interest::NONE,
            Box::new(move |_, _, _| {
                c.fetch_add(1, Ordering::SeqCst);
            }),
        )
        .unwrap();
    b.run_for(Duration::from_millis(50));
    assert_eq!(calls.load(Ordering::SeqCst), 0, "paused watch dispatched");
    l.update_handle(watch, Interest::READABLE).unwrap();
    assert!(b.run_until(PATIENCE, &mut || calls.load(Ordering::SeqCst) >= 1));
    l.update_handle(watch, Interest::NONE).unwrap();
    let frozen = calls.load(Ordering::SeqCst);
    b.run_for(Duration::from_millis(50));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        frozen,
        "re-paused watch dispatched"
    );
    assert!(fd.consume(), "the paused watch's data must still be there");
    l.remove_handle(watch).unwrap();
}

/// A READABLE watch and a WRITABLE watch on one socket each see only their condition.
pub fn split_masks_on_one_fd(b: &dyn Backend) {
    let l = b.event_loop();
    let (a, peer) = socketpair();
    let reads = Arc::new(Mutex::new(Vec::<Interest>::new()));
    let writes = Arc::new(AtomicUsize::new(0));
    let (rs, l2) = (reads.clone(), l.clone());
    let wr = l
        .add_handle(
            a.as_raw_fd(),
            Interest::READABLE,
            Box::new(move |_, fd, ready| {
                rs.lock().unwrap().push(ready);
                read_some(fd, 64);
            }),
        )
        .unwrap();
    let ws = writes.clone();
    let ww = l
        .add_handle(
            a.as_raw_fd(),
            Interest::WRITABLE,
            Box::new(move |me, _, ready| {
                assert!(ready.contains(Interest::WRITABLE));
                assert!(
                    !ready.contains(Interest::READABLE),
                    "READABLE given to the write watch"
                );
                ws.fetch_add(1, Ordering::SeqCst);
                l2.update_handle(me, Interest::NONE).unwrap();
            }),
        )
        .unwrap();
    assert!(b.run_until(PATIENCE, &mut || writes.load(Ordering::SeqCst) == 1));
    b.run_for(Duration::from_millis(20));
    assert!(
        reads.lock().unwrap().is_empty(),
        "read watch ran with nothing to read"
    );
    write_all(peer.as_raw_fd(), b"ping");
    assert!(b.run_until(PATIENCE, &mut || !reads.lock().unwrap().is_empty()));
    let got = reads.lock().unwrap().clone();
    assert!(
        got.iter()
            .all(|r| r.contains(Interest::READABLE) && !r.contains(Interest::WRITABLE)),
        "write readiness leaked to the read watch: {got:?}"
    );
    assert_eq!(writes.load(Ordering::SeqCst), 1);
    l.remove_handle(wr).unwrap();
    l.remove_handle(ww).unwrap();
}
