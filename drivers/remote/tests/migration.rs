//! `Domain::migrate3` from a Rust application through rvirt's remote driver: the
//! client runs libvirt's five steps against two rvirtd daemons' QEMU drivers, the
//! guest moves there and back, its events arrive on each side, and a destination that
//! cannot take it leaves it running where it was.

use std::sync::{Arc, Mutex};

use rvirt_core::api::StateReason;
use rvirt_core::api::{Lifecycle, TypedParam, TypedValue};
use rvirt_core::driver::migrate_flags;
use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, DomainEvent, DomainEventId};
use rvirt_testkit::{Daemon, LOOP, QemuReaper, TempDir, have_qemu, write_guest};

/// Live; the test's disk is on local storage (`VIR_MIGRATE_UNSAFE`).
const LIVE_UNSAFE: u32 = migrate_flags::LIVE | migrate_flags::UNSAFE;

fn uri_param(uri: &str) -> TypedParam {
    TypedParam {
        field: "migrate_uri".into(),
        value: TypedValue::String(uri.into()),
    }
}

/// The lifecycle events `conn` reports, as they arrive.
fn record(conn: &Connect) -> Arc<Mutex<Vec<Lifecycle>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    conn.domain_event_register_any(None, DomainEventId::Lifecycle, move |_, ev| {
        if let DomainEvent::Lifecycle(l) = ev {
            s.lock().unwrap().push(*l);
        }
    })
    .unwrap();
    seen
}

fn wait_for(seen: &Arc<Mutex<Vec<Lifecycle>>>, want: &[Lifecycle]) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while seen.lock().unwrap().as_slice() != want {
        assert!(
            std::time::Instant::now() < deadline,
            "events {:?}, expected {want:?}",
            seen.lock().unwrap()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn migrate3_moves_a_guest_between_daemons() {
    if !have_qemu() {
        return;
    }
    let root = TempDir::new("remote-migrate");
    let (qa, qb) = (root.0.join("qa"), root.0.join("qb"));
    let _reap_a = QemuReaper(qa.clone());
    let _reap_b = QemuReaper(qb.clone());
    let a = Daemon::start_with("remote-mig", &["--qemu-root", qa.to_str().unwrap()]);
    let b = Daemon::start_with("remote-mig", &["--qemu-root", qb.to_str().unwrap()]);
    rvirt_driver_remote::register().unwrap();
    // Events reach the application on its loop, run on a thread of its own here.
    let lp = DefaultLoop::new().unwrap();
    let runner = lp.clone();
    let loop_thread = std::thread::spawn(move || runner.run().unwrap());
    let ca = Connect::open_with_loop(&a.qemu_uri(), lp.shared()).unwrap();
    let cb = Connect::open_with_loop(&b.qemu_uri(), lp.shared()).unwrap();
    assert!(ca.supports_migration_feature(6) && ca.supports_migration_feature(13));
    let xml = std::fs::read_to_string(write_guest(&root.0, "rmig", LOOP)).unwrap();
    let mut dom = ca.create_xml(&xml, 0).unwrap();
    let (seen_a, seen_b) = (record(&ca), record(&cb));

    let params = [uri_param("tcp:127.0.0.1")];
    let e = dom.migrate3(&cb, &params, migrate_flags::LIVE).unwrap_err();
    assert_eq!(e.code(), rvirt_core::ErrorCode::MigrateUnsafe, "{e}");
    let moved = dom.migrate3(&cb, &params, LIVE_UNSAFE).unwrap();
    assert_eq!(moved.name(), "rmig");
    assert!(matches!(moved.state().unwrap(), StateReason::Running(_)));
    use rvirt_core::api::{ResumedDetail, StartedDetail, StoppedDetail, SuspendedDetail};
    wait_for(
        &seen_b,
        &[
            Lifecycle::Started(StartedDetail::Migrated),
            Lifecycle::Resumed(ResumedDetail::Migrated),
        ],
    );
    wait_for(
        &seen_a,
        &[
            Lifecycle::Suspended(SuspendedDetail::Migrated),
            Lifecycle::Stopped(StoppedDetail::Migrated),
        ],
    );
    // Transient at the source: gone there.
    assert!(ca.lookup_domain_by_name("rmig").is_err());

    // A destination that cannot take it (its port taken): the guest stays, running.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let e = moved
        .migrate3(
            &ca,
            &[uri_param(&format!("tcp:127.0.0.1:{port}"))],
            LIVE_UNSAFE,
        )
        .unwrap_err();
    assert!(e.message().contains("Address already in use"), "{e}");
    assert!(matches!(moved.state().unwrap(), StateReason::Running(_)));
    assert!(ca.lookup_domain_by_name("rmig").is_err());

    // A confirm no perform came before stops nothing.
    let e = moved.migrate_confirm3(&[], &[], 0, false).unwrap_err();
    assert!(e.message().contains("is not being migrated"), "{e}");
    assert!(matches!(moved.state().unwrap(), StateReason::Running(_)));

    // And back.
    dom = moved.migrate3(&ca, &params, LIVE_UNSAFE).unwrap();
    assert!(matches!(dom.state().unwrap(), StateReason::Running(_)));
    assert!(cb.lookup_domain_by_name("rmig").is_err());
    dom.destroy().unwrap();
    drop((ca, cb));
    lp.quit();
    loop_thread.join().unwrap();
}
