//! The worker threads that run local drivers' blocking operations for their asynchronous
//! forms (QEMU starts, file I/O), so that they never run on an event-loop thread.
//!
//! A small pool, started on first use: a job goes to an idle worker, or to a new one while
//! fewer than [`MAX_WORKERS`] exist (else it queues); a worker idle for [`IDLE_EXIT`] ends.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::Duration;

/// At most this many workers run blocking operations at once.
pub(crate) const MAX_WORKERS: usize = 16;
/// A worker with nothing to do for this long exits.
const IDLE_EXIT: Duration = Duration::from_secs(10);

type Job = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    workers: usize,
    idle: usize,
}

#[derive(Default)]
struct Pool {
    queue: Mutex<Queue>,
    ready: Condvar,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(Pool::default)
}

/// Runs `job` on a worker thread, never on the caller's. If no worker exists and none can
/// be started, the job is dropped (an operation's dropped completer fails its future).
pub(crate) fn run(job: Job) {
    let p = pool();
    let mut q = p.queue.lock().unwrap_or_else(|e| e.into_inner());
    q.jobs.push_back(job);
    if q.idle >= q.jobs.len() {
        drop(q);
        p.ready.notify_one();
        return;
    }
    if q.workers < MAX_WORKERS {
        q.workers += 1;
        drop(q);
        let spawned = std::thread::Builder::new()
            .name("rvirt-blocking".into())
            .spawn(|| worker(pool()));
        if spawned.is_err() {
            let mut q = pool().queue.lock().unwrap_or_else(|e| e.into_inner());
            q.workers -= 1;
            let lost = if q.workers == 0 {
                std::mem::take(&mut q.jobs)
            } else {
                VecDeque::new()
            };
            drop(q);
            drop(lost);
        }
    }
}

fn worker(p: &'static Pool) {
    let mut q = p.queue.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        if let Some(job) = q.jobs.pop_front() {
            drop(q);
            job();
            q = p.queue.lock().unwrap_or_else(|e| e.into_inner());
            continue;
        }
        q.idle += 1;
        let (guard, waited) = p
            .ready
            .wait_timeout(q, IDLE_EXIT)
            .unwrap_or_else(|e| e.into_inner());
        q = guard;
        q.idle -= 1;
        if waited.timed_out() && q.jobs.is_empty() {
            q.workers -= 1;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn jobs_run_off_the_caller_thread_and_in_parallel() {
        let caller = std::thread::current().id();
        let (tx, rx) = mpsc::channel();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
        for _ in 0..4 {
            let tx = tx.clone();
            let b = barrier.clone();
            // Four jobs that wait for each other finish only if they run at once.
            run(Box::new(move || {
                b.wait();
                tx.send(std::thread::current().id()).unwrap();
            }));
        }
        for _ in 0..4 {
            let id = rx.recv_timeout(Duration::from_secs(5)).unwrap();
            assert_ne!(id, caller);
        }
    }
}
