//! The argv of the guest `virt-install --osinfo debian11 --graphics vnc --network user`
//! writes for QEMU (q35), and of each virt-install element on its own.

use super::*;

fn def(xml: &str) -> DomainDef {
    DomainDef::from_xml(xml).expect("valid XML")
}

fn rt(accel: Accel) -> RuntimeOptions {
    RuntimeOptions {
        accel,
        private_dir: Some("/var/lib/rvirt/qemu/domain-1-debian11".into()),
        ..RuntimeOptions::new(3)
    }
}

/// The value following each occurrence of `opt`.
fn values(args: &[String], opt: &str) -> Vec<String> {
    args.windows(2)
        .filter(|w| w[0] == opt)
        .map(|w| w[1].clone())
        .collect()
}

/// A q35 domain with `body` inside `<domain>` (besides name/memory/os) and `devices`.
fn with(body: &str, devices: &str) -> DomainDef {
    def(&format!(
        "<domain type='qemu'><name>g</name><memory>65536</memory><vcpu>1</vcpu>
         <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>{body}
         <devices>{devices}</devices></domain>"
    ))
}

fn build(d: &DomainDef) -> Result<Vec<String>> {
    build_args(d, &rt(Accel::Tcg))
}

#[test]
fn virt_install_debian11_q35_devices() {
    let d = def(include_str!("virt_install_q35.xml"));
    check_supported(&d).unwrap();
    let args = build(&d).unwrap();
    let devices = values(&args, "-device");
    let want = [
        r#"{"bus":"pcie.0","chassis":1,"driver":"pcie-root-port","id":"pci.1","port":16}"#,
        r#"{"bus":"pcie.0","chassis":3,"driver":"pcie-root-port","id":"pci.3","port":18}"#,
        r#"{"driver":"qemu-xhci","id":"usb","p2":15,"p3":15}"#,
        r#"{"bus":"usb.0","driver":"usb-tablet","id":"input0"}"#,
        r#"{"driver":"virtio-serial-pci","id":"virtio-serial0"}"#,
        r#"{"bus":"virtio-serial0.0","chardev":"charchannel0","driver":"virtserialport","id":"channel0","name":"org.qemu.guest_agent.0","nr":1}"#,
        r#"{"driver":"virtio-balloon-pci","id":"balloon0"}"#,
        r#"{"driver":"virtio-rng-pci","id":"rng0","rng":"objrng0"}"#,
    ];
    for w in want {
        assert!(
            devices.iter().any(|d| d == w),
            "{w} missing in {devices:#?}"
        );
    }
    assert_eq!(
        values(&args, "-machine"),
        ["q35,usb=off,dump-guest-core=off,acpi=on,hpet=off"]
    );
    assert_eq!(values(&args, "-cpu"), ["max"]);
    assert_eq!(values(&args, "-rtc"), ["base=utc,driftfix=slew"]);
    assert_eq!(
        values(&args, "-global"),
        ["ICH9-LPC.disable_s3=1", "ICH9-LPC.disable_s4=1"]
    );
    assert!(values(&args, "-chardev").contains(
        &"socket,id=charchannel0,path=/var/lib/rvirt/qemu/domain-1-debian11/org.qemu.guest_agent.0,server=on,wait=off".to_owned()
    ));
    assert_eq!(
        values(&args, "-object"),
        [r#"{"filename":"/dev/urandom","id":"objrng0","qom-type":"rng-random"}"#]
    );
    let blockdevs = values(&args, "-blockdev");
    assert!(
        blockdevs.iter().all(|b| b.contains(r#""discard":"unmap""#)),
        "{blockdevs:?}"
    );
}

#[test]
fn timers_under_kvm_set_the_pit_policy() {
    let d = with(
        "<clock offset='utc'><timer name='pit' tickpolicy='delay'/></clock>",
        "",
    );
    let args = build_args(&d, &rt(Accel::Kvm)).unwrap();
    assert_eq!(values(&args, "-global"), ["kvm-pit.lost_tick_policy=delay"]);
    assert!(values(&build(&d).unwrap(), "-global").is_empty());
}

#[test]
fn unsupported_timers_are_refused() {
    for t in [
        "<timer name='tsc' present='no'/>",
        "<timer name='rtc' tickpolicy='merge'/>",
        "<timer name='pit' present='no'/>",
    ] {
        let d = with(&format!("<clock offset='utc'>{t}</clock>"), "");
        let e = check_supported(&d).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigUnsupported, "{t}");
    }
}

#[test]
fn pm_on_i440fx_uses_piix4() {
    let d = def("<domain type='qemu'><name>g</name><memory>65536</memory>
        <os><type arch='x86_64' machine='pc'>hvm</type></os>
        <pm><suspend-to-mem enabled='yes'/><suspend-to-disk enabled='no'/></pm></domain>");
    assert_eq!(
        values(&build(&d).unwrap(), "-global"),
        ["PIIX4_PM.disable_s3=0", "PIIX4_PM.disable_s4=1"]
    );
}

#[test]
fn cpu_modes() {
    let pass = with("<cpu mode='host-passthrough' migratable='on'/>", "");
    assert_eq!(values(&build(&pass).unwrap(), "-cpu"), ["max"]);
    assert_eq!(
        values(&build_args(&pass, &rt(Accel::Kvm)).unwrap(), "-cpu"),
        ["host,migratable=on"]
    );
    let model = with("<cpu mode='host-model'/>", "");
    assert_eq!(values(&build(&model).unwrap(), "-cpu"), ["max"]);
    // Under TCG with the probed host-model: its model and features.
    let mut probed = rt(Accel::Tcg);
    probed.host_model = Some(crate::capabilities::host_model::HostModel {
        name: "EPYC".into(),
        vendor: "AMD".into(),
        require: vec!["ss".into(), "npt".into()],
        disable: vec!["xsavec".into()],
    });
    assert_eq!(
        values(&build_args(&model, &probed).unwrap(), "-cpu"),
        ["EPYC,ss=on,npt=on,xsavec=off"]
    );
    probed.accel = Accel::Kvm;
    assert_eq!(
        values(&build_args(&model, &probed).unwrap(), "-cpu"),
        ["host"]
    );
    // A named model is accepted at define; QEMU's models are checked at start.
    let custom = with("<cpu mode='custom'><model>Skylake-Client</model></cpu>", "");
    check_supported(&custom).unwrap();
    assert_eq!(values(&build(&custom).unwrap(), "-cpu"), ["Skylake-Client"]);
}

#[test]
fn ich9_ehci_with_uhci_companions() {
    let d = with(
        "",
        "<controller type='usb' model='ich9-ehci1'/>
         <controller type='usb' model='ich9-uhci1'><master startport='0'/></controller>
         <controller type='usb' model='ich9-uhci2'><master startport='2'/></controller>
         <controller type='usb' model='ich9-uhci3'><master startport='4'/></controller>
         <input type='tablet' bus='usb'/>",
    );
    check_supported(&d).unwrap();
    assert_eq!(
        values(&build(&d).unwrap(), "-device"),
        [
            r#"{"driver":"ich9-usb-ehci1","id":"usb"}"#,
            r#"{"driver":"ich9-usb-uhci1","firstport":0,"masterbus":"usb.0"}"#,
            r#"{"driver":"ich9-usb-uhci2","firstport":2,"masterbus":"usb.0"}"#,
            r#"{"driver":"ich9-usb-uhci3","firstport":4,"masterbus":"usb.0"}"#,
            r#"{"bus":"usb.0","driver":"usb-tablet","id":"input0"}"#,
        ]
    );
}

#[test]
fn usb_input_without_controller_is_refused() {
    let d = with("", "<input type='tablet' bus='usb'/>");
    assert!(check_supported(&d).is_err());
}

#[test]
fn sata_disk_on_q35_uses_the_builtin_ahci() {
    let d = with(
        "",
        "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
         <source file='/tmp/x.qcow2'/><target dev='sdb' bus='sata'/></disk>",
    );
    let devices = values(&build(&d).unwrap(), "-device");
    assert_eq!(
        devices,
        [
            r#"{"bootindex":1,"bus":"ide.1","drive":"libvirt-1-format","driver":"ide-hd","id":"sata0-0-1"}"#
        ]
    );
    let pc = def("<domain type='qemu'><name>g</name><memory>65536</memory>
        <os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
        <disk type='file'><source file='/tmp/x'/><target dev='sda' bus='sata'/></disk>
        </devices></domain>");
    assert!(check_supported(&pc).is_err());
}

#[test]
fn pci_switches_are_refused_not_dropped() {
    let d = with(
        "",
        "<controller type='pci' index='0' model='pcie-root'/>
         <controller type='pci' index='1' model='pcie-switch-upstream-port'/>",
    );
    assert!(check_supported(&d).is_err());
}

#[test]
fn pci_bridges_and_addresses_reach_the_command_line() {
    let d = with(
        "",
        "<controller type='pci' index='0' model='pcie-root'/>
         <controller type='pci' index='2' model='pcie-to-pci-bridge'>
           <address type='pci' bus='1' slot='0'/></controller>
         <controller type='pci' index='1' model='pcie-root-port'>
           <address type='pci' bus='0' slot='2' function='0' multifunction='on'/></controller>
         <interface type='user'><model type='e1000'/>
           <address type='pci' domain='0x0000' bus='0x02' slot='0x01' function='0x0'/></interface>",
    );
    let devices = values(&build(&d).unwrap(), "-device");
    assert_eq!(
        devices[..3],
        [
            r#"{"addr":"0x2","bus":"pcie.0","chassis":1,"driver":"pcie-root-port","id":"pci.1","multifunction":true,"port":16}"#,
            r#"{"addr":"0x0","bus":"pci.1","driver":"pcie-pci-bridge","id":"pci.2"}"#,
            r#"{"addr":"0x1","bus":"pci.2","driver":"e1000","id":"net0","netdev":"hostnet0"}"#,
        ]
    );
}

#[test]
fn rng_builtin_and_egd() {
    let d = with("", "<rng model='virtio'><backend model='builtin'/></rng>");
    assert_eq!(
        values(&build(&d).unwrap(), "-object"),
        [r#"{"id":"objrng0","qom-type":"rng-builtin"}"#]
    );
    let egd = with(
        "",
        "<rng model='virtio'><backend model='egd' type='udp'>
           <source mode='connect' host='127.0.0.1' service='4555'/></backend></rng>",
    );
    assert!(check_supported(&egd).is_err());
}

/// The desktop devices virt-install adds for `--graphics spice` (its default): SPICE
/// with an automatic port, qxl video, ich9 sound on a SPICE audio backend, the SPICE
/// agent channel and two USB redirection channels.
const DESKTOP: &str = "<controller type='usb' model='qemu-xhci' ports='15'/>
    <graphics type='spice' autoport='yes'><listen type='address'/><image compression='off'/></graphics>
    <video><model type='qxl' ram='65536' vram='65536' vgamem='16384' heads='1' primary='yes'/></video>
    <sound model='ich9'/>
    <audio id='1' type='spice'/>
    <channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/></channel>
    <redirdev bus='usb' type='spicevmc'/>
    <redirdev bus='usb' type='spicevmc'/>";

#[test]
fn spice_desktop_is_supported() {
    let d = with("", DESKTOP);
    check_supported(&d).unwrap();
    let args = build(&d).unwrap();
    assert_eq!(
        values(&args, "-spice"),
        [
            "port=5900,addr=127.0.0.1,disable-ticketing=on,image-compression=off,seamless-migration=on"
        ]
    );
    assert_eq!(
        values(&args, "-audiodev"),
        [r#"{"driver":"spice","id":"audio1"}"#]
    );
    let devices = values(&args, "-device");
    for w in [
        r#"{"driver":"qxl-vga","id":"video0","max_outputs":1,"ram_size":67108864,"vgamem_mb":16,"vram_size":67108864}"#,
        r#"{"driver":"ich9-intel-hda","id":"sound0"}"#,
        r#"{"audiodev":"audio1","bus":"sound0.0","cad":0,"driver":"hda-duplex","id":"sound0-codec0"}"#,
        r#"{"bus":"virtio-serial0.0","chardev":"charchannel0","driver":"virtserialport","id":"channel0","name":"com.redhat.spice.0","nr":1}"#,
        r#"{"bus":"usb.0","chardev":"charredir0","driver":"usb-redir","id":"redir0"}"#,
        r#"{"bus":"usb.0","chardev":"charredir1","driver":"usb-redir","id":"redir1"}"#,
    ] {
        assert!(
            devices.iter().any(|d| d == w),
            "{w} missing in {devices:#?}"
        );
    }
    let chardevs = values(&args, "-chardev");
    for w in [
        "spicevmc,id=charchannel0,name=vdagent",
        "spicevmc,id=charredir0,name=usbredir",
        "spicevmc,id=charredir1,name=usbredir",
    ] {
        assert!(
            chardevs.iter().any(|c| c == w),
            "{w} missing in {chardevs:#?}"
        );
    }
}

#[test]
fn spice_fixed_port_and_listen() {
    let d = with(
        "",
        "<graphics type='spice' port='5930' autoport='no' listen='0.0.0.0'/>",
    );
    check_supported(&d).unwrap();
    assert_eq!(
        values(&build(&d).unwrap(), "-spice"),
        ["port=5930,addr=0.0.0.0,disable-ticketing=on,seamless-migration=on"]
    );
}

/// The port the driver chose for an automatic display (the live definition keeps
/// `autoport='yes'`) is the one QEMU listens on: a second guest does not ask for 5900.
#[test]
fn automatic_ports_filled_in_reach_the_command_line() {
    let d = with(
        "",
        "<graphics type='vnc' port='5907' autoport='yes' listen='127.0.0.1'/>",
    );
    assert_eq!(values(&build(&d).unwrap(), "-vnc"), ["127.0.0.1:7"]);
    let d = with(
        "",
        "<graphics type='spice' port='5908' autoport='yes' listen='127.0.0.1'/>",
    );
    assert_eq!(
        values(&build(&d).unwrap(), "-spice"),
        ["port=5908,addr=127.0.0.1,disable-ticketing=on,seamless-migration=on"]
    );
}

#[test]
fn display_passwords_stay_off_the_command_line() {
    let d = with(
        "",
        "<graphics type='spice' port='5908' passwd='s3cr3t'/>
         <graphics type='vnc' port='5901' passwd='s3cr3t'/>",
    );
    // Only one display is supported; each alone.
    assert!(build(&d).is_err());
    let spice = with("", "<graphics type='spice' port='5908' passwd='s3cr3t'/>");
    let args = build(&spice).unwrap();
    assert_eq!(
        values(&args, "-spice"),
        ["port=5908,addr=127.0.0.1,seamless-migration=on"]
    );
    let vnc = with("", "<graphics type='vnc' port='5901' passwd='s3cr3t'/>");
    let args = build(&vnc).unwrap();
    assert_eq!(values(&args, "-vnc"), ["127.0.0.1:1,password=on"]);
    assert!(!args.iter().any(|a| a.contains("s3cr3t")));
}

#[test]
fn spice_refusals() {
    for (devices, what) in [
        (
            "<controller type='usb' model='qemu-xhci'/><graphics type='spice'/>\
             <redirdev bus='usb' type='tcp'><source mode='connect' host='h' service='1'/></redirdev>",
            "source",
        ),
        ("<graphics type='sdl'/>", "sdl"),
        (
            "<graphics type='spice' port='5900' tlsPort='5901'/>",
            "tlsPort",
        ),
        (
            "<graphics type='spice' autoport='yes'><image compression='zip'/></graphics>",
            "zip",
        ),
        (
            "<channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/></channel>",
            "needs a <graphics type='spice'>",
        ),
        (
            "<controller type='usb' model='qemu-xhci'/><redirdev bus='usb' type='spicevmc'/>",
            "needs a <graphics type='spice'>",
        ),
        ("<sound model='sb16'/><audio id='1' type='none'/>", "sb16"),
        (
            "<sound model='ich9'/><audio id='1' type='pulseaudio'/>",
            "pulseaudio",
        ),
    ] {
        let err = check_supported(&with("", devices)).unwrap_err();
        assert!(err.message().contains(what), "{devices}: {}", err.message());
    }
}

#[test]
fn qxl_and_virtio_video() {
    let d = with("", "<video><model type='qxl'/></video>");
    check_supported(&d).unwrap();
    let devices = values(&build(&d).unwrap(), "-device");
    assert!(
        devices.contains(&r#"{"driver":"qxl-vga","id":"video0"}"#.to_owned()),
        "{devices:#?}"
    );
    let d = with(
        "",
        "<video><model type='virtio' heads='1' primary='yes'/></video>",
    );
    check_supported(&d).unwrap();
    let devices = values(&build(&d).unwrap(), "-device");
    assert!(
        devices.contains(&r#"{"driver":"virtio-vga","id":"video0"}"#.to_owned()),
        "{devices:#?}"
    );
}

#[test]
fn sound_models_and_codecs() {
    let d = with(
        "",
        "<audio id='1' type='none'/><audio id='2' type='spice'/>\
         <sound model='ich6'><codec type='micro'/><codec type='output'/><audio id='2'/></sound>\
         <sound model='ac97'/>",
    );
    check_supported(&d).unwrap();
    let args = build(&d).unwrap();
    assert_eq!(
        values(&args, "-audiodev"),
        [
            r#"{"driver":"none","id":"audio1"}"#,
            r#"{"driver":"spice","id":"audio2"}"#
        ]
    );
    let devices = values(&args, "-device");
    for w in [
        r#"{"driver":"intel-hda","id":"sound0"}"#,
        r#"{"audiodev":"audio2","bus":"sound0.0","cad":0,"driver":"hda-micro","id":"sound0-codec0"}"#,
        r#"{"audiodev":"audio2","bus":"sound0.0","cad":1,"driver":"hda-output","id":"sound0-codec1"}"#,
        r#"{"audiodev":"audio1","driver":"AC97","id":"sound1"}"#,
    ] {
        assert!(
            devices.iter().any(|d| d == w),
            "{w} missing in {devices:#?}"
        );
    }
}

#[test]
fn disk_cache_io_and_error_policies_reach_nodes_and_device() {
    let d = with(
        "",
        "<disk type='file' device='disk'>
           <driver name='qemu' type='qcow2' cache='none' io='native' discard='unmap'
                   detect_zeroes='unmap' error_policy='stop' rerror_policy='report' queues='2'/>
           <source file='/tmp/a.qcow2'/><target dev='vda' bus='virtio'/><shareable/>
         </disk>",
    );
    let args = build(&d).unwrap();
    assert_eq!(
        values(&args, "-blockdev"),
        [
            r#"{"aio":"native","cache":{"direct":true,"no-flush":false},"discard":"unmap","driver":"file","filename":"/tmp/a.qcow2","node-name":"libvirt-1-storage","read-only":false}"#,
            r#"{"cache":{"direct":true,"no-flush":false},"detect-zeroes":"unmap","discard":"unmap","driver":"qcow2","file":"libvirt-1-storage","node-name":"libvirt-1-format","read-only":false}"#,
        ]
    );
    let dev = values(&args, "-device");
    assert!(
        dev[0].contains(r#""write-cache":"on""#)
            && dev[0].contains(r#""werror":"stop""#)
            && dev[0].contains(r#""rerror":"report""#)
            && dev[0].contains(r#""num-queues":2"#)
            && dev[0].contains(r#""share-rw":true"#),
        "{dev:?}"
    );
    // Without discard='unmap', detect_zeroes='unmap' is libvirt's 'on'; writethrough
    // turns the guest's write cache off.
    let d = with(
        "",
        "<disk type='file'><driver name='qemu' type='raw' cache='writethrough' detect_zeroes='unmap'/>
           <source file='/tmp/b'/><target dev='vda' bus='virtio'/></disk>",
    );
    let args = build(&d).unwrap();
    assert!(values(&args, "-blockdev")[1].contains(r#""detect-zeroes":"on""#));
    assert!(values(&args, "-device")[0].contains(r#""write-cache":"off""#));
    // An iothread the domain does not have.
    let d = with(
        "",
        "<disk type='file'><driver name='qemu' type='raw' iothread='1'/>
           <source file='/tmp/b'/><target dev='vda' bus='virtio'/></disk>",
    );
    assert!(check_supported(&d).is_err());
}

#[test]
fn sysinfo_becomes_smbios_tables_and_fw_cfg() {
    let with_smbios = |body: &str| {
        def(&format!(
            "<domain type='qemu'><name>g</name><memory>65536</memory><vcpu>1</vcpu>
             <uuid>7c3f2a4e-1f5b-4e3a-9a55-0c1d2e3f4a5b</uuid>{body}
             <os><type arch='x86_64' machine='pc'>hvm</type><smbios mode='sysinfo'/></os>
             </domain>"
        ))
    };
    let d = with_smbios(
        "<sysinfo type='smbios'>
           <bios><entry name='vendor'>Acme, Inc.</entry></bios>
           <system><entry name='manufacturer'>OpenStack Foundation</entry>
             <entry name='uuid'>7c3f2a4e-1f5b-4e3a-9a55-0c1d2e3f4a5b</entry></system>
           <oemStrings><entry>a=1</entry><entry>b=2</entry></oemStrings>
         </sysinfo>
         <sysinfo type='fwcfg'><entry name='opt/org.example/x'>hello</entry></sysinfo>",
    );
    let args = build(&d).unwrap();
    assert_eq!(
        values(&args, "-smbios"),
        [
            "type=0,vendor=Acme,, Inc.",
            "type=1,manufacturer=OpenStack Foundation,uuid=7c3f2a4e-1f5b-4e3a-9a55-0c1d2e3f4a5b",
            "type=11,value=a=1,value=b=2",
        ]
    );
    assert_eq!(
        values(&args, "-fw_cfg"),
        ["name=opt/org.example/x,string=hello"]
    );
    // Without mode='sysinfo' QEMU keeps its own tables.
    let emulate = with(
        "<sysinfo type='smbios'><system><entry name='product'>X</entry></system></sysinfo>",
        "",
    );
    assert!(values(&build(&emulate).unwrap(), "-smbios").is_empty());
    // A system UUID other than the domain's is refused while parsing, as libvirt does.
    let mismatch = DomainDef::from_xml(
        "<domain type='qemu'><name>g</name><memory>65536</memory>
         <uuid>7c3f2a4e-1f5b-4e3a-9a55-0c1d2e3f4a5b</uuid><os><type>hvm</type></os>
         <sysinfo type='smbios'><system>
           <entry name='uuid'>00000000-0000-0000-0000-000000000001</entry></system></sysinfo>
         </domain>",
    )
    .unwrap_err();
    assert_eq!(
        mismatch.to_string(),
        "UUID mismatch between <uuid> and <sysinfo>"
    );
}

#[test]
fn virtio_nic_driver_and_mtu() {
    let d = with(
        "",
        "<interface type='user'><model type='virtio'/>
           <driver name='vhost' rx_queue_size='512' tx_queue_size='256'/><mtu size='1450'/>
         </interface>",
    );
    let dev = values(&build(&d).unwrap(), "-device");
    assert!(
        dev[0].contains(r#""host_mtu":1450"#)
            && dev[0].contains(r#""rx_queue_size":512"#)
            && dev[0].contains(r#""tx_queue_size":256"#),
        "{dev:?}"
    );
    let mq = with(
        "",
        "<interface type='user'><model type='virtio'/><driver queues='4'/></interface>",
    );
    assert!(check_supported(&mq).is_err());
    let e1000 = with(
        "",
        "<interface type='user'><model type='e1000'/><mtu size='1450'/></interface>",
    );
    assert!(check_supported(&e1000).is_err());
}
