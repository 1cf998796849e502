//! Concurrency: 8 threads of lifecycle operations and callback (de)registration against
//! the shared test:///default world, with the loop running on its own thread.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use common::*;
use rvirt_core::api::{PausedReason, StateReason};
use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, DomainEvent, DomainEventId, ErrorCode};

const THREADS: usize = 8;
const ROUNDS: usize = 40;

type Log = Arc<Mutex<HashMap<String, Vec<(i32, i32)>>>>;

fn logger(c: &Connect) -> Log {
    let log: Log = Arc::default();
    let l = log.clone();
    c.domain_event_register_any(None, DomainEventId::Lifecycle, move |d, ev| {
        if let DomainEvent::Lifecycle(lc) = ev {
            l.lock()
                .unwrap()
                .entry(d.name().to_string())
                .or_default()
                .push((lc.event_raw(), lc.detail_raw()));
        }
    })
    .unwrap();
    log
}

/// One worker: its own domains, a mix of operations, and callbacks coming and going.
fn worker(
    c: Connect,
    prefix: String,
    t: usize,
    stray: Arc<AtomicUsize>,
) -> Vec<(String, Vec<(i32, i32)>)> {
    let mut expected: HashMap<String, Vec<(i32, i32)>> = HashMap::new();
    let p = format!("{prefix}-p{t}");
    let tr = format!("{prefix}-t{t}");
    for round in 0..ROUNDS {
        let mut d = c.define_xml(&xml(&p)).unwrap();
        let e = expected.entry(p.clone()).or_default();
        e.push((0, 0));
        // a callback for this domain only, registered for part of the round
        let mine = d.name().to_string();
        let s = stray.clone();
        let cb = c
            .domain_event_register_any(Some(&d), DomainEventId::Lifecycle, move |dom, _| {
                if dom.name() != mine {
                    s.fetch_add(1, Ordering::SeqCst);
                }
            })
            .unwrap();
        d.create().unwrap();
        d.suspend().unwrap();
        assert_eq!(d.suspend().unwrap_err().code(), ErrorCode::InternalError);
        d.resume().unwrap();
        c.domain_event_deregister_any(cb).unwrap();
        e.extend([(2, 0), (3, 0), (4, 0)]);
        if round % 2 == 0 {
            d.shutdown().unwrap();
            e.push((5, 0));
        } else {
            d.destroy().unwrap();
            e.push((5, 1));
        }
        assert_eq!(d.destroy().unwrap_err().code(), ErrorCode::OperationInvalid);
        d.undefine().unwrap();
        e.push((1, 0));

        let x = c.create_xml(&xml(&tr), 0).unwrap();
        x.reboot(0).unwrap();
        x.destroy().unwrap();
        expected
            .entry(tr.clone())
            .or_default()
            .extend([(2, 0), (5, 1)]);
    }
    // leave one domain behind in a known state
    let keep = format!("{prefix}-keep{t}");
    let mut k = c.define_xml(&xml(&keep)).unwrap();
    k.create().unwrap();
    k.suspend().unwrap();
    expected.insert(keep, vec![(0, 0), (2, 0), (3, 0)]);
    expected.into_iter().collect()
}

#[test]
fn hammer_lifecycle_and_callbacks() {
    rvirt_driver_test::register().unwrap();
    let l = DefaultLoop::new().unwrap();
    let runner = {
        let l = l.clone();
        std::thread::spawn(move || l.run().unwrap())
    };
    let c = Connect::open_with_loop("test:///default", l.shared()).unwrap();
    let c2 = Connect::open_with_loop("test:///default", l.shared()).unwrap();
    let log1 = logger(&c);
    let log2 = logger(&c2);
    let prefix = unique("ham");
    let stray = Arc::new(AtomicUsize::new(0));

    let (tx, rx) = mpsc::channel();
    for t in 0..THREADS {
        let (c, prefix, stray, tx) = (c.clone(), prefix.clone(), stray.clone(), tx.clone());
        std::thread::spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                worker(c, prefix, t, stray)
            }));
            let _ = tx.send(r);
        });
    }
    // a thread churning registrations on the second connection meanwhile
    let churn = {
        let c2 = c2.clone();
        std::thread::spawn(move || {
            for _ in 0..500 {
                let id = c2
                    .domain_event_register_any(None, DomainEventId::Lifecycle, |_, _| {})
                    .unwrap();
                c2.domain_event_deregister_any(id).unwrap();
            }
        })
    };
    let mut expected: HashMap<String, Vec<(i32, i32)>> = HashMap::new();
    for _ in 0..THREADS {
        let r = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("worker did not finish within 60 s: deadlock?");
        match r {
            Ok(v) => expected.extend(v),
            Err(p) => std::panic::resume_unwind(p),
        }
    }
    churn.join().unwrap();

    let deadline = Instant::now() + Duration::from_secs(10);
    let total: usize = expected.values().map(Vec::len).sum();
    let count = |log: &Log| -> usize {
        log.lock()
            .unwrap()
            .iter()
            .filter(|(k, _)| expected.contains_key(*k))
            .map(|(_, v)| v.len())
            .sum()
    };
    while (count(&log1) < total || count(&log2) < total) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(100));
    for log in [&log1, &log2] {
        let got = log.lock().unwrap();
        for (name, want) in &expected {
            assert_eq!(got.get(name), Some(want), "events of {name}");
        }
    }
    assert_eq!(total, THREADS * (ROUNDS * 8 + 3));
    assert_eq!(
        stray.load(Ordering::SeqCst),
        0,
        "domain-filtered callback saw another domain"
    );

    // final states are what the operations imply
    for t in 0..THREADS {
        assert_eq!(
            c.lookup_domain_by_name(&format!("{prefix}-p{t}"))
                .unwrap_err()
                .code(),
            ErrorCode::NoDomain
        );
        assert_eq!(
            c.lookup_domain_by_name(&format!("{prefix}-t{t}"))
                .unwrap_err()
                .code(),
            ErrorCode::NoDomain
        );
        let k = c
            .lookup_domain_by_name(&format!("{prefix}-keep{t}"))
            .unwrap();
        assert_eq!(k.state().unwrap(), StateReason::Paused(PausedReason::User));
        k.destroy().unwrap();
        k.undefine().unwrap();
    }
    l.quit();
    runner.join().unwrap();
}
