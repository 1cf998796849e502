//! A thread that lives as long as the process, for forking children that must die
//! with the process and only with it.
//!
//! Linux sends the parent-death signal (`PR_SET_PDEATHSIG`) when the *thread* that
//! forked the child exits, not the process. A guest started with
//! `VIR_DOMAIN_START_AUTODESTROY` from a short-lived thread (a worker of a pool, an
//! application's own thread) would die with that thread; forked here it dies exactly
//! when the process does.

use std::sync::mpsc::{Sender, channel};
use std::sync::{Mutex, OnceLock};

type Work = Box<dyn FnOnce() + Send>;

/// Runs `work` on the keeper thread (started on first use, never ending) and returns
/// its result. Falls back to the calling thread if the keeper cannot be started.
pub(crate) fn on_keeper<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    static KEEPER: OnceLock<Option<Mutex<Sender<Work>>>> = OnceLock::new();
    let keeper = KEEPER.get_or_init(|| {
        let (tx, rx) = channel::<Work>();
        std::thread::Builder::new()
            .name("rvirt-qemu-keeper".into())
            .spawn(move || {
                for work in rx {
                    work();
                }
            })
            .ok()
            .map(|_| Mutex::new(tx))
    });
    let Some(keeper) = keeper else {
        return work();
    };
    let (done_tx, done_rx) = channel();
    let job: Work = Box::new(move || {
        let _ = done_tx.send(work());
    });
    let sent = keeper.lock().unwrap_or_else(|p| p.into_inner()).send(job);
    if let Err(unsent) = sent {
        // The keeper ended (a job panicked on it): run here instead.
        (unsent.0)();
    }
    done_rx
        .recv()
        .expect("the work ran to its end without panicking")
}

#[cfg(test)]
mod tests {
    use super::on_keeper;

    #[test]
    fn work_runs_on_one_long_lived_thread_and_returns_its_result() {
        let a = on_keeper(|| std::thread::current().id());
        let b = std::thread::spawn(|| on_keeper(|| std::thread::current().id()))
            .join()
            .unwrap();
        assert_eq!(a, b);
        assert_ne!(a, std::thread::current().id());
        assert_eq!(on_keeper(|| 6 * 7), 42);
    }
}
