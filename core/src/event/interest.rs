//! [`Interest`]: the readiness bitmask shared by registrations and callbacks.

use std::fmt;
use std::ops::{BitAnd, BitOr, BitOrAssign};

/// A set of fd conditions, with libvirt's numeric values (`virEventHandleType`).
///
/// The same type describes what a watch asks for ([`EventLoop::add_handle`]) and what a
/// callback is told is pending. [`Interest::ERROR`] and [`Interest::HANGUP`] may be reported
/// even when they were not requested, as with `poll(2)`.
///
/// [`EventLoop::add_handle`]: crate::event::EventLoop::add_handle
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Interest(u8);

impl Interest {
    /// No condition: a watch with this mask stays registered but is not polled.
    pub const NONE: Interest = Interest(0);
    /// Data can be read (`VIR_EVENT_HANDLE_READABLE` = 1).
    pub const READABLE: Interest = Interest(1);
    /// Data can be written (`VIR_EVENT_HANDLE_WRITABLE` = 2).
    pub const WRITABLE: Interest = Interest(2);
    /// An error condition on the fd (`VIR_EVENT_HANDLE_ERROR` = 4).
    pub const ERROR: Interest = Interest(4);
    /// The peer hung up (`VIR_EVENT_HANDLE_HANGUP` = 8).
    pub const HANGUP: Interest = Interest(8);

    const ALL: u8 = 0b1111;

    /// The libvirt integer value of this set.
    pub const fn bits(self) -> i32 {
        self.0 as i32
    }

    /// Builds a set from a libvirt integer, ignoring unknown bits.
    pub const fn from_bits_truncate(bits: i32) -> Interest {
        Interest((bits & Self::ALL as i32) as u8)
    }

    /// Builds a set from a libvirt integer, or `None` if it has bits libvirt does not define.
    pub const fn from_bits(bits: i32) -> Option<Interest> {
        if bits & !(Self::ALL as i32) == 0 {
            Some(Interest(bits as u8))
        } else {
            None
        }
    }

    /// True when no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True when every bit of `other` is set in `self`.
    pub const fn contains(self, other: Interest) -> bool {
        self.0 & other.0 == other.0
    }

    /// The part of these pending conditions that a watch asking for `requested` is told
    /// about: nothing while the watch is paused ([`Interest::NONE`]), otherwise the requested
    /// bits plus [`Interest::ERROR`] and [`Interest::HANGUP`], which are always reported.
    pub const fn reported_to(self, requested: Interest) -> Interest {
        if requested.is_empty() {
            return Interest::NONE;
        }
        Interest(self.0 & (requested.0 | Self::ERROR.0 | Self::HANGUP.0))
    }

    /// True when `self` and `other` share at least one bit.
    pub const fn intersects(self, other: Interest) -> bool {
        self.0 & other.0 != 0
    }
}

impl BitOr for Interest {
    type Output = Interest;
    fn bitor(self, rhs: Interest) -> Interest {
        Interest(self.0 | rhs.0)
    }
}

impl BitOrAssign for Interest {
    fn bitor_assign(&mut self, rhs: Interest) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for Interest {
    type Output = Interest;
    fn bitand(self, rhs: Interest) -> Interest {
        Interest(self.0 & rhs.0)
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [(Interest, &str); 4] = [
            (Interest::READABLE, "READABLE"),
            (Interest::WRITABLE, "WRITABLE"),
            (Interest::ERROR, "ERROR"),
            (Interest::HANGUP, "HANGUP"),
        ];
        let mut first = true;
        for (bit, name) in NAMES {
            if self.contains(bit) {
                if !first {
                    f.write_str(" | ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        if first {
            f.write_str("NONE")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_libvirts() {
        assert_eq!(Interest::READABLE.bits(), 1);
        assert_eq!(Interest::WRITABLE.bits(), 2);
        assert_eq!(Interest::ERROR.bits(), 4);
        assert_eq!(Interest::HANGUP.bits(), 8);
    }

    #[test]
    fn set_operations() {
        let rw = Interest::READABLE | Interest::WRITABLE;
        assert!(rw.contains(Interest::READABLE));
        assert!(!rw.contains(Interest::HANGUP));
        assert!(rw.intersects(Interest::WRITABLE | Interest::ERROR));
        assert_eq!(rw & Interest::WRITABLE, Interest::WRITABLE);
        assert_eq!(Interest::from_bits(16), None);
        assert_eq!(Interest::from_bits_truncate(0x1B), rw | Interest::HANGUP);
        assert_eq!(format!("{rw:?}"), "READABLE | WRITABLE");
        let pending = Interest::READABLE | Interest::WRITABLE | Interest::HANGUP;
        assert_eq!(
            pending.reported_to(Interest::READABLE),
            Interest::READABLE | Interest::HANGUP
        );
        assert_eq!(pending.reported_to(Interest::NONE), Interest::NONE);
        assert_eq!(
            Interest::ERROR.reported_to(Interest::WRITABLE),
            Interest::ERROR
        );
        assert_eq!(format!("{:?}", Interest::NONE), "NONE");
    }
}
