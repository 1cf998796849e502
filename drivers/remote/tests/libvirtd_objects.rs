//! The remote driver's secondary families against a real libvirtd (test driver):
//! networks, pools and volumes, node devices and interfaces with their events, and
//! the refusals of the families the test driver lacks.

use std::sync::mpsc;
use std::time::Duration;

use rvirt_core::api::{
    NetworkEvent, NetworkEventId, NetworkLifecycle, NodeDeviceEventId, OpenOptions,
    StoragePoolEvent, StoragePoolEventId, StoragePoolLifecycle,
};
use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, ErrorCode, ErrorDomain};
use rvirt_testkit::libvirtd::Libvirtd;

const WAIT: Duration = Duration::from_secs(10);

fn open(uri: &str, l: &DefaultLoop, read_only: bool) -> Connect {
    rvirt_driver_remote::register().unwrap();
    Connect::open_with(
        uri,
        OpenOptions {
            event_loop: Some(l.shared()),
            read_only,
        },
    )
    .unwrap()
}

/// Runs `l` until `rx` yields, or fails after [`WAIT`].
fn next<T>(l: &DefaultLoop, rx: &mpsc::Receiver<T>) -> T {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if let Ok(v) = rx.try_recv() {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no event within {WAIT:?}"
        );
        l.run_once_timeout(Duration::from_millis(20)).unwrap();
    }
}

#[test]
fn networks_pools_devices_and_events_over_the_wire() {
    let Some(d) = Libvirtd::start() else { return };
    let l = DefaultLoop::new().unwrap();
    let c = open(&d.uri(), &l, false);
    let (tx, nets) = mpsc::channel();
    c.network_event_register_any(None, NetworkEventId::Lifecycle, move |n, ev| {
        let _ = tx.send((n.name().to_string(), *ev));
    })
    .unwrap();
    let (tx, pools) = mpsc::channel();
    let p = c.lookup_storage_pool_by_name("default-pool").unwrap();
    c.storage_pool_event_register_any(Some(&p), StoragePoolEventId::Refresh, move |p, ev| {
        let _ = tx.send((p.name().to_string(), *ev));
    })
    .unwrap();

    let net = c
        .network_define_xml(
            "<network><name>wire</name><bridge name='wirebr'/><ip address='10.3.0.1' prefix='24'/></network>",
            0,
        )
        .unwrap();
    assert_eq!(
        next(&l, &nets),
        (
            "wire".into(),
            NetworkEvent::Lifecycle(NetworkLifecycle::Defined)
        )
    );
    net.create().unwrap();
    assert_eq!(
        next(&l, &nets),
        (
            "wire".into(),
            NetworkEvent::Lifecycle(NetworkLifecycle::Started)
        )
    );
    assert_eq!(net.bridge_name().unwrap(), "wirebr");
    assert!(
        net.xml_desc(0)
            .unwrap()
            .contains("<ip address='10.3.0.1' prefix='24'>")
    );
    // The wire carries the section first; the daemon must see the right edit.
    net.update(3, 4, -1, "<host mac='52:54:00:00:00:07' ip='10.3.0.7'/>", 0)
        .unwrap();
    assert!(
        net.xml_desc(0)
            .unwrap()
            .contains("<host mac='52:54:00:00:00:07' ip='10.3.0.7'/>")
    );
    net.destroy().unwrap();
    net.undefine().unwrap();
    assert_eq!(
        next(&l, &nets).1,
        NetworkEvent::Lifecycle(NetworkLifecycle::Stopped)
    );
    assert_eq!(
        next(&l, &nets).1,
        NetworkEvent::Lifecycle(NetworkLifecycle::Undefined)
    );

    let v = p
        .create_volume_xml(
            "<volume><name>w.img</name><capacity>4096</capacity></volume>",
            0,
        )
        .unwrap();
    assert_eq!(v.key(), "/default-pool/w.img");
    assert_eq!(v.info().unwrap().capacity, 4096);
    assert_eq!(p.list_volume_names().unwrap(), ["w.img"]);
    assert_eq!(
        c.lookup_storage_vol_by_path("/default-pool/w.img")
            .unwrap()
            .name(),
        "w.img"
    );
    p.refresh(0).unwrap();
    assert_eq!(
        next(&l, &pools),
        ("default-pool".into(), StoragePoolEvent::Refresh)
    );
    v.delete(0).unwrap();
    let e = p.info().map(|i| i.state).unwrap();
    assert_eq!(e, 2);
    let _ = StoragePoolLifecycle::Started;

    let mut devs = c.node_list_devices(Some("scsi_host"), 0).unwrap();
    devs.sort();
    assert_eq!(devs, ["scsi_host1", "scsi_host11", "scsi_host2"]);
    let host = c.lookup_node_device_by_name("scsi_host11").unwrap();
    assert_eq!(host.parent().unwrap().as_deref(), Some("scsi_host1"));
    assert_eq!(host.list_caps().unwrap(), ["scsi_host"]);
    c.node_device_event_register_any(None, NodeDeviceEventId::Lifecycle, |_, _| {})
        .unwrap();

    assert_eq!(
        c.lookup_interface_by_mac("aa:bb:cc:dd:ee:ff")
            .unwrap()
            .name(),
        "eth1"
    );
    c.interface_change_begin(0).unwrap();
    c.interface_change_rollback(0).unwrap();

    let e = c.list_all_secrets(0).unwrap_err();
    assert_eq!(
        (e.code(), e.domain()),
        (ErrorCode::NoSupport, ErrorDomain::Secret)
    );
    let e = c
        .secret_event_register_any(None, rvirt_core::api::SecretEventId::Lifecycle, |_, _| {})
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoSupport);
    assert_eq!(
        c.list_all_nwfilters(0).unwrap_err().code(),
        ErrorCode::NoSupport
    );

    let ro = open(&d.uri(), &l, true);
    let e = ro
        .network_define_xml("<network><name>x</name></network>", 0)
        .unwrap_err();
    assert_eq!(
        (e.code(), e.domain()),
        (ErrorCode::OperationDenied, ErrorDomain::Network)
    );
}
