//! The initial test:///default world and connection-level calls.

mod common;

use common::*;
use rvirt_core::api::{DomainState, ListFlags, RunningReason, StateReason};
use rvirt_core::{Connect, ErrorCode, ErrorDomain};
use rvirt_testkit::TempDir;

#[test]
fn default_domain_matches_libvirt() {
    let (_l, c) = open("test:///default");
    let d = c.lookup_domain_by_name("test").unwrap();
    assert_eq!(d.uuid_string(), rvirt_driver_test::DEFAULT_DOMAIN_UUID);
    let by_uuid = c
        .lookup_domain_by_uuid_str("6695eb01-f6a4-8304-79aa-97f2502e193f")
        .unwrap();
    assert_eq!(by_uuid.name(), "test");
    assert!(d.is_persistent().unwrap());
    assert!(!d.autostart().unwrap());
    let xml = d.xml_desc(0).unwrap();
    for needle in [
        "/guest/diskimage1",
        "aa:bb:cc:dd:ee:ff",
        "testnet0",
        "8388608",
        "2097152",
    ] {
        assert!(xml.contains(needle), "{needle} missing from {xml}");
    }
    let info = d.info().unwrap();
    assert_eq!(info.max_mem_kib, 8_388_608);
    assert_eq!(info.memory_kib, 2_097_152);
    assert_eq!(info.nr_virt_cpu, 2);
    // No test in this binary changes domain "test": it is as libvirt starts it.
    assert_eq!(info.state, DomainState::Running);
    assert_eq!(
        d.state().unwrap(),
        StateReason::Running(RunningReason::Unknown)
    );
    assert_eq!(d.id(), Some(1));
    assert!(xml.contains("id='1'"), "{xml}");
    assert_eq!(c.lookup_domain_by_id(1).unwrap().name(), "test");
}

#[test]
fn node_facts() {
    let (_l, c) = open("test:///default");
    assert_eq!(c.hypervisor_type().unwrap(), "TEST");
    assert_eq!(c.driver_name(), "test");
    let n = c.node_info().unwrap();
    assert_eq!(
        (
            n.model.as_str(),
            n.memory_kib,
            n.cpus,
            n.mhz,
            n.nodes,
            n.sockets,
            n.cores,
            n.threads
        ),
        ("i686", 3_145_728, 16, 1400, 2, 2, 2, 2)
    );
    let host = c.hostname().unwrap();
    assert!(!host.is_empty());
    let caps = c.capabilities().unwrap();
    assert!(caps.starts_with("<capabilities>"));
    assert_eq!(caps.matches("<cell id=").count(), 2);
    assert_eq!(caps.matches("<cpu id=").count(), 16);
    assert!(caps.contains("<domain type=\"test\"/>"));
}

#[test]
fn capabilities_validate_against_libvirt_schema() {
    let validator = std::path::Path::new("/usr/bin/virt-xml-validate");
    if !validator.exists() {
        eprintln!("virt-xml-validate not installed; skipped");
        return;
    }
    let (_l, c) = open("test:///default");
    let dir = TempDir::new("test-caps");
    let file = dir.join("caps.xml");
    std::fs::write(&file, c.capabilities().unwrap()).unwrap();
    let out = std::process::Command::new(validator)
        .arg(&file)
        .arg("capability")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn inventory_is_listed() {
    rvirt_driver_test::register().unwrap();
    let conn = Connect::open("test:///default").unwrap();
    let net = conn.lookup_network_by_name("default").unwrap();
    assert_eq!(
        net.uuid().to_string(),
        "dd8fe884-6c02-601e-7551-cca97df1c5df"
    );
    assert_eq!(net.bridge_name().unwrap(), "virbr0");
    assert!(net.is_active().unwrap() && net.is_persistent().unwrap() && !net.autostart().unwrap());
    assert_eq!(conn.list_all_networks(0).unwrap().len(), 1);
    let pool = conn.lookup_storage_pool_by_name("default-pool").unwrap();
    assert_eq!(pool.info().unwrap().capacity, 107_374_182_400);
    assert!(
        pool.xml_desc(0)
            .unwrap()
            .contains("<path>/default-pool</path>")
    );
    let eth = conn.lookup_interface_by_name("eth1").unwrap();
    assert_eq!(eth.mac(), "aa:bb:cc:dd:ee:ff");
    assert_eq!(conn.list_all_storage_pools(0).unwrap().len(), 1);
    assert_eq!(conn.list_all_interfaces(0).unwrap().len(), 1);
    let e = conn.lookup_network_by_name("nope").unwrap_err();
    assert_eq!((e.code().as_raw(), e.domain()), (43, ErrorDomain::Test));
    assert_eq!(
        conn.lookup_storage_pool_by_name("nope")
            .unwrap_err()
            .code()
            .as_raw(),
        49
    );
    assert_eq!(
        conn.lookup_interface_by_name("nope")
            .unwrap_err()
            .code()
            .as_raw(),
        57
    );
}

#[test]
fn connections_share_state() {
    let (_l1, a) = open("test:///default");
    let (_l2, b) = open("test:///default");
    let name = unique("shared");
    a.define_xml(&xml(&name)).unwrap();
    let on_b = b.lookup_domain_by_name(&name).unwrap();
    let mut on_b2 = on_b.clone();
    on_b2.create().unwrap();
    let on_a = a.lookup_domain_by_name(&name).unwrap();
    assert_eq!(on_a.id(), on_b2.id());
    assert!(on_a.is_active().unwrap());
    on_a.destroy().unwrap();
    on_a.undefine().unwrap();
    err_code(b.lookup_domain_by_name(&name), ErrorCode::NoDomain);
}

#[test]
fn register_is_idempotent_and_scoped() {
    rvirt_driver_test::register().unwrap();
    rvirt_driver_test::register().unwrap();
    assert_eq!(
        rvirt_core::driver::registered_drivers()
            .iter()
            .filter(|n| **n == "test")
            .count(),
        1
    );
    // Relative / empty paths are refused like libvirt (VIR_ERR_INVALID_ARG in the test domain).
    let e = Connect::open("test:///").unwrap_err();
    assert_eq!(
        (e.code(), e.domain()),
        (ErrorCode::InvalidArg, ErrorDomain::Test)
    );
    // A remote test URI is not ours.
    assert!(Connect::open("test+tcp://localhost/default").is_err());
}

#[test]
fn list_filters() {
    let (_l, c) = open("test:///default");
    let p = unique("lp");
    let t = unique("lt");
    c.define_xml(&xml(&p)).unwrap();
    // A disk, for the checkpoint below.
    let with_disk = xml(&t).replace(
        "</os>",
        "</os><devices><disk type='file' device='disk'><source file='/guest/lt.img'/>\
         <target dev='vda'/></disk></devices>",
    );
    c.create_xml(&with_disk, 0).unwrap();
    let names = |f: ListFlags| -> Vec<String> {
        c.list_all_domains(f)
            .unwrap()
            .iter()
            .map(|d| d.name().to_string())
            .filter(|n| *n == p || *n == t)
            .collect()
    };
    assert_eq!(names(ListFlags::ALL).len(), 2);
    assert_eq!(names(ListFlags::ACTIVE), vec![t.clone()]);
    assert_eq!(names(ListFlags::INACTIVE), vec![p.clone()]);
    assert_eq!(names(ListFlags::PERSISTENT), vec![p.clone()]);
    assert_eq!(names(ListFlags::TRANSIENT), vec![t.clone()]);
    assert_eq!(names(ListFlags::RUNNING), vec![t.clone()]);
    assert_eq!(names(ListFlags::SHUTOFF), vec![p.clone()]);
    assert!(names(ListFlags::PAUSED).is_empty());
    let bad = c.list_all_domains(ListFlags(1 << 20)).unwrap_err();
    assert_eq!(bad.code(), ErrorCode::InvalidArg);
    // Snapshot and checkpoint metadata count, as in libvirt's filter.
    assert_eq!(names(ListFlags::NO_SNAPSHOT).len(), 2);
    assert!(names(ListFlags::HAS_SNAPSHOT).is_empty());
    let running = c.lookup_domain_by_name(&t).unwrap();
    let snap = running
        .snapshot_create_xml("<domainsnapshot><name>s1</name></domainsnapshot>", 0)
        .unwrap();
    assert_eq!(names(ListFlags::HAS_SNAPSHOT), vec![t.clone()]);
    assert_eq!(names(ListFlags::NO_SNAPSHOT), vec![p.clone()]);
    assert!(names(ListFlags::HAS_CHECKPOINT).is_empty());
    snap.delete(0).unwrap();
    assert_eq!(names(ListFlags::NO_SNAPSHOT).len(), 2);
    // (libvirt refuses a checkpoint while the domain has snapshots.)
    running
        .checkpoint_create_xml("<domaincheckpoint><name>c1</name></domaincheckpoint>", 0)
        .unwrap();
    assert_eq!(names(ListFlags::HAS_CHECKPOINT), vec![t.clone()]);
    assert_eq!(names(ListFlags::NO_CHECKPOINT), vec![p.clone()]);
    c.lookup_domain_by_name(&t).unwrap().destroy().unwrap();
    c.lookup_domain_by_name(&p).unwrap().undefine().unwrap();
}
