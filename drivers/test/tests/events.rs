//! Lifecycle events delivered through the event loop.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use rvirt_core::{DomainEvent, DomainEventId};

#[test]
fn lifecycle_sequence_matches_libvirt() {
    let (l, c) = open("test:///default");
    let (seen, _) = collect(&c, None);
    let name = unique("ev");
    let mut d = c.define_xml(&xml(&name)).unwrap();
    d.create().unwrap();
    d.suspend().unwrap();
    d.resume().unwrap();
    d.shutdown().unwrap();
    d.create().unwrap();
    d.destroy().unwrap();
    d.undefine().unwrap();
    let t = unique("evt");
    c.create_xml(&xml(&t), 0).unwrap().destroy().unwrap();
    let want = vec![
        (0, 0),
        (2, 0),
        (3, 0),
        (4, 0),
        (5, 0),
        (2, 0),
        (5, 1),
        (1, 0),
    ];
    drive(&l, || {
        of(&seen, &name).len() >= want.len() && of(&seen, &t).len() >= 2
    });
    settle(&l);
    assert_eq!(of(&seen, &name), want);
    assert_eq!(of(&seen, &t), vec![(2, 0), (5, 1)]);
}

#[test]
fn redefine_and_undefine_active() {
    let (l, c) = open("test:///default");
    let (seen, _) = collect(&c, None);
    let name = unique("upd");
    let d = c.define_xml(&xml(&name)).unwrap();
    c.define_xml(&xml_uuid(&name, &d.uuid_string(), 8192))
        .unwrap();
    let mut d2 = d.clone();
    d2.create().unwrap();
    d2.undefine().unwrap();
    d2.destroy().unwrap();
    let want = vec![(0, 0), (0, 1), (2, 0), (1, 0), (5, 1)];
    drive(&l, || of(&seen, &name).len() >= want.len());
    settle(&l);
    assert_eq!(of(&seen, &name), want);
}

#[test]
fn failed_operations_emit_nothing() {
    let (l, c) = open("test:///default");
    let (seen, _) = collect(&c, None);
    let name = unique("quiet");
    let d = c.define_xml(&xml(&name)).unwrap();
    assert!(d.resume().is_err());
    assert!(d.destroy().is_err());
    d.undefine().unwrap();
    drive(&l, || of(&seen, &name).len() >= 2);
    settle(&l);
    assert_eq!(of(&seen, &name), vec![(0, 0), (1, 0)]);
}

#[test]
fn reboot_emits_reboot_event_only() {
    let (l, c) = open("test:///default");
    let (seen, _) = collect(&c, None);
    let reboots = Arc::new(AtomicUsize::new(0));
    let r = reboots.clone();
    c.domain_event_register_any(None, DomainEventId::Reboot, move |_, ev| {
        assert_eq!(ev, &DomainEvent::Reboot);
        r.fetch_add(1, Ordering::SeqCst);
    })
    .unwrap();
    let name = unique("reb");
    let d = c.create_xml(&xml(&name), 0).unwrap();
    d.reboot(0).unwrap();
    d.destroy().unwrap();
    drive(&l, || {
        of(&seen, &name).len() >= 2 && reboots.load(Ordering::SeqCst) >= 1
    });
    settle(&l);
    assert_eq!(of(&seen, &name), vec![(2, 0), (5, 1)]);
    assert!(reboots.load(Ordering::SeqCst) >= 1);
}

#[test]
fn domain_filter_and_deregister() {
    let (l, c) = open("test:///default");
    let a = unique("fa");
    let b = unique("fb");
    let da = c.define_xml(&xml(&a)).unwrap();
    let db = c.define_xml(&xml(&b)).unwrap();
    let (only_a, _) = collect(&c, Some(&da));
    let (all, all_id) = collect(&c, None);
    let mut da2 = da.clone();
    let mut db2 = db.clone();
    da2.create().unwrap();
    db2.create().unwrap();
    drive(&l, || {
        of(&all, &a).len() + of(&all, &b).len() >= 2 && !only_a.lock().unwrap().is_empty()
    });
    settle(&l);
    assert_eq!(of(&only_a, &a), vec![(2, 0)]);
    assert!(of(&only_a, &b).is_empty());
    assert_eq!(of(&all, &b), vec![(2, 0)]);

    c.domain_event_deregister_any(all_id).unwrap();
    let e = c.domain_event_deregister_any(all_id).unwrap_err();
    assert_eq!(e.code().as_raw(), 8);
    da2.destroy().unwrap();
    db2.destroy().unwrap();
    drive(&l, || of(&only_a, &a).len() >= 2);
    settle(&l);
    assert_eq!(of(&only_a, &a), vec![(2, 0), (5, 1)]);
    assert_eq!(
        of(&all, &a),
        vec![(2, 0)],
        "deregistered callback got events"
    );
    assert_eq!(
        of(&all, &b),
        vec![(2, 0)],
        "deregistered callback got events"
    );
    da.undefine().unwrap();
    db.undefine().unwrap();
}

#[test]
fn two_connections_both_get_events() {
    let (l1, c1) = open("test:///default");
    let (l2, c2) = open("test:///default");
    let (s1, _) = collect(&c1, None);
    let (s2, _) = collect(&c2, None);
    let name = unique("two");
    // change through c2, watch on both
    let mut d = c2.define_xml(&xml(&name)).unwrap();
    d.create().unwrap();
    let on_c1 = c1.lookup_domain_by_name(&name).unwrap();
    on_c1.destroy().unwrap();
    on_c1.undefine().unwrap();
    let want = vec![(0, 0), (2, 0), (5, 1), (1, 0)];
    drive(&l1, || of(&s1, &name).len() >= 4);
    drive(&l2, || of(&s2, &name).len() >= 4);
    settle(&l1);
    settle(&l2);
    assert_eq!(of(&s1, &name), want);
    assert_eq!(of(&s2, &name), want);
}

#[test]
fn closed_connection_is_dropped_from_delivery() {
    let (l1, c1) = open("test:///default");
    let (l2, c2) = open("test:///default");
    let (s1, _) = collect(&c1, None);
    let (s2, _) = collect(&c2, None);
    c2.close().unwrap();
    let name = unique("closed");
    c1.define_xml(&xml(&name)).unwrap().undefine().unwrap();
    drive(&l1, || of(&s1, &name).len() >= 2);
    settle(&l2);
    assert_eq!(of(&s1, &name), vec![(0, 0), (1, 0)]);
    assert!(of(&s2, &name).is_empty());
    assert!(c2.lookup_domain_by_name("test").is_err());
}
