use super::*;
use crate::network_update::command;

const DEFAULT: &str = "<network>
  <name>default</name>
  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>
";

#[test]
fn default_network_round_trips_byte_for_byte() {
    let def = NetworkDef::from_xml(DEFAULT).unwrap();
    assert_eq!(def.to_xml(), DEFAULT);
    assert_eq!(def.ips[0].prefix_len(), 24);
    assert!(def.ips[0].contains("192.168.122.77".parse().unwrap()));
    assert!(!def.ips[0].contains("192.168.123.1".parse().unwrap()));
}

#[test]
fn written_as_libvirt_writes_it() {
    let def = NetworkDef::from_xml(
        "<network><name>iso</name><uuid>ad1f1716-3533-429b-9907-00c133781530</uuid><ip address='10.8.0.1' prefix='24'/><portgroup name='pg' default='yes'/></network>",
    )
    .unwrap();
    assert_eq!(
        def.to_xml(),
        "<network>\n  <name>iso</name>\n  <uuid>ad1f1716-3533-429b-9907-00c133781530</uuid>\n  <bridge stp='on' delay='0'/>\n  <ip address='10.8.0.1' prefix='24'>\n  </ip>\n  <portgroup name='pg' default='yes'>\n  </portgroup>\n</network>\n"
    );
    let br = NetworkDef::from_xml(
        "<network><name>b</name><forward mode='bridge'/><bridge name='br0'/></network>",
    )
    .unwrap();
    assert!(
        br.to_xml()
            .contains("  <forward mode='bridge'/>\n  <bridge name='br0'/>\n")
    );
    let fwd = NetworkDef::from_xml(
        "<network><name>f</name><forward mode='nat' dev='eth0'><interface dev='eth0'/></forward><ip address='10.9.0.1' prefix='24'/><dns><host ip='10.9.0.5'><hostname>a</hostname></host><forwarder addr='8.8.8.8'/></dns></network>",
    )
    .unwrap();
    let x = fwd.to_xml();
    assert!(
        x.contains("<forward dev='eth0' mode='nat'>\n    <interface dev='eth0'/>\n  </forward>"),
        "{x}"
    );
    assert!(x.contains("<dns>\n    <forwarder addr='8.8.8.8'/>\n    <host ip='10.9.0.5'>\n      <hostname>a</hostname>\n    </host>\n  </dns>"), "{x}");
}

#[test]
fn refusals_carry_libvirts_numbers() {
    let e = NetworkDef::from_xml("<network/>").unwrap_err();
    assert_eq!((e.code, e.domain), (21, 19));
    // libvirt's forward checks, in its words.
    for (xml, message) in [
        (
            "<network><name>n</name><forward mode='nat'/></network>",
            "nat forwarding requested, but no IP address provided for network 'n'",
        ),
        (
            "<network><name>n</name><forward mode='route' dev='a'><interface dev='b'/></forward>\
             <ip address='10.1.0.1' prefix='24'/></network>",
            "<forward dev='a'> must match first <interface dev='b'/> in network n",
        ),
        (
            "<network><name>n</name><forward mode='bridge'><interface dev='a'/>\
             <interface dev='a'/></forward></network>",
            "interface 'a' can only be listed once in network n",
        ),
        (
            "<network><name>n</name><forward mode='open' dev='a'/>\
             <ip address='10.1.0.1' prefix='24'/></network>",
            "forward dev not allowed for network 'n' with forward mode='open'",
        ),
        (
            "<network><name>n</name><dns enable='no'><forwarder addr='8.8.8.8'/></dns></network>",
            "Extra data in disabled network 'n'",
        ),
    ] {
        let e = NetworkDef::from_xml(xml).unwrap_err();
        assert_eq!((e.code, e.domain), (27, 19), "{xml}");
        assert!(e.to_string().contains(message), "{e}");
    }
    let e = NetworkDef::from_xml("<network><name>bm</name><forward mode='xyz'/></network>")
        .unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (67, "unknown forwarding type 'xyz'")
    );
    let e = NetworkDef::from_xml(
        "<network><name>bi</name><ip address='10.7.0.300' prefix='24'/></network>",
    )
    .unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (27, "Invalid address '10.7.0.300' in network 'bi'")
    );
    let e = NetworkDef::from_xml("<network><name>bu</name><uuid>zz</uuid></network>").unwrap_err();
    assert_eq!(
        (e.code, e.domain, e.message.as_str()),
        (1, 19, "malformed uuid element")
    );
    let e = NetworkDef::from_xml(
        "<network><name>ro</name><ip address='10.7.0.1' prefix='24'><dhcp><range start='10.8.0.2' end='10.8.0.9'/></dhcp></ip></network>",
    )
    .unwrap_err();
    assert_eq!(
        (e.code, e.domain, e.message.as_str()),
        (
            1,
            0,
            "range 10.8.0.2 - 10.8.0.9 is not entirely within network 10.7.0.1/24"
        )
    );
}

#[test]
fn updates_dhcp_hosts_ranges_and_dns() {
    let mut def = NetworkDef::from_xml(DEFAULT).unwrap();
    let host = "<host mac='52:54:00:00:00:02' ip='192.168.122.9'/>";
    def.update(command::ADD_LAST, 4, -1, host).unwrap();
    let e = def.update(command::ADD_LAST, 4, -1, host).unwrap_err();
    assert_eq!(e.code, 55);
    def.update(command::DELETE, 4, -1, host).unwrap();
    let e = def.update(command::DELETE, 4, -1, host).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            55,
            "couldn't locate a matching dhcp host entry in network 'default'"
        )
    );
    def.update(
        command::ADD_FIRST,
        5,
        -1,
        "<range start='192.168.122.100' end='192.168.122.110'/>",
    )
    .unwrap();
    assert_eq!(def.ips[0].ranges[0].start.to_string(), "192.168.122.100");
    def.update(
        command::ADD_LAST,
        10,
        -1,
        "<host ip='192.168.122.5'><hostname>foo</hostname></host>",
    )
    .unwrap();
    assert!(def.to_xml().contains("  <dns>\n    <host ip='192.168.122.5'>\n      <hostname>foo</hostname>\n    </host>\n  </dns>\n  <ip"));
    let e = def
        .update(command::MODIFY, 1, -1, "<bridge name='virbr0' stp='off'/>")
        .unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (84, "can't update 'bridge' section of network 'default'")
    );
}
