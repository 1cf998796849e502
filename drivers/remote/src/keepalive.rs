//! Client-side keepalive (sans-io): PING a silent server, give up after `count` PINGs.
//!
//! Like libvirt's client: a timer fires every `interval`; if nothing was received for an
//! interval, it PINGs and counts down; when the countdown is exhausted the connection is
//! declared dead. Anything received resets the countdown. Off unless enabled with
//! [`set_keepalive`], as in libvirt, where the application (virsh: 5 s, 6) turns it on.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Process-wide keepalive settings for connections opened later.
static SETTINGS: Mutex<Option<(Duration, u32)>> = Mutex::new(None);

/// Enables client keepalive (`interval`, `count`) for remote connections opened from now
/// on that have an event loop and a server supporting it; `None` disables it. This is
/// libvirt's `virConnectSetKeepAlive`, process-wide because rvirt-core has no per-connection
/// hook for it yet.
pub fn set_keepalive(settings: Option<(Duration, u32)>) {
    *SETTINGS.lock().unwrap_or_else(|p| p.into_inner()) = settings;
}

/// The current process-wide settings.
pub(crate) fn settings() -> Option<(Duration, u32)> {
    *SETTINGS.lock().unwrap_or_else(|p| p.into_inner())
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
        assert_eq!(settings(), None);
        set_keepalive(Some((Duration::from_secs(5), 6)));
        assert_eq!(settings(), Some((Duration::from_secs(5), 6)));
        set_keepalive(None);
    }
}
