//! The two sweeps over every client, run by timers on the event loop: keepalive (PING
//! idle clients that asked for it, drop those that stop answering) and the
//! authentication deadline (drop clients that have not finished their TLS handshake or
//! authentication in time: they count against their server's limits, so idle ones
//! would lock everyone out).

use std::sync::Arc;
use std::time::{Duration, Instant};

use rvirt_core::event::{EventError, EventLoop, TimerInterval};

use crate::log::log;
use crate::registry::Registry;

impl Registry {
    /// PINGs clients that enabled keepalive once they are idle for `interval`, and
    /// closes a client after `count` unanswered PINGs. A zero interval: nothing.
    pub fn start_keepalive(
        self: &Arc<Self>,
        interval: Duration,
        count: u32,
    ) -> Result<(), EventError> {
        if interval.is_zero() {
            return Ok(());
        }
        let registry = Arc::downgrade(self);
        let tick = (interval / 5).max(Duration::from_millis(200));
        self.event_loop()
            .add_timeout(
                TimerInterval::Every(tick),
                Box::new(move |_| {
                    let Some(registry) = registry.upgrade() else {
                        return;
                    };
                    for c in registry.clients() {
                        c.keepalive_tick(interval, count);
                    }
                }),
            )
            .map(|_| ())
    }

    /// Disconnects clients that have not finished their TLS handshake or
    /// authentication within their service's `auth_timeout`, looking every
    /// `timeout / 4` (100 ms to 1 s). A zero `timeout`: nothing.
    pub fn start_auth_timeouts(self: &Arc<Self>, timeout: Duration) -> Result<(), EventError> {
        if timeout.is_zero() {
            return Ok(());
        }
        let registry = Arc::downgrade(self);
        let tick = (timeout / 4).clamp(Duration::from_millis(100), Duration::from_secs(1));
        self.event_loop()
            .add_timeout(
                TimerInterval::Every(tick),
                Box::new(move |_| {
                    let Some(registry) = registry.upgrade() else {
                        return;
                    };
                    let now = Instant::now();
                    for c in registry.clients() {
                        if c.auth_overdue(now) {
                            log!(
                                "client {}: no TLS handshake or authentication within the time allowed; disconnecting",
                                c.id()
                            );
                            c.close();
                        }
                    }
                }),
            )
            .map(|_| ())
    }
}
