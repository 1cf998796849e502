//! [`Garbage`]: a removed callback whose drop waits until no dispatch runs and no lock is
//! held (libvirt's deferred `ff`).

use std::fmt;

use crate::event::{HandleCallback, TimerCallback};

/// A callback box whose drop (libvirt's `ff`) has been deferred until the loop is
/// outside any dispatch and holds no lock.
///
/// A loop pushes the callbacks that [`TimerTable::remove`](super::TimerTable::remove),
/// [`TimerTable::put_callback`](super::TimerTable::put_callback) and
/// [`FdWatches::remove`](super::FdWatches::remove) hand back onto a `Vec<Garbage>` under
/// its lock, and empties that vector once the lock is released and the current dispatch
/// is over.
pub enum Garbage {
    /// From a removed watch.
    Handle(HandleCallback),
    /// From a removed timer.
    Timer(TimerCallback),
}

impl fmt::Debug for Garbage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Garbage::Handle(_) => "Garbage::Handle(..)",
            Garbage::Timer(_) => "Garbage::Timer(..)",
        })
    }
}
