//! Default-loop specifics beyond the shared conformance suite.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rvirt_core::event::{DefaultLoop, EventError, EventLoop, Interest};

fn eventfd() -> OwnedFd {
    // SAFETY: eventfd takes no pointers; the result is checked.
    let fd = unsafe { libc::eventfd(1, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
    assert!(fd >= 0);
    // SAFETY: a fresh descriptor owned by nobody else.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

#[test]
fn bad_fds_are_typed_errors() {
    let l = DefaultLoop::new().unwrap();
    let e = l
        .add_handle(-1, Interest::READABLE, Box::new(|_, _, _| {}))
        .unwrap_err();
    assert!(matches!(e, EventError::BadFd(-1, _)), "{e}");
    // A number far above anything open.
    let e = l
        .add_handle(19_999, Interest::READABLE, Box::new(|_, _, _| {}))
        .unwrap_err();
    assert!(matches!(e, EventError::BadFd(19_999, _)), "{e}");
    // The failed adds left nothing behind: the next id still works and starts fresh.
    let fd = eventfd();
    let w = l
        .add_handle(fd.as_raw_fd(), Interest::READABLE, Box::new(|_, _, _| {}))
        .unwrap();
    l.remove_handle(w).unwrap();
}

#[test]
fn a_reused_fd_number_can_be_watched_again() {
    let l = DefaultLoop::new().unwrap();
    let first = eventfd();
    let raw = first.as_raw_fd();
    let stale = l
        .add_handle(raw, Interest::NONE, Box::new(|_, _, _| {}))
        .unwrap();
    l.update_handle(stale, Interest::READABLE).unwrap();
    // The owner closes the fd without removing the watch and the number is reused by
    // another file: dup2 does both atomically, so parallel tests cannot take the number.
    let second = eventfd();
    // SAFETY: both are open descriptors we own; dup2 replaces the file behind `raw`,
    // which `first` keeps owning (and closes at the end).
    let rc = unsafe { libc::dup2(second.as_raw_fd(), raw) };
    assert_eq!(rc, raw, "dup2: {}", std::io::Error::last_os_error());
    drop(second);
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let fresh = l
        .add_handle(
            raw,
            Interest::WRITABLE,
            Box::new(move |_, _, _| {
                c.fetch_add(1, Ordering::SeqCst);
            }),
        )
        .expect("watching a reused fd number");
    l.run_once_timeout(Duration::from_millis(50)).unwrap();
    assert!(
        calls.load(Ordering::SeqCst) >= 1,
        "the new file's watch fired"
    );
    l.remove_handle(stale).unwrap();
    l.remove_handle(fresh).unwrap();
}

/// `quit` from another thread always ends `run`, whenever it lands: also between `run`'s
/// check of the flag and the iteration's sleep (a race that once left `run` asleep).
#[test]
fn quit_from_another_thread_always_ends_run() {
    for round in 0..2000 {
        let l = DefaultLoop::new().unwrap();
        let runner = l.clone();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            runner.run().unwrap();
            let _ = done_tx.send(());
        });
        // Land the quit at different points of the loop's start.
        for _ in 0..(round % 50) {
            std::hint::spin_loop();
        }
        l.quit();
        assert!(
            done_rx.recv_timeout(Duration::from_secs(5)).is_ok(),
            "round {round}: run did not return after quit"
        );
        thread.join().unwrap();
    }
}
