//! Scheduler parameters through rvirt's remote driver against rvirtd's test driver:
//! the type and count first, then that many parameters (as libvirt's clients ask),
//! and libvirt's typed-parameter checks on a set coming back as typed errors.

use rvirt_core::api::{TypedParam, TypedValue};
use rvirt_core::{Connect, ErrorCode};
use rvirt_testkit::Daemon;

#[test]
fn scheduler_parameters_round_trip_with_libvirts_checks() {
    let d = Daemon::start("remote-sched");
    rvirt_driver_remote::register().unwrap();
    let conn = Connect::open(&d.uri()).unwrap();
    let dom = conn.lookup_domain_by_name("test").unwrap();
    assert_eq!(dom.scheduler_type().unwrap(), ("fair".to_string(), 1));
    assert_eq!(
        dom.scheduler_parameters(0).unwrap(),
        vec![TypedParam::new("weight", TypedValue::UInt(50))]
    );
    dom.set_scheduler_parameters(&[TypedParam::new("weight", TypedValue::UInt(7))], 0)
        .unwrap();
    let e = dom
        .set_scheduler_parameters(&[TypedParam::new("cap", TypedValue::UInt(7))], 0)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ArgumentUnsupported);
    assert_eq!(
        e.to_string(),
        "argument unsupported: parameter 'cap' not supported"
    );
    let e = dom
        .set_scheduler_parameters(&[TypedParam::new("weight", TypedValue::Int(7))], 0)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg);
    // Read-only connections may read, not set.
    let ro = Connect::open(&d.ro_uri()).unwrap();
    let rodom = ro.lookup_domain_by_name("test").unwrap();
    assert_eq!(rodom.scheduler_parameters(0).unwrap().len(), 1);
    let e = rodom
        .set_scheduler_parameters(&[TypedParam::new("weight", TypedValue::UInt(7))], 0)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationDenied);
}
