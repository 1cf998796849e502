//! Memory and blkio parameters through rvirt's remote driver against rvirtd's test
//! driver: the count first and then that many (as libvirt's clients ask), sets with
//! libvirt's typed-parameter checks coming back as typed errors, the `<memtune>` a set
//! leaves, and a read-only connection that may read but not set.

use rvirt_core::api::{MEMORY_PARAM_UNLIMITED, TypedParam, TypedValue};
use rvirt_core::{Connect, ErrorCode};
use rvirt_testkit::Daemon;

const CONFIG: u32 = 2;

fn ull(name: &str, v: u64) -> TypedParam {
    TypedParam::new(name, TypedValue::ULLong(v))
}

#[test]
fn memory_parameters_round_trip_with_libvirts_checks() {
    let d = Daemon::start("remote-memtune");
    rvirt_driver_remote::register().unwrap();
    let conn = Connect::open(&d.uri()).unwrap();
    let dom = conn.lookup_domain_by_name("test").unwrap();
    let unset = vec![
        ull("hard_limit", MEMORY_PARAM_UNLIMITED),
        ull("soft_limit", MEMORY_PARAM_UNLIMITED),
        ull("swap_hard_limit", MEMORY_PARAM_UNLIMITED),
    ];
    assert_eq!(dom.memory_parameters(0).unwrap(), unset);
    dom.set_memory_parameters(&[ull("hard_limit", 262_144), ull("soft_limit", 131_072)], 0)
        .unwrap();
    assert_eq!(
        dom.memory_parameters(0).unwrap()[..2],
        [ull("hard_limit", 262_144), ull("soft_limit", 131_072)]
    );
    // The running domain's persistent definition is untouched by a live set.
    assert_eq!(dom.memory_parameters(CONFIG).unwrap(), unset);
    dom.set_memory_parameters(&[ull("swap_hard_limit", 524_288)], CONFIG)
        .unwrap();
    let xml = dom.xml_desc(rvirt_core::api::XmlFlags::INACTIVE).unwrap();
    assert!(
        xml.contains(
            "<memtune>\n    <swap_hard_limit unit='KiB'>524288</swap_hard_limit>\n  </memtune>"
        ),
        "{xml}"
    );

    let e = dom
        .set_memory_parameters(&[ull("min_guarantee", 1)], 0)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ArgumentUnsupported);
    assert_eq!(
        e.to_string(),
        "argument unsupported: parameter 'min_guarantee' not supported"
    );
    let e = dom
        .set_memory_parameters(&[TypedParam::new("hard_limit", TypedValue::UInt(7))], 0)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid argument: invalid type 'uint' for parameter 'hard_limit', expected 'ullong'"
    );
    let e = dom
        .set_memory_parameters(&[ull("hard_limit", 1), ull("hard_limit", 2)], 0)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid argument: parameter 'hard_limit' occurs multiple times"
    );
    let e = dom
        .set_memory_parameters(&[ull("swap_hard_limit", 1)], 0)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg);
    let e = dom.memory_parameters(3).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg);
    let e = dom.set_memory_parameters(&[], 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg);

    // Read-only connections may read, not set.
    let ro = Connect::open(&d.ro_uri()).unwrap();
    let rodom = ro.lookup_domain_by_name("test").unwrap();
    assert_eq!(
        rodom.memory_parameters(0).unwrap()[0],
        ull("hard_limit", 262_144)
    );
    let e = rodom
        .set_memory_parameters(&[ull("soft_limit", 7)], 0)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationDenied);
}

#[test]
fn blkio_parameters_round_trip_with_device_strings() {
    use rvirt_core::api::Tunable;
    let d = Daemon::start("remote-blkiotune");
    rvirt_driver_remote::register().unwrap();
    let conn = Connect::open(&d.uri()).unwrap();
    let dom = conn.lookup_domain_by_name("test").unwrap();
    let s = |name: &str, v: &str| TypedParam::new(name, TypedValue::String(v.into()));
    let got = dom.tuning_parameters(&Tunable::Blkio, 0).unwrap();
    assert_eq!(got.len(), 6);
    assert_eq!(got[0], TypedParam::new("weight", TypedValue::UInt(0)));
    dom.set_tuning_parameters(
        &Tunable::Blkio,
        &[
            TypedParam::new("weight", TypedValue::UInt(400)),
            s("device_read_iops_sec", "/dev/sda,100,/dev/sdb,200"),
        ],
        0,
    )
    .unwrap();
    let got = dom.tuning_parameters(&Tunable::Blkio, 0).unwrap();
    assert_eq!(got[0], TypedParam::new("weight", TypedValue::UInt(400)));
    assert_eq!(
        got[2],
        s("device_read_iops_sec", "/dev/sda,100,/dev/sdb,200")
    );
    let e = dom
        .set_tuning_parameters(&Tunable::Blkio, &[s("device_weight", "/dev/sda")], 0)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid argument: unable to parse blkio device 'device_weight' '/dev/sda'"
    );
    let e = dom
        .set_tuning_parameters(&Tunable::Blkio, &[s("weight", "1")], 0)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid argument: invalid type 'string' for parameter 'weight', expected 'uint'"
    );
    let ro = Connect::open(&d.ro_uri()).unwrap();
    let rodom = ro.lookup_domain_by_name("test").unwrap();
    assert_eq!(
        rodom.tuning_parameters(&Tunable::Blkio, 0).unwrap()[0],
        TypedParam::new("weight", TypedValue::UInt(400))
    );
    let e = rodom
        .set_tuning_parameters(&Tunable::Blkio, &[s("device_weight", "")], 0)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationDenied);
}
