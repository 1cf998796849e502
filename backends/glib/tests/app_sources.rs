//! [`GlibLoop`] next to the application's own GSources on the same context: watches on fds
//! the application also watches, and the loop-thread check.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use glib::{ControlFlow, IOCondition, MainContext, Priority, Source};
use rvirt_core::event::{EventLoop, EventLoopExt, Interest};
use rvirt_glib::GlibLoop;

const PATIENCE: Duration = Duration::from_secs(5);

fn eventfd() -> OwnedFd {
    // SAFETY: eventfd takes no pointers; the result is checked.
    let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
    assert!(fd >= 0, "eventfd: {}", std::io::Error::last_os_error());
    // SAFETY: a fresh descriptor nothing else owns.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

fn signal(fd: RawFd) {
    let one: u64 = 1;
    // SAFETY: writes 8 bytes from a valid u64.
    let n = unsafe { libc::write(fd, (&one as *const u64).cast(), 8) };
    assert_eq!(n, 8);
}

fn consume(fd: RawFd) {
    let mut v: u64 = 0;
    // SAFETY: reads at most 8 bytes into a valid u64.
    unsafe { libc::read(fd, (&mut v as *mut u64).cast(), 8) };
}

fn counter() -> (Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let c = Arc::new(AtomicUsize::new(0));
    (c.clone(), c)
}

/// The application's own fd source on `fd` in `ctx`, counting its dispatches, consuming
/// the eventfd's value or not.
fn app_source(ctx: &MainContext, fd: RawFd, count: Arc<AtomicUsize>, consumes: bool) -> Source {
    let src = glib_unix::fd_source_new(
        fd,
        IOCondition::IN,
        None,
        Priority::DEFAULT,
        move |fd, _| {
            if consumes {
                consume(fd);
            }
            count.fetch_add(1, Ordering::SeqCst);
            ControlFlow::Continue
        },
    );
    src.attach(Some(ctx));
    src
}

/// Iterates `ctx` until `done` (false after [`PATIENCE`]).
fn iterate_until(ctx: &MainContext, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        if Instant::now() >= deadline {
            return false;
        }
        ctx.iteration(false);
        std::thread::sleep(Duration::from_micros(200));
    }
    true
}

/// Pending data that nobody reads is reported to the rvirt watch and to the application's
/// source on the same fd, every iteration; each keeps working when the other goes.
#[test]
fn a_watch_and_the_apps_source_on_one_fd_both_see_it_and_outlive_each_other() {
    let ctx = MainContext::new();
    let ev = GlibLoop::new(ctx.clone());
    let fd = eventfd();
    let raw = fd.as_raw_fd();
    signal(raw);
    let (app, app_seen) = counter();
    let (ours, ours_seen) = counter();
    let source = app_source(&ctx, raw, app, false);
    let watch = ev
        .watch_fd(raw, Interest::READABLE, move |_, _, ready| {
            assert_eq!(ready, Interest::READABLE);
            ours.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
    assert!(
        iterate_until(&ctx, || app_seen.load(Ordering::SeqCst) >= 3
            && ours_seen.load(Ordering::SeqCst) >= 3),
        "both must be told of the unread data, again and again (app {}, rvirt {})",
        app_seen.load(Ordering::SeqCst),
        ours_seen.load(Ordering::SeqCst)
    );

    source.destroy();
    let before = ours_seen.load(Ordering::SeqCst);
    assert!(
        iterate_until(&ctx, || ours_seen.load(Ordering::SeqCst) >= before + 3),
        "the watch stopped when the application's source went"
    );

    ev.remove_handle(watch).unwrap();
    let frozen = ours_seen.load(Ordering::SeqCst);
    let (app, app_seen) = counter();
    let source = app_source(&ctx, raw, app, false);
    assert!(
        iterate_until(&ctx, || app_seen.load(Ordering::SeqCst) >= 3),
        "the application's source stopped when the watch went"
    );
    assert_eq!(
        ours_seen.load(Ordering::SeqCst),
        frozen,
        "removed watch ran"
    );
    source.destroy();
}

/// When the application's source (dispatched first) reads the data, the rvirt watch on the
/// same fd is not called for it in the same iteration: it is told what is pending when its
/// turn comes, not what was pending when GLib polled.
#[test]
fn a_watch_is_not_told_of_data_the_apps_source_consumed_first() {
    let ctx = MainContext::new();
    let fd = eventfd();
    let raw = fd.as_raw_fd();
    let (app, app_seen) = counter();
    // Attached before the adapter's source: of two equal priorities, dispatched first.
    let source = app_source(&ctx, raw, app, true);
    let ev = GlibLoop::new(ctx.clone());
    let (ours, ours_seen) = counter();
    ev.watch_fd(raw, Interest::READABLE, move |_, fd, _| {
        consume(fd);
        ours.fetch_add(1, Ordering::SeqCst);
    })
    .unwrap();
    for round in 1..=20 {
        signal(raw);
        assert!(
            iterate_until(&ctx, || app_seen.load(Ordering::SeqCst) >= round),
            "the application's source missed round {round}"
        );
    }
    // Settle: a stale report would come now at the latest.
    for _ in 0..5 {
        ctx.iteration(false);
    }
    assert_eq!(
        ours_seen.load(Ordering::SeqCst),
        0,
        "the watch was called for data already consumed"
    );

    source.destroy();
    signal(raw);
    assert!(
        iterate_until(&ctx, || ours_seen.load(Ordering::SeqCst) == 1),
        "the watch must take over once the application's source is gone"
    );
}

/// `is_loop_thread` is true inside callbacks and on the thread owning the context, false on
/// other threads.
#[test]
fn the_loop_thread_is_the_context_owner() {
    let ctx = MainContext::new();
    let ev = GlibLoop::new(ctx.clone());
    let inside = Arc::new(AtomicBool::new(false));
    let (ev2, seen) = (ev.clone(), inside.clone());
    let fired = Arc::new(AtomicBool::new(false));
    let f = fired.clone();
    let t = ev
        .timer(
            rvirt_core::event::TimerInterval::EveryIteration,
            move |_| {
                seen.store(ev2.is_loop_thread(), Ordering::SeqCst);
                f.store(true, Ordering::SeqCst);
            },
        )
        .unwrap();
    assert!(iterate_until(&ctx, || fired.load(Ordering::SeqCst)));
    assert!(inside.load(Ordering::SeqCst), "false inside a callback");
    ev.remove_timeout(t).unwrap();

    let owner = ctx.acquire().expect("acquire the context");
    assert!(ev.is_loop_thread(), "false on the owning thread");
    let ev2 = ev.clone();
    let elsewhere = std::thread::spawn(move || ev2.is_loop_thread())
        .join()
        .unwrap();
    assert!(!elsewhere, "true on another thread");
    drop(owner);
}
