//! The initial `test:///default` world: the same objects libvirt's test driver starts with.

use rvirt_core::Uuid;
use rvirt_core::api::{NodeInfo, RunningReason, StateReason};
use rvirt_core::conf::{Defaults, DomainDef};

use crate::inventory::{HostInterface, Inventory, Network, StoragePool};
use crate::state::World;

/// UUID of the default domain `test`.
pub const DEFAULT_DOMAIN_UUID: &str = "6695eb01-f6a4-8304-79aa-97f2502e193f";
const NETWORK_UUID: &str = "dd8fe884-6c02-601e-7551-cca97df1c5df";
const POOL_UUID: &str = "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566";

const DOMAIN_XML: &str = r#"<domain type="test">
  <name>test</name>
  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
  <memory unit="KiB">8388608</memory>
  <currentMemory unit="KiB">2097152</currentMemory>
  <vcpu placement="static">2</vcpu>
  <os>
    <type arch="i686">hvm</type>
    <boot dev="hd"/>
  </os>
  <clock offset="utc"/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type="file" device="disk">
      <source file="/guest/diskimage1"/>
      <target dev="vda" bus="virtio"/>
      <address type="pci" domain="0x0000" bus="0x01" slot="0x00" function="0x0"/>
    </disk>
    <interface type="network">
      <mac address="aa:bb:cc:dd:ee:ff"/>
      <source network="default"/>
      <target dev="testnet0"/>
      <address type="pci" domain="0x0000" bus="0x00" slot="0x01" function="0x0"/>
    </interface>
    <memballoon model="virtio">
      <address type="pci" domain="0x0000" bus="0x00" slot="0x02" function="0x0"/>
    </memballoon>
  </devices>
</domain>
"#;

const NETWORK_XML: &str = r#"<network>
  <name>default</name>
  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>
  <forward mode="nat"/>
  <bridge name="virbr0" stp="on" delay="0"/>
  <ip address="192.168.122.1" netmask="255.255.255.0">
    <dhcp>
      <range start="192.168.122.2" end="192.168.122.254"/>
    </dhcp>
  </ip>
</network>
"#;

const POOL_XML: &str = r#"<pool type="dir">
  <name>default-pool</name>
  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>
  <capacity unit="bytes">107374182400</capacity>
  <allocation unit="bytes">0</allocation>
  <available unit="bytes">107374182400</available>
  <target>
    <path>/default-pool</path>
  </target>
</pool>
"#;

const INTERFACE_XML: &str = r#"<interface type="ethernet" name="eth1">
  <start mode="onboot"/>
  <mtu size="1492"/>
  <protocol family="ipv4">
    <ip address="192.168.0.5" prefix="24"/>
    <route gateway="192.168.0.1"/>
  </protocol>
  <mac address="aa:bb:cc:dd:ee:ff"/>
</interface>
"#;

/// Node facts of the default world (also the base a node file's `<cpu>`/`<memory>`
/// override).
pub(crate) fn node_info() -> NodeInfo {
    NodeInfo {
        model: "i686".into(),
        memory_kib: 3 * 1024 * 1024,
        cpus: 16,
        mhz: 1400,
        nodes: 2,
        sockets: 2,
        cores: 2,
        threads: 2,
    }
}

fn inventory() -> Inventory {
    let uuid = |s: &str| Uuid::parse_str(s).expect("constant UUID");
    Inventory {
        networks: vec![Network {
            name: "default".into(),
            uuid: uuid(NETWORK_UUID),
            bridge: Some("virbr0".into()),
            active: true,
            persistent: true,
            autostart: false,
            xml: NETWORK_XML.into(),
        }],
        pools: vec![StoragePool {
            name: "default-pool".into(),
            uuid: uuid(POOL_UUID),
            pool_type: "dir".into(),
            path: Some("/default-pool".into()),
            capacity: 107_374_182_400,
            allocation: 0,
            available: 107_374_182_400,
            active: true,
            xml: POOL_XML.into(),
        }],
        interfaces: vec![HostInterface {
            name: "eth1".into(),
            mac: Some("aa:bb:cc:dd:ee:ff".into()),
            active: true,
            xml: INTERFACE_XML.into(),
        }],
    }
}

/// A fresh default world: domain `test` running with id 1, next id 2.
pub(crate) fn build() -> World {
    let world = World::new(node_info(), inventory());
    let mut def = DomainDef::from_xml(DOMAIN_XML).expect("built-in domain XML parses");
    def.post_parse(&Defaults::test_driver())
        .expect("built-in domain XML is complete");
    world
        .preload(def, StateReason::Running(RunningReason::Unknown), true)
        .expect("an empty world takes the built-in domain");
    world
}
