//! Deferred free (libvirt's `ff`): never inside remove, never inside the running callback,
//! always eventually; removed entries are never dispatched again.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::fds::EventFd;
use super::probe::{DropProbe, ProbeState};
use super::{Backend, PATIENCE};
use crate::event::{Interest, TimerInterval, WatchId};

/// `remove_handle`/`remove_timeout` never drop the callback themselves; the loop does later.
pub fn free_is_deferred_out_of_remove(b: &dyn Backend) {
    let l = b.event_loop();
    let fd = EventFd::new();
    let watch_probe = ProbeState::new();
    let timer_probe = ProbeState::new();
    let p = DropProbe(watch_probe.clone());
    let w = l
        .add_handle(
            fd.raw(),
            Interest::READABLE,
            Box::new(move |_, _, _| {
                let _ = &p;
            }),
        )
        .unwrap();
    let p = DropProbe(timer_probe.clone());
    let t = l
        .add_timeout(
            TimerInterval::Disabled,
            Box::new(move |_| {
                let _ = &p;
            }),
        )
        .unwrap();
    watch_probe.forbid_during(|| l.remove_handle(w).unwrap());
    timer_probe.forbid_during(|| l.remove_timeout(t).unwrap());
    watch_probe.assert_no_violation("remove_handle");
    timer_probe.assert_no_violation("remove_timeout");
    assert!(
        b.run_until(PATIENCE, &mut || watch_probe.drops() == 1
            && timer_probe.drops() == 1),
        "the loop must eventually free removed callbacks (watch {}, timer {})",
        watch_probe.drops(),
        timer_probe.drops()
    );
}

/// A callback that removes its own watch or timer is freed after it returns, not during.
pub fn callback_freed_after_self_removal(b: &dyn Backend) {
    let l = b.event_loop();
    let fd = EventFd::new();
    fd.signal();
    let watch_probe = ProbeState::new();
    let timer_probe = ProbeState::new();
    let calls = Arc::new(AtomicUsize::new(0));

    let (l2, p, ps, c) = (
        l.clone(),
        DropProbe(watch_probe.clone()),
        watch_probe.clone(),
        calls.clone(),
    );
    l.add_handle(
        fd.raw(),
        Interest::READABLE,
        Box::new(move |watch, _, _| {
            let _ = &p;
            c.fetch_add(1, Ordering::SeqCst);
            ps.forbid_during(|| l2.remove_handle(watch).expect("self-removal"));
        }),
    )
    .unwrap();
    let (l2, p, ps, c) = (
        l.clone(),
        DropProbe(timer_probe.clone()),
        timer_probe.clone(),
        calls.clone(),
    );
    l.add_timeout(
        TimerInterval::EveryIteration,
        Box::new(move |timer| {
            let _ = &p;
            c.fetch_add(1, Ordering::SeqCst);
            ps.forbid_during(|| l2.remove_timeout(timer).expect("self-removal"));
        }),
    )
    .unwrap();
    assert!(
        b.run_until(PATIENCE, &mut || watch_probe.drops() == 1
            && timer_probe.drops() == 1),
        "self-removed callbacks must be freed after their dispatch"
    );
    b.run_for(std::time::Duration::from_millis(30));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "each callback ran exactly once"
    );
    watch_probe.assert_no_violation("self-removed watch");
    timer_probe.assert_no_violation("self-removed timer");
}

/// When callback A removes watch B (both ready), B is not dispatched after its removal.
pub fn removed_watch_is_never_dispatched_again(b: &dyn Backend) {
    let l = b.event_loop();
    let (fa, fb) = (EventFd::new(), EventFd::new());
    fa.signal();
    fb.signal();
    let b_removed = Arc::new(AtomicBool::new(false));
    let late_b_calls = Arc::new(AtomicUsize::new(0));
    let a_calls = Arc::new(AtomicUsize::new(0));
    let target: Arc<Mutex<Option<WatchId>>> = Arc::new(Mutex::new(None));

    let (removed, late) = (b_removed.clone(), late_b_calls.clone());
    let wb = l
        .add_handle(
            fb.raw(),
            Interest::READABLE,
            Box::new(move |_, _, _| {
                // Never consumes: level-triggered, so it would run every iteration.
                if removed.load(Ordering::SeqCst) {
                    late.fetch_add(1, Ordering::SeqCst);
                }
            }),
        )
        .unwrap();
    *target.lock().unwrap() = Some(wb);
    let (l2, removed, ac, tgt) = (
        l.clone(),
        b_removed.clone(),
        a_calls.clone(),
        target.clone(),
    );
    let wa = l
        .add_handle(
            fa.raw(),
            Interest::READABLE,
            Box::new(move |_, _, _| {
                ac.fetch_add(1, Ordering::SeqCst);
                if let Some(w) = tgt.lock().unwrap().take() {
                    l2.remove_handle(w).expect("remove B from A");
                    removed.store(true, Ordering::SeqCst);
                }
            }),
        )
        .unwrap();
    assert!(b.run_until(PATIENCE, &mut || b_removed.load(Ordering::SeqCst)));
    b.run_for(std::time::Duration::from_millis(50));
    assert_eq!(
        late_b_calls.load(Ordering::SeqCst),
        0,
        "a removed watch was dispatched"
    );
    assert!(
        a_calls.load(Ordering::SeqCst) >= 2,
        "A stays level-triggered"
    );
    assert!(l.update_handle(wb, Interest::READABLE).is_err());
    l.remove_handle(wa).unwrap();
}
