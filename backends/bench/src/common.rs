//! What every workload shares: eventfds, the event counter, timing statistics.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// One eventfd per watch (the open-file limit allows 10,000 of them plus the loops' own).
pub fn eventfds(n: usize) -> Vec<OwnedFd> {
    (0..n)
        .map(|_| {
            // SAFETY: eventfd takes no pointers.
            let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
            assert!(fd >= 0, "eventfd: {}", std::io::Error::last_os_error());
            // SAFETY: a fresh descriptor owned by nobody else.
            unsafe { OwnedFd::from_raw_fd(fd) }
        })
        .collect()
}

/// Makes `fd` (an eventfd) readable.
pub fn poke(fd: RawFd) {
    let one: u64 = 1;
    // SAFETY: writes 8 bytes from a valid u64.
    let n = unsafe { libc::write(fd, (&one as *const u64).cast(), 8) };
    assert_eq!(n, 8, "eventfd write: {}", std::io::Error::last_os_error());
}

/// Makes every fd of `fds` readable.
pub fn poke_all(fds: &[OwnedFd]) {
    for fd in fds {
        poke(fd.as_raw_fd());
    }
}

/// Consumes the pending event of eventfd `fd` (one read resets its counter).
pub fn consume(fd: RawFd) {
    let mut buf = [0u8; 8];
    // SAFETY: reads at most 8 bytes into a valid 8-byte buffer.
    unsafe { libc::read(fd, buf.as_mut_ptr().cast(), 8) };
}

/// An fd lent to a loop that must not own or close it.
#[derive(Debug, Clone, Copy)]
pub struct FdRef(pub RawFd);

impl AsRawFd for FdRef {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

impl AsFd for FdRef {
    fn as_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: every FdRef is built from an fd that the workload keeps open until the
        // loop holding the FdRef has been torn down.
        unsafe { BorrowedFd::borrow_raw(self.0) }
    }
}

/// Counts dispatched events; wakes an async waiter once a target is reached.
#[derive(Debug, Default)]
pub struct Counter {
    count: AtomicUsize,
    target: AtomicUsize,
    notify: tokio::sync::Notify,
}

impl Counter {
    /// Records one event.
    pub fn hit(&self) {
        let now = self.count.fetch_add(1, Ordering::AcqRel) + 1;
        if now >= self.target.load(Ordering::Acquire) {
            self.notify.notify_one();
        }
    }

    /// Events recorded so far.
    pub fn get(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    /// True once `n` events were recorded.
    pub fn reached(&self, n: usize) -> bool {
        self.get() >= n
    }

    /// Sets the count at which [`Counter::wait`] returns; call it before causing the events.
    pub fn expect(&self, n: usize) {
        self.target.store(n, Ordering::Release);
    }

    /// Waits (async) until `n` events were recorded; `n` must have been [`Counter::expect`]ed.
    #[cfg(feature = "backend-tokio")]
    pub async fn wait(&self, n: usize) {
        while !self.reached(n) {
            self.notify.notified().await;
        }
    }
}

/// Rounds needed for at least `events` events over `watches` watches.
pub fn rounds(watches: usize, events: usize) -> usize {
    events.div_ceil(watches).max(1)
}

/// Workload 1's round structure, shared by every loop: one untimed warm-up round (lazy
/// registrations), then `reps` timed repetitions of `rounds(fds.len(), events)` rounds. A
/// round makes every fd readable, then `run_until(n)` iterates the loop until the counter
/// reaches `n`. Returns the best repetition's events/s.
pub fn readiness_rounds(
    fds: &[OwnedFd],
    counter: &Counter,
    events: usize,
    reps: usize,
    run_until: &mut dyn FnMut(usize),
) -> f64 {
    let watches = fds.len();
    let rounds = rounds(watches, events);
    let mut target = watches;
    counter.expect(target);
    poke_all(fds);
    run_until(target);
    let mut best = 0f64;
    for _ in 0..reps {
        let start = Instant::now();
        for _ in 0..rounds {
            target += watches;
            counter.expect(target);
            poke_all(fds);
            run_until(target);
        }
        best = best.max(rate(rounds * watches, start.elapsed()));
    }
    best
}

/// [`readiness_rounds`] for loops whose callbacks run on their own (tokio): waits on the
/// counter instead of iterating a loop.
#[cfg(feature = "backend-tokio")]
pub async fn readiness_rounds_async(
    fds: &[OwnedFd],
    counter: &Counter,
    events: usize,
    reps: usize,
) -> f64 {
    let watches = fds.len();
    let rounds = rounds(watches, events);
    let mut target = watches;
    counter.expect(target);
    poke_all(fds);
    counter.wait(target).await;
    let mut best = 0f64;
    for _ in 0..reps {
        let start = Instant::now();
        for _ in 0..rounds {
            target += watches;
            counter.expect(target);
            poke_all(fds);
            counter.wait(target).await;
        }
        best = best.max(rate(rounds * watches, start.elapsed()));
    }
    best
}

/// Runs [`readiness_rounds_async`] on the runtime `rt` and gives `fds` back.
///
/// By default the rounds (the pokes and the waits for the callbacks) run in a task on the
/// runtime: like libvirt's harness, which pokes from its loop's own thread, the workload
/// then runs on the threads of the loop under test. With `from_outside` they run on the
/// thread that calls `block_on` instead, which on a multi-thread runtime is no worker: every
/// round then also pays two wake-ups between that thread and a worker (the first poke wakes
/// the worker parked in the reactor, the last callback wakes the waiting thread).
#[cfg(feature = "backend-tokio")]
pub fn readiness_rounds_on(
    rt: &tokio::runtime::Runtime,
    from_outside: bool,
    fds: Vec<OwnedFd>,
    counter: std::sync::Arc<Counter>,
    events: usize,
    reps: usize,
) -> (f64, Vec<OwnedFd>) {
    let rounds = async move {
        let best = readiness_rounds_async(&fds, &counter, events, reps).await;
        (best, fds)
    };
    if from_outside {
        rt.block_on(rounds)
    } else {
        rt.block_on(rt.spawn(rounds)).expect("readiness task")
    }
}

/// Events per second.
pub fn rate(events: usize, elapsed: Duration) -> f64 {
    events as f64 / elapsed.as_secs_f64()
}

/// Median and p99 (nearest rank) of `|interval - period|` in microseconds, from the
/// instants at which a periodic timer fired.
pub fn jitter(firings: &[Instant], period: Duration) -> (f64, f64) {
    let mut dev: Vec<f64> = firings
        .windows(2)
        .map(|w| {
            let d = (w[1] - w[0]).abs_diff(period);
            d.as_secs_f64() * 1e6
        })
        .collect();
    assert!(!dev.is_empty(), "the timer fired fewer than twice");
    dev.sort_by(f64::total_cmp);
    let rank = |q: f64| dev[((q * dev.len() as f64).ceil() as usize).clamp(1, dev.len()) - 1];
    (rank(0.5), rank(0.99))
}
