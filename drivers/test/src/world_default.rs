//! The initial `test:///default` world: the same objects libvirt's test driver starts with.

use rvirt_core::api::{NodeInfo, RunningReason, StateReason};
use rvirt_core::conf::{Defaults, DomainDef};

use crate::objects::default_objects;
use crate::state::World;

/// UUID of the default domain `test`.
pub const DEFAULT_DOMAIN_UUID: &str = "6695eb01-f6a4-8304-79aa-97f2502e193f";
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

/// A fresh default world: domain `test` running with id 1, next id 2.
pub(crate) fn build() -> World {
    let world = World::new(node_info(), default_objects());
    let mut def = DomainDef::from_xml(DOMAIN_XML).expect("built-in domain XML parses");
    def.post_parse(&Defaults::test_driver())
        .expect("built-in domain XML is complete");
    world
        .preload(
            def,
            StateReason::Running(RunningReason::Unknown),
            true,
            false,
        )
        .expect("an empty world takes the built-in domain");
    world
}
