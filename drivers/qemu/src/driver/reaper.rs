//! Reaping QEMU processes off the event loop's critical path.
//!
//! When a monitor reaches end-of-file inside the loop's watch callback, QEMU is
//! normally exiting already. The callback never waits for it: the process goes to the
//! [`Reaper`], whose timer on the same loop collects it, and kills it (SIGKILL, as
//! libvirt does when it stops a domain whose monitor closed) if it is still there
//! after a grace period.

use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use rvirt_core::event::{SharedLoop, TimerId, TimerInterval};

use crate::process::QemuProcess;

/// How often the reaper looks at the processes it holds.
const TICK: Duration = Duration::from_millis(10);
/// After this long a killed process that still has not exited is let go (left to
/// init): the reaper will not hold the loop's timer forever.
const GIVE_UP: Duration = Duration::from_secs(30);

/// QEMU processes waiting to be reaped, and the timer that reaps them.
#[derive(Debug, Default)]
pub(crate) struct Reaper {
    pending: Vec<Pending>,
    timer: Option<TimerId>,
}

#[derive(Debug)]
struct Pending {
    proc: QemuProcess,
    kill_at: Instant,
    killed: bool,
    give_up: Instant,
}

/// Reaps `proc` from a timer on `event_loop`, killing it (SIGKILL) if it has not
/// exited after `grace`; a process that already exited is reaped at once.
pub(crate) fn reap_later(
    reaper: &Arc<Mutex<Reaper>>,
    event_loop: &SharedLoop,
    mut proc: QemuProcess,
    grace: Duration,
) {
    if proc.try_reap() {
        return;
    }
    let now = Instant::now();
    let mut r = lock(reaper);
    r.pending.push(Pending {
        proc,
        kill_at: now + grace,
        killed: false,
        give_up: now + grace + GIVE_UP,
    });
    match r.timer {
        Some(t) => {
            let _ = event_loop.update_timeout(t, TimerInterval::Every(TICK));
        }
        None => {
            let weak = Arc::downgrade(reaper);
            let l = event_loop.clone();
            r.timer = event_loop
                .add_timeout(
                    TimerInterval::Every(TICK),
                    Box::new(move |_| tick(&weak, &l)),
                )
                .ok();
            if r.timer.is_none() {
                // No timer to be had: kill and reap here, bounded, rather than leak.
                if let Some(mut p) = r.pending.pop() {
                    let _ = p.proc.kill();
                }
            }
        }
    }
}

fn tick(weak: &Weak<Mutex<Reaper>>, event_loop: &SharedLoop) {
    let Some(reaper) = weak.upgrade() else {
        return;
    };
    let mut r = lock(&reaper);
    let now = Instant::now();
    for mut p in std::mem::take(&mut r.pending) {
        if p.proc.try_reap() {
            continue;
        }
        if now >= p.give_up {
            // Dropping would block in wait(2): let the process go unreaped.
            p.proc.detach();
            continue;
        }
        if now >= p.kill_at && !p.killed {
            p.proc.signal_kill();
            p.killed = true;
        }
        r.pending.push(p);
    }
    if r.pending.is_empty()
        && let Some(t) = r.timer
    {
        let _ = event_loop.update_timeout(t, TimerInterval::Disabled);
    }
}

/// Stops the reaper's timer; processes still pending are killed and reaped (bounded).
pub(crate) fn shut_down(reaper: &Mutex<Reaper>, event_loop: &SharedLoop) {
    let (timer, pending) = {
        let mut r = lock(reaper);
        (r.timer.take(), std::mem::take(&mut r.pending))
    };
    if let Some(t) = timer {
        let _ = event_loop.remove_timeout(t);
    }
    for mut p in pending {
        let _ = p.proc.kill();
    }
}

fn lock(m: &Mutex<Reaper>) -> std::sync::MutexGuard<'_, Reaper> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
