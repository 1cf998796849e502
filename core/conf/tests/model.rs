//! Typed access to parsed fixtures, defaults, metadata and programmatic construction.

mod common;

use common::{fixture, tree};
use rvirt_conf::*;

#[test]
fn test_driver_default_domain() {
    let def = DomainDef::from_xml(&fixture("test-default.xml")).unwrap();
    assert_eq!(def.domain_type, DomainType::Test);
    assert_eq!(def.id, Some(1));
    assert_eq!(def.name, "test");
    assert_eq!(
        def.uuid.unwrap().to_string(),
        "6695eb01-f6a4-8304-79aa-97f2502e193f"
    );
    assert_eq!(def.memory_kib(), 8_388_608);
    assert_eq!(def.current_memory_kib(), 2_097_152);
    assert_eq!(def.max_vcpus(), 2);
    assert_eq!(
        def.vcpu.as_ref().unwrap().placement,
        Some(VcpuPlacement::Static)
    );
    assert_eq!(def.os.os_type.value, OsType::Hvm);
    assert_eq!(def.os.os_type.arch.as_deref(), Some("i686"));
    assert_eq!(def.os.boot, vec![Boot::new(BootDevice::Hd)]);
    assert_eq!(def.clock.as_ref().unwrap().offset, ClockOffset::Utc);
    assert_eq!(def.on_poweroff, Some(LifecycleAction::Destroy));
    assert_eq!(def.on_reboot, Some(LifecycleAction::Restart));
    assert_eq!(def.on_crash, Some(LifecycleAction::Destroy));
    let devs = def.devices();
    assert_eq!(devs.len(), 3);
    let Device::Disk(disk) = &devs[0] else {
        panic!("{:?}", devs[0])
    };
    assert_eq!(disk.disk_type, DiskType::File);
    assert_eq!(disk.device, Some(DiskDevice::Disk));
    assert_eq!(
        disk.source.as_ref().unwrap().file.as_deref(),
        Some("/guest/diskimage1")
    );
    assert_eq!(disk.target.dev, "vda");
    assert_eq!(disk.target.bus, Some(DiskBus::Virtio));
    let addr = disk.address.as_ref().unwrap();
    assert_eq!(
        (addr.address_type, addr.bus, addr.slot),
        (AddressType::Pci, Some(1), Some(0))
    );
    let Device::Interface(nic) = &devs[1] else {
        panic!()
    };
    assert_eq!(nic.interface_type, InterfaceType::Network);
    assert_eq!(nic.mac.as_ref().unwrap().address, "aa:bb:cc:dd:ee:ff");
    assert_eq!(
        nic.source.as_ref().unwrap().network.as_deref(),
        Some("default")
    );
    assert_eq!(nic.target.as_ref().unwrap().dev, "testnet0");
    let Device::Memballoon(b) = &devs[2] else {
        panic!()
    };
    assert_eq!(b.model, MemballoonModel::Virtio);
}

#[test]
fn qemu_example_devices_in_order() {
    let def = DomainDef::from_xml(&fixture("qemu-headless.xml")).unwrap();
    assert_eq!(def.domain_type, DomainType::Kvm);
    assert_eq!(def.os.os_type.machine.as_deref(), Some("pc"));
    let kinds: Vec<&str> = def
        .devices()
        .iter()
        .map(|d| match d {
            Device::Emulator(_) => "emulator",
            Device::Disk(_) => "disk",
            Device::Interface(_) => "interface",
            Device::Serial(_) => "serial",
            Device::Console(_) => "console",
            Device::Graphics(_) => "graphics",
            Device::Controller(_) => "controller",
            Device::Filesystem(_) => "filesystem",
            Device::Memballoon(_) => "memballoon",
            Device::Video(_) => "video",
            Device::Input(_) => "input",
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "emulator",
            "disk",
            "interface",
            "serial",
            "console",
            "graphics"
        ]
    );
    assert_eq!(
        def.devices()[0],
        Device::Emulator("/usr/bin/qemu-system-x86_64".into())
    );
    let Device::Graphics(g) = &def.devices()[5] else {
        panic!()
    };
    assert_eq!(
        (g.graphics_type, g.port, g.autoport),
        (GraphicsType::Vnc, Some(-1), Some(YesNo::Yes))
    );
}

#[test]
fn devices_are_grouped_by_kind_like_libvirt() {
    let xml = "<domain type='qemu'><name>o</name><memory unit='KiB'>1</memory><os><type>hvm</type></os>\
        <devices><disk type='file'><source file='/a'/><target dev='vda'/></disk><interface type='user'/>\
        <disk type='block'><source dev='/dev/sdb'/><target dev='vdb'/></disk><emulator>/e</emulator>\
        <interface type='bridge'><source bridge='br0'/></interface></devices></domain>";
    let def = DomainDef::from_xml(xml).unwrap();
    let out = def.to_xml().unwrap();
    let grouped = "<domain type='qemu'><name>o</name><memory unit='KiB'>1</memory><os><type>hvm</type></os>\
        <devices><emulator>/e</emulator><disk type='file'><source file='/a'/><target dev='vda'/></disk>\
        <disk type='block'><source dev='/dev/sdb'/><target dev='vdb'/></disk><interface type='user'/>\
        <interface type='bridge'><source bridge='br0'/></interface></devices></domain>";
    assert_eq!(tree(grouped), tree(&out));
    // The model keeps libvirt's order too.
    assert!(matches!(def.devices()[0], Device::Emulator(_)));
    assert!(matches!(
        def.devices()[2],
        Device::Disk(Disk {
            disk_type: DiskType::Block,
            ..
        })
    ));
}

#[test]
fn lxc_container() {
    let def = DomainDef::from_xml(&fixture("lxc-container.xml")).unwrap();
    assert_eq!(def.domain_type, DomainType::Lxc);
    assert_eq!(def.os.os_type.value, OsType::Exe);
    assert_eq!(def.os.init.as_deref(), Some("/bin/sh"));
    assert_eq!(def.os.init_args, ["-l"]);
    assert_eq!(def.memory_kib(), 256 * 1024);
    assert_eq!(def.current_memory_kib(), 128 * 1024);
    assert_eq!(
        def.description.as_deref(),
        Some("An LXC container whose init is a shell & whose root is a host directory.")
    );
    assert!(def.features.as_ref().unwrap().privnet);
    let fs: Vec<&Filesystem> = def
        .devices()
        .iter()
        .filter_map(|d| {
            if let Device::Filesystem(f) = d {
                Some(f)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(fs.len(), 2);
    assert_eq!(fs[0].fs_type, Some(FilesystemType::Mount));
    assert_eq!(
        fs[0].source.as_ref().unwrap().dir.as_deref(),
        Some("/var/lib/lxc/container1/rootfs")
    );
    assert_eq!(fs[0].target.dir, "/");
    assert!(!fs[0].readonly);
    assert!(fs[1].readonly);

    // No <boot> is added for exe guests.
    let mut d = def.clone();
    d.fill_defaults();
    assert!(d.os.boot.is_empty());
}

#[test]
fn metadata_is_kept_and_printed_like_libvirt() {
    let input = fixture("qemu-full.xml");
    let def = DomainDef::from_xml(&input).unwrap();
    let meta = def.metadata.as_ref().unwrap();
    let owner = meta.child("app:owner").unwrap();
    assert_eq!(owner.attr("team"), Some("infra"));
    assert_eq!(owner.child("app:note").unwrap().text(), "keep <raw>");
    let out = def.to_xml().unwrap();
    // libvirt prints <metadata> through libxml2: double quotes, text kept inline.
    assert!(
        out.contains(
            "  <metadata>\n    <app:owner xmlns:app=\"http://example.org/rvirt-test/1.0\" \
             team=\"infra\">ops &amp; friends<app:note>keep &lt;raw&gt;</app:note></app:owner>\n  \
             </metadata>\n"
        ),
        "{out}"
    );
    assert_eq!(DomainDef::from_xml(&out).unwrap(), def);

    // Empty and absent metadata.
    let base = |m: &str| {
        format!(
            "<domain type='test'><name>x</name>{m}<memory>1</memory><os><type>hvm</type></os></domain>"
        )
    };
    let def = DomainDef::from_xml(&base("<metadata/>")).unwrap();
    assert!(def.metadata.as_ref().unwrap().children.is_empty());
    assert_eq!(DomainDef::from_xml(&def.to_xml().unwrap()).unwrap(), def);
    assert_eq!(DomainDef::from_xml(&base("")).unwrap().metadata, None);

    let def = DomainDef::from_xml(&base(
        "<description>&lt;metadata/&gt;</description><metadata><x:y xmlns:x='urn:x'/></metadata>",
    ))
    .unwrap();
    let out = def.to_xml().unwrap();
    assert_eq!(DomainDef::from_xml(&out).unwrap(), def);
    assert_eq!(def.description.as_deref(), Some("<metadata/>"));
}

#[test]
fn full_qemu_fixture_fields() {
    let def = DomainDef::from_xml(&fixture("qemu-full.xml")).unwrap();
    assert_eq!(def.id, Some(7));
    assert_eq!(def.memory_kib(), 2 << 20);
    assert_eq!(def.current_memory_kib(), 1536 << 10);
    assert_eq!((def.max_vcpus(), def.current_vcpus()), (4, 2));
    assert_eq!(
        def.os.boot.iter().map(|b| b.dev).collect::<Vec<_>>(),
        [BootDevice::Cdrom, BootDevice::Hd]
    );
    assert_eq!(
        def.os.loader.as_ref().unwrap().path.as_deref(),
        Some("/usr/share/OVMF/OVMF_CODE.fd")
    );
    let f = def.features.as_ref().unwrap();
    assert!(f.acpi && f.apic.is_some() && !f.pae);
    assert_eq!(f.vmport.as_ref().unwrap().state, Some(OnOff::Off));
    assert_eq!(
        def.cpu.as_ref().unwrap().topology.as_ref().unwrap().threads,
        2
    );
    assert_eq!(def.clock.as_ref().unwrap().timers.len(), 3);
    assert_eq!(def.on_crash, Some(LifecycleAction::CoredumpRestart));
    let controllers = def
        .devices()
        .iter()
        .filter(|d| matches!(d, Device::Controller(_)))
        .count();
    assert_eq!(controllers, 4);
    let Some(Device::Console(con)) = def
        .devices()
        .iter()
        .find(|d| matches!(d, Device::Console(_)))
    else {
        panic!()
    };
    assert_eq!(con.tty.as_deref(), Some("/dev/pts/4"));
    assert_eq!(
        con.target.as_ref().unwrap().target_type.as_deref(),
        Some("serial")
    );
}

#[test]
fn fill_defaults_like_libvirt_define() {
    let mut def = DomainDef::from_xml(
        "<domain type='test'><name>d</name><memory>1024</memory><os><type>hvm</type></os></domain>",
    )
    .unwrap();
    assert!(def.uuid.is_none() && def.vcpu.is_none() && def.on_poweroff.is_none());
    def.fill_defaults();
    assert!(def.uuid.is_some());
    assert_eq!(def.current_memory, Some(Memory::from_kib(1024)));
    let mut vcpu = Vcpu::new(1);
    vcpu.placement = Some(VcpuPlacement::Static);
    assert_eq!(def.vcpu, Some(vcpu));
    assert_eq!(def.os.boot, vec![Boot::new(BootDevice::Hd)]);
    assert_eq!(def.clock.as_ref().unwrap().offset, ClockOffset::Utc);
    assert_eq!(def.on_poweroff, Some(LifecycleAction::Destroy));
    assert_eq!(def.on_reboot, Some(LifecycleAction::Restart));
    assert_eq!(def.on_crash, Some(LifecycleAction::Destroy));
    assert!(def.devices.is_some());

    // Idempotent, and keeps the generated uuid.
    let before = def.clone();
    def.fill_defaults();
    assert_eq!(before, def);

    // Matches what libvirt's test driver produced for the same input (other than uuid).
    let reparsed = DomainDef::from_xml(&def.to_xml().unwrap()).unwrap();
    assert_eq!(reparsed, def);

    // Two definitions get different uuids.
    let mut other = DomainDef::from_xml(
        "<domain type='test'><name>e</name><memory>1024</memory><os><type>hvm</type></os></domain>",
    )
    .unwrap();
    other.fill_defaults();
    assert_ne!(other.uuid, def.uuid);
}

#[test]
fn fill_defaults_keeps_explicit_values() {
    let mut def = DomainDef::from_xml(
        "<domain type='kvm'><name>d</name><uuid>1ccfd97d-5eb4-478a-bbe6-88d254c16db7</uuid>\
         <memory unit='KiB'>4096</memory><currentMemory unit='KiB'>2048</currentMemory>\
         <vcpu current='1'>2</vcpu><os><type>hvm</type><boot dev='network'/></os>\
         <on_poweroff>preserve</on_poweroff><on_reboot>destroy</on_reboot><on_crash>rename-restart</on_crash>\
         </domain>",
    )
    .unwrap();
    def.fill_defaults();
    assert_eq!(
        def.uuid.unwrap().to_string(),
        "1ccfd97d-5eb4-478a-bbe6-88d254c16db7"
    );
    assert_eq!(def.current_memory_kib(), 2048);
    assert_eq!((def.max_vcpus(), def.current_vcpus()), (2, 1));
    assert_eq!(def.os.boot, vec![Boot::new(BootDevice::Network)]);
    assert_eq!(def.on_poweroff, Some(LifecycleAction::Preserve));
    assert_eq!(def.on_reboot, Some(LifecycleAction::Destroy));
    assert_eq!(def.on_crash, Some(LifecycleAction::RenameRestart));
}

#[test]
fn per_device_boot_order_suppresses_default_boot() {
    let mut def = DomainDef::from_xml(
        "<domain type='kvm'><name>d</name><memory>4096</memory><os><type>hvm</type></os>\
         <devices><disk type='file'><source file='/a'/><target dev='vda'/><boot order='1'/></disk></devices></domain>",
    )
    .unwrap();
    def.fill_defaults();
    assert!(def.os.boot.is_empty());
}

#[test]
fn programmatic_construction_serialises() {
    let mut def = DomainDef::builder(DomainType::Qemu, "built")
        .memory_kib(65536)
        .arch("x86_64")
        .title("a <title> & more")
        .device(Device::Serial(CharDevice::new(CharDeviceType::Pty)))
        .device(Device::Memballoon(Memballoon::new(MemballoonModel::None)))
        .build();
    def.vcpu = None;
    def.os.kernel = Some("/boot/vmlinuz".into());
    def.os.cmdline = Some("console=ttyS0".into());
    def.features = Some(Features {
        acpi: true,
        ..Features::default()
    });
    let out = def.to_xml().unwrap();
    assert_eq!(DomainDef::from_xml(&out).unwrap(), def);
    assert!(
        out.contains("<title>a &lt;title&gt; &amp; more</title>"),
        "{out}"
    );
}

/// `define-output-libvirt.xml` is what libvirt 9's test driver returned (inactive XML)
/// after `defineXML(define-input.xml)` on this machine; `fill_defaults` must agree.
#[test]
fn fill_defaults_matches_libvirt_define() {
    let mut def = DomainDef::from_xml(&fixture("define-input.xml")).unwrap();
    def.fill_defaults();
    let libvirt = fixture("define-output-libvirt.xml");
    assert_eq!(tree(&def.to_xml().unwrap()), tree(&libvirt));
    assert_eq!(def, DomainDef::from_xml(&libvirt).unwrap());
}

#[test]
fn repeated_children_need_not_be_adjacent() {
    let def = DomainDef::from_xml(
        "<domain type='kvm'><name>x</name><memory unit='KiB'>1024</memory>\
         <os><boot dev='network'/><type>hvm</type><boot dev='hd'/></os>\
         <clock offset='utc'><timer name='rtc'/><timer name='pit'/></clock></domain>",
    )
    .unwrap();
    assert_eq!(
        def.os.boot.iter().map(|b| b.dev).collect::<Vec<_>>(),
        [BootDevice::Network, BootDevice::Hd]
    );
    let again = DomainDef::from_xml(&def.to_xml().unwrap()).unwrap();
    assert_eq!(again, def);
}

#[test]
fn duplicate_singletons_use_the_first_like_libvirt() {
    let def = DomainDef::from_xml(
        "<domain type='kvm'><name>x</name><name>y</name><memory>1</memory><os><type>hvm</type></os></domain>",
    )
    .unwrap();
    assert_eq!(def.name, "x");
    // The second is kept, not lost.
    assert_eq!(def.extra.child("name").unwrap().text(), "y");
}
