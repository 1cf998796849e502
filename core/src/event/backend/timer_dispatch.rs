//! [`dispatch_due`]: runs the due timers of a [`TimerTable`] kept under an adapter's lock,
//! the timer counterpart of [`dispatch_ready`](super::dispatch_ready).

use std::sync::Mutex;
use std::time::Instant;

use super::TimerTable;
use super::fd_watches::lock;
use crate::event::TimerId;

/// Runs, one at a time with `state` unlocked, the callbacks of the timers due at `now` with
/// an id below `limit` (the [`TimerTable::id_limit`] taken before the loop's look at its
/// fds: a timer added since was not part of this iteration). Each is re-armed for its next
/// period as it is taken out. A timer removed or disabled by an earlier callback of the same
/// round is skipped; a callback whose timer was removed meanwhile (by itself, say) is
/// dropped once it has returned, outside the lock. `scratch` holds the due ids.
pub fn dispatch_due<S>(
    state: &Mutex<S>,
    timers: fn(&mut S) -> &mut TimerTable,
    now: Instant,
    limit: u64,
    scratch: &mut Vec<u64>,
) {
    let mut st = lock(state);
    timers(&mut st).due(now, limit, scratch);
    for &id in scratch.iter() {
        let Some(mut cb) = timers(&mut st).take_callback(id, now) else {
            continue;
        };
        drop(st);
        cb(TimerId::new(id).expect("timer ids start at 1"));
        st = lock(state);
        if let Some(removed) = timers(&mut st).put_callback(id, cb) {
            drop(st);
            drop(removed);
            st = lock(state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::TimerInterval;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn runs_due_timers_below_the_limit_and_frees_self_removed_ones_after() {
        let table = Arc::new(Mutex::new(TimerTable::default()));
        let calls = Arc::new(AtomicUsize::new(0));
        let freed = Arc::new(AtomicUsize::new(0));
        struct Probe(Arc<AtomicUsize>);
        impl Drop for Probe {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let (t2, c, p) = (table.clone(), calls.clone(), Probe(freed.clone()));
        let first = table.lock().unwrap().add(
            TimerInterval::EveryIteration,
            Box::new(move |me| {
                let _ = &p;
                c.fetch_add(1, Ordering::SeqCst);
                // Removing itself hands nothing back: the callback is out.
                assert!(t2.lock().unwrap().remove(me).unwrap().is_none());
            }),
        );
        let c = calls.clone();
        let limit = table.lock().unwrap().id_limit();
        table.lock().unwrap().add(
            TimerInterval::EveryIteration,
            Box::new(move |_| {
                c.fetch_add(1, Ordering::SeqCst);
            }),
        );
        let mut scratch = Vec::new();
        dispatch_due(&table, |t| t, Instant::now(), limit, &mut scratch);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "the timer at the limit waits"
        );
        assert_eq!(freed.load(Ordering::SeqCst), 1, "freed after its dispatch");
        assert!(table.lock().unwrap().remove(first).is_err());
    }
}
