//! The remote driver's network updates and network ports against rvirtd's real
//! network driver, in a network namespace of the test thread's own (rvirtd and its
//! dnsmasq inherit it): `virNetworkUpdate` live and persistent with libvirt's
//! refusals, a port created, listed, looked up, dumped, its bandwidth parameters read
//! and changed, and deleted — each over the wire.

use rvirt_core::api::{OpenOptions, TypedParam, TypedValue};
use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, ErrorCode, Uuid};
use rvirt_testkit::{NetworkDaemon, TempDir, enter_netns};

const PORT: &str = "<networkport><uuid>2f0e1d2c-3b4a-4958-8776-655443322110</uuid>\
    <owner><name>remote</name><uuid>0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9</uuid></owner>\
    <mac address='52:54:00:dd:00:01'/><bandwidth><inbound average='200'/></bandwidth></networkport>";

#[test]
fn updates_and_ports_over_the_wire() {
    if !enter_netns() {
        return;
    }
    let tmp = TempDir::new("rports");
    let net = NetworkDaemon::start(&tmp, "rports-d");
    let l = DefaultLoop::new().unwrap();
    rvirt_driver_remote::register().unwrap();
    let conn = Connect::open_with(
        &net.d.qemu_uri(),
        OpenOptions {
            event_loop: Some(l.shared()),
            read_only: false,
        },
    )
    .unwrap();
    let n = conn.lookup_network_by_name("default").unwrap();

    let host = "<host mac='52:54:00:dd:00:45' name='rh' ip='192.168.122.77'/>";
    n.update(4, 4, -1, host, 3).unwrap(); // add-first ip-dhcp-host, live + config
    assert!(n.xml_desc(0).unwrap().contains(host));
    assert!(n.xml_desc(1).unwrap().contains(host));
    let e = n.update(3, 4, -1, host, 1).unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationInvalid);
    assert!(
        e.message()
            .contains("there is an existing dhcp host entry in network 'default'"),
        "{}",
        e.message()
    );
    n.update(2, 4, -1, host, 3).unwrap();
    assert!(!n.xml_desc(0).unwrap().contains("rh"));

    let p = n.port_create_xml(PORT, 0).unwrap();
    let uuid = Uuid::parse_str("2f0e1d2c-3b4a-4958-8776-655443322110").unwrap();
    assert_eq!(*p.uuid(), uuid);
    let listed = n.list_all_ports(0).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(*listed[0].uuid(), uuid);
    let found = n.port_lookup_by_uuid(&uuid).unwrap();
    let xml = found.xml_desc(0).unwrap();
    assert!(
        xml.contains("<plug type='network' bridge='virbr0'/>"),
        "{xml}"
    );
    let got: Vec<String> = found
        .get_parameters(0)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        got,
        [
            "inbound.average=200",
            "inbound.peak=0",
            "inbound.floor=0",
            "inbound.burst=0"
        ]
    );
    found
        .set_parameters(
            &[
                TypedParam::new("inbound.average", TypedValue::UInt(300)),
                TypedParam::new("outbound.average", TypedValue::UInt(40)),
            ],
            0,
        )
        .unwrap();
    let xml = found.xml_desc(0).unwrap();
    assert!(
        xml.contains("<inbound average='300'/>") && xml.contains("<outbound average='40'/>"),
        "{xml}"
    );
    let e = found
        .set_parameters(&[TypedParam::new("inbound.floor", TypedValue::UInt(1))], 0)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
    found.delete(0).unwrap();
    assert!(n.list_all_ports(0).unwrap().is_empty());
    let e = n.port_lookup_by_uuid(&uuid).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoNetworkPort);
    drop(conn);
}
