//! The objects a test world starts with: libvirt's default ones for
//! `test:///default`, or those a node file lists.

use rvirt_core::objconf::{InterfaceDef, NetworkDef, NodeDeviceDef, PoolDef, VolDef, tree::parse};
use rvirt_core::{ErrorDomain, Result};

use super::{HostObjects, IfaceObj, NetObj, POOL_CAPACITY, PoolObj};
use crate::errors::node_xml;

const NETWORK_XML: &str = "<network>
  <name>default</name>
  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>";

const POOL_XML: &str = "<pool type='dir'>
  <name>default-pool</name>
  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>
  <target>
    <path>/default-pool</path>
  </target>
</pool>";

const INTERFACE_XML: &str = "<interface type='ethernet' name='eth1'>
  <start mode='onboot'/>
  <mtu size='1492'/>
  <protocol family='ipv4'>
    <ip address='192.168.0.5' prefix='24'/>
    <route gateway='192.168.0.1'/>
  </protocol>
  <mac address='aa:bb:cc:dd:ee:ff'/>
</interface>";

const DEVICES_XML: &[&str] = &[
    "<device>
  <name>computer</name>
  <capability type='system'>
    <hardware>
      <vendor>Libvirt</vendor>
      <version>Test driver</version>
      <serial>123456</serial>
      <uuid>11111111-2222-3333-4444-555555555555</uuid>
    </hardware>
    <firmware>
      <vendor>Libvirt</vendor>
      <version>Test Driver</version>
      <release_date>01/22/2007</release_date>
    </firmware>
  </capability>
</device>",
    "<device>
  <name>scsi_host1</name>
  <parent>computer</parent>
  <capability type='scsi_host'>
    <host>1</host>
    <unique_id>0</unique_id>
    <capability type='fc_host'>
      <wwnn>2000000012341234</wwnn>
      <wwpn>1000000012341234</wwpn>
      <fabric_wwn>2000000043214321</fabric_wwn>
    </capability>
    <capability type='vport_ops'>
      <max_vports>0</max_vports>
      <vports>0</vports>
    </capability>
  </capability>
</device>",
    "<device>
  <name>scsi_host2</name>
  <parent>computer</parent>
  <capability type='scsi_host'>
    <host>2</host>
    <unique_id>1</unique_id>
    <capability type='fc_host'>
      <wwnn>2000000056785678</wwnn>
      <wwpn>1000000056785678</wwpn>
      <fabric_wwn>2000000087658765</fabric_wwn>
    </capability>
    <capability type='vport_ops'>
      <max_vports>0</max_vports>
      <vports>0</vports>
    </capability>
  </capability>
</device>",
    "<device>
  <name>scsi_host11</name>
  <parent>scsi_host1</parent>
  <capability type='scsi_host'>
    <host>11</host>
    <unique_id>10</unique_id>
    <capability type='fc_host'>
      <wwnn>2000000034563456</wwnn>
      <wwpn>1000000034563456</wwpn>
      <fabric_wwn>2000000043214321</fabric_wwn>
    </capability>
  </capability>
</device>",
];

fn running_pool(def: PoolDef, volumes: Vec<VolDef>) -> PoolObj {
    let mut obj = PoolObj {
        def,
        active: true,
        persistent: true,
        autostart: false,
        volumes,
    };
    obj.def.capacity = POOL_CAPACITY;
    let used: u64 = obj.volumes.iter().filter_map(|v| v.allocation).sum();
    obj.def.allocation = used;
    obj.def.available = POOL_CAPACITY.saturating_sub(used);
    obj
}

/// The objects of a fresh `test:///default`, as libvirt 9.0's test driver has them.
pub(crate) fn default_objects() -> HostObjects {
    let net = NetworkDef::from_xml(NETWORK_XML).expect("built-in network XML parses");
    let pool = PoolDef::from_xml(POOL_XML).expect("built-in pool XML parses");
    let iface = InterfaceDef::from_xml(INTERFACE_XML).expect("built-in interface XML parses");
    HostObjects {
        networks: vec![NetObj {
            def: net,
            new_def: None,
            active: true,
            persistent: true,
            autostart: false,
        }],
        pools: vec![running_pool(pool, Vec::new())],
        devices: DEVICES_XML
            .iter()
            .map(|x| NodeDeviceDef::from_xml(x).expect("built-in device XML parses"))
            .collect(),
        ifaces: vec![IfaceObj {
            def: iface,
            active: true,
        }],
        iface_backup: None,
    }
}

/// Completes a volume of a pool: path and key under the pool's target, allocation
/// (the capacity when not given), raw format by default.
pub(crate) fn place_volume(pool: &PoolDef, vol: &mut VolDef) {
    let target = pool.target_path.clone().unwrap_or_default();
    let path = format!("{target}/{}", vol.name);
    vol.path = Some(path.clone());
    vol.key = Some(path);
    vol.allocation = Some(vol.allocation.unwrap_or(vol.capacity));
    if vol.format.is_none() {
        vol.format = Some("raw".into());
    }
}

/// Adds a `<network>`, `<pool>` (with its `<volume>`s), `<interface>` or `<device>`
/// of a node file, given as XML text, to `objects`; all start active.
pub(crate) fn load_node_object(
    kind: &str,
    text: &str,
    source: &str,
    objects: &mut HostObjects,
) -> Result<()> {
    let tree = parse(text, source, ErrorDomain::Test.as_raw())?;
    match kind {
        "network" => objects.networks.push(NetObj {
            def: NetworkDef::from_element(&tree)?,
            new_def: None,
            active: true,
            persistent: true,
            autostart: false,
        }),
        "pool" => {
            let def = PoolDef::from_element(&tree)?;
            let mut volumes = Vec::new();
            for v in tree.all("volume") {
                let mut vol = VolDef::from_element(v)?;
                place_volume(&def, &mut vol);
                volumes.push(vol);
            }
            objects.pools.push(running_pool(def, volumes));
        }
        "interface" => objects.ifaces.push(IfaceObj {
            def: InterfaceDef::from_element(&tree, true)?,
            active: true,
        }),
        "device" => objects.devices.push(NodeDeviceDef::from_xml(text)?),
        other => return Err(node_xml(format!("unexpected node child <{other}>"))),
    }
    Ok(())
}
