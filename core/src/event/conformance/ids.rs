//! Ids: start at 1, two independent counters, never reused; unknown ids are errors.

use super::Backend;
use super::fds::EventFd;
use crate::event::{EventError, Interest, TimerId, TimerInterval, WatchId};

/// A fresh loop hands out watch ids and timer ids from 1, independently, never reusing one.
pub fn ids_start_at_one_and_are_never_reused(b: &dyn Backend) {
    let l = b.event_loop();
    let fd = EventFd::new();
    let w1 = l
        .add_handle(fd.raw(), Interest::READABLE, Box::new(|_, _, _| {}))
        .expect("add watch");
    let t1 = l
        .add_timeout(TimerInterval::Disabled, Box::new(|_| {}))
        .expect("add timer");
    assert_eq!(w1.get(), 1, "first watch id");
    assert_eq!(t1.get(), 1, "first timer id (own counter)");
    let w2 = l
        .add_handle(fd.raw(), Interest::NONE, Box::new(|_, _, _| {}))
        .expect("add watch");
    assert_eq!(w2.get(), 2);
    l.remove_handle(w1).expect("remove w1");
    l.remove_timeout(t1).expect("remove t1");
    let w3 = l
        .add_handle(fd.raw(), Interest::READABLE, Box::new(|_, _, _| {}))
        .expect("add watch");
    let t2 = l
        .add_timeout(TimerInterval::Disabled, Box::new(|_| {}))
        .expect("add timer");
    assert_eq!(w3.get(), 3, "watch id 1 must not be reused");
    assert_eq!(t2.get(), 2, "timer id 1 must not be reused");
    let mut seen = vec![w2.get(), w3.get()];
    for _ in 0..100 {
        let w = l
            .add_handle(fd.raw(), Interest::NONE, Box::new(|_, _, _| {}))
            .unwrap();
        l.remove_handle(w).unwrap();
        seen.push(w.get());
    }
    let mut sorted = seen.clone();
    sorted.dedup();
    assert_eq!(sorted, seen, "ids must strictly increase");
    for w in [w2, w3] {
        l.remove_handle(w).unwrap();
    }
    l.remove_timeout(t2).unwrap();
    b.run_for(std::time::Duration::from_millis(10));
}

/// Removing or updating an id that is not registered returns an error; nothing panics.
pub fn unknown_ids_are_errors(b: &dyn Backend) {
    let l = b.event_loop();
    let never_w = WatchId::new(4242).unwrap();
    let never_t = TimerId::new(4242).unwrap();
    assert!(matches!(
        l.remove_handle(never_w),
        Err(EventError::UnknownWatch(w)) if w == never_w
    ));
    assert!(matches!(
        l.update_handle(never_w, Interest::READABLE),
        Err(EventError::UnknownWatch(_))
    ));
    assert!(matches!(
        l.remove_timeout(never_t),
        Err(EventError::UnknownTimer(t)) if t == never_t
    ));
    assert!(matches!(
        l.update_timeout(never_t, TimerInterval::EveryIteration),
        Err(EventError::UnknownTimer(_))
    ));

    let fd = EventFd::new();
    let w = l
        .add_handle(fd.raw(), Interest::READABLE, Box::new(|_, _, _| {}))
        .unwrap();
    let t = l
        .add_timeout(TimerInterval::Disabled, Box::new(|_| {}))
        .unwrap();
    l.remove_handle(w).unwrap();
    l.remove_timeout(t).unwrap();
    assert!(matches!(
        l.remove_handle(w),
        Err(EventError::UnknownWatch(_))
    ));
    assert!(matches!(
        l.update_handle(w, Interest::WRITABLE),
        Err(EventError::UnknownWatch(_))
    ));
    assert!(matches!(
        l.remove_timeout(t),
        Err(EventError::UnknownTimer(_))
    ));
    assert!(matches!(
        l.update_timeout(t, TimerInterval::EveryIteration),
        Err(EventError::UnknownTimer(_))
    ));
    b.run_for(std::time::Duration::from_millis(10));
}
