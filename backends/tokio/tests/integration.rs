//! tokio-adapter specifics beyond the shared conformance suite.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rvirt_core::event::{EventError, EventLoop, Interest, TimerInterval};
use rvirt_tokio::TokioLoop;

fn eventfd() -> OwnedFd {
    // SAFETY: eventfd takes no pointers; the result is checked below.
    let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
    assert!(fd >= 0, "eventfd: {}", std::io::Error::last_os_error());
    // SAFETY: a fresh descriptor owned by nobody else.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// A watch callback that drains its eventfd and counts its calls in `calls`.
fn counting_reader(calls: &Arc<AtomicUsize>) -> rvirt_core::event::HandleCallback {
    let c = calls.clone();
    Box::new(move |_, fd, _| {
        let mut v = 0u64;
        // SAFETY: reads at most 8 bytes into a valid u64.
        unsafe { libc::read(fd, (&mut v as *mut u64).cast(), 8) };
        c.fetch_add(1, Ordering::SeqCst);
    })
}

/// Makes an eventfd readable.
fn signal(fd: &OwnedFd) {
    let one: u64 = 1;
    // SAFETY: writes 8 bytes from a valid u64.
    let n = unsafe { libc::write(fd.as_raw_fd(), (&one as *const u64).cast(), 8) };
    assert_eq!(n, 8);
}

/// Waits up to 5 s for `calls` to become non-zero.
fn wait_for_a_call(calls: &AtomicUsize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while calls.load(Ordering::SeqCst) == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn two_workers() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn bad_fds_are_typed_errors() {
    let rt = current_thread();
    let l = TokioLoop::new(rt.handle().clone());
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
fn current_takes_the_running_runtime() {
    let rt = current_thread();
    let fired = Arc::new(AtomicUsize::new(0));
    let f = fired.clone();
    rt.block_on(async move {
        let l = TokioLoop::current();
        let t = l
            .add_timeout(
                TimerInterval::EveryIteration,
                Box::new(move |_| {
                    f.fetch_add(1, Ordering::SeqCst);
                }),
            )
            .unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        l.remove_timeout(t).unwrap();
    });
    assert!(fired.load(Ordering::SeqCst) >= 1);
}

#[test]
fn held_callbacks_wait_and_nothing_is_lost() {
    let rt = two_workers();
    let l = TokioLoop::new(rt.handle().clone());
    let fd = eventfd();
    let calls = Arc::new(AtomicUsize::new(0));
    let hold = l.blocking_hold_callbacks();
    let w = l
        .add_handle(fd.as_raw_fd(), Interest::READABLE, counting_reader(&calls))
        .unwrap();
    signal(&fd);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(calls.load(Ordering::SeqCst), 0, "dispatched while held");
    drop(hold);
    wait_for_a_call(&calls);
    assert_eq!(calls.load(Ordering::SeqCst), 1, "dispatched once released");
    l.remove_handle(w).unwrap();
}

#[test]
fn a_panicking_callback_does_not_stop_the_other_watches() {
    let rt = two_workers();
    let l = TokioLoop::new(rt.handle().clone());
    let (bad, good) = (eventfd(), eventfd());
    let w_bad = l
        .add_handle(
            bad.as_raw_fd(),
            Interest::READABLE,
            Box::new(|_, _, _| panic!("a callback panics (expected by this test)")),
        )
        .unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let w_good = l
        .add_handle(
            good.as_raw_fd(),
            Interest::READABLE,
            counting_reader(&calls),
        )
        .unwrap();
    signal(&bad);
    std::thread::sleep(Duration::from_millis(50));
    signal(&good);
    wait_for_a_call(&calls);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the other watch is still served"
    );
    l.remove_handle(w_bad).unwrap();
    l.remove_handle(w_good).unwrap();
}

/// Timers ride on the epoll set (a timerfd), not on `tokio::time`: they fire on a runtime
/// that has only its I/O driver, which the millisecond timer wheel would need.
#[test]
fn timers_need_only_the_io_driver() {
    for multi_thread in [false, true] {
        let rt = if multi_thread {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_io()
                .build()
        } else {
            tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
        }
        .unwrap();
        let l = TokioLoop::new(rt.handle().clone());
        let (periodic, every) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let p = periodic.clone();
        let t1 = l
            .add_timeout(
                TimerInterval::from_millis(5),
                Box::new(move |_| {
                    p.fetch_add(1, Ordering::SeqCst);
                }),
            )
            .unwrap();
        let e = every.clone();
        let t2 = l
            .add_timeout(
                TimerInterval::EveryIteration,
                Box::new(move |_| {
                    e.fetch_add(1, Ordering::SeqCst);
                }),
            )
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        rt.block_on(async {
            while (periodic.load(Ordering::SeqCst) < 3 || every.load(Ordering::SeqCst) < 3)
                && std::time::Instant::now() < deadline
            {
                tokio::task::yield_now().await;
            }
        });
        assert!(
            periodic.load(Ordering::SeqCst) >= 3 && every.load(Ordering::SeqCst) >= 3,
            "timers on an I/O-only runtime (multi-thread: {multi_thread}): periodic fired {}, \
             every-iteration {}",
            periodic.load(Ordering::SeqCst),
            every.load(Ordering::SeqCst)
        );
        l.remove_timeout(t1).unwrap();
        l.remove_timeout(t2).unwrap();
    }
}

/// On a multi-thread runtime, a task woken by the callbacks of a busy period (it sits in the
/// dispatching worker's LIFO slot) and then kept busy does not hold back the next callbacks:
/// another worker serves the set meanwhile. Which worker parks on the reactor differs from
/// one runtime to the next, so the scene is played on several fresh runtimes.
///
/// The hand-over relies on tokio waking the idle worker, which its scheduler does on a best
/// effort basis: on a machine loaded by other processes a wake-up is now and then missed
/// (none in 50 scenes here under two CPU hogs, one in a CI run), and that scene's callback
/// waits for the busy task as every scene's did before the hand-over. So most scenes, not
/// all, must see the callback served at once.
#[test]
fn a_busy_woken_task_does_not_hold_back_the_next_callbacks() {
    const HOG: Duration = Duration::from_millis(500);
    const SCENES: usize = 5;
    let waits: Vec<Duration> = (0..SCENES).map(|_| late_callback_delay(HOG)).collect();
    let prompt = waits.iter().filter(|w| **w < HOG / 3).count();
    assert!(
        prompt >= 3,
        "the callbacks waited {waits:?} for the busy task ({HOG:?}) to finish"
    );
}

/// Plays one scene on a fresh two-worker runtime: the callbacks of 100 ready eventfds wake a
/// task that then spins for `hog`; how long does the callback of an fd made readable
/// meanwhile wait?
fn late_callback_delay(hog: Duration) -> Duration {
    const FDS: usize = 100;
    let rt = two_workers();
    let l = TokioLoop::new(rt.handle().clone());
    let wake_hog = Arc::new(tokio::sync::Notify::new());
    let hog_started = Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let (wake_hog, hog_started) = (wake_hog.clone(), hog_started.clone());
        rt.spawn(async move {
            wake_hog.notified().await;
            hog_started.store(true, Ordering::SeqCst);
            // CPU-bound work with no await: it keeps its worker until it is done.
            let until = std::time::Instant::now() + hog;
            while std::time::Instant::now() < until {
                std::hint::spin_loop();
            }
        });
    }
    std::thread::sleep(Duration::from_millis(20));
    let fds: Vec<OwnedFd> = (0..FDS).map(|_| eventfd()).collect();
    let served = Arc::new(AtomicUsize::new(0));
    let watches: Vec<_> = fds
        .iter()
        .map(|fd| {
            let (served, wake_hog) = (served.clone(), wake_hog.clone());
            let mut read = counting_reader(&served);
            l.add_handle(
                fd.as_raw_fd(),
                Interest::READABLE,
                Box::new(move |w, fd, ev| {
                    read(w, fd, ev);
                    if served.load(Ordering::SeqCst) == FDS {
                        wake_hog.notify_one();
                    }
                }),
            )
            .unwrap()
        })
        .collect();
    let late = eventfd();
    let late_calls = Arc::new(AtomicUsize::new(0));
    let late_watch = l
        .add_handle(
            late.as_raw_fd(),
            Interest::READABLE,
            counting_reader(&late_calls),
        )
        .unwrap();
    fds.iter().for_each(signal);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !hog_started.load(Ordering::SeqCst) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(
        hog_started.load(Ordering::SeqCst),
        "the busy period's callbacks ran"
    );
    std::thread::sleep(Duration::from_millis(10));
    let poked = std::time::Instant::now();
    signal(&late);
    wait_for_a_call(&late_calls);
    let waited = poked.elapsed();
    assert_eq!(late_calls.load(Ordering::SeqCst), 1);
    for w in watches {
        l.remove_handle(w).unwrap();
    }
    l.remove_handle(late_watch).unwrap();
    rt.shutdown_timeout(Duration::from_secs(2));
    waited
}
