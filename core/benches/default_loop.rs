//! Readiness-dispatch throughput of the default loop.
//!
//! Workload (the same one issue 3's cross-backend benchmark uses): N watches, each on its own
//! fd, each callback consuming what it was told is readable. A round makes every fd readable,
//! then runs loop iterations until every callback has consumed its event. Events/s = events
//! dispatched / wall time. Run: `cargo bench -p rvirt-core --bench default_loop`
//! (optionally `-- pipe 1000 100000` for one configuration: kind, watches, events).

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rvirt_core::event::{DefaultLoop, EventLoop, Interest};

/// The kind of fd behind each watch.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Pipe,
    EventFd,
}

/// One watched fd: where the callback reads and where the bench writes.
struct Source {
    read: OwnedFd,
    write: Option<OwnedFd>,
}

fn make(kind: Kind) -> Source {
    match kind {
        Kind::Pipe => {
            let mut fds = [0; 2];
            // SAFETY: `fds` has room for two descriptors.
            let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) };
            assert_eq!(rc, 0, "pipe2: {}", std::io::Error::last_os_error());
            // SAFETY: fresh descriptors owned by nobody else.
            unsafe {
                Source {
                    read: OwnedFd::from_raw_fd(fds[0]),
                    write: Some(OwnedFd::from_raw_fd(fds[1])),
                }
            }
        }
        Kind::EventFd => {
            // SAFETY: eventfd takes no pointers.
            let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
            assert!(fd >= 0, "eventfd: {}", std::io::Error::last_os_error());
            // SAFETY: a fresh descriptor owned by nobody else.
            let read = unsafe { OwnedFd::from_raw_fd(fd) };
            Source { read, write: None }
        }
    }
}

fn poke(kind: Kind, s: &Source) {
    let fd = s.write.as_ref().unwrap_or(&s.read).as_raw_fd();
    let one: u64 = 1;
    let len = match kind {
        Kind::Pipe => 1,
        Kind::EventFd => 8,
    };
    // SAFETY: writes `len` (≤ 8) bytes from a valid u64.
    let n = unsafe { libc::write(fd, (&one as *const u64).cast(), len) };
    assert_eq!(n, len as isize);
}

fn consume(fd: RawFd) {
    let mut buf = [0u8; 8];
    // SAFETY: reads at most 8 bytes into a valid buffer.
    unsafe { libc::read(fd, buf.as_mut_ptr().cast(), 8) };
}

/// Runs the workload; returns events per second.
fn run(kind: Kind, watches: usize, events: usize) -> f64 {
    let ev = DefaultLoop::new().expect("loop");
    let sources: Vec<Source> = (0..watches).map(|_| make(kind)).collect();
    let done = Arc::new(AtomicUsize::new(0));
    let mut ids = Vec::new();
    for s in &sources {
        let d = done.clone();
        ids.push(
            ev.add_handle(
                s.read.as_raw_fd(),
                Interest::READABLE,
                Box::new(move |_, fd, _| {
                    consume(fd);
                    d.fetch_add(1, Ordering::Relaxed);
                }),
            )
            .expect("add watch"),
        );
    }
    let rounds = events.div_ceil(watches);
    let start = Instant::now();
    for round in 1..=rounds {
        for s in &sources {
            poke(kind, s);
        }
        while done.load(Ordering::Relaxed) < round * watches {
            ev.run_once().expect("iteration");
        }
    }
    let elapsed = start.elapsed();
    for id in ids {
        ev.remove_handle(id).expect("remove");
    }
    (rounds * watches) as f64 / elapsed.as_secs_f64()
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let configs: Vec<(Kind, usize, usize)> = if args.len() == 3 {
        let kind = if args[0] == "pipe" {
            Kind::Pipe
        } else {
            Kind::EventFd
        };
        vec![(kind, args[1].parse().unwrap(), args[2].parse().unwrap())]
    } else {
        vec![
            (Kind::Pipe, 1_000, 100_000),
            (Kind::EventFd, 10, 200_000),
            (Kind::EventFd, 1_000, 200_000),
            (Kind::EventFd, 10_000, 200_000),
        ]
    };
    println!(
        "{:<8} {:>8} {:>9} {:>14}",
        "fd", "watches", "events", "events/s"
    );
    for (kind, watches, events) in configs {
        let rate = run(kind, watches, events);
        let name = match kind {
            Kind::Pipe => "pipe",
            Kind::EventFd => "eventfd",
        };
        println!("{name:<8} {watches:>8} {events:>9} {rate:>14.0}");
    }
}
