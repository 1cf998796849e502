//! A server's worker pool: std threads executing client calls off the event-loop
//! thread, sized the way libvirt sizes its pools (`virThreadPool`): it starts with
//! `min` workers and grows by one, up to `max`, whenever a job arrives and no idle
//! worker is left for it; lowering `max` makes the surplus workers exit once they are
//! idle. There are no priority calls, hence no priority workers. The figures and
//! bounds are what libvirt's admin procedures SERVER_GET/SET_THREADPOOL_PARAMETERS
//! report and change.

use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crate::log::log;

type Job = Box<dyn FnOnce() + Send>;

/// Most workers a pool may have. libvirt sets no bound, but a thread costs a stack and
/// kernel resources, and a pool told to start 100,000 ends the process when thread
/// creation fails deep in the runtime; a request above this is refused instead.
pub const MAX_WORKERS: usize = 1000;

/// A pool of worker threads fed from one queue.
#[derive(Debug)]
pub struct Pool {
    inner: Arc<Inner>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

struct Inner {
    name: String,
    state: Mutex<State>,
    work: Condvar,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner").field("name", &self.name).finish()
    }
}

struct State {
    queue: VecDeque<Job>,
    min: usize,
    max: usize,
    workers: usize,
    free: usize,
    spawned: usize,
    quit: bool,
}

/// A snapshot of a pool's bounds and activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolStats {
    /// Workers kept even when idle.
    pub min_workers: usize,
    /// Most workers the pool grows to.
    pub max_workers: usize,
    /// Workers alive now.
    pub workers: usize,
    /// Workers waiting for a job.
    pub free_workers: usize,
    /// Jobs waiting for a worker.
    pub queue_depth: usize,
}

/// Why new bounds were refused (nothing was changed).
#[derive(Debug)]
pub enum PoolError {
    /// The minimum would exceed the maximum.
    MinAboveMax,
    /// The maximum would be 0: a pool cannot be switched off.
    ZeroMax,
    /// A bound above [`MAX_WORKERS`].
    TooMany(usize),
    /// A new worker thread could not be started.
    Spawn(io::Error),
}

impl Pool {
    /// Starts a pool with `min` workers (threads named `NAME-N`) that grows up
    /// to `max` (at least 1 and at least `min`).
    pub fn new(name: &str, min: usize, max: usize) -> io::Result<Arc<Pool>> {
        let pool = Arc::new(Pool {
            inner: Arc::new(Inner {
                name: name.to_string(),
                state: Mutex::new(State {
                    queue: VecDeque::new(),
                    min,
                    max: max.max(min).max(1),
                    workers: 0,
                    free: 0,
                    spawned: 0,
                    quit: false,
                }),
                work: Condvar::new(),
            }),
            threads: Mutex::new(Vec::new()),
        });
        {
            let mut st = pool.inner.lock();
            for _ in 0..min {
                pool.spawn(&mut st)?;
            }
        }
        Ok(pool)
    }

    /// Queues `job`, starting a worker for it if none is idle and the pool may grow.
    /// Returns false once the pool is shut down (or if it has no worker and none can
    /// be started).
    pub fn submit(&self, job: impl FnOnce() + Send + 'static) -> bool {
        let mut st = self.inner.lock();
        if st.quit {
            return false;
        }
        if st.free <= st.queue.len()
            && st.workers < st.max
            && let Err(e) = self.spawn(&mut st)
        {
            log!("{} pool: cannot start a worker: {e}", self.inner.name);
            if st.workers == 0 {
                return false;
            }
        }
        st.queue.push_back(Box::new(job));
        self.inner.work.notify_one();
        true
    }

    /// The pool's bounds and activity right now.
    pub fn stats(&self) -> PoolStats {
        let st = self.inner.lock();
        PoolStats {
            min_workers: st.min,
            max_workers: st.max,
            workers: st.workers,
            free_workers: st.free,
            queue_depth: st.queue.len(),
        }
    }

    /// Changes the bounds (`None` keeps one): a higher minimum starts workers at once,
    /// a lower maximum lets the surplus exit when idle. Checked as libvirt checks them
    /// (`virThreadPoolSetParameters`): the minimum may not exceed the maximum, and the
    /// maximum may not become 0.
    pub fn set_bounds(&self, min: Option<usize>, max: Option<usize>) -> Result<(), PoolError> {
        if let Some(n) = [min, max].into_iter().flatten().find(|&n| n > MAX_WORKERS) {
            return Err(PoolError::TooMany(n));
        }
        let mut st = self.inner.lock();
        if min.unwrap_or(st.min) > max.unwrap_or(st.max) {
            return Err(PoolError::MinAboveMax);
        }
        if max == Some(0) {
            return Err(PoolError::ZeroMax);
        }
        if let Some(min) = min {
            while st.workers < min {
                self.spawn(&mut st).map_err(PoolError::Spawn)?;
            }
            st.min = min;
        }
        if let Some(max) = max {
            st.max = max;
            self.inner.work.notify_all();
        }
        Ok(())
    }

    /// Stops accepting jobs and waits for the queued ones to finish.
    pub fn shutdown(&self) {
        self.inner.lock().quit = true;
        self.inner.work.notify_all();
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|p| p.into_inner()));
        for t in threads {
            let _ = t.join();
        }
    }

    /// Starts one worker (the state lock is held by the caller).
    fn spawn(&self, st: &mut State) -> io::Result<()> {
        let inner = self.inner.clone();
        let handle = std::thread::Builder::new()
            .name(format!("{}-{}", self.inner.name, st.spawned))
            .spawn(move || worker(&inner))?;
        st.workers += 1;
        st.spawned += 1;
        let mut threads = self.threads.lock().unwrap_or_else(|p| p.into_inner());
        threads.retain(|t| !t.is_finished());
        threads.push(handle);
        Ok(())
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn worker(inner: &Inner) {
    let mut st = inner.lock();
    loop {
        if let Some(job) = st.queue.pop_front() {
            drop(st);
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
                log!("a call panicked; the worker goes on");
            }
            st = inner.lock();
            continue;
        }
        if st.quit || st.workers > st.max {
            st.workers -= 1;
            return;
        }
        st.free += 1;
        st = inner.work.wait(st).unwrap_or_else(|p| p.into_inner());
        st.free -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc::channel;
    use std::time::{Duration, Instant};

    fn wait_for(pool: &Pool, what: impl Fn(&PoolStats) -> bool) -> PoolStats {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let s = pool.stats();
            if what(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "pool never got there: {s:?}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn runs_jobs_and_shuts_down() {
        let pool = Pool::new("t", 2, 2).unwrap();
        let n = Arc::new(AtomicUsize::new(0));
        for _ in 0..10 {
            let n = n.clone();
            assert!(pool.submit(move || {
                n.fetch_add(1, Ordering::SeqCst);
            }));
        }
        pool.shutdown();
        assert_eq!(n.load(Ordering::SeqCst), 10);
        assert!(!pool.submit(|| {}));
    }

    #[test]
    fn grows_to_max_and_shrinks_when_max_drops() {
        let pool = Pool::new("g", 1, 3).unwrap();
        wait_for(&pool, |s| s.workers == 1 && s.free_workers == 1);
        let (release, gate) = channel::<()>();
        let gate = Arc::new(Mutex::new(gate));
        for _ in 0..4 {
            let gate = gate.clone();
            pool.submit(move || {
                let _ = gate.lock().unwrap().recv();
            });
        }
        // Three workers busy (one holds the gate's lock, two wait for it), one job queued.
        let s = wait_for(&pool, |s| s.workers == 3 && s.queue_depth <= 1);
        assert_eq!((s.min_workers, s.max_workers), (1, 3));
        for _ in 0..4 {
            release.send(()).unwrap();
        }
        wait_for(&pool, |s| s.free_workers == 3 && s.queue_depth == 0);

        pool.set_bounds(None, Some(1)).unwrap();
        wait_for(&pool, |s| s.workers == 1);
        pool.set_bounds(Some(2), Some(2)).unwrap();
        assert_eq!(pool.stats().workers, 2);
        assert!(matches!(
            pool.set_bounds(Some(5), None),
            Err(PoolError::MinAboveMax)
        ));
        assert!(matches!(
            pool.set_bounds(Some(0), Some(0)),
            Err(PoolError::ZeroMax)
        ));
        assert!(matches!(
            pool.set_bounds(Some(100_000), Some(100_000)),
            Err(PoolError::TooMany(100_000))
        ));
        assert!(matches!(
            pool.set_bounds(None, Some(MAX_WORKERS + 1)),
            Err(PoolError::TooMany(_))
        ));
        let s = pool.stats();
        assert_eq!((s.min_workers, s.max_workers), (2, 2));
        pool.shutdown();
        assert_eq!(pool.stats().workers, 0);
    }
}
