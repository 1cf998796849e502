//! Auto-shutdown: the daemon exits after a number of seconds without any client (of
//! any server, admin clients included, as libvirt counts them). Set by `--timeout`
//! and at run time by the admin procedure CONNECT_SET_DAEMON_TIMEOUT (0 turns it off).
//! A timer on the event loop checks every 250 ms while a timeout is set and is
//! disabled otherwise.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rvirt_core::event::{DefaultLoop, EventLoop, SharedLoop, TimerId, TimerInterval};

use rvirt_rpc_server::Registry;

use crate::log;

/// How often the timer looks at the clients.
const CHECK_EVERY: Duration = Duration::from_millis(250);

/// The timeout and its timer.
#[derive(Debug)]
pub struct AutoShutdown {
    secs: AtomicU64,
    timer: OnceLock<TimerId>,
    event_loop: SharedLoop,
}

impl AutoShutdown {
    /// A timeout of `timeout` (none: off); [`AutoShutdown::start`] adds its timer.
    pub fn new(event_loop: SharedLoop, timeout: Option<Duration>) -> Arc<AutoShutdown> {
        Arc::new(AutoShutdown {
            secs: AtomicU64::new(timeout.map_or(0, |t| t.as_secs())),
            timer: OnceLock::new(),
            event_loop,
        })
    }

    /// Adds the timer: it stops `quit_loop` once `registry` has had no client for
    /// the timeout.
    pub fn start(
        self: &Arc<Self>,
        registry: &Arc<Registry>,
        quit_loop: DefaultLoop,
    ) -> Result<(), String> {
        let me = self.clone();
        let registry = Arc::downgrade(registry);
        let timer = self
            .event_loop
            .add_timeout(
                self.interval(),
                Box::new(move |_| {
                    let (Some(timeout), Some(registry)) = (me.timeout(), registry.upgrade()) else {
                        return;
                    };
                    if registry.idle_for().is_some_and(|d| d >= timeout) {
                        log!("no client for {}s, exiting", timeout.as_secs());
                        quit_loop.quit();
                    }
                }),
            )
            .map_err(|e| e.to_string())?;
        let _ = self.timer.set(timer);
        Ok(())
    }

    /// The timeout, if one is set.
    pub fn timeout(&self) -> Option<Duration> {
        match self.secs.load(Ordering::Relaxed) {
            0 => None,
            s => Some(Duration::from_secs(s)),
        }
    }

    /// Sets the timeout in seconds; 0 turns auto-shutdown off.
    pub fn set(&self, secs: u32) {
        self.secs.store(u64::from(secs), Ordering::Relaxed);
        if let Some(t) = self.timer.get() {
            let _ = self.event_loop.update_timeout(*t, self.interval());
        }
    }

    fn interval(&self) -> TimerInterval {
        if self.timeout().is_some() {
            TimerInterval::Every(CHECK_EVERY)
        } else {
            TimerInterval::Disabled
        }
    }
}
