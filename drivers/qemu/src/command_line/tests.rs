//! Golden argv tests.

use super::*;

fn def(xml: &str) -> DomainDef {
    DomainDef::from_xml(xml).expect("valid XML")
}

fn rt() -> RuntimeOptions {
    RuntimeOptions {
        monitor_fd: 3,
        pidfile: Some("/run/rvirt/qemu/guest.pid".into()),
        accel: Accel::Tcg,
        default_machine: None,
        tap_fds: Vec::new(),
        private_dir: Some("/var/lib/rvirt/qemu/domain-1-guest".into()),
        sandbox: None,
        host_memory: None,
        cpu_models: None,
        host_model: None,
        vsock: None,
        disk_secrets: Vec::new(),
    }
}

/// Encrypted disks: the secret object comes before the storage node, a raw LUKS
/// image is a `luks` format node, a qcow2 one gets `encrypt`; the passphrase is only
/// ever named by its file.
#[test]
fn luks_disks_read_their_secret_from_a_file() {
    let enc = "<encryption format='luks'><secret type='passphrase' \
               uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f'/></encryption>";
    let d = def(&format!(
        "<domain type='qemu'><name>l</name><memory>65536</memory><os><type>hvm</type></os>\
         <devices><disk type='file'><source file='/i/a.luks'>{enc}</source>\
         <target dev='vda' bus='virtio'/></disk>\
         <disk type='file'><driver name='qemu' type='qcow2'/><source file='/i/b.qcow2'/>\
         <target dev='vdb' bus='virtio'/>{enc}</disk></devices></domain>"
    ));
    let mut rt = rt();
    rt.disk_secrets = vec![
        Some(DiskSecret::File("/p/1.secret".into())),
        Some(DiskSecret::File("/p/2.secret".into())),
    ];
    let text = render(&build_args(&d, &rt).unwrap());
    let want_a = "-object {\"file\":\"/p/1.secret\",\"format\":\"base64\",\
                  \"id\":\"libvirt-1-format-encryption-secret0\",\"qom-type\":\"secret\"}\n\
                  -blockdev {\"driver\":\"file\",\"filename\":\"/i/a.luks\"";
    assert!(text.contains(want_a), "{text}");
    assert!(
        text.contains(
            "\"driver\":\"luks\",\"file\":\"libvirt-1-storage\",\
         \"key-secret\":\"libvirt-1-format-encryption-secret0\",\"node-name\":\"libvirt-1-format\""
        ),
        "{text}"
    );
    assert!(
        text.contains("\"file\":\"/p/2.secret\",\"format\":\"base64\""),
        "{text}"
    );
    assert!(
        text.contains(
            "\"driver\":\"qcow2\",\"encrypt\":{\"format\":\"luks\",\
         \"key-secret\":\"libvirt-2-format-encryption-secret0\"}"
        ),
        "{text}"
    );
    // At define (no secrets yet) the definition is accepted.
    assert!(check_supported(&d).is_ok());
}

/// libvirt's `seccomp_sandbox = 1`: `-sandbox` with every deny group, before `-msg`.
#[test]
fn sandbox_is_passed_as_libvirt_does() {
    let d = def("<domain type='qemu'><name>s</name><memory>1024</memory>\
                 <os><type>hvm</type></os></domain>");
    let mut rt = rt();
    rt.sandbox = Some(crate::security::SANDBOX.to_owned());
    let args = build_args(&d, &rt).unwrap();
    let at = args.iter().position(|a| a == "-sandbox").expect("-sandbox");
    assert_eq!(
        args[at + 1],
        "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"
    );
    assert_eq!(args[at + 2], "-msg");
    assert!(
        !build_args(&d, &RuntimeOptions::new(3))
            .unwrap()
            .contains(&"-sandbox".to_owned())
    );
}

/// Joins the argv one option per line, as libvirt's `.args` goldens do.
fn render(args: &[String]) -> String {
    let mut out = String::new();
    for a in args {
        if a.starts_with('-') && !out.is_empty() {
            out.push('\n');
        } else if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(a);
    }
    out
}

#[test]
fn minimal_boot_disk_golden() {
    let d = def("<domain type='qemu'>
          <name>boot</name>
          <uuid>1ccfd97d-5eb4-478a-bbe6-88d254c16db7</uuid>
          <memory unit='MiB'>64</memory>
          <vcpu>1</vcpu>
          <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
          <features><acpi/></features>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
            <disk type='file' device='disk'>
              <driver name='qemu' type='raw'/>
              <source file='/tmp/boot.img'/>
              <target dev='hda' bus='ide'/>
            </disk>
            <serial type='null'/>
            <memballoon model='none'/>
          </devices>
        </domain>");
    let want = r#"-name guest=boot,debug-threads=on
-S
-machine pc,usb=off,dump-guest-core=off,acpi=on
-accel tcg
-m size=65536k
-smp 1,sockets=1,cores=1,threads=1
-uuid 1ccfd97d-5eb4-478a-bbe6-88d254c16db7
-no-user-config
-nodefaults
-display none
-chardev socket,id=charmonitor,fd=3,server=on,wait=off
-mon chardev=charmonitor,id=monitor,mode=control
-rtc base=utc
-no-shutdown
-boot strict=on
-blockdev {"driver":"file","filename":"/tmp/boot.img","node-name":"libvirt-1-storage","read-only":false}
-blockdev {"driver":"raw","file":"libvirt-1-storage","node-name":"libvirt-1-format","read-only":false}
-device {"bootindex":1,"bus":"ide.0","drive":"libvirt-1-format","driver":"ide-hd","id":"ide0-0-0","unit":0}
-chardev null,id=charserial0
-device {"chardev":"charserial0","driver":"isa-serial","id":"serial0","index":0}
-pidfile /run/rvirt/qemu/guest.pid
-msg timestamp=on"#;
    assert_eq!(render(&build_args(&d, &rt()).unwrap()), want);
    assert_eq!(emulator(&d), PathBuf::from("/usr/bin/qemu-system-x86_64"));
}

#[test]
fn virtio_cdrom_pty_golden() {
    let d = def("<domain type='kvm'>
          <name>web,1</name>
          <memory unit='GiB'>4</memory>
          <vcpu current='2'>4</vcpu>
          <os><type>hvm</type><boot dev='cdrom'/><boot dev='hd'/></os>
          <clock offset='localtime'/>
          <on_poweroff>destroy</on_poweroff>
          <on_reboot>destroy</on_reboot>
          <on_crash>destroy</on_crash>
          <devices>
            <disk type='file'>
              <driver name='qemu' type='qcow2'/>
              <source file='/var/lib/rvirt/images/web.qcow2'/>
              <target dev='vdb' bus='virtio'/>
              <serial>S1</serial>
              <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/>
            </disk>
            <disk type='file' device='cdrom'>
              <source file='/iso/install.iso'/>
              <target dev='hdc'/>
              <readonly/>
            </disk>
            <serial type='pty'><target port='0'/></serial>
            <console type='pty'><target type='serial' port='0'/></console>
            <controller type='usb' model='none'/>
            <memballoon model='virtio'/>
          </devices>
        </domain>");
    let mut rt = rt();
    rt.accel = Accel::Kvm;
    rt.pidfile = None;
    rt.monitor_fd = 1729;
    let want = r#"-name guest=web,,1,debug-threads=on
-S
-machine pc,usb=off,dump-guest-core=off,acpi=off
-accel kvm
-m size=4194304k
-smp 2,maxcpus=4,sockets=4,cores=1,threads=1
-no-user-config
-nodefaults
-display none
-chardev socket,id=charmonitor,fd=1729,server=on,wait=off
-mon chardev=charmonitor,id=monitor,mode=control
-rtc base=localtime
-no-reboot
-boot strict=on
-blockdev {"driver":"file","filename":"/var/lib/rvirt/images/web.qcow2","node-name":"libvirt-1-storage","read-only":false}
-blockdev {"driver":"qcow2","file":"libvirt-1-storage","node-name":"libvirt-1-format","read-only":false}
-device {"addr":"0x4","bootindex":2,"bus":"pci.0","drive":"libvirt-1-format","driver":"virtio-blk-pci","id":"virtio-disk1","serial":"S1"}
-blockdev {"driver":"file","filename":"/iso/install.iso","node-name":"libvirt-2-storage","read-only":true}
-blockdev {"driver":"raw","file":"libvirt-2-storage","node-name":"libvirt-2-format","read-only":true}
-device {"bootindex":1,"bus":"ide.1","drive":"libvirt-2-format","driver":"ide-cd","id":"ide0-1-0","unit":0}
-chardev pty,id=charserial0
-device {"chardev":"charserial0","driver":"isa-serial","id":"serial0","index":0}
-device {"driver":"virtio-balloon-pci","id":"balloon0"}
-msg timestamp=on"#;
    assert_eq!(render(&build_args(&d, &rt).unwrap()), want);
    assert_eq!(emulator(&d), PathBuf::from(DEFAULT_EMULATOR));
}

#[test]
fn explicit_boot_order_topology_and_file_serial() {
    let d = def("<domain type='qemu'>
          <name>g</name>
          <memory>131072</memory>
          <vcpu>4</vcpu>
          <os><type machine='pc-i440fx-7.2'>hvm</type></os>
          <cpu><topology sockets='1' cores='2' threads='2'/></cpu>
          <devices>
            <disk type='block' device='disk'>
              <source dev='/dev/vg/a'/>
              <target dev='vda'/>
            </disk>
            <disk type='file' device='disk'>
              <source file='/b.img'/>
              <target dev='vdc'/>
              <boot order='1'/>
            </disk>
            <serial type='file'><source path='/log/x,y.log' append='on'/></serial>
            <serial type='null'><target port='1'/></serial>
          </devices>
        </domain>");
    let args = build_args(&d, &rt()).unwrap();
    let text = render(&args);
    assert!(
        text.contains("-smp 4,sockets=1,cores=2,threads=2\n"),
        "{text}"
    );
    assert!(text.contains("-machine pc-i440fx-7.2,usb=off"), "{text}");
    assert!(
        text.contains(r#"{"driver":"host_device","filename":"/dev/vg/a","#),
        "{text}"
    );
    // Only the disk with <boot order> gets a bootindex.
    assert!(
        text.contains(
            r#"-device {"drive":"libvirt-1-format","driver":"virtio-blk-pci","id":"virtio-disk0"}"#
        ),
        "{text}"
    );
    assert!(text.contains(r#"-device {"bootindex":1,"drive":"libvirt-2-format","driver":"virtio-blk-pci","id":"virtio-disk2"}"#), "{text}");
    assert!(
        text.contains("-chardev file,id=charserial0,path=/log/x,,y.log,append=on\n"),
        "{text}"
    );
    assert!(
        text.contains(
            r#"{"chardev":"charserial1","driver":"isa-serial","id":"serial1","index":1}"#
        ),
        "{text}"
    );
}

#[test]
fn default_machine_from_runtime_options() {
    let d = def(
        "<domain type='qemu'><name>g</name><memory>1024</memory><os><type>hvm</type></os></domain>",
    );
    let mut rt = rt();
    rt.default_machine = Some("pc-i440fx-7.2".into());
    let args = build_args(&d, &rt).unwrap();
    assert!(args.contains(&"pc-i440fx-7.2,usb=off,dump-guest-core=off,acpi=off".to_owned()));
}

#[test]
fn user_nic_vnc_video_argv() {
    let d = def("<domain type='qemu'><name>g</name><memory>65536</memory>\
        <os><type>hvm</type></os><devices>\
        <interface type='user'><mac address='52:54:00:00:00:01'/><model type='virtio'/></interface>\
        <interface type='user'/>\
        <graphics type='vnc' port='5903' listen='0.0.0.0'/>\
        <video><model type='qxl'/></video>\
        </devices></domain>");
    let args = render(&build_args(&d, &rt()).unwrap());
    for want in [
        r#"-netdev {"id":"hostnet0","type":"user"}"#,
        r#"-device {"driver":"virtio-net-pci","id":"net0","mac":"52:54:00:00:00:01","netdev":"hostnet0"}"#,
        r#"-device {"driver":"rtl8139","id":"net1","netdev":"hostnet1"}"#,
        "-vnc 0.0.0.0:3",
        r#"-device {"driver":"qxl-vga","id":"video0"}"#,
    ] {
        assert!(args.contains(want), "{want} not in\n{args}");
    }
}

#[test]
fn direct_and_multiqueue_nics_use_all_their_fds() {
    let d = def("<domain type='kvm'><name>g</name><memory>65536</memory>\
        <os><type>hvm</type></os><devices>\
        <interface type='direct'><mac address='52:54:00:00:00:03'/>\
        <source dev='eth0' mode='bridge'/><model type='virtio'/></interface>\
        <interface type='bridge'><source bridge='br0'/><model type='virtio'/>\
        <driver name='vhost' queues='3'/></interface>\
        </devices></domain>");
    let mut opts = rt();
    opts.tap_fds = vec![
        NicFds {
            tap: vec![30],
            vhost: vec![],
        },
        NicFds {
            tap: vec![31, 32, 33],
            vhost: vec![34, 35, 36],
        },
    ];
    let args = render(&build_args(&d, &opts).unwrap());
    for want in [
        r#"-netdev {"fd":"30","id":"hostnet0","type":"tap"}"#,
        r#"-netdev {"fds":"31:32:33","id":"hostnet1","type":"tap","vhost":true,"vhostfds":"34:35:36"}"#,
        r#"-device {"driver":"virtio-net-pci","id":"net1","mq":true,"netdev":"hostnet1","vectors":8}"#,
    ] {
        assert!(args.contains(want), "{want} not in\n{args}");
    }
}

#[test]
fn network_and_bridge_nics_use_the_inherited_taps() {
    let d = def("<domain type='qemu'><name>g</name><memory>65536</memory>\
        <os><type>hvm</type></os><devices>\
        <interface type='user'/>\
        <interface type='network'><mac address='52:54:00:00:00:02'/><source network='default'/>\
        <model type='virtio'/></interface>\
        <interface type='bridge'><source bridge='br0'/><target dev='tap7'/></interface>\
        </devices></domain>");
    let mut opts = rt();
    let one = |fd| NicFds {
        tap: vec![fd],
        vhost: vec![],
    };
    opts.tap_fds = vec![NicFds::default(), one(25), one(26)];
    let args = render(&build_args(&d, &opts).unwrap());
    for want in [
        r#"-netdev {"id":"hostnet0","type":"user"}"#,
        r#"-netdev {"fd":"25","id":"hostnet1","type":"tap"}"#,
        r#"-device {"driver":"virtio-net-pci","id":"net1","mac":"52:54:00:00:00:02","netdev":"hostnet1"}"#,
        r#"-netdev {"fd":"26","id":"hostnet2","type":"tap"}"#,
        r#"-device {"driver":"rtl8139","id":"net2","netdev":"hostnet2"}"#,
    ] {
        assert!(args.contains(want), "{want} not in\n{args}");
    }
    // Without fds (checks, domxml-to-native): taps QEMU opens itself.
    let args = render(&build_args(&d, &rt()).unwrap());
    assert!(
        args.contains(r#"-netdev {"downscript":"no","id":"hostnet2","ifname":"tap7","script":"no","type":"tap"}"#),
        "{args}"
    );
    assert!(check_supported(&d).is_ok());
}

#[test]
fn unsupported_configurations_are_typed_errors() {
    let base = |devices: &str, extra: &str, dtype: &str| {
        format!(
            "<domain type='{dtype}'><name>g</name><memory>1024</memory>\
             <os><type>hvm</type></os>{extra}<devices>{devices}</devices></domain>"
        )
    };
    let cases = [
        base(
            "<graphics type='spice' port='5900' tlsPort='5901'/>",
            "",
            "qemu",
        ),
        base("<graphics type='vnc' socket='/x.sock'/>", "", "qemu"),
        base(
            "<graphics type='vnc'><listen type='socket'/></graphics>",
            "",
            "qemu",
        ),
        base("<graphics type='vnc' port='5000'/>", "", "qemu"),
        base("<graphics type='vnc'/><graphics type='vnc'/>", "", "qemu"),
        base("<interface type='ethernet'/>", "", "qemu"),
        base(
            "<interface type='user'><model type='ne2k_pci'/></interface>",
            "",
            "qemu",
        ),
        base("<video><model type='vmvga'/></video>", "", "qemu"),
        base("<video><model type='vga' heads='2'/></video>", "", "qemu"),
        base(
            "<disk type='file'><source file='/a'/><target dev='sda' bus='scsi'/></disk>",
            "",
            "qemu",
        ),
        base(
            "<disk type='file'><driver name='qemu' type='vmdk'/><source file='/a'/><target dev='vda'/></disk>",
            "",
            "qemu",
        ),
        base(
            "<disk type='network'><source protocol='nbd' name='x'><host name='h'/></source><target dev='vda'/></disk>",
            "",
            "qemu",
        ),
        base(
            "<disk type='file'><driver name='qemu' type='raw' iothread='1'/><source file='/a'/><target dev='vda'/></disk>",
            "",
            "qemu",
        ),
        base(
            "<serial type='udp'><source mode='connect' host='127.0.0.1' service='4555'/></serial>",
            "",
            "qemu",
        ),
        base(
            "<console type='pty'><target type='virtio'/></console>",
            "",
            "qemu",
        ),
        base("", "<clock offset='variable' adjustment='10'/>", "qemu"),
        base("", "", "xen"),
    ];
    for xml in cases {
        let d = def(&xml);
        let err = build_args(&d, &rt()).expect_err(&xml);
        assert_eq!(err.code(), ErrorCode::ConfigUnsupported, "{xml}: {err}");
        assert_eq!(err.domain(), ErrorDomain::Qemu);
    }
    // IDE on Q35.
    let d = def("<domain type='qemu'><name>g</name><memory>1024</memory>\
        <os><type machine='q35'>hvm</type></os><devices>\
        <disk type='file'><source file='/a'/><target dev='hda' bus='ide'/></disk>\
        </devices></domain>");
    assert_eq!(
        build_args(&d, &rt()).unwrap_err().code(),
        ErrorCode::ConfigUnsupported
    );
    // A disk without a source: refused when parsed, as libvirt does.
    let e = DomainDef::from_xml(
        "<domain type='qemu'><name>g</name><memory>1024</memory>\
        <os><type>hvm</type></os><devices>\
        <disk type='file'><target dev='vda'/></disk></devices></domain>",
    )
    .unwrap_err();
    assert_eq!(e.libvirt_code(), ErrorCode::NoSource.as_raw());
}

#[test]
fn disk_names() {
    assert_eq!(disk_name_index("vda"), Some(("vd", 0)));
    assert_eq!(disk_name_index("hdd"), Some(("hd", 3)));
    assert_eq!(disk_name_index("sdz"), Some(("sd", 25)));
    assert_eq!(disk_name_index("sdaa"), Some(("sd", 26)));
    assert_eq!(disk_name_index("xvdb"), Some(("xvd", 1)));
    assert_eq!(disk_name_index("vd"), None);
    assert_eq!(disk_name_index("vd1"), None);
    assert_eq!(disk_name_index("foo"), None);
}

#[test]
fn what_the_driver_cannot_run_is_named_at_define() {
    use rvirt_core::conf::Defaults;
    let parse = |body: &str| {
        let mut d = def(&format!(
            "<domain type='qemu'><name>g</name><memory>1024</memory>\
             <os><type>hvm</type></os>{body}</domain>"
        ));
        d.prepare_define(&Defaults::qemu()).unwrap();
        d
    };
    check_supported(&parse(
        "<devices><disk type='file'><source file='/a'/><target dev='vda'/></disk>\
         <serial type='pty'/></devices>",
    ))
    .unwrap();
    for (body, named) in [
        (
            "<devices><sound model='ich9'/></devices>",
            "<sound> needs an <audio> backend",
        ),
        (
            "<devices><disk type='file'><driver name='qemu' copy_on_read='on'/>\
             <source file='/a'/><target dev='vda'/></disk></devices>",
            "attribute 'copy_on_read' of <domain/devices/disk/driver>",
        ),
        (
            "<devices><rng model='virtio'><rate bytes='1'/><backend model='random'/></rng></devices>",
            "<domain/devices/rng/rate>",
        ),
        ("<frobnicate/>", "<domain/frobnicate>"),
    ] {
        let e = check_supported(&parse(body)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigUnsupported, "{body}");
        assert!(e.message().contains(named), "{body}: {e}");
    }
}

/// A filled UEFI definition (as `firmware::fill` leaves it) → libvirt's pflash
/// `-blockdev` pair per flash, `-machine pflash0=…,pflash1=…`, `smm=on` and the
/// secure flash `-global` for secure boot.
#[test]
fn uefi_pflash_blockdevs_and_machine_properties() {
    let d = def("<domain type='qemu'><name>efi</name><memory>65536</memory>
          <os><type machine='pc-q35-7.2'>hvm</type>
            <loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.ms.fd</loader>
            <nvram template='/usr/share/OVMF/OVMF_VARS_4M.ms.fd'>/r/lib/qemu/nvram/efi_VARS.fd</nvram>
          </os><features><acpi/><smm state='on'/></features></domain>");
    let args = build_args(&d, &rt()).unwrap();
    let text = render(&args);
    let want = r#"-name guest=efi,debug-threads=on
-S
-blockdev {"auto-read-only":true,"discard":"unmap","driver":"file","filename":"/usr/share/OVMF/OVMF_CODE_4M.ms.fd","node-name":"libvirt-pflash0-storage"}
-blockdev {"driver":"raw","file":"libvirt-pflash0-storage","node-name":"libvirt-pflash0-format","read-only":true}
-blockdev {"auto-read-only":true,"discard":"unmap","driver":"file","filename":"/r/lib/qemu/nvram/efi_VARS.fd","node-name":"libvirt-pflash1-storage"}
-blockdev {"driver":"raw","file":"libvirt-pflash1-storage","node-name":"libvirt-pflash1-format","read-only":false}
-machine pc-q35-7.2,usb=off,smm=on,dump-guest-core=off,pflash0=libvirt-pflash0-format,pflash1=libvirt-pflash1-format,acpi=on
"#;
    assert!(text.starts_with(want), "{text}");
    assert!(text.contains("\n-global driver=cfi.pflash01,property=secure,value=on\n"));
}

#[test]
fn rom_loader_is_bios_and_bios_firmware_is_unchanged() {
    let d = def("<domain type='qemu'><name>rom</name><memory>65536</memory>
          <os><type>hvm</type><loader>/usr/share/seabios/bios.bin</loader></os></domain>");
    let args = build_args(&d, &rt()).unwrap();
    let at = args.iter().position(|a| a == "-bios").unwrap();
    assert_eq!(args[at + 1], "/usr/share/seabios/bios.bin");
    let plain = def("<domain type='qemu'><name>b</name><memory>65536</memory>
          <os><type>hvm</type></os></domain>");
    let bios = def("<domain type='qemu'><name>b</name><memory>65536</memory>
          <os firmware='bios'><type>hvm</type></os></domain>");
    assert_eq!(
        build_args(&plain, &rt()).unwrap(),
        build_args(&bios, &rt()).unwrap()
    );
}

/// Refusals: secure boot off Q35 or without SMM (libvirt's wording), an unselected
/// `firmware='efi'` at argv time, a non-raw loader, `<nvram>` without a loader.
#[test]
fn uefi_refusals() {
    let msg = |xml: &str| {
        let e = build_args(&def(xml), &rt()).unwrap_err();
        (e.code(), e.message().to_owned())
    };
    assert_eq!(
        msg("<domain type='qemu'><name>s</name><memory>65536</memory><os><type machine='pc'>hvm</type>
             <loader readonly='yes' secure='yes' type='pflash'>/c.fd</loader></os>
             <features><smm state='on'/></features></domain>"),
        (
            ErrorCode::ConfigUnsupported,
            "Secure boot is supported with q35 machine types only".into()
        )
    );
    assert_eq!(
        msg("<domain type='qemu'><name>s</name><memory>65536</memory><os><type machine='q35'>hvm</type>
             <loader readonly='yes' secure='yes' type='pflash'>/c.fd</loader></os></domain>")
        .1,
        "Secure boot requires SMM feature enabled"
    );
    assert_eq!(
        msg("<domain type='qemu'><name>s</name><memory>65536</memory><os firmware='efi'><type>hvm</type></os></domain>").0,
        ErrorCode::InternalError
    );
    assert_eq!(
        msg(
            "<domain type='qemu'><name>s</name><memory>65536</memory><os><type>hvm</type>
             <loader readonly='yes' type='pflash' format='qcow2'>/c.qcow2</loader></os></domain>"
        )
        .0,
        ErrorCode::ConfigUnsupported
    );
    // `<nvram>` without a loader is refused while parsing, in libvirt's words.
    let e = DomainDef::from_xml(
        "<domain type='qemu'><name>s</name><memory>65536</memory><os><type>hvm</type>
         <nvram>/v.fd</nvram></os></domain>",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "no loader path specified and firmware auto selection disabled"
    );
    // At define the selection is still to come: the definition is accepted.
    check_supported(&def(
        "<domain type='qemu'><name>s</name><memory>65536</memory><os firmware='efi'><type machine='q35'>hvm</type>
         <firmware><feature enabled='no' name='secure-boot'/></firmware></os></domain>",
    ))
    .unwrap();
}

/// `<iothreads>`/`<iothreadids>` → `-object iothread` after `-smp` (ids autofilled
/// as libvirt's), a virtio disk's `iothread` property; refusals in libvirt's words.
#[test]
fn iothreads_objects_and_disk_property() {
    let d = def("<domain type='qemu'><name>io</name><memory>65536</memory>
          <iothreads>3</iothreads>
          <iothreadids><iothread id='4' thread_pool_min='1' thread_pool_max='8'/></iothreadids>
          <os><type>hvm</type></os><devices>
          <disk type='file'><driver name='qemu' type='raw' iothread='4'/><source file='/a'/><target dev='vda' bus='virtio'/></disk>
          <memballoon model='none'/></devices></domain>");
    let args = build_args(&d, &rt()).unwrap();
    let at = args.iter().position(|a| a == "-smp").unwrap();
    assert_eq!(
        &args[at + 2..at + 8],
        [
            "-object",
            r#"{"id":"iothread4","qom-type":"iothread","thread-pool-max":8,"thread-pool-min":1}"#,
            "-object",
            r#"{"id":"iothread1","qom-type":"iothread"}"#,
            "-object",
            r#"{"id":"iothread2","qom-type":"iothread"}"#,
        ]
    );
    let dev = args.iter().find(|a| a.contains("virtio-blk-pci")).unwrap();
    assert!(dev.contains(r#""iothread":"iothread4""#), "{dev}");

    let refuse = |iothreads: &str, disk: &str| {
        let d = def(&format!(
            "<domain type='qemu'><name>io</name><memory>65536</memory>{iothreads}
              <os><type machine='pc'>hvm</type></os><devices>{disk}<memballoon model='none'/></devices></domain>"
        ));
        let e = build_args(&d, &rt()).unwrap_err();
        (e.code(), e.message().to_owned())
    };
    assert_eq!(
        refuse(
            "<iothreads>1</iothreads>",
            "<disk type='file'><driver name='qemu' type='raw' iothread='2'/><source file='/a'/><target dev='vda' bus='virtio'/></disk>"
        ),
        (
            ErrorCode::ConfigUnsupported,
            "Disk iothread '2' not defined in iothreadid".into()
        )
    );
    assert_eq!(
        refuse(
            "<iothreads>1</iothreads>",
            "<disk type='file'><driver name='qemu' type='raw' iothread='1'/><source file='/a'/><target dev='hda' bus='ide'/></disk>"
        )
        .1,
        "IOThreads not available for bus ide target hda"
    );
}

/// `<qemu:commandline>` args come last, and the namespace survives the definition's
/// round trip as libvirt prints it.
#[test]
fn qemu_commandline_args_are_appended_and_kept() {
    let xml = format!(
        "<domain type='qemu' xmlns:qemu='{QEMU_NS}'><name>ns</name><memory>65536</memory>
          <os><type>hvm</type></os><devices><memballoon model='none'/></devices>
          <qemu:commandline><qemu:arg value='-trace'/><qemu:arg value='help'/>
            <qemu:env name='RVIRT_T' value='1'/></qemu:commandline></domain>"
    );
    let d = def(&xml);
    check_supported(&d).unwrap();
    let args = build_args(&d, &rt()).unwrap();
    assert_eq!(
        &args[args.len() - 4..],
        ["-msg", "timestamp=on", "-trace", "help"]
    );
    let out = d.to_xml().unwrap();
    assert!(
        out.contains(&format!("<domain type='qemu' xmlns:qemu='{QEMU_NS}'>")),
        "{out}"
    );
    assert!(out.contains("<qemu:arg value='-trace'/>"), "{out}");
    assert!(
        out.contains("<qemu:env name='RVIRT_T' value='1'/>"),
        "{out}"
    );
    assert_eq!(custom_argv(&def(&out)).unwrap(), custom_argv(&d).unwrap());
}

fn host() -> HostMemory {
    HostMemory {
        hugepage_dirs: vec![(2048, "/dev/hugepages/libvirt/qemu/1-g".into())],
        default_hugepage_kib: Some(2048),
        ram_dir: "/r/lib/qemu/domain-1-g".into(),
        numa_nodes: vec![0],
    }
}

fn with_host(xml: &str, host: Option<HostMemory>) -> Result<Vec<String>> {
    let mut r = rt();
    r.host_memory = host;
    build_args(&def(xml), &r)
}

/// Two NUMA cells: a RAM backend and `-numa node` each, `-m` their sum, distances,
/// per-cell shared access and numatune host nodes, as libvirt builds them.
#[test]
fn numa_cells_backends_and_distances() {
    let xml = "<domain type='qemu'><name>g</name><memory unit='MiB'>256</memory><vcpu>4</vcpu>
          <numatune><memory mode='strict' nodeset='0'/><memnode cellid='1' mode='preferred' nodeset='0'/></numatune>
          <os><type>hvm</type></os>
          <cpu><numa>
            <cell id='0' cpus='0-1' memory='128' unit='MiB'><distances><sibling id='0' value='10'/><sibling id='1' value='21'/></distances></cell>
            <cell id='1' cpus='2,3' memory='128' unit='MiB' memAccess='shared' discard='yes'><distances><sibling id='0' value='21'/><sibling id='1' value='10'/></distances></cell>
          </numa></cpu>
          <devices><memballoon model='none'/></devices></domain>";
    let text = render(&with_host(xml, Some(host())).unwrap());
    let want = r#"-m size=262144k
-smp 4,sockets=4,cores=1,threads=1
-object {"host-nodes":[0],"id":"ram-node0","policy":"bind","qom-type":"memory-backend-ram","size":134217728}
-numa node,nodeid=0,cpus=0-1,memdev=ram-node0
-object {"discard-data":true,"host-nodes":[0],"id":"ram-node1","mem-path":"/r/lib/qemu/domain-1-g","policy":"preferred","qom-type":"memory-backend-file","share":true,"size":134217728}
-numa node,nodeid=1,cpus=2-3,memdev=ram-node1
-numa dist,src=0,dst=0,val=10
-numa dist,src=0,dst=1,val=21
-numa dist,src=1,dst=0,val=21
-numa dist,src=1,dst=1,val=10
"#;
    assert!(text.contains(want), "{text}");
    // A host node the host lacks.
    let e = with_host(
        &xml.replace("nodeset='0'/><memnode", "nodeset='5'/><memnode"),
        Some(host()),
    )
    .unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (ErrorCode::ConfigUnsupported, "NUMA node 5 is unavailable")
    );
}

/// `<memoryBacking>` without cells: `pc.ram` with `-machine memory-backend=pc.ram`
/// for huge pages, memfd and shared access; `<locked/>` and `<nosharepages/>`.
#[test]
fn memory_backing_without_numa() {
    let xml = |backing: &str| {
        format!(
            "<domain type='qemu'><name>g</name><memory unit='MiB'>64</memory>
             <memoryBacking>{backing}</memoryBacking><os><type>hvm</type></os>
             <devices><memballoon model='none'/></devices></domain>"
        )
    };
    let text =
        render(&with_host(&xml("<hugepages/><locked/><nosharepages/>"), Some(host())).unwrap());
    assert!(
        text.contains(",dump-guest-core=off,mem-merge=off,memory-backend=pc.ram,"),
        "{text}"
    );
    assert!(text.contains(
        "\n-m size=65536k\n-object {\"id\":\"pc.ram\",\"mem-path\":\"/dev/hugepages/libvirt/qemu/1-g\",\"prealloc\":true,\"qom-type\":\"memory-backend-file\",\"size\":67108864}\n-overcommit mem-lock=on\n"
    ), "{text}");
    let text = render(
        &with_host(
            &xml("<source type='memfd'/><access mode='shared'/>"),
            Some(host()),
        )
        .unwrap(),
    );
    assert!(text.contains(
        "-object {\"id\":\"pc.ram\",\"qom-type\":\"memory-backend-memfd\",\"share\":true,\"size\":67108864}"
    ), "{text}");
    // Nothing asked: plain -m, no backend.
    let text = render(&with_host(&xml("<nosharepages/>"), Some(host())).unwrap());
    assert!(
        !text.contains("memory-backend") && text.contains("mem-merge=off"),
        "{text}"
    );
    // No hugetlbfs on the host: libvirt's error; a page size the host lacks.
    let none = HostMemory {
        hugepage_dirs: Vec::new(),
        ..host()
    };
    let e = with_host(&xml("<hugepages/>"), Some(none)).unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (
            ErrorCode::InternalError,
            "hugetlbfs filesystem is not mounted or disabled by administrator config"
        )
    );
    let e = with_host(
        &xml("<hugepages><page size='1' unit='GiB'/></hugepages>"),
        Some(host()),
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InternalError);
    // At define the host is unknown: accepted.
    check_supported(&def(&xml("<hugepages/>"))).unwrap();
}

fn models() -> Vec<crate::capabilities::CpuDefinition> {
    let m = |name: &str, unavailable: &[&str]| crate::capabilities::CpuDefinition {
        name: name.into(),
        unavailable: unavailable.iter().map(|s| s.to_string()).collect(),
        deprecated: false,
    };
    vec![m("qemu64", &[]), m("Skylake-Client", &["avx2", "invpcid"])]
}

fn cpu_args(cpu: &str) -> Result<Vec<String>> {
    let mut r = rt();
    r.cpu_models = Some(models());
    build_args(
        &def(&format!(
            "<domain type='qemu'><name>c</name><memory>65536</memory><vcpu current='2'>4</vcpu>
             <os><type>hvm</type></os>{cpu}<devices><memballoon model='none'/></devices></domain>"
        )),
        &r,
    )
}

/// `<cpu mode='custom'>`: `-cpu NAME,feat=on|off` as libvirt 9.0, checked against
/// QEMU's models under TCG with `check`; topology → `-smp` with `maxcpus`.
#[test]
fn custom_cpu_models_and_checks() {
    let args = cpu_args(
        "<cpu mode='custom' match='exact'><model fallback='forbid'>qemu64</model>
           <topology sockets='1' dies='1' cores='2' threads='2'/>
           <feature policy='require' name='x2apic'/><feature policy='disable' name='svm'/>
           <feature policy='optional' name='pdpe1gb'/></cpu>",
    )
    .unwrap();
    let at = args.iter().position(|a| a == "-cpu").unwrap();
    assert_eq!(args[at + 1], "qemu64,x2apic=on,svm=off");
    let at = args.iter().position(|a| a == "-smp").unwrap();
    assert_eq!(args[at + 1], "2,maxcpus=4,sockets=1,cores=2,threads=2");

    let e = cpu_args("<cpu mode='custom'><model>Nehalem-Unknown</model></cpu>").unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (
            ErrorCode::ConfigUnsupported,
            "CPU model Nehalem-Unknown is not supported by hypervisor"
        )
    );
    // What TCG lacks: refused by the default check, by check='full' in other words,
    // accepted by check='none' and once the definition turns it off.
    let e = cpu_args("<cpu mode='custom'><model>Skylake-Client</model></cpu>").unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (
            ErrorCode::CpuIncompatible,
            "Host CPU does not provide required features: avx2, invpcid"
        )
    );
    let e = cpu_args("<cpu mode='custom' check='full'><model>Skylake-Client</model></cpu>")
        .unwrap_err();
    assert_eq!(
        e.message(),
        "guest CPU doesn't match specification: missing features: avx2,invpcid"
    );
    cpu_args("<cpu mode='custom' check='none'><model>Skylake-Client</model></cpu>").unwrap();
    cpu_args(
        "<cpu mode='custom'><model>Skylake-Client</model><feature policy='disable' name='avx2'/>
         <feature policy='forbid' name='invpcid'/></cpu>",
    )
    .unwrap();
    // Nothing that would add options of its own to -cpu.
    let e = cpu_args("<cpu mode='custom'><model>qemu64,kvm=off</model></cpu>").unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
    let e = cpu_args("<cpu mode='custom'><model>qemu64</model><feature name='a=b'/></cpu>")
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
}

/// `<vsock>` → `vhost-vsock-pci` with the claimed CID and its vhost fd; the CID the
/// definition asks for; refusals.
#[test]
fn vsock_device() {
    let xml = |cid: &str| {
        format!(
            "<domain type='qemu'><name>v</name><memory>65536</memory><os><type>hvm</type></os>
             <devices><vsock model='virtio'>{cid}<address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/></vsock>
             <memballoon model='none'/></devices></domain>"
        )
    };
    let mut r = rt();
    r.vsock = Some((7, 42));
    let args = build_args(&def(&xml("<cid auto='yes'/>")), &r).unwrap();
    let dev = args.iter().find(|a| a.contains("vhost-vsock-pci")).unwrap();
    assert_eq!(
        dev,
        r#"{"addr":"0x5","bus":"pci.0","driver":"vhost-vsock-pci","guest-cid":42,"id":"vsock0","vhostfd":"7"}"#
    );
    let d = def(&xml("<cid auto='no' address='9'/>"));
    check_supported(&d).unwrap();
    let args = build_args(&d, &rt()).unwrap();
    assert!(args.iter().any(|a| a.contains(r#""guest-cid":9"#)));
    for bad in ["<cid auto='no' address='2'/>", "", "<cid address='x'/>"] {
        let e = build_args(&def(&xml(bad)), &rt()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigUnsupported, "{bad}");
    }
}
