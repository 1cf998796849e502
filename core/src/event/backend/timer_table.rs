//! [`TimerTable`]: the timer bookkeeping every poll-style loop needs (the default loop and
//! the mio adapter use it).
//!
//! A loop that polls for readiness and runs timers itself keeps its timers here:
//! ids from 1 never reused, libvirt's -1/0/N intervals, due-ness against a clock the
//! caller passes in, and callbacks taken out for dispatch (so no lock is held while user
//! code runs) and put back afterwards. A callback whose timer was removed meanwhile comes
//! back to the caller to be dropped later ([`Garbage`](super::Garbage)), never inside
//! `remove` (libvirt's `ff` rule).

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use super::IdCounter;
use crate::event::{EventError, TimerCallback, TimerId, TimerInterval};

struct Timer {
    interval: TimerInterval,
    /// When a periodic timer fires next.
    deadline: Option<Instant>,
    /// `None` while the callback is out being dispatched.
    callback: Option<TimerCallback>,
}

impl Timer {
    fn is_due(&self, now: Instant) -> bool {
        match self.interval {
            TimerInterval::Disabled => false,
            TimerInterval::EveryIteration => true,
            TimerInterval::Every(_) => self.deadline.is_some_and(|d| d <= now),
        }
    }

    fn arm(&mut self, now: Instant) {
        self.deadline = self.interval.period().map(|p| now + p);
    }
}

/// A loop's timers, by id.
#[derive(Default)]
pub struct TimerTable {
    ids: IdCounter,
    timers: BTreeMap<u64, Timer>,
}

impl fmt::Debug for TimerTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimerTable")
            .field("timers", &self.timers.len())
            .field("next_id", &self.ids.peek())
            .finish()
    }
}

impl TimerTable {
    /// How many timers exist.
    pub fn len(&self) -> usize {
        self.timers.len()
    }

    /// True when no timer exists.
    pub fn is_empty(&self) -> bool {
        self.timers.is_empty()
    }

    /// Registers a timer; a periodic one is first due one period from now.
    pub fn add(&mut self, interval: TimerInterval, callback: TimerCallback) -> TimerId {
        let id = self.ids.next_raw();
        let mut t = Timer {
            interval,
            deadline: None,
            callback: Some(callback),
        };
        t.arm(Instant::now());
        self.timers.insert(id, t);
        TimerId::new(id).expect("ids start at 1")
    }

    /// Changes a timer's interval, restarting its period from now.
    pub fn update(&mut self, timer: TimerId, interval: TimerInterval) -> Result<(), EventError> {
        let t = self
            .timers
            .get_mut(&timer.get())
            .ok_or(EventError::UnknownTimer(timer))?;
        t.interval = interval;
        t.arm(Instant::now());
        Ok(())
    }

    /// Removes a timer. Returns its callback for deferred dropping (`None` while it is
    /// out being dispatched: [`put_callback`](Self::put_callback) hands it back then).
    pub fn remove(&mut self, timer: TimerId) -> Result<Option<TimerCallback>, EventError> {
        let t = self
            .timers
            .remove(&timer.get())
            .ok_or(EventError::UnknownTimer(timer))?;
        Ok(t.callback)
    }

    /// The id the next [`add`](Self::add) will hand out: timers at or above it were
    /// added after the caller's poll and must not fire in this iteration.
    pub fn id_limit(&self) -> u64 {
        self.ids.peek()
    }

    /// How long the loop may sleep before the next timer is due; `None` for no limit.
    pub fn next_timeout(&self, now: Instant) -> Option<Duration> {
        let mut best: Option<Duration> = None;
        for t in self.timers.values() {
            let wait = match t.interval {
                TimerInterval::Disabled => continue,
                TimerInterval::EveryIteration => return Some(Duration::ZERO),
                TimerInterval::Every(_) => match t.deadline {
                    Some(d) => d.saturating_duration_since(now),
                    None => continue,
                },
            };
            best = Some(best.map_or(wait, |b| b.min(wait)));
        }
        best
    }

    /// When periodic timer `timer` is due next (`None` for an unknown, disabled or
    /// every-iteration timer).
    pub fn deadline(&self, timer: TimerId) -> Option<Instant> {
        self.timers
            .get(&timer.get())
            .filter(|t| matches!(t.interval, TimerInterval::Every(_)))
            .and_then(|t| t.deadline)
    }

    /// The earliest deadline of a periodic timer (every-iteration and disabled timers have
    /// none), for a timer armed to wake the loop then ([`TimerFd`](super::TimerFd)).
    pub fn next_deadline(&self) -> Option<Instant> {
        self.timers
            .values()
            .filter(|t| matches!(t.interval, TimerInterval::Every(_)))
            .filter_map(|t| t.deadline)
            .min()
    }

    /// Puts into `out` the ids of the timers due at `now` with `id < limit`.
    pub fn due(&self, now: Instant, limit: u64, out: &mut Vec<u64>) {
        out.clear();
        out.extend(
            self.timers
                .range(..limit)
                .filter(|(_, t)| t.is_due(now))
                .map(|(id, _)| *id),
        );
    }

    /// Takes out timer `id`'s callback if it is still due, re-arming it for its next
    /// period.
    pub fn take_callback(&mut self, id: u64, now: Instant) -> Option<TimerCallback> {
        let t = self.timers.get_mut(&id)?;
        if !t.is_due(now) {
            return None;
        }
        t.arm(now);
        t.callback.take()
    }

    /// Returns a dispatched callback to its timer; hands it back if the timer was
    /// removed meanwhile (the caller defers its drop).
    pub fn put_callback(&mut self, id: u64, cb: TimerCallback) -> Option<TimerCallback> {
        match self.timers.get_mut(&id) {
            Some(t) => {
                t.callback = Some(cb);
                None
            }
            None => Some(cb),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noop() -> TimerCallback {
        Box::new(|_| {})
    }

    #[test]
    fn due_respects_interval_limit_and_rearming() {
        let mut t = TimerTable::default();
        let every = t.add(TimerInterval::EveryIteration, noop());
        let off = t.add(TimerInterval::Disabled, noop());
        let slow = t.add(TimerInterval::Every(Duration::from_secs(60)), noop());
        assert_eq!((every.get(), off.get(), slow.get()), (1, 2, 3));
        assert_eq!(t.len(), 3);
        let now = Instant::now();
        let mut due = Vec::new();
        t.due(now, t.id_limit(), &mut due);
        assert_eq!(due, vec![1]);
        t.due(now + Duration::from_secs(61), 2, &mut due);
        assert_eq!(due, vec![1], "ids at or above the limit are not due yet");
        assert_eq!(t.next_timeout(now), Some(Duration::ZERO));
        t.update(every, TimerInterval::Disabled).unwrap();
        let wait = t.next_timeout(now).unwrap();
        assert!(wait > Duration::from_secs(59) && wait <= Duration::from_secs(60));
        let later = now + Duration::from_secs(61);
        let cb = t.take_callback(3, later).expect("due");
        assert!(t.take_callback(3, later).is_none(), "re-armed");
        assert!(t.put_callback(3, cb).is_none());
        assert_eq!(t.next_deadline(), Some(later + Duration::from_secs(60)));
        assert_eq!(t.deadline(slow), t.next_deadline());
        assert_eq!(t.deadline(every), None);
        t.update(slow, TimerInterval::EveryIteration).unwrap();
        assert_eq!(
            t.next_deadline(),
            None,
            "only periodic timers have deadlines"
        );
    }

    #[test]
    fn a_callback_removed_while_out_comes_back_to_the_caller() {
        let mut t = TimerTable::default();
        let id = t.add(TimerInterval::EveryIteration, noop());
        let cb = t.take_callback(id.get(), Instant::now()).unwrap();
        assert!(t.remove(id).unwrap().is_none(), "out being dispatched");
        assert!(t.put_callback(id.get(), cb).is_some());
        assert!(matches!(t.remove(id), Err(EventError::UnknownTimer(_))));
        let again = t.add(TimerInterval::Disabled, noop());
        assert_eq!(again.get(), 2, "ids are never reused");
    }
}
