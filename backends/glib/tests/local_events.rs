//! `LocalEvents`: a `!Send` callback (capturing `Rc<RefCell<…>>`) receives test-driver
//! lifecycle events on a real `glib::MainLoop`, on the thread that registered it.

use std::cell::RefCell;
use std::rc::Rc;
use std::thread;
use std::time::Duration;

use rvirt_core::{Connect, DomainEvent, DomainEventId};
use rvirt_glib::{GlibLoop, LocalEvents};

fn open(ctx: &glib::MainContext) -> Connect {
    rvirt_driver_test::register().unwrap();
    Connect::open_with_loop("test:///default", GlibLoop::new(ctx.clone()).shared()).unwrap()
}

#[test]
fn rc_callback_runs_on_the_main_loop_thread() {
    let ctx = glib::MainContext::new();
    let main_loop = glib::MainLoop::new(Some(&ctx), false);
    let conn = open(&ctx);
    let me = thread::current().id();

    // `Rc<RefCell<…>>`: this compiles only because the closure need not be `Send`.
    let seen: Rc<RefCell<Vec<(i32, i32)>>> = Rc::new(RefCell::new(Vec::new()));
    let id = {
        let seen = seen.clone();
        let main_loop = main_loop.clone();
        conn.domain_event_register_local(&ctx, None, DomainEventId::Lifecycle, move |dom, ev| {
            assert_eq!(thread::current().id(), me, "callback off the loop thread");
            assert_eq!(dom.name(), "test");
            if let DomainEvent::Lifecycle(lc) = ev {
                seen.borrow_mut().push((lc.event_raw(), lc.detail_raw()));
            }
            if seen.borrow().len() == 2 {
                main_loop.quit();
            }
        })
        .unwrap()
    };

    // Events raised on another thread while the main loop sleeps in poll.
    let worker = {
        let conn = conn.clone();
        thread::spawn(move || {
            let dom = conn.lookup_domain_by_name("test").unwrap();
            dom.suspend().unwrap();
            dom.resume().unwrap();
        })
    };
    let guard = {
        let main_loop = main_loop.clone();
        glib::timeout_source_new(
            Duration::from_secs(10),
            None,
            glib::Priority::DEFAULT,
            move || {
                main_loop.quit();
                glib::ControlFlow::Break
            },
        )
    };
    guard.attach(Some(&ctx));
    main_loop.run();
    worker.join().unwrap();
    guard.destroy();

    // Suspended Paused, Resumed Unpaused.
    assert_eq!(*seen.borrow(), vec![(3, 0), (4, 0)]);
    conn.domain_event_deregister_any(id).unwrap();
    // Deregistered: the callback (and its clone of `seen`) is gone.
    while ctx.iteration(false) {}
    assert_eq!(Rc::strong_count(&seen), 1);
}

#[test]
fn registering_from_a_thread_that_cannot_own_the_context_fails() {
    let ctx = glib::MainContext::new();
    let conn = open(&ctx);
    let _owned = ctx.acquire().unwrap();
    let err = thread::scope(|s| {
        s.spawn(|| {
            conn.domain_event_register_local(&ctx, None, DomainEventId::Lifecycle, |_, _| {})
                .unwrap_err()
        })
        .join()
        .unwrap()
    });
    assert_eq!(err.code(), rvirt_core::ErrorCode::InternalError);
    assert!(
        err.message().contains("owned by another thread"),
        "{}",
        err.message()
    );
}
