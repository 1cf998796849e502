//! The remote driver's async calls on the other loops issue 20 names: GLib (futures spawned
//! with `glib::spawn_future_local` on the thread that iterates the main context) and
//! async-io (its `run` future and the calls' futures on `async_io::block_on`). On each, 200 calls complete while a 1 ms timer of the
//! same loop keeps firing, and with rvirtd stopped a call fails with
//! `VIR_ERR_OPERATION_TIMEOUT` after its timeout. rvirtd runs as a process of the test,
//! signalled and killed by pid.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use rvirt_core::event::{EventLoop, SharedLoop, TimerInterval};
use rvirt_core::{Connect, ErrorCode};
use rvirt_testkit::Daemon;

const CALLS: usize = 200;

fn signal(pid: i32, sig: i32) {
    // SAFETY: kill(2) on the pid of a child this test started and has not reaped.
    let rc = unsafe { libc::kill(pid, sig) };
    assert_eq!(rc, 0, "kill({pid}, {sig})");
}

/// CALLS calls in turn, then (rvirtd stopped meanwhile by `stop`) one that times out;
/// returns how long the timed-out call took.
async fn probe(conn: Connect, stop: impl FnOnce()) -> Duration {
    let dom = conn.lookup_domain_by_name_async("test").await.unwrap();
    for i in 0..CALLS {
        if i % 2 == 0 {
            assert!(dom.state_async().await.unwrap().state().is_active());
        } else {
            assert_eq!(dom.info_async().await.unwrap().nr_virt_cpu, 2);
        }
    }
    stop();
    let t0 = Instant::now();
    let e = dom
        .info_async()
        .timeout(Duration::from_millis(200))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationTimeout, "{e}");
    t0.elapsed()
}

fn open(daemon: &Daemon, ev: SharedLoop) -> Connect {
    rvirt_driver_remote::register().unwrap();
    Connect::open_with_loop(&daemon.uri(), ev).unwrap()
}

#[test]
fn glib_spawn_future_local() {
    let daemon = Daemon::start("async-glib");
    let ctx = glib::MainContext::new();
    let conn = open(&daemon, rvirt_glib::GlibLoop::new(ctx.clone()).shared());
    let main_loop = glib::MainLoop::new(Some(&ctx), false);
    let took = Rc::new(RefCell::new(None));
    let ticks = Arc::new(AtomicU32::new(0));
    let ticks_at_stop = Arc::new(AtomicU32::new(0));
    ctx.with_thread_default(|| {
        // Sources on `ctx` itself (`timeout_add_local` would use the global default
        // context).
        let tick = ticks.clone();
        let ticker = glib::timeout_source_new(
            Duration::from_millis(1),
            None,
            glib::Priority::DEFAULT,
            move || {
                tick.fetch_add(1, Ordering::SeqCst);
                glib::ControlFlow::Continue
            },
        );
        ticker.attach(Some(&ctx));
        let (l, t, pid) = (main_loop.clone(), took.clone(), daemon.pid());
        let (now, at_stop) = (ticks.clone(), ticks_at_stop.clone());
        let stop = move || {
            at_stop.store(now.load(Ordering::SeqCst), Ordering::SeqCst);
            signal(pid, libc::SIGSTOP);
        };
        glib::spawn_future_local(async move {
            *t.borrow_mut() = Some(probe(conn.clone(), stop).await);
            l.quit();
        });
        let l = main_loop.clone();
        let guard = glib::timeout_source_new(
            Duration::from_secs(20),
            None,
            glib::Priority::DEFAULT,
            move || {
                l.quit();
                glib::ControlFlow::Break
            },
        );
        guard.attach(Some(&ctx));
        main_loop.run();
        ticker.destroy();
        guard.destroy();
    })
    .unwrap();
    let took = took.borrow().expect("the probe did not finish");
    let during_timeout = ticks.load(Ordering::SeqCst) - ticks_at_stop.load(Ordering::SeqCst);
    eprintln!("glib: timed out after {took:?}; {during_timeout} ticks of 1 ms meanwhile");
    signal(daemon.pid(), libc::SIGCONT);
    assert!(
        took >= Duration::from_millis(200) && took < Duration::from_secs(2),
        "{took:?}"
    );
    assert!(
        during_timeout >= 50,
        "the main loop did not keep ticking: {during_timeout}"
    );
}

#[test]
fn async_io_block_on() {
    let daemon = Daemon::start("async-asyncio");
    let ev = rvirt_async_io::AsyncIoLoop::new();
    let conn = open(&daemon, ev.shared());
    // A 1 ms timer on the same loop, dispatched by the same `run` future.
    let ticks = Arc::new(AtomicU32::new(0));
    let at_stop = Arc::new(AtomicU32::new(0));
    let tick = ticks.clone();
    let ticker = ev
        .add_timeout(
            TimerInterval::Every(Duration::from_millis(1)),
            Box::new(move |_| {
                tick.fetch_add(1, Ordering::SeqCst);
            }),
        )
        .unwrap();
    let (now, stopped, pid) = (ticks.clone(), at_stop.clone(), daemon.pid());
    let stop = move || {
        stopped.store(now.load(Ordering::SeqCst), Ordering::SeqCst);
        signal(pid, libc::SIGSTOP);
    };
    let probed = probe(conn.clone(), stop);
    let took = async_io::block_on(drive(probed, ev.run(), Duration::from_secs(20)));
    ev.remove_timeout(ticker).unwrap();
    let during_timeout = ticks.load(Ordering::SeqCst) - at_stop.load(Ordering::SeqCst);
    eprintln!("async-io: timed out after {took:?}; {during_timeout} ticks of 1 ms meanwhile");
    // The last handle dropped while rvirtd is still stopped: closing gives up on the
    // daemon's CONNECT_CLOSE reply after 2 s instead of waiting for ever.
    let t0 = Instant::now();
    drop(conn);
    let closing = t0.elapsed();
    signal(daemon.pid(), libc::SIGCONT);
    eprintln!("async-io: closing with rvirtd stopped took {closing:?}");
    assert!(
        took >= Duration::from_millis(200) && took < Duration::from_secs(2),
        "{took:?}"
    );
    assert!(
        during_timeout >= 50,
        "the loop did not keep ticking: {during_timeout}"
    );
    assert!(
        closing >= Duration::from_secs(2) && closing < Duration::from_secs(4),
        "closing took {closing:?}"
    );
}

/// `fut`, with the loop's `run` future polled alongside on the same task; a panic after
/// `limit` (async-io's `Timer`, no extra crate).
async fn drive<T>(
    fut: impl std::future::Future<Output = T>,
    run: impl std::future::Future,
    limit: Duration,
) -> T {
    let mut fut = std::pin::pin!(fut);
    let mut run = std::pin::pin!(run);
    let mut timer = std::pin::pin!(async_io::Timer::after(limit));
    std::future::poll_fn(|cx| {
        let _ = run.as_mut().poll(cx);
        if let std::task::Poll::Ready(v) = fut.as_mut().poll(cx) {
            return std::task::Poll::Ready(v);
        }
        if timer.as_mut().poll(cx).is_ready() {
            panic!("the probe did not finish within {limit:?}");
        }
        std::task::Poll::Pending
    })
    .await
}
