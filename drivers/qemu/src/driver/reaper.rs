//! Reaping QEMU processes off the event loop's critical path.
//!
//! When a monitor reaches end-of-file inside the loop's watch callback, QEMU is
//! normally already exiting. The driver waits a few milliseconds for it; if it is
//! still there it gets SIGKILL (as libvirt does when it stops a domain whose monitor
//! closed) and is handed to the [`Reaper`], whose timer on the same loop collects it
//! without ever blocking the loop.

use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use rvirt_core::event::{SharedLoop, TimerId, TimerInterval};

use crate::process::QemuProcess;

/// How often the reaper looks at the processes it holds.
const TICK: Duration = Duration::from_millis(10);
/// After this long a killed process that still has not exited is let go (left to
/// init): the reaper will not hold the loop's timer forever.
const GIVE_UP: Duration = Duration::from_secs(30);

/// Killed QEMU processes waiting to be reaped, and the timer that reaps them.
#[derive(Debug, Default)]
pub(super) struct Reaper {
    pending: Vec<(QemuProcess, Instant)>,
    timer: Option<TimerId>,
}

/// Kills `proc` (SIGKILL) and reaps it from a timer on `event_loop`; a process that
/// already exited is reaped at once.
pub(super) fn reap_later(
    reaper: &Arc<Mutex<Reaper>>,
    event_loop: &SharedLoop,
    mut proc: QemuProcess,
) {
    if proc.try_reap() {
        return;
    }
    proc.signal_kill();
    let mut r = lock(reaper);
    r.pending.push((proc, Instant::now() + GIVE_UP));
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
                // No timer to be had: reap here, bounded, rather than leak a zombie.
                if let Some((mut p, _)) = r.pending.pop() {
                    let _ = p.kill();
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
    for (mut p, give_up) in std::mem::take(&mut r.pending) {
        if p.try_reap() {
            continue;
        }
        if now >= give_up {
            // Dropping would block in wait(2): let the process go unreaped.
            p.detach();
            continue;
        }
        r.pending.push((p, give_up));
    }
    if r.pending.is_empty()
        && let Some(t) = r.timer
    {
        let _ = event_loop.update_timeout(t, TimerInterval::Disabled);
    }
}

/// Stops the reaper's timer; processes still pending are killed and reaped (bounded).
pub(super) fn shut_down(reaper: &Mutex<Reaper>, event_loop: &SharedLoop) {
    let (timer, pending) = {
        let mut r = lock(reaper);
        (r.timer.take(), std::mem::take(&mut r.pending))
    };
    if let Some(t) = timer {
        let _ = event_loop.remove_timeout(t);
    }
    for (mut p, _) in pending {
        let _ = p.kill();
    }
}

fn lock(m: &Mutex<Reaper>) -> std::sync::MutexGuard<'_, Reaper> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
