//! Timer intervals (-1 disabled, 0 every iteration, N ms periodic) and their updates.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Backend, PATIENCE};
use crate::event::{TimerCallback, TimerInterval};

fn counting(count: &Arc<AtomicUsize>) -> TimerCallback {
    let c = count.clone();
    Box::new(move |_| {
        c.fetch_add(1, Ordering::SeqCst);
    })
}

/// -1 never fires; 0 fires on every iteration; N ms fires periodically, not before N ms.
pub fn timer_intervals(b: &dyn Backend) {
    let l = b.event_loop();
    let (off, every, periodic) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let t_off = l
        .add_timeout(TimerInterval::Disabled, counting(&off))
        .unwrap();
    let t_every = l
        .add_timeout(TimerInterval::EveryIteration, counting(&every))
        .unwrap();
    let fired_at = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let (p, f) = (periodic.clone(), fired_at.clone());
    let start = Instant::now();
    let t_periodic = l
        .add_timeout(
            TimerInterval::from_millis(40),
            Box::new(move |_| {
                p.fetch_add(1, Ordering::SeqCst);
                f.lock().unwrap().push(Instant::now());
            }),
        )
        .unwrap();
    assert!(
        b.run_until(PATIENCE, &mut || periodic.load(Ordering::SeqCst) >= 3),
        "a 40 ms timer must fire repeatedly (fired {})",
        periodic.load(Ordering::SeqCst)
    );
    let times = fired_at.lock().unwrap().clone();
    assert!(
        times[0] - start >= Duration::from_millis(35),
        "periodic timer fired early: {:?}",
        times[0] - start
    );
    for pair in times.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(35),
            "periodic timer fired twice within {:?}",
            pair[1] - pair[0]
        );
    }
    assert_eq!(off.load(Ordering::SeqCst), 0, "a disabled timer fired");
    assert!(
        every.load(Ordering::SeqCst) >= 3,
        "an every-iteration timer fired only {} times",
        every.load(Ordering::SeqCst)
    );
    for t in [t_off, t_every, t_periodic] {
        l.remove_timeout(t).unwrap();
    }
}

/// Updates switch a timer on, off, and to a new period counted from the update.
pub fn timer_updates(b: &dyn Backend) {
    let l = b.event_loop();
    let count = Arc::new(AtomicUsize::new(0));
    let t = l
        .add_timeout(TimerInterval::Disabled, counting(&count))
        .unwrap();
    b.run_for(Duration::from_millis(50));
    assert_eq!(count.load(Ordering::SeqCst), 0, "disabled timer fired");

    l.update_timeout(t, TimerInterval::EveryIteration).unwrap();
    assert!(b.run_until(PATIENCE, &mut || count.load(Ordering::SeqCst) >= 2));

    l.update_timeout(t, TimerInterval::Disabled).unwrap();
    let frozen = count.load(Ordering::SeqCst);
    b.run_for(Duration::from_millis(60));
    assert_eq!(
        count.load(Ordering::SeqCst),
        frozen,
        "timer fired after being disabled"
    );

    let updated = Instant::now();
    l.update_timeout(t, TimerInterval::from_millis(80)).unwrap();
    assert!(b.run_until(PATIENCE, &mut || count.load(Ordering::SeqCst) > frozen));
    assert!(
        updated.elapsed() >= Duration::from_millis(75),
        "the new period must count from the update (fired after {:?})",
        updated.elapsed()
    );
    l.remove_timeout(t).unwrap();
}
