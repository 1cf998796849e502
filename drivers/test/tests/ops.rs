//! Every operation and every illegal transition, with libvirt's error codes (as observed
//! with python3-libvirt 9.0 against libvirt's own test driver).

mod common;

use common::*;
use rvirt_core::api::{DomainState, PausedReason, RunningReason, ShutoffReason, StateReason};
use rvirt_core::{ErrorCode, ErrorDomain};

#[test]
fn define_start_stop_undefine() {
    let (_l, c) = open("test:///default");
    let name = unique("life");
    let mut d = c.define_xml(&xml(&name)).unwrap();
    assert_eq!(d.id(), None);
    assert_eq!(
        d.state().unwrap(),
        StateReason::Shutoff(ShutoffReason::Unknown)
    );
    assert!(d.is_persistent().unwrap());
    // define fills defaults
    let x = d.xml_desc(0).unwrap();
    assert!(x.contains("<uuid>"), "{x}");
    assert!(x.contains("on_poweroff"), "{x}");
    assert!(!x.contains(" id="), "{x}");

    d.create().unwrap();
    let id = d.id().expect("id after start");
    assert!(id >= 2);
    assert_eq!(
        d.state().unwrap(),
        StateReason::Running(RunningReason::Booted)
    );
    assert_eq!(c.lookup_domain_by_id(id).unwrap().name(), name);
    let live = d.xml_desc(0).unwrap();
    assert!(live.contains(&format!("id='{id}'")), "{live}");
    assert!(!d.xml_desc(2).unwrap().contains(" id="));
    let info = d.info().unwrap();
    assert_eq!(
        (info.state, info.max_mem_kib, info.nr_virt_cpu),
        (DomainState::Running, 8192, 1)
    );

    d.suspend().unwrap();
    assert_eq!(d.state().unwrap(), StateReason::Paused(PausedReason::User));
    d.resume().unwrap();
    assert_eq!(
        d.state().unwrap(),
        StateReason::Running(RunningReason::Unpaused)
    );
    d.shutdown().unwrap();
    assert_eq!(
        d.state().unwrap(),
        StateReason::Shutoff(ShutoffReason::Shutdown)
    );
    err_code(c.lookup_domain_by_id(id), ErrorCode::NoDomain);

    d.create().unwrap();
    let id2 = d.id().unwrap();
    assert!(id2 > id, "ids increase on every start");
    d.destroy().unwrap();
    assert_eq!(
        d.state().unwrap(),
        StateReason::Shutoff(ShutoffReason::Destroyed)
    );
    d.undefine().unwrap();
    err_code(c.lookup_domain_by_name(&name), ErrorCode::NoDomain);
}

#[test]
fn reboot_runs_again() {
    let (_l, c) = open("test:///default");
    let mut d = c.define_xml(&xml(&unique("rb"))).unwrap();
    d.create().unwrap();
    d.suspend().unwrap();
    d.reboot(0).unwrap();
    assert_eq!(
        d.state().unwrap(),
        StateReason::Running(RunningReason::Booted)
    );
    err_code(d.reboot(1 << 5), ErrorCode::InvalidArg);
    d.destroy().unwrap();
    let e = err_code(d.reboot(0), ErrorCode::OperationInvalid);
    assert_eq!(e.domain(), ErrorDomain::Domain);
    d.undefine().unwrap();
}

#[test]
fn illegal_transitions_use_libvirt_codes() {
    let (_l, c) = open("test:///default");
    let name = unique("bad");
    let mut d = c.define_xml(&xml(&name)).unwrap();
    // inactive
    let e = err_code(d.resume(), ErrorCode::InternalError);
    assert_eq!(e.domain(), ErrorDomain::Test);
    assert_eq!(e.message(), format!("domain '{name}' not paused"));
    err_code(d.suspend(), ErrorCode::InternalError);
    err_code(d.shutdown(), ErrorCode::InternalError);
    let e = err_code(d.destroy(), ErrorCode::OperationInvalid);
    assert_eq!(e.domain(), ErrorDomain::Domain);
    assert_eq!(e.message(), "domain is not running");
    // running
    d.create().unwrap();
    let e = err_code(d.create(), ErrorCode::InternalError);
    assert_eq!(e.message(), format!("Domain '{name}' is already running"));
    err_code(d.resume(), ErrorCode::InternalError);
    // paused
    d.suspend().unwrap();
    let e = err_code(d.suspend(), ErrorCode::InternalError);
    assert_eq!(e.message(), format!("domain '{name}' not running"));
    // a paused domain can be shut down
    d.shutdown().unwrap();
    // unknown flags
    err_code(d.create_with_flags(1), ErrorCode::InvalidArg);
    err_code(d.destroy_with_flags(4), ErrorCode::InvalidArg);
    err_code(d.shutdown_with_flags(1), ErrorCode::InvalidArg);
    err_code(d.undefine_with_flags(4), ErrorCode::InvalidArg);
    err_code(d.xml_desc(0x100), ErrorCode::InvalidArg);
    d.undefine().unwrap();
    // gone
    let e = err_code(d.undefine(), ErrorCode::NoDomain);
    assert_eq!(e.domain(), ErrorDomain::Test);
    assert!(e.message().contains(&d.uuid_string()), "{e}");
    err_code(d.create(), ErrorCode::NoDomain);
    err_code(d.state(), ErrorCode::NoDomain);
    err_code(d.info(), ErrorCode::NoDomain);
    err_code(d.xml_desc(0), ErrorCode::NoDomain);
    err_code(d.set_autostart(true), ErrorCode::NoDomain);
}

#[test]
fn lookups_miss_with_no_domain() {
    let (_l, c) = open("test:///default");
    for e in [
        c.lookup_domain_by_name("no-such-domain").unwrap_err(),
        c.lookup_domain_by_id(999_999).unwrap_err(),
        c.lookup_domain_by_uuid_str("11111111-2222-3333-4444-555555555555")
            .unwrap_err(),
    ] {
        assert_eq!(
            (e.code().as_raw(), e.domain()),
            (42, ErrorDomain::Test),
            "{e}"
        );
        assert!(e.message().starts_with("no domain with matching"), "{e}");
    }
}

#[test]
fn define_clashes_and_updates() {
    let (_l, c) = open("test:///default");
    let name = unique("clash");
    let d = c.define_xml(&xml(&name)).unwrap();
    let uuid = d.uuid_string();
    // same name, other uuid
    let e = err_code(
        c.define_xml(&xml_uuid(
            &name,
            "11111111-2222-3333-4444-555555555555",
            8192,
        )),
        ErrorCode::OperationFailed,
    );
    assert_eq!(
        e.message(),
        format!("domain '{name}' already exists with uuid {uuid}")
    );
    // same uuid, other name
    let e = err_code(
        c.define_xml(&xml_uuid(&unique("other"), &uuid, 8192)),
        ErrorCode::OperationFailed,
    );
    assert_eq!(
        e.message(),
        format!("domain '{name}' is already defined with uuid {uuid}")
    );
    // same name and uuid: update
    c.define_xml(&xml_uuid(&name, &uuid, 16384)).unwrap();
    assert_eq!(d.info().unwrap().max_mem_kib, 16384);
    // while running the new definition waits for the next stop
    let mut d2 = d.clone();
    d2.create().unwrap();
    c.define_xml(&xml_uuid(&name, &uuid, 32768)).unwrap();
    assert_eq!(d2.info().unwrap().max_mem_kib, 16384);
    assert!(d2.xml_desc(2).unwrap().contains("32768"));
    d2.destroy().unwrap();
    assert_eq!(d2.info().unwrap().max_mem_kib, 32768);
    // createXML with the name of an existing domain and another uuid
    err_code(c.create_xml(&xml(&name), 0), ErrorCode::OperationFailed);
    d2.undefine().unwrap();
}

#[test]
fn bad_xml_maps_conf_errors() {
    let (_l, c) = open("test:///default");
    let e = err_code(c.define_xml("<domain"), ErrorCode::XmlDetail);
    assert_eq!(e.code().as_raw(), 35);
    let e = err_code(
        c.define_xml("<domain type='test'><name>x</name><os><type>hvm</type></os></domain>"),
        ErrorCode::XmlError,
    );
    assert!(e.message().contains("Memory size must be specified"), "{e}");
    err_code(c.create_xml("<domain type='test'/>", 0), ErrorCode::NoName);
}

#[test]
fn transient_domains() {
    let (_l, c) = open("test:///default");
    let name = unique("tr");
    let t = c.create_xml(&xml(&name), 0).unwrap();
    assert!(t.id().is_some());
    assert!(!t.is_persistent().unwrap());
    assert_eq!(
        t.state().unwrap(),
        StateReason::Running(RunningReason::Booted)
    );
    err_code(c.create_xml(&xml(&name), 1), ErrorCode::InvalidArg);
    // libvirt's test driver lets you set autostart on a transient domain
    t.set_autostart(true).unwrap();
    t.shutdown().unwrap();
    err_code(c.lookup_domain_by_name(&name), ErrorCode::NoDomain);

    // defining a running transient domain with its uuid makes it persistent
    let t = c.create_xml(&xml(&name), 0).unwrap();
    c.define_xml(&xml_uuid(&name, &t.uuid_string(), 8192))
        .unwrap();
    assert!(t.is_persistent().unwrap());
    // undefine while active: becomes transient and vanishes on stop
    t.undefine().unwrap();
    assert!(!t.is_persistent().unwrap());
    assert!(t.is_active().unwrap());
    t.destroy().unwrap();
    err_code(c.lookup_domain_by_name(&name), ErrorCode::NoDomain);
}

#[test]
fn create_xml_over_inactive_persistent_domain() {
    let (_l, c) = open("test:///default");
    let name = unique("over");
    let d = c.define_xml(&xml(&name)).unwrap();
    let uuid = d.uuid_string();
    let live = c.create_xml(&xml_uuid(&name, &uuid, 4096), 0).unwrap();
    assert!(live.is_persistent().unwrap());
    assert_eq!(live.info().unwrap().max_mem_kib, 4096);
    let e = err_code(
        c.create_xml(&xml_uuid(&name, &uuid, 4096), 0),
        ErrorCode::OperationInvalid,
    );
    assert_eq!(e.message(), format!("domain '{name}' is already active"));
    live.destroy().unwrap();
    // the persistent definition is back
    assert_eq!(d.info().unwrap().max_mem_kib, 8192);
    d.undefine().unwrap();
}

#[test]
fn autostart_round_trip() {
    let (_l, c) = open("test:///default");
    let d = c.define_xml(&xml(&unique("auto"))).unwrap();
    assert!(!d.autostart().unwrap());
    d.set_autostart(true).unwrap();
    assert!(d.autostart().unwrap());
    d.set_autostart(false).unwrap();
    assert!(!d.autostart().unwrap());
    d.undefine().unwrap();
}

#[test]
fn read_only_connection_refuses_changes() {
    rvirt_driver_test::register().unwrap();
    let c = rvirt_core::Connect::open_read_only("test:///default").unwrap();
    err_code(
        c.define_xml(&xml(&unique("ro"))),
        ErrorCode::OperationDenied,
    );
    assert!(c.lookup_domain_by_name("test").is_ok());
}
