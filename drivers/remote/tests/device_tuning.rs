//! A disk's throttle, a NIC's bandwidth, the NUMA policy, perf events and lifecycle
//! actions through rvirt's remote driver against rvirtd's test driver: what a set
//! leaves reads back, the test driver's refusals come back typed, and a read-only
//! connection may read but not set.

use rvirt_core::api::{Tunable, TypedParam, TypedValue};
use rvirt_core::{Connect, ErrorCode};
use rvirt_testkit::Daemon;

fn value(params: &[TypedParam], name: &str) -> TypedValue {
    params
        .iter()
        .find(|p| p.field == name)
        .unwrap_or_else(|| panic!("no {name} in {params:?}"))
        .value
        .clone()
}

#[test]
fn device_tuning_round_trips_through_the_remote_driver() {
    let d = Daemon::start("remote-device-tuning");
    rvirt_driver_remote::register().unwrap();
    let conn = Connect::open(&d.uri()).unwrap();
    let dom = conn.lookup_domain_by_name("test").unwrap();

    // The default domain's disk: 20 throttle values, limits within their maxima.
    let vda = Tunable::BlockIo("vda".into());
    let io = dom.tuning_parameters(&vda, 0).unwrap();
    assert_eq!(io.len(), 20);
    assert_eq!(value(&io, "total_bytes_sec"), TypedValue::ULLong(0));
    dom.set_tuning_parameters(
        &vda,
        &[
            TypedParam::new("total_bytes_sec_max", TypedValue::ULLong(900)),
            TypedParam::new("total_bytes_sec", TypedValue::ULLong(800)),
            TypedParam::new("group_name", TypedValue::String("g".into())),
        ],
        0,
    )
    .unwrap();
    let io = dom.tuning_parameters(&vda, 0).unwrap();
    assert_eq!(value(&io, "total_bytes_sec"), TypedValue::ULLong(800));
    assert_eq!(value(&io, "group_name"), TypedValue::String("g".into()));
    let e = dom
        .set_tuning_parameters(
            &vda,
            &[TypedParam::new("read_bytes_sec", TypedValue::ULLong(1))],
            0,
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg);
    assert_eq!(
        e.to_string(),
        "invalid argument: total and read/write of bytes_sec cannot be set at the same time"
    );
    let e = dom
        .tuning_parameters(&Tunable::BlockIo("vdq".into()), 0)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid argument: disk 'vdq' was not found in the domain config"
    );

    // The NIC by MAC address: an outbound average replaces nothing inbound.
    let nic = Tunable::Interface("aa:bb:cc:dd:ee:ff".into());
    dom.set_tuning_parameters(
        &nic,
        &[TypedParam::new("outbound.average", TypedValue::UInt(64))],
        0,
    )
    .unwrap();
    let bw = dom.tuning_parameters(&nic, 0).unwrap();
    assert_eq!(bw.len(), 7);
    assert_eq!(value(&bw, "outbound.average"), TypedValue::UInt(64));
    let xml = dom.xml_desc(0).unwrap();
    assert!(xml.contains("<outbound average='64'/>"), "{xml}");

    // NUMA, perf events, lifecycle actions.
    let numa = dom.tuning_parameters(&Tunable::Numa, 0).unwrap();
    assert_eq!(value(&numa, "numa_mode"), TypedValue::Int(0));
    dom.set_tuning_parameters(
        &Tunable::Perf,
        &[TypedParam::new("cpu_cycles", TypedValue::Boolean(true))],
        0,
    )
    .unwrap();
    let perf = dom.tuning_parameters(&Tunable::Perf, 0).unwrap();
    assert_eq!(perf.len(), 22);
    assert_eq!(value(&perf, "cpu_cycles"), TypedValue::Boolean(true));
    dom.set_lifecycle_action(2, 3, 0).unwrap();
    let xml = dom.xml_desc(0).unwrap();
    assert!(xml.contains("<on_crash>preserve</on_crash>"), "{xml}");
    let e = dom.set_lifecycle_action(0, 4, 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
    let e = dom.set_lifecycle_action(3, 0, 0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid argument: invalid lifecycle type '3'"
    );

    // Read-only: look, do not touch.
    let ro = Connect::open_read_only(&d.uri()).unwrap();
    let rdom = ro.lookup_domain_by_name("test").unwrap();
    assert_eq!(rdom.tuning_parameters(&vda, 0).unwrap().len(), 20);
    let e = rdom
        .set_tuning_parameters(
            &Tunable::Perf,
            &[TypedParam::new("cmt", TypedValue::Boolean(true))],
            0,
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationDenied);
}

#[test]
fn peeks_models_and_iothreads_through_the_remote_driver() {
    let d = Daemon::start("remote-iothreads");
    rvirt_driver_remote::register().unwrap();
    let conn = Connect::open(&d.uri()).unwrap();
    let dom = conn.lookup_domain_by_name("test").unwrap();

    assert_eq!(dom.memory_peek(97, 3, 1).unwrap(), b"abc");
    let e = dom.memory_peek(0, 1, 3).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg);
    let models = conn.cpu_model_names("x86_64", 0).unwrap();
    assert_eq!(models.len(), 58);
    assert_eq!(models.last().map(String::as_str), Some("Dhyana"));
    let e = conn.cpu_model_names("bogus", 0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid argument: cannot find architecture bogus"
    );
    assert!(dom.launch_security_info(0).unwrap().is_empty());

    // The running default domain: a live thread, pinned, then gone.
    dom.add_iothread(4, 0).unwrap();
    dom.pin_iothread(4, &rvirt_core::api::CpuMap(vec![0b10]), 0)
        .unwrap();
    let info = dom.iothread_info(0).unwrap();
    assert_eq!(info.len(), 1);
    assert_eq!(info[0].id, 4);
    assert_eq!(info[0].cpumap.cpus().collect::<Vec<_>>(), [1]);
    let xml = dom.xml_desc(0).unwrap();
    assert!(
        xml.contains("<iothreadpin iothread='4' cpuset='1'/>"),
        "{xml}"
    );
    assert!(dom.iothread_info(2).unwrap().is_empty(), "config untouched");
    let e = dom.add_iothread(4, 0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid argument: an IOThread is already using iothread_id '4'"
    );
    dom.del_iothread(4, 0).unwrap();
    assert!(dom.iothread_info(0).unwrap().is_empty());
    let e = dom.del_iothread(0, 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg);
}
