//! Client-side keepalive (sans-io): PING a silent server, give up after `count` PINGs.
//!
//! Like libvirt's client: a timer fires every `interval`; if nothing was received for an
//! interval, it PINGs and counts down; when the countdown is exhausted the connection is
//! declared dead. Anything received resets the countdown. As in libvirt's client, every
//! connection with an event loop to a daemon that supports keepalive starts with
//! [`DEFAULT`] (5 s, 5); [`set_keepalive`] changes that default for connections opened
//! later, and `Connect::set_keepalive` changes one connection.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// libvirt's client default: PING after 5 s of silence, give up after 5 PINGs.
pub const DEFAULT: (Duration, u32) = (Duration::from_secs(5), 5);

/// Process-wide keepalive settings for connections opened later; `None`: [`DEFAULT`].
static SETTINGS: Mutex<Option<(Duration, u32)>> = Mutex::new(None);

/// Sets the client keepalive (`interval`, `count`) that remote connections opened from
/// now on start with, when they have an event loop and the server supports keepalive;
/// `None` restores [`DEFAULT`], an interval of zero turns it off. One connection's
/// settings change with `Connect::set_keepalive` (libvirt's `virConnectSetKeepAlive`).
///
/// ```
/// use std::time::Duration;
/// rvirt_driver_remote::set_keepalive(Some((Duration::from_secs(5), 6))); // as virsh
/// rvirt_driver_remote::set_keepalive(None); // back to libvirt's 5 s, 5
/// ```
pub fn set_keepalive(settings: Option<(Duration, u32)>) {
    *SETTINGS.lock().unwrap_or_else(|p| p.into_inner()) = settings;
}

/// The settings a new connection starts with.
pub(crate) fn settings() -> (Duration, u32) {
    SETTINGS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .unwrap_or(DEFAULT)
}

/// What a timer tick asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tick {
    /// The server spoke recently.
    Quiet,
    /// Send a PING.
    Ping,
    /// The server stayed silent through every PING: close the connection.
    Dead,
}

/// The countdown of one connection.
#[derive(Debug)]
pub(crate) struct Keepalive {
    interval: Duration,
    count: u32,
    countdown: u32,
    last_rx: Instant,
}

impl Keepalive {
    pub(crate) fn new(interval: Duration, count: u32, now: Instant) -> Keepalive {
        Keepalive {
            interval,
            count,
            countdown: count,
            last_rx: now,
        }
    }

    /// Something arrived from the server.
    pub(crate) fn received(&mut self, now: Instant) {
        self.last_rx = now;
        self.countdown = self.count;
    }

    /// The timer fired.
    pub(crate) fn tick(&mut self, now: Instant) -> Tick {
        if now.duration_since(self.last_rx) < self.interval {
            return Tick::Quiet;
        }
        if self.countdown == 0 {
            return Tick::Dead;
        }
        self.countdown -= 1;
        Tick::Ping
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pings_count_down_and_replies_reset() {
        let t0 = Instant::now();
        let s = Duration::from_secs(1);
        let mut k = Keepalive::new(s, 2, t0);
        assert_eq!(k.tick(t0 + s / 2), Tick::Quiet);
        assert_eq!(k.tick(t0 + s), Tick::Ping);
        assert_eq!(k.tick(t0 + 2 * s), Tick::Ping);
        k.received(t0 + 2 * s + s / 2);
        assert_eq!(k.tick(t0 + 3 * s), Tick::Quiet);
        assert_eq!(k.tick(t0 + 4 * s), Tick::Ping);
        assert_eq!(k.tick(t0 + 5 * s), Tick::Ping);
        assert_eq!(k.tick(t0 + 6 * s), Tick::Dead);
    }

    #[test]
    fn settings_are_process_wide() {
        assert_eq!(settings(), DEFAULT);
        set_keepalive(Some((Duration::from_secs(5), 6)));
        assert_eq!(settings(), (Duration::from_secs(5), 6));
        set_keepalive(None);
        assert_eq!(settings(), DEFAULT);
    }
}
