//! A small pool of std threads executing client calls off the event-loop thread.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of worker threads fed from one queue.
#[derive(Debug)]
pub struct Pool {
    tx: Mutex<Option<Sender<Job>>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Pool {
    /// Starts `n` (at least one) workers.
    pub fn new(n: usize) -> std::io::Result<Arc<Pool>> {
        let (tx, rx) = channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let mut threads = Vec::new();
        for i in 0..n.max(1) {
            let rx = rx.clone();
            threads.push(
                std::thread::Builder::new()
                    .name(format!("rvirtd-worker-{i}"))
                    .spawn(move || worker(&rx))?,
            );
        }
        Ok(Arc::new(Pool {
            tx: Mutex::new(Some(tx)),
            threads: Mutex::new(threads),
        }))
    }

    /// Queues `job`; returns false once the pool is shut down.
    pub fn submit(&self, job: impl FnOnce() + Send + 'static) -> bool {
        let tx = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        match tx.as_ref() {
            Some(tx) => tx.send(Box::new(job)).is_ok(),
            None => false,
        }
    }

    /// Stops accepting jobs and waits for the queued ones to finish.
    pub fn shutdown(&self) {
        self.tx.lock().unwrap_or_else(|p| p.into_inner()).take();
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|p| p.into_inner()));
        for t in threads {
            let _ = t.join();
        }
    }
}

fn worker(rx: &Mutex<Receiver<Job>>) {
    loop {
        let job = {
            let rx = rx.lock().unwrap_or_else(|p| p.into_inner());
            rx.recv()
        };
        match job {
            Ok(job) => {
                if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
                    crate::log!("a call panicked; the worker goes on");
                }
            }
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn runs_jobs_and_shuts_down() {
        let pool = Pool::new(2).unwrap();
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
}
