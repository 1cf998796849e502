//! Workload 1 written directly against each underlying loop, without rvirt: the "raw loop
//! cost" of issue 3's "every adapter within 1.5x of its own raw loop" criterion.
//!
//! Each baseline is the leanest correct way to write the workload on that loop, with the same
//! eventfds, the same per-event work (one 8-byte read, one [`Counter::hit`]) and the same
//! rounds ([`readiness_rounds`]) as [`crate::drivers::readiness`].

use std::future::{Future, poll_fn};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

#[cfg(feature = "backend-tokio")]
use crate::common::readiness_rounds_on;
use crate::common::{Counter, FdRef, consume, eventfds, readiness_rounds};

/// The raw baseline named `name` (the loop under the rvirt backend of that name), if any.
pub fn readiness(name: &str, watches: usize, events: usize, reps: usize) -> Option<f64> {
    Some(match name {
        "syscalls" => syscalls(watches, events, reps),
        "default" => epoll(watches, events, reps),
        "glib" => glib(watches, events, reps),
        "calloop" => calloop(watches, events, reps),
        "async-io" => async_io(watches, events, reps),
        #[cfg(feature = "backend-mio")]
        "mio" => mio(watches, events, reps),
        #[cfg(feature = "backend-tokio")]
        "tokio-ct" | "tokio-mt" | "tokio-mt-ext" => tokio(name, watches, events, reps),
        _ => return None,
    })
}

/// No loop at all: every round reads each fd right after the pokes, so a round costs the
/// workload's own system calls (one write and one read per event) and nothing else. No loop
/// can deliver the events faster; the figure shows how far any loop is from it.
fn syscalls(watches: usize, events: usize, reps: usize) -> f64 {
    let fds = eventfds(watches);
    let counter = Counter::default();
    readiness_rounds(&fds, &counter, events, reps, &mut |target| {
        for fd in &fds {
            consume(fd.as_raw_fd());
            counter.hit();
        }
        debug_assert!(counter.reached(target));
    })
}

/// Level-triggered epoll, the kernel interface under rvirt's default loop.
fn epoll(watches: usize, events: usize, reps: usize) -> f64 {
    let fds = eventfds(watches);
    let counter = Counter::default();
    // SAFETY: epoll_create1 takes no pointers.
    let ep = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    assert!(
        ep >= 0,
        "epoll_create1: {}",
        std::io::Error::last_os_error()
    );
    // SAFETY: a fresh descriptor owned by nobody else.
    let ep = unsafe { OwnedFd::from_raw_fd(ep) };
    for (i, fd) in fds.iter().enumerate() {
        let mut ev = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: i as u64,
        };
        // SAFETY: `ev` is a valid epoll_event for the duration of the call.
        let rc = unsafe {
            libc::epoll_ctl(ep.as_raw_fd(), libc::EPOLL_CTL_ADD, fd.as_raw_fd(), &mut ev)
        };
        assert_eq!(rc, 0, "epoll_ctl: {}", std::io::Error::last_os_error());
    }
    let raw: Vec<RawFd> = fds.iter().map(AsRawFd::as_raw_fd).collect();
    let mut buf = vec![libc::epoll_event { events: 0, u64: 0 }; 1024];
    readiness_rounds(&fds, &counter, events, reps, &mut |target| {
        while !counter.reached(target) {
            // SAFETY: `buf` has room for `buf.len()` events.
            let n =
                unsafe { libc::epoll_wait(ep.as_raw_fd(), buf.as_mut_ptr(), buf.len() as i32, -1) };
            for e in &buf[..usize::try_from(n).unwrap_or(0)] {
                consume(raw[e.u64 as usize]);
                counter.hit();
            }
        }
    })
}

/// One `g_unix_fd_source_new` source per fd on a private `MainContext`.
fn glib(watches: usize, events: usize, reps: usize) -> f64 {
    let fds = eventfds(watches);
    let counter = Arc::new(Counter::default());
    let ctx = glib::MainContext::new();
    let sources: Vec<glib::Source> = fds
        .iter()
        .map(|fd| {
            let c = counter.clone();
            let src = glib_unix::fd_source_new(
                fd.as_raw_fd(),
                glib::IOCondition::IN,
                None,
                glib::Priority::DEFAULT,
                move |fd, _| {
                    consume(fd);
                    c.hit();
                    glib::ControlFlow::Continue
                },
            );
            src.attach(Some(&ctx));
            src
        })
        .collect();
    let r = readiness_rounds(&fds, &counter, events, reps, &mut |target| {
        while !counter.reached(target) {
            ctx.iteration(true);
        }
    });
    for s in sources {
        s.destroy();
    }
    r
}

/// One calloop `Generic` source per fd, in level mode.
fn calloop(watches: usize, events: usize, reps: usize) -> f64 {
    use calloop::generic::Generic;
    use calloop::{Mode, PostAction};

    let fds = eventfds(watches);
    let counter = Arc::new(Counter::default());
    let mut event_loop: calloop::EventLoop<'static, ()> =
        calloop::EventLoop::try_new().expect("calloop loop");
    let handle = event_loop.handle();
    for fd in &fds {
        let (raw, c) = (fd.as_raw_fd(), counter.clone());
        handle
            .insert_source(
                Generic::new(FdRef(raw), calloop::Interest::READ, Mode::Level),
                move |_, _, _| {
                    consume(raw);
                    c.hit();
                    Ok(PostAction::Continue)
                },
            )
            .expect("insert source");
    }
    let r = readiness_rounds(&fds, &counter, events, reps, &mut |target| {
        while !counter.reached(target) {
            event_loop
                .dispatch(None, &mut ())
                .expect("calloop dispatch");
        }
    });
    drop(event_loop);
    r
}

/// What the raw async-io tasks share with their minimal executor.
#[derive(Default)]
struct ReadyQueue {
    tasks: Mutex<Vec<usize>>,
    executor: Mutex<Option<Waker>>,
}

/// The waker of one task: queues it and wakes the executor.
struct TaskWaker {
    task: usize,
    queue: Arc<ReadyQueue>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.queue.tasks.lock().expect("queue").push(self.task);
        if let Some(w) = self.queue.executor.lock().expect("queue").as_ref() {
            w.wake_by_ref();
        }
    }
}

/// One task per fd looping on `Async::readable()`, run by a minimal executor inside
/// `async_io::block_on` (async-io brings a reactor, not an executor).
fn async_io(watches: usize, events: usize, reps: usize) -> f64 {
    let fds = eventfds(watches);
    let counter = Arc::new(Counter::default());
    let queue = Arc::new(ReadyQueue::default());
    let mut tasks: Vec<Pin<Box<dyn Future<Output = ()>>>> = Vec::with_capacity(watches);
    let mut wakers = Vec::with_capacity(watches);
    for (i, fd) in fds.iter().enumerate() {
        let raw = fd.as_raw_fd();
        let source = async_io::Async::new_nonblocking(FdRef(raw)).expect("async-io register");
        let c = counter.clone();
        tasks.push(Box::pin(async move {
            loop {
                source.readable().await.expect("readable");
                consume(raw);
                c.hit();
            }
        }));
        wakers.push(Waker::from(Arc::new(TaskWaker {
            task: i,
            queue: queue.clone(),
        })));
    }
    *queue.tasks.lock().expect("queue") = (0..watches).collect();
    let r = readiness_rounds(&fds, &counter, events, reps, &mut |target| {
        async_io::block_on(poll_fn(|cx| {
            {
                let mut w = queue.executor.lock().expect("queue");
                if !w.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    *w = Some(cx.waker().clone());
                }
            }
            loop {
                let batch = std::mem::take(&mut *queue.tasks.lock().expect("queue"));
                if batch.is_empty() {
                    break;
                }
                for i in batch {
                    let _ = tasks[i].as_mut().poll(&mut Context::from_waker(&wakers[i]));
                }
            }
            if counter.reached(target) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }));
    });
    drop(tasks);
    r
}

/// A mio `Poll` with every fd registered (edge-triggered) under its own token.
#[cfg(feature = "backend-mio")]
fn mio(watches: usize, events: usize, reps: usize) -> f64 {
    use mio::unix::SourceFd;
    use mio::{Events, Poll, Token};

    let fds = eventfds(watches);
    let counter = Counter::default();
    let mut poll = Poll::new().expect("mio poll");
    let raw: Vec<RawFd> = fds.iter().map(AsRawFd::as_raw_fd).collect();
    for (i, fd) in raw.iter().enumerate() {
        poll.registry()
            .register(&mut SourceFd(fd), Token(i), mio::Interest::READABLE)
            .expect("mio register");
    }
    let mut mio_events = Events::with_capacity(1024);
    let r = readiness_rounds(&fds, &counter, events, reps, &mut |target| {
        while !counter.reached(target) {
            poll.poll(&mut mio_events, None).expect("mio poll");
            for e in mio_events.iter() {
                consume(raw[e.token().0]);
                counter.hit();
            }
        }
    });
    for fd in &raw {
        poll.registry()
            .deregister(&mut SourceFd(fd))
            .expect("mio deregister");
    }
    r
}

/// One task per fd awaiting `AsyncFd::readable()`; the runtime is built here so that it (and
/// its tasks) goes away before the fds close.
#[cfg(feature = "backend-tokio")]
fn tokio(flavor: &str, watches: usize, events: usize, reps: usize) -> f64 {
    use tokio::io::unix::AsyncFd;

    let fds = eventfds(watches);
    let counter = Arc::new(Counter::default());
    let rt = crate::drivers::tokio_rt::runtime(flavor).expect("tokio flavour");
    {
        let _runtime = rt.enter();
        for fd in &fds {
            let raw = fd.as_raw_fd();
            // SAFETY: `fds` outlives the runtime (shut down below, before `fds` is dropped)
            // and with it every task owning an `AsyncFd`; an `FdRef` always returns the same
            // fd number.
            let afd = unsafe {
                AsyncFd::register_with_interest(FdRef(raw), tokio::io::Interest::READABLE)
            }
            .expect("AsyncFd");
            let c = counter.clone();
            tokio::spawn(async move {
                loop {
                    let mut guard = afd.readable().await.expect("readable");
                    consume(raw);
                    c.hit();
                    // One read empties an eventfd; tokio's readiness tick keeps an edge that
                    // arrived since `readable()` from being cleared here.
                    guard.clear_ready();
                }
            });
        }
    }
    let outside = crate::drivers::tokio_rt::from_outside(flavor);
    let (r, fds) = readiness_rounds_on(&rt, outside, fds, counter, events, reps);
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    drop(fds);
    r
}
