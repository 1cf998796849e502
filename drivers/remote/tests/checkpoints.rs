//! Checkpoints through rvirt's remote driver against rvirtd's test driver: create,
//! XML, listings, parent and children, lookup errors typed as libvirt's, delete; a
//! read-only connection may list but not create.

use rvirt_core::{Connect, ErrorCode, ErrorDomain};
use rvirt_testkit::Daemon;

#[test]
fn checkpoints_round_trip_over_the_wire() {
    let d = Daemon::start("remote-checkpoints");
    rvirt_driver_remote::register().unwrap();
    let conn = Connect::open(&d.uri()).unwrap();
    let dom = conn.lookup_domain_by_name("test").unwrap();
    let a = dom
        .checkpoint_create_xml("<domaincheckpoint><name>a</name></domaincheckpoint>", 0)
        .unwrap();
    assert_eq!(a.name(), "a");
    let b = dom
        .checkpoint_create_xml("<domaincheckpoint><name>b</name></domaincheckpoint>", 0)
        .unwrap();
    let xml = b.xml_desc(2).unwrap();
    assert!(
        xml.contains("<parent>\n    <name>a</name>\n  </parent>"),
        "{xml}"
    );
    assert!(xml.contains("checkpoint='bitmap' bitmap='b'/>"), "{xml}");
    assert!(!xml.contains("<domain "), "{xml}");
    assert!(b.xml_desc(0).unwrap().contains("<domain type='test'>"));
    let names = |v: Vec<rvirt_core::api::DomainCheckpoint>| {
        v.iter().map(|c| c.name().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(names(dom.list_all_checkpoints(2).unwrap()), ["a", "b"]);
    assert_eq!(names(dom.list_all_checkpoints(1).unwrap()), ["a"]);
    assert_eq!(names(a.list_all_children(0).unwrap()), ["b"]);
    assert_eq!(b.parent(0).unwrap().name(), "a");
    let e = a.parent(0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoDomainCheckpoint);
    assert_eq!(
        e.to_string(),
        "Domain checkpoint not found: checkpoint 'a' does not have a parent"
    );
    let e = dom.checkpoint_lookup_by_name("zz", 0).unwrap_err();
    assert_eq!(
        (e.code(), e.domain()),
        (ErrorCode::NoDomainCheckpoint, ErrorDomain::Test)
    );
    let e = dom
        .checkpoint_create_xml("<domaincheckpoint><name>.x</name></domaincheckpoint>", 0)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::XmlInvalidSchema);
    let ro = Connect::open(&d.ro_uri()).unwrap();
    let rodom = ro.lookup_domain_by_name("test").unwrap();
    assert_eq!(rodom.list_all_checkpoints(0).unwrap().len(), 2);
    let e = rodom
        .checkpoint_create_xml("<domaincheckpoint/>", 0)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationDenied);
    a.delete(0).unwrap();
    assert!(b.parent(0).is_err());
    b.delete(0).unwrap();
    assert!(dom.list_all_checkpoints(0).unwrap().is_empty());
}
