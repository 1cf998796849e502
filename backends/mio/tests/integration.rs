//! mio-adapter specifics beyond the shared conformance suite: sharing the `Poll` with the
//! application's own sources, and bad or reused fds.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mio::unix::SourceFd;
use mio::{Events, Interest as MioInterest, Poll, Token};
use rvirt_core::event::{EventError, EventLoop, Interest};
use rvirt_mio::{DEFAULT_TOKEN_BASE, MioLoop};

fn eventfd() -> OwnedFd {
    // SAFETY: eventfd takes no pointers; the result is checked below.
    let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
    assert!(fd >= 0, "eventfd: {}", std::io::Error::last_os_error());
    // SAFETY: a fresh descriptor owned by nobody else.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

fn signal(fd: &OwnedFd) {
    let one: u64 = 1;
    // SAFETY: writes 8 bytes from a valid u64.
    let n = unsafe { libc::write(fd.as_raw_fd(), (&one as *const u64).cast(), 8) };
    assert_eq!(n, 8);
}

#[test]
fn application_sources_share_the_poll() {
    let mut poll = Poll::new().unwrap();
    let mut events = Events::with_capacity(64);
    let l = MioLoop::new(poll.registry(), DEFAULT_TOKEN_BASE).unwrap();

    // The application's own source, on a token of its own.
    let app_fd = eventfd();
    let app_token = Token(7);
    poll.registry()
        .register(
            &mut SourceFd(&app_fd.as_raw_fd()),
            app_token,
            MioInterest::READABLE,
        )
        .unwrap();
    // An rvirt watch on another fd.
    let rvirt_fd = eventfd();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let w = l
        .add_handle(
            rvirt_fd.as_raw_fd(),
            Interest::READABLE,
            Box::new(move |_, _, _| {
                c.fetch_add(1, Ordering::SeqCst);
            }),
        )
        .unwrap();
    signal(&app_fd);
    signal(&rvirt_fd);

    let mut app_saw = false;
    for _ in 0..10 {
        let timeout = l.next_timeout().unwrap_or(Duration::from_millis(100));
        poll.poll(&mut events, Some(timeout)).unwrap();
        for ev in events.iter() {
            if !l.owns_token(ev.token()) {
                assert_eq!(ev.token(), app_token);
                app_saw = true;
            }
        }
        l.dispatch(&events).unwrap();
        if app_saw && calls.load(Ordering::SeqCst) >= 1 {
            break;
        }
    }
    assert!(app_saw, "the application's event was delivered to it");
    assert!(calls.load(Ordering::SeqCst) >= 1, "the rvirt watch fired");

    // The application's fd can be watched through the loop too: the loop keeps its fds
    // in an epoll set of its own, so both registrations stand and both see the event.
    let both = Arc::new(AtomicUsize::new(0));
    let b = both.clone();
    let w2 = l
        .add_handle(
            app_fd.as_raw_fd(),
            Interest::READABLE,
            Box::new(move |_, _, _| {
                b.fetch_add(1, Ordering::SeqCst);
            }),
        )
        .unwrap();
    for _ in 0..10 {
        poll.poll(&mut events, Some(Duration::from_millis(100)))
            .unwrap();
        l.dispatch(&events).unwrap();
        if both.load(Ordering::SeqCst) >= 1 {
            break;
        }
    }
    assert!(
        both.load(Ordering::SeqCst) >= 1,
        "the loop's watch on the app's fd fired"
    );
    l.remove_handle(w2).unwrap();
    l.remove_handle(w).unwrap();
}

#[test]
fn bad_fds_are_typed_errors() {
    let poll = Poll::new().unwrap();
    let l = MioLoop::new(poll.registry(), DEFAULT_TOKEN_BASE).unwrap();
    let e = l
        .add_handle(-1, Interest::READABLE, Box::new(|_, _, _| {}))
        .unwrap_err();
    assert!(matches!(e, EventError::BadFd(-1, _)), "{e}");
    let e = l
        .add_handle(19_999, Interest::READABLE, Box::new(|_, _, _| {}))
        .unwrap_err();
    assert!(matches!(e, EventError::BadFd(19_999, _)), "{e}");
    let fd = eventfd();
    let w = l
        .add_handle(fd.as_raw_fd(), Interest::READABLE, Box::new(|_, _, _| {}))
        .unwrap();
    l.remove_handle(w).unwrap();
}

#[test]
fn a_reused_fd_number_can_be_watched_again() {
    let mut poll = Poll::new().unwrap();
    let mut events = Events::with_capacity(64);
    let l = MioLoop::new(poll.registry(), DEFAULT_TOKEN_BASE).unwrap();
    let first = eventfd();
    let raw = first.as_raw_fd();
    let stale = l
        .add_handle(raw, Interest::READABLE, Box::new(|_, _, _| {}))
        .unwrap();
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
    l.run_once(&mut poll, &mut events, Some(Duration::from_millis(50)))
        .unwrap();
    assert!(
        calls.load(Ordering::SeqCst) >= 1,
        "the new file's watch fired"
    );
    l.remove_handle(stale).unwrap();
    l.remove_handle(fresh).unwrap();
}
