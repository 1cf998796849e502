//! Watch and timer identifiers, and timer intervals.

use std::fmt;
use std::num::NonZeroU64;
use std::time::Duration;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(NonZeroU64);

        impl $name {
            /// Wraps a raw id; `None` for 0, which is never a valid id.
            pub const fn new(raw: u64) -> Option<Self> {
                match NonZeroU64::new(raw) {
                    Some(v) => Some(Self(v)),
                    None => None,
                }
            }

            /// The raw id (always ≥ 1).
            pub const fn get(self) -> u64 {
                self.0.get()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// Identifies an fd watch. Ids start at 1 and a loop never hands out the same id twice.
    WatchId
);
id_type!(
    /// Identifies a timer. Ids start at 1, are counted apart from watch ids, and are never reused.
    TimerId
);

/// How often a timer fires, with libvirt's meaning of the millisecond value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum TimerInterval {
    /// Registered but never fires (libvirt `-1`).
    Disabled,
    /// Fires on every loop iteration, as soon as possible (libvirt `0`).
    EveryIteration,
    /// Fires periodically with this period (libvirt `> 0` milliseconds); not one-shot.
    Every(Duration),
}

impl TimerInterval {
    /// Converts libvirt's millisecond convention: negative disables, 0 fires every iteration.
    pub fn from_millis(ms: i64) -> TimerInterval {
        match ms {
            ..0 => TimerInterval::Disabled,
            0 => TimerInterval::EveryIteration,
            ms => TimerInterval::Every(Duration::from_millis(ms as u64)),
        }
    }

    /// The libvirt millisecond value: -1, 0, or the period (at least 1 ms when a period is set).
    pub fn as_millis(self) -> i64 {
        match self {
            TimerInterval::Disabled => -1,
            TimerInterval::EveryIteration => 0,
            TimerInterval::Every(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX).max(1),
        }
    }

    /// The period to wait before the next firing; `None` when disabled.
    pub fn period(self) -> Option<Duration> {
        match self {
            TimerInterval::Disabled => None,
            TimerInterval::EveryIteration => Some(Duration::ZERO),
            TimerInterval::Every(d) => Some(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_not_an_id() {
        assert!(WatchId::new(0).is_none());
        assert_eq!(WatchId::new(7).unwrap().get(), 7);
        assert_eq!(format!("{:?}", TimerId::new(3).unwrap()), "TimerId(3)");
    }

    #[test]
    fn libvirt_millis_round_trip() {
        assert_eq!(TimerInterval::from_millis(-1), TimerInterval::Disabled);
        assert_eq!(TimerInterval::from_millis(-50), TimerInterval::Disabled);
        assert_eq!(TimerInterval::from_millis(0), TimerInterval::EveryIteration);
        assert_eq!(
            TimerInterval::from_millis(250),
            TimerInterval::Every(Duration::from_millis(250))
        );
        for ms in [-1, 0, 1, 250, 60_000] {
            assert_eq!(TimerInterval::from_millis(ms).as_millis(), ms);
        }
        assert_eq!(
            TimerInterval::Every(Duration::from_micros(10)).as_millis(),
            1
        );
    }
}
