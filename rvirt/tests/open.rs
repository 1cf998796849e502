//! The facade opens URIs without a `register()` call and names the missing feature.

#[test]
fn test_uri_opens_without_register() {
    let conn = rvirt::open("test:///default").expect("test:///default");
    assert_eq!(conn.hypervisor_type().unwrap(), "TEST");
    assert!(rvirt::driver::registered_drivers().contains(&"test"));
}

#[test]
fn connect_open_works_after_register_drivers() {
    rvirt::register_drivers().unwrap();
    rvirt::register_drivers().unwrap();
    let conn = rvirt::Connect::open("test:///default").unwrap();
    assert_eq!(conn.lookup_domain_by_name("test").unwrap().name(), "test");
}

#[cfg(not(feature = "qemu"))]
#[test]
fn missing_qemu_feature_is_named() {
    let err = rvirt::open("qemu:///system").unwrap_err();
    assert_eq!(err.code(), rvirt::ErrorCode::NoConnect);
    assert_eq!(
        err.message(),
        "no connection driver available for qemu:///system (enable rvirt's `qemu` feature)"
    );
}

#[cfg(not(feature = "lxc"))]
#[test]
fn missing_lxc_feature_is_named() {
    let err = rvirt::open("lxc:///system").unwrap_err();
    assert!(err.message().ends_with("(enable rvirt's `lxc` feature)"));
}

#[test]
fn unknown_scheme_has_no_hint() {
    let err = rvirt::open("bogus:///system").unwrap_err();
    assert_eq!(err.code(), rvirt::ErrorCode::NoConnect);
    assert!(!err.message().contains("feature"), "{}", err.message());
}
