//! One helper thread that runs closures at deadlines: the per-call timeouts of
//! connections without an event loop (see `Pending::timeout`), so that a thousand calls
//! with a timeout cost one sleeping thread, not a thousand.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

type Job = Box<dyn FnOnce() + Send>;

struct Entry {
    at: Instant,
    seq: u64,
    job: Job,
}

// Earliest deadline first (BinaryHeap is a max-heap), then in order of arrival.
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other.at.cmp(&self.at).then(other.seq.cmp(&self.seq))
    }
}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}

#[derive(Default)]
struct Queue {
    heap: BinaryHeap<Entry>,
    seq: u64,
    started: bool,
}

#[derive(Default)]
struct Deadlines {
    queue: Mutex<Queue>,
    changed: Condvar,
}

fn deadlines() -> &'static Deadlines {
    static D: OnceLock<Deadlines> = OnceLock::new();
    D.get_or_init(Deadlines::default)
}

/// Runs `job` on the helper thread once `after` has passed. Returns false if the thread
/// could not be started (`job` is then dropped).
pub(crate) fn after(after: Duration, job: Job) -> bool {
    let d = deadlines();
    let mut q = d.queue.lock().unwrap_or_else(|e| e.into_inner());
    if !q.started {
        let spawned = std::thread::Builder::new()
            .name("rvirt-deadlines".into())
            .spawn(|| run(deadlines()));
        if spawned.is_err() {
            return false;
        }
        q.started = true;
    }
    q.seq += 1;
    let seq = q.seq;
    q.heap.push(Entry {
        at: Instant::now() + after,
        seq,
        job,
    });
    drop(q);
    d.changed.notify_one();
    true
}

fn run(d: &'static Deadlines) {
    let mut q = d.queue.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let now = Instant::now();
        let mut due = Vec::new();
        while q.heap.peek().is_some_and(|e| e.at <= now) {
            due.extend(q.heap.pop());
        }
        if !due.is_empty() {
            drop(q);
            for e in due {
                (e.job)();
            }
            q = d.queue.lock().unwrap_or_else(|e| e.into_inner());
            continue;
        }
        q = match q.heap.peek().map(|e| e.at - now) {
            Some(wait) => {
                d.changed
                    .wait_timeout(q, wait)
                    .unwrap_or_else(|e| e.into_inner())
                    .0
            }
            None => d.changed.wait(q).unwrap_or_else(|e| e.into_inner()),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn jobs_run_in_deadline_order_on_one_thread() {
        let (tx, rx) = mpsc::channel();
        for (ms, tag) in [(60, 3), (20, 1), (40, 2)] {
            let tx = tx.clone();
            assert!(after(
                Duration::from_millis(ms),
                Box::new(move || tx.send((tag, std::thread::current().id())).unwrap()),
            ));
        }
        let got: Vec<_> = (0..3)
            .map(|_| rx.recv_timeout(Duration::from_secs(5)).unwrap())
            .collect();
        assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), [1, 2, 3]);
        assert!(got.iter().all(|g| g.1 == got[0].1));
        assert_ne!(got[0].1, std::thread::current().id());
    }
}
