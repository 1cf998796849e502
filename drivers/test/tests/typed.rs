//! Applications define and create domains from a typed `DomainDef` as well as from XML.

mod common;

use common::*;
use rvirt_core::conf::{
    CharDevice, CharDeviceType, Device, Disk, DiskSource, DiskType, DomainDef, DomainType,
};

#[test]
fn define_and_create_from_a_typed_definition() {
    let (_l, c) = open("test:///default");
    let name = unique("typed");
    let mut disk = Disk::new(DiskType::File, "vda");
    disk.source = Some(DiskSource::file("/guest/typed.img"));
    let def = DomainDef::builder(DomainType::Test, &name)
        .memory_mib(256)
        .vcpus(2)
        .device(Device::Disk(disk))
        .device(Device::Serial(CharDevice::new(CharDeviceType::Pty)))
        .build();
    let d = c.define(&def).unwrap();
    assert_eq!(d.name(), name);
    let x = d.xml_desc(0).unwrap();
    let back = DomainDef::from_xml(&x).unwrap();
    assert_eq!(back.memory_kib(), 256 * 1024);
    assert_eq!(back.max_vcpus(), 2);
    // libvirt's defaults were applied on define: the console paired with the serial.
    assert!(
        back.devices()
            .iter()
            .any(|d| matches!(d, Device::Console(_)))
    );
    d.undefine().unwrap();

    let transient = DomainDef::builder(DomainType::Test, unique("typed-t")).build();
    let t = c.create(&transient, 0).unwrap();
    assert!(t.id().is_some());
    t.destroy().unwrap();
}
