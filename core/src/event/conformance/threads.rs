//! Registration from other threads, waking a loop that sleeps without a timeout.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use super::fds::{EventFd, consume_raw};
use super::probe::{DropProbe, ProbeState};
use super::{Backend, PATIENCE};
use crate::event::{Interest, TimerInterval};

/// With the loop blocked on a background thread (nothing registered, so it would sleep
/// forever), adding a timer, adding a watch on a ready fd, updating a disabled timer and
/// removing a watch from another thread all take effect promptly.
pub fn cross_thread_changes_wake_the_loop(b: &dyn Backend) {
    let l = b.event_loop();
    let runner = b.spawn_runner();
    std::thread::sleep(Duration::from_millis(50));

    // 1. A new timer fires.
    let (tx, rx) = mpsc::channel::<&'static str>();
    let (l2, tx2) = (l.clone(), tx.clone());
    l.add_timeout(
        TimerInterval::EveryIteration,
        Box::new(move |me| {
            let _ = tx2.send("timer");
            let _ = l2.remove_timeout(me);
        }),
    )
    .unwrap();
    assert_eq!(
        rx.recv_timeout(PATIENCE),
        Ok("timer"),
        "new timer did not wake the loop"
    );

    // 2. A disabled timer, enabled from this thread, fires.
    std::thread::sleep(Duration::from_millis(30));
    let (l2, tx2) = (l.clone(), tx.clone());
    let t = l
        .add_timeout(
            TimerInterval::Disabled,
            Box::new(move |me| {
                let _ = tx2.send("enabled");
                let _ = l2.update_timeout(me, TimerInterval::Disabled);
            }),
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(30));
    assert!(rx.try_recv().is_err(), "disabled timer fired");
    l.update_timeout(t, TimerInterval::EveryIteration).unwrap();
    assert_eq!(
        rx.recv_timeout(PATIENCE),
        Ok("enabled"),
        "timer update did not wake the loop"
    );
    l.remove_timeout(t).unwrap();

    // 3. A watch added from another thread sees its fd become ready.
    std::thread::sleep(Duration::from_millis(30));
    let fd = Arc::new(EventFd::new());
    let probe = ProbeState::new();
    let (tx2, p) = (tx.clone(), DropProbe(probe.clone()));
    let l2 = l.clone();
    let raw = fd.raw();
    let w = std::thread::spawn(move || {
        l2.add_handle(
            raw,
            Interest::READABLE,
            Box::new(move |_, fd, _| {
                let _ = &p;
                consume_raw(fd);
                let _ = tx2.send("fd");
            }),
        )
        .unwrap()
    })
    .join()
    .unwrap();
    std::thread::sleep(Duration::from_millis(30));
    let fd2 = fd.clone();
    std::thread::spawn(move || fd2.signal()).join().unwrap();
    assert_eq!(
        rx.recv_timeout(PATIENCE),
        Ok("fd"),
        "watch added from a thread never fired"
    );

    // 4. Removal from another thread: the loop wakes and frees the callback, not remove.
    std::thread::sleep(Duration::from_millis(30));
    probe.forbid_during(|| l.remove_handle(w).unwrap());
    probe.assert_no_violation("cross-thread remove");
    let deadline = std::time::Instant::now() + PATIENCE;
    while probe.drops() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(
        probe.drops(),
        1,
        "removed callback was not freed by the sleeping loop"
    );
    runner.stop();
}

/// Four threads add and remove watches and timers while the loop runs: every id is unique
/// and every callback is eventually freed exactly once.
pub fn concurrent_registration_from_many_threads(b: &dyn Backend) {
    const THREADS: usize = 4;
    const ROUNDS: usize = 250;
    let l = b.event_loop();
    let runner = b.spawn_runner();
    let fd = Arc::new(EventFd::new());
    fd.signal();
    let probes = ProbeState::new();
    let fired = Arc::new(AtomicUsize::new(0));
    let mut joins = Vec::new();
    for _ in 0..THREADS {
        let (l, fd, probes, fired) = (l.clone(), fd.clone(), probes.clone(), fired.clone());
        joins.push(std::thread::spawn(move || {
            let mut ids = Vec::new();
            for i in 0..ROUNDS {
                let (p, f) = (DropProbe(probes.clone()), fired.clone());
                let w = l
                    .add_handle(
                        fd.raw(),
                        Interest::READABLE,
                        Box::new(move |_, _, _| {
                            let _ = &p;
                            f.fetch_add(1, Ordering::SeqCst);
                        }),
                    )
                    .unwrap();
                let p = DropProbe(probes.clone());
                let t = l
                    .add_timeout(
                        TimerInterval::from_millis((i % 3) as i64 - 1),
                        Box::new(move |_| {
                            let _ = &p;
                        }),
                    )
                    .unwrap();
                if i % 2 == 0 {
                    std::thread::yield_now();
                }
                l.remove_handle(w).unwrap();
                l.remove_timeout(t).unwrap();
                ids.push((w.get(), t.get()));
            }
            ids
        }));
    }
    let mut watch_ids = Vec::new();
    let mut timer_ids = Vec::new();
    for j in joins {
        for (w, t) in j.join().expect("registration thread panicked") {
            watch_ids.push(w);
            timer_ids.push(t);
        }
    }
    let total = THREADS * ROUNDS;
    watch_ids.sort_unstable();
    watch_ids.dedup();
    timer_ids.sort_unstable();
    timer_ids.dedup();
    assert_eq!(watch_ids.len(), total, "duplicate watch ids across threads");
    assert_eq!(timer_ids.len(), total, "duplicate timer ids across threads");
    let deadline = std::time::Instant::now() + PATIENCE;
    while probes.drops() < 2 * total && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(
        probes.drops(),
        2 * total,
        "not every removed callback was freed"
    );
    runner.stop();
}
