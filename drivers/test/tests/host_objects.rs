//! Networks, storage pools and volumes, node devices and interfaces of the test
//! driver, with their events; the answers are libvirt 9.0's test driver's (read with
//! python3-libvirt on `test:///default`).

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use rvirt_core::api::{
    NetworkEvent, NetworkEventId, NodeDeviceEvent, NodeDeviceEventId, StoragePoolEvent,
    StoragePoolEventId,
};
use rvirt_core::{Connect, ErrorCode, ErrorDomain, OpenOptions};

fn codes(e: &rvirt_core::Error) -> (i32, i32) {
    (e.code().as_raw(), e.domain().as_raw())
}

#[test]
fn network_lifecycle_and_events() {
    let (l, c) = open("test:///default");
    let seen: Arc<Mutex<Vec<(String, NetworkEvent)>>> = Arc::default();
    let s = seen.clone();
    let cb = c
        .network_event_register_any(None, NetworkEventId::Lifecycle, move |n, ev| {
            s.lock().unwrap().push((n.name().to_string(), *ev));
        })
        .unwrap();
    let name = unique("net");
    let xml = format!(
        "<network><name>{name}</name><forward mode='route'/><ip address='10.1.0.1' prefix='24'><dhcp><range start='10.1.0.10' end='10.1.0.20'/></dhcp></ip></network>"
    );
    let n = c.network_define_xml(&xml, 0).unwrap();
    let text = n.xml_desc(0).unwrap();
    assert!(
        text.contains("  <forward mode='route'/>\n  <bridge stp='on' delay='0'/>\n"),
        "{text}"
    );
    let e = n.bridge_name().unwrap_err();
    assert_eq!(codes(&e), (1, 12));
    assert_eq!(
        e.message(),
        format!("network '{name}' does not have a bridge name.")
    );
    assert!(!n.is_active().unwrap() && n.is_persistent().unwrap());
    n.create().unwrap();
    let e = n.create().unwrap_err();
    assert_eq!(e.message(), format!("Network '{name}' is already running"));
    let e = c
        .network_define_xml(
            &xml.replace(
                "<forward",
                "<uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid><forward",
            ),
            0,
        )
        .unwrap_err();
    assert_eq!(codes(&e), (9, 19));
    let e = n.undefine().unwrap_err();
    assert_eq!(
        (codes(&e), e.message()),
        (
            (55, 12),
            format!("Network '{name}' is still running").as_str()
        )
    );
    n.set_autostart(true).unwrap();
    assert!(n.autostart().unwrap());
    assert_eq!(
        c.list_all_networks(16)
            .unwrap()
            .iter()
            .filter(|x| x.name() == name)
            .count(),
        1
    );
    n.destroy().unwrap();
    assert_eq!(
        c.list_all_networks(1)
            .unwrap()
            .iter()
            .filter(|x| x.name() == name)
            .count(),
        1
    );
    n.undefine().unwrap();
    assert_eq!(
        codes(&c.lookup_network_by_name(&name).unwrap_err()),
        (43, 12)
    );
    let t = c
        .network_create_xml(&format!("<network><name>{name}t</name></network>"), 0)
        .unwrap();
    assert!(!t.is_persistent().unwrap());
    t.destroy().unwrap();
    assert!(c.lookup_network_by_uuid(t.uuid()).is_err());
    use rvirt_core::api::NetworkLifecycle::*;
    let want = vec![
        (name.clone(), NetworkEvent::Lifecycle(Defined)),
        (name.clone(), NetworkEvent::Lifecycle(Started)),
        (name.clone(), NetworkEvent::Lifecycle(Stopped)),
        (name.clone(), NetworkEvent::Lifecycle(Undefined)),
        (format!("{name}t"), NetworkEvent::Lifecycle(Started)),
        (format!("{name}t"), NetworkEvent::Lifecycle(Stopped)),
    ];
    let mine = |s: &Arc<Mutex<Vec<(String, NetworkEvent)>>>| -> Vec<(String, NetworkEvent)> {
        s.lock()
            .unwrap()
            .iter()
            .filter(|(n, _)| n.starts_with(&name))
            .cloned()
            .collect()
    };
    drive(&l, || mine(&seen).len() >= want.len());
    settle(&l);
    assert_eq!(mine(&seen), want);
    c.object_event_deregister_any(cb).unwrap();
    assert_eq!(
        c.object_event_deregister_any(cb).unwrap_err().code(),
        ErrorCode::InvalidArg
    );
}

#[test]
fn network_update_edits_dhcp_hosts() {
    let (_l, c) = open("test:///default");
    let name = unique("upd");
    let n = c
        .network_create_xml(
            &format!("<network><name>{name}</name><ip address='10.2.0.1' netmask='255.255.255.0'><dhcp><range start='10.2.0.2' end='10.2.0.9'/></dhcp></ip></network>"),
            0,
        )
        .unwrap();
    let host = "<host mac='52:54:00:00:00:02' ip='10.2.0.5'/>";
    n.update(3, 4, -1, host, 0).unwrap();
    assert!(n.xml_desc(0).unwrap().contains(host));
    let e = n
        .update(2, 4, -1, "<host mac='52:54:00:00:00:09' ip='10.2.0.6'/>", 0)
        .unwrap_err();
    assert_eq!(codes(&e), (55, 19));
    let e = n.update(1, 1, -1, "<bridge name='x'/>", 0).unwrap_err();
    assert_eq!(codes(&e), (84, 19));
    n.destroy().unwrap();
}

#[test]
fn pools_volumes_and_events() {
    let (l, c) = open("test:///default");
    let seen: Arc<Mutex<Vec<StoragePoolEvent>>> = Arc::default();
    let name = unique("pool");
    let px = format!(
        "<pool type='dir'><name>{name}</name><target><path>/tmp/{name}/</path></target></pool>"
    );
    let p = c.storage_pool_define_xml(&px, 0).unwrap();
    let s = seen.clone();
    c.storage_pool_event_register_any(Some(&p), StoragePoolEventId::Lifecycle, move |_, ev| {
        s.lock().unwrap().push(*ev);
    })
    .unwrap();
    let s = seen.clone();
    c.storage_pool_event_register_any(Some(&p), StoragePoolEventId::Refresh, move |_, ev| {
        s.lock().unwrap().push(*ev);
    })
    .unwrap();
    let text = p.xml_desc(0).unwrap();
    assert!(
        text.contains("<capacity unit='bytes'>107374182400</capacity>"),
        "{text}"
    );
    assert!(
        text.contains("  <source>\n  </source>\n  <target>\n    <path>/tmp/"),
        "{text}"
    );
    assert_eq!(p.info().unwrap().state, 0);
    let e = p.list_all_volumes(0).unwrap_err();
    assert_eq!(
        (codes(&e), e.message()),
        ((55, 12), "storage pool is not active")
    );
    p.build(0).unwrap();
    p.create(0).unwrap();
    p.refresh(0).unwrap();
    let v = p
        .create_volume_xml("<volume><name>v1.img</name><capacity unit='M'>10</capacity><target><format type='qcow2'/></target></volume>", 0)
        .unwrap();
    assert_eq!(v.key(), format!("/tmp/{name}/v1.img"));
    let info = v.info().unwrap();
    assert_eq!(
        (info.vol_type, info.capacity, info.allocation),
        (0, 10 << 20, 10 << 20)
    );
    assert_eq!(p.info().unwrap().allocation, 10 << 20);
    let e = p
        .create_volume_xml(
            "<volume><name>v1.img</name><capacity>1</capacity></volume>",
            0,
        )
        .unwrap_err();
    assert_eq!(
        (codes(&e), e.message()),
        ((9, 12), "storage vol already exists")
    );
    let clone = p
        .create_volume_xml_from(
            "<volume><name>v2.img</name><capacity>1000</capacity></volume>",
            &v,
            0,
        )
        .unwrap();
    assert!(clone.xml_desc(0).unwrap().contains("<format type='raw'/>"));
    assert_eq!(
        c.lookup_storage_vol_by_path(v.key()).unwrap().name(),
        "v1.img"
    );
    assert_eq!(v.pool().unwrap().name(), name);
    assert_eq!(codes(&v.resize(1, 0).unwrap_err()), (3, 18));
    v.delete(0).unwrap();
    assert_eq!(codes(&v.delete(0).unwrap_err()), (50, 12));
    let e = c
        .storage_pool_define_xml(
            &px.replace(&format!("<name>{name}</name>"), "<name>other</name>"),
            0,
        )
        .unwrap_err();
    assert_eq!(
        e.message(),
        format!("Storage source conflict with pool: '{name}'")
    );
    p.destroy().unwrap();
    p.undefine().unwrap();
    use rvirt_core::api::StoragePoolLifecycle::*;
    let want = vec![
        StoragePoolEvent::Lifecycle(Created),
        StoragePoolEvent::Lifecycle(Started),
        StoragePoolEvent::Refresh,
        StoragePoolEvent::Lifecycle(Stopped),
        StoragePoolEvent::Lifecycle(Undefined),
    ];
    drive(&l, || seen.lock().unwrap().len() >= want.len());
    settle(&l);
    assert_eq!(*seen.lock().unwrap(), want);
}

#[test]
fn node_devices_and_vhba() {
    let (l, c) = open("test:///default");
    let mut names: Vec<String> = c
        .list_all_node_devices(0)
        .unwrap()
        .iter()
        .map(|d| d.name().to_string())
        .collect();
    names.sort();
    assert!(names.starts_with(&[
        "computer".to_string(),
        "scsi_host1".into(),
        "scsi_host11".into()
    ]));
    let mut vports = c.node_list_devices(Some("vports"), 0).unwrap();
    vports.sort();
    assert_eq!(vports, ["scsi_host1", "scsi_host2"]);
    assert_eq!(
        codes(&c.list_all_node_devices(1 << 31).unwrap_err()),
        (8, 12)
    );
    let host1 = c.lookup_node_device_by_name("scsi_host1").unwrap();
    assert_eq!(host1.parent().unwrap().as_deref(), Some("computer"));
    assert_eq!(host1.list_caps().unwrap(), ["scsi_host"]);
    assert_eq!(codes(&host1.is_active().unwrap_err()), (3, 22));
    let seen: Arc<Mutex<Vec<NodeDeviceEvent>>> = Arc::default();
    let s = seen.clone();
    c.node_device_event_register_any(None, NodeDeviceEventId::Lifecycle, move |d, ev| {
        if d.name() == "scsi_host12" {
            s.lock().unwrap().push(*ev);
        }
    })
    .unwrap();
    let vhba = c
        .node_device_create_xml("<device><parent>scsi_host1</parent><capability type='scsi_host'><capability type='fc_host'><wwnn>2000000012345678</wwnn><wwpn>1000000012345678</wwpn></capability></capability></device>", 0)
        .unwrap();
    assert_eq!(vhba.name(), "scsi_host12");
    assert!(
        vhba.xml_desc(0)
            .unwrap()
            .contains("<wwnn>2000000012345678</wwnn>")
    );
    vhba.destroy().unwrap();
    let e = c
        .node_device_create_xml("<device><name>x</name></device>", 0)
        .unwrap_err();
    assert_eq!(
        (codes(&e), e.message()),
        ((1, 22), "no device capabilities for 'new device'")
    );
    use rvirt_core::api::NodeDeviceLifecycle::*;
    drive(&l, || seen.lock().unwrap().len() >= 2);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            NodeDeviceEvent::Lifecycle(Created),
            NodeDeviceEvent::Lifecycle(Deleted)
        ]
    );
}

#[test]
fn interfaces_and_transactions() {
    let (_l, c) = open("test:///default");
    let name = unique("eth");
    let x = format!(
        "<interface type='ethernet' name='{name}'><mac address='aa:bb:cc:dd:ee:01'/><start mode='onboot'/><protocol family='ipv4'><dhcp/></protocol></interface>"
    );
    let i = c.interface_define_xml(&x, 0).unwrap();
    assert_eq!(
        i.xml_desc(0).unwrap(),
        format!(
            "<interface type='ethernet' name='{name}'>\n  <start mode='onboot'/>\n  <protocol family='ipv4'>\n    <dhcp/>\n  </protocol>\n  <mac address='aa:bb:cc:dd:ee:01'/>\n</interface>\n"
        )
    );
    assert!(!i.is_active().unwrap());
    i.create(0).unwrap();
    let e = i.create(0).unwrap_err();
    assert_eq!(
        (codes(&e), e.to_string().as_str()),
        ((55, 12), "Requested operation is not valid")
    );
    c.interface_change_begin(0).unwrap();
    assert_eq!(
        c.interface_change_begin(0).unwrap_err().message(),
        "there is another transaction running."
    );
    i.undefine().unwrap();
    c.interface_change_rollback(0).unwrap();
    assert!(c.lookup_interface_by_name(&name).is_ok());
    i.undefine().unwrap();
    assert_eq!(
        codes(&c.lookup_interface_by_name(&name).unwrap_err()),
        (57, 12)
    );
    let e = c
        .interface_define_xml("<interface type='ethernet'/>", 0)
        .unwrap_err();
    assert_eq!(
        (codes(&e), e.message()),
        ((27, 26), "interface has no name")
    );
}

#[test]
fn no_secrets_no_filters_and_read_only_refusals() {
    let (_l, c) = open("test:///default");
    let e = c.list_all_secrets(0).unwrap_err();
    assert_eq!(
        (codes(&e), e.message()),
        ((3, 30), "virConnectListAllSecrets")
    );
    assert_eq!(codes(&c.list_all_nwfilters(0).unwrap_err()), (3, 33));
    rvirt_driver_test::register().unwrap();
    let ro = Connect::open_with(
        "test:///default",
        OpenOptions {
            read_only: true,
            ..Default::default()
        },
    )
    .unwrap();
    let e = ro
        .network_define_xml("<network><name>x</name></network>", 0)
        .unwrap_err();
    assert_eq!(
        codes(&e),
        (
            ErrorCode::OperationDenied.as_raw(),
            ErrorDomain::Network.as_raw()
        )
    );
    assert_eq!(
        e.message(),
        "operation forbidden: read only access prevents virNetworkDefineXML"
    );
    assert!(!ro.list_all_networks(0).unwrap().is_empty());
}

#[test]
fn node_file_objects() {
    let dir = rvirt_testkit::TempDir::new("objs");
    let path = dir.join("node.xml");
    std::fs::write(
        &path,
        "<node><network><name>n1</name><bridge name='br9'/><forward mode='nat'/><ip address='10.0.0.1' prefix='24'/></network>
         <pool type='dir'><name>p1</name><target><path>/p1</path></target><volume><name>v1</name><capacity>1000</capacity></volume></pool>
         <interface type='ethernet' name='eth7'><mac address='aa:bb:cc:dd:ee:07'/></interface>
         <device><name>mydev</name><parent>computer</parent><capability type='net'><interface>eth7</interface></capability></device></node>",
    )
    .unwrap();
    let (_l, c) = open(&format!("test://{}", path.display()));
    let n = c.lookup_network_by_name("n1").unwrap();
    assert!(n.is_active().unwrap());
    let p = c.lookup_storage_pool_by_name("p1").unwrap();
    let info = p.info().unwrap();
    assert_eq!(
        (info.state, info.allocation, info.available),
        (2, 1000, (100 << 30) - 1000)
    );
    let v = p.lookup_volume_by_name("v1").unwrap();
    assert_eq!(v.key(), "/p1/v1");
    assert_eq!(c.list_all_node_devices(0).unwrap().len(), 1);
    assert_eq!(
        c.lookup_interface_by_name("eth7").unwrap().mac(),
        "aa:bb:cc:dd:ee:07"
    );
}
