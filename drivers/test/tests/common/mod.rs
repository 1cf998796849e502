//! Helpers shared by the test driver's integration tests.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, DomainEvent, DomainEventId, ErrorCode, Result};

/// Registers the driver and opens `uri` on a fresh explicit loop.
pub fn open(uri: &str) -> (DefaultLoop, Connect) {
    rvirt_driver_test::register().expect("register");
    let l = DefaultLoop::new().expect("loop");
    let c = Connect::open_with_loop(uri, l.shared()).expect("open");
    (l, c)
}

/// A name unique in this process (tests share test:///default).
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Minimal domain XML.
pub fn xml(name: &str) -> String {
    format!(
        "<domain type='test'><name>{name}</name><memory>8192</memory><os><type>hvm</type></os></domain>"
    )
}

/// Minimal domain XML with a fixed UUID.
pub fn xml_uuid(name: &str, uuid: &str, mem: u64) -> String {
    format!(
        "<domain type='test'><name>{name}</name><uuid>{uuid}</uuid><memory>{mem}</memory><os><type>hvm</type></os></domain>"
    )
}

/// Asserts `r` failed with `code`.
#[track_caller]
pub fn err_code<T: std::fmt::Debug>(r: Result<T>, code: ErrorCode) -> rvirt_core::Error {
    let e = r.expect_err("expected an error");
    assert_eq!(e.code(), code, "{e}");
    e
}

/// (domain name, event, detail) as received by a lifecycle callback.
pub type Seen = Arc<Mutex<Vec<(String, i32, i32)>>>;

/// Registers a lifecycle callback collecting events (optionally for one domain).
pub fn collect(c: &Connect, dom: Option<&rvirt_core::Domain>) -> (Seen, rvirt_core::CallbackId) {
    let seen: Seen = Arc::default();
    let s = seen.clone();
    let id = c
        .domain_event_register_any(dom, DomainEventId::Lifecycle, move |d, ev| {
            if let DomainEvent::Lifecycle(l) = ev {
                s.lock()
                    .unwrap()
                    .push((d.name().to_string(), l.event_raw(), l.detail_raw()));
            }
        })
        .expect("register callback");
    (seen, id)
}

/// Runs the loop until `done()` or 5 s pass.
pub fn drive(l: &DefaultLoop, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !done() && Instant::now() < deadline {
        l.run_once_timeout(Duration::from_millis(10)).expect("loop");
    }
}

/// Runs the loop for a short while so late events would show up.
pub fn settle(l: &DefaultLoop) {
    let deadline = Instant::now() + Duration::from_millis(100);
    while Instant::now() < deadline {
        l.run_once_timeout(Duration::from_millis(10)).expect("loop");
    }
}

/// Events seen for `name`, as (event, detail).
pub fn of(seen: &Seen, name: &str) -> Vec<(i32, i32)> {
    seen.lock()
        .unwrap()
        .iter()
        .filter(|(n, _, _)| n == name)
        .map(|(_, e, d)| (*e, *d))
        .collect()
}
