//! Every refusal of the command-line builder, one definition each: what `virsh
//! define` (and start) answers for it is `VIR_ERR_CONFIG_UNSUPPORTED` in the QEMU
//! domain, and the message names the element or attribute at fault.

use super::*;

/// One refusal: the `<devices>` children, the other top-level elements, the machine,
/// and a piece of the message that names what is refused.
struct Case {
    devices: &'static str,
    extra: &'static str,
    machine: &'static str,
    names: &'static str,
}

const fn dev(devices: &'static str, names: &'static str) -> Case {
    Case {
        devices,
        extra: "",
        machine: "pc",
        names,
    }
}

const fn top(extra: &'static str, names: &'static str) -> Case {
    Case {
        devices: "",
        extra,
        machine: "pc",
        names,
    }
}

const fn q35(devices: &'static str, names: &'static str) -> Case {
    Case {
        devices,
        extra: "",
        machine: "q35",
        names,
    }
}

const DISK: &str = "<disk type='file' device='disk'><source file='/var/lib/g.img'/>";

const CASES: &[Case] = &[
    // The guest.
    top(
        "<os><type arch='aarch64' machine='virt'>hvm</type></os>",
        "architecture 'aarch64'",
    ),
    top(
        "<vcpu>4</vcpu><cpu><topology sockets='1' cores='3' threads='1'/></cpu>",
        "CPU topology doesn't match maximum vcpu count 4",
    ),
    top(
        "<clock offset='timezone' timezone='Europe/Paris'/>",
        "attribute 'timezone' of <domain/clock>",
    ),
    top(
        "<clock offset='utc'><timer name='rtc' tickpolicy='merge'/></clock>",
        "rtc timer tickpolicy 'merge'",
    ),
    top(
        "<clock offset='utc'><timer name='pit' tickpolicy='merge'/></clock>",
        "pit timer tickpolicy 'merge'",
    ),
    top(
        "<clock offset='utc'><timer name='hpet' tickpolicy='delay'/></clock>",
        "hpet timer tickpolicy",
    ),
    top(
        "<clock offset='utc'><timer name='tsc' present='no'/></clock>",
        "timer 'tsc'",
    ),
    // CPU.
    top(
        "<cpu mode='host-passthrough'><model>qemu64</model></cpu>",
        "CPU <model> with mode 'host-passthrough'",
    ),
    top(
        "<cpu mode='custom'><model>qemu64,kvm=off</model></cpu>",
        "CPU model name 'qemu64,kvm=off'",
    ),
    top(
        "<cpu mode='custom'><model>qemu64</model><feature name='a=b'/></cpu>",
        "CPU feature name 'a=b'",
    ),
    top(
        "<cpu mode='custom'><model>qemu64</model><feature policy='maybe' name='ss'/></cpu>",
        "CPU feature policy 'maybe'",
    ),
    top(
        "<features><hyperv mode='passthrough'/></features>",
        "hyperv mode 'passthrough'",
    ),
    top(
        "<features><hyperv><stimer state='on'/></hyperv></features>",
        "<domain/features/hyperv/stimer>",
    ),
    top(
        "<features><hyperv><spinlocks state='on' retries='100'/></hyperv></features>",
        "hyperv spinlocks retries",
    ),
    // Disks.
    dev(
        "<disk type='file' device='floppy'><source file='/f.img'/><target dev='fda' bus='fdc'/></disk>",
        "disk device 'floppy'",
    ),
    dev(
        "<disk type='file' device='disk'><driver name='qemu' type='vmdk'/><source file='/g.vmdk'/><target dev='hda' bus='ide'/></disk>",
        "disk format 'vmdk'",
    ),
    dev(
        "<disk type='nvme' device='disk'><source type='pci' managed='yes' namespace='1'><address domain='0' bus='1' slot='0' function='0'/></source><target dev='vda' bus='virtio'/></disk>",
        "attribute 'type' of <domain/devices/disk/source>",
    ),
    dev(
        "<disk type='file' device='cdrom'><source file='/c.iso'/><target dev='vda' bus='virtio'/></disk>",
        "virtio bus does not support device 'cdrom'",
    ),
    dev(
        "<disk type='file' device='disk'><source file='/g.img'/><target dev='hde' bus='ide'/></disk>",
        "IDE disk 'hde'",
    ),
    q35(
        "<disk type='file' device='disk'><source file='/g.img'/><target dev='hda' bus='ide'/></disk>",
        "IDE disks are only supported on i440FX",
    ),
    dev(
        "<disk type='file' device='disk'><source file='/g.img'/><target dev='sda' bus='sata'/></disk>",
        "SATA disks are only supported on Q35",
    ),
    dev(
        "<disk type='file' device='disk'><source file='/g.img'/><target dev='sda' bus='usb'/></disk>",
        "disk bus 'usb'",
    ),
    dev(
        "<disk type='file' device='disk'><driver name='qemu' queues='2'/><source file='/g.img'/><target dev='hda' bus='ide'/></disk>",
        "disk queues on 'hda'",
    ),
    Case {
        devices: "<disk type='file' device='disk'><driver name='qemu' iothread='1'/><source file='/g.img'/><target dev='hda' bus='ide'/></disk>",
        extra: "<iothreads>1</iothreads>",
        machine: "pc",
        names: "IOThreads not available for bus ide target hda",
    },
    dev(
        "<disk type='file' device='disk'><driver name='qemu' iothread='7'/><source file='/g.img'/><target dev='vda' bus='virtio'/></disk>",
        "Disk iothread '7'",
    ),
    dev(
        "<disk type='file' device='disk'><driver name='qemu' rerror_policy='enospace'/><source file='/g.img'/><target dev='vda' bus='virtio'/></disk>",
        "rerror_policy 'enospace'",
    ),
    // Graphics and video.
    dev("<graphics type='vnc' port='80'/>", "VNC port 80"),
    dev(
        "<graphics type='vnc' socket='/run/vnc.sock'/>",
        "attribute 'socket' of <domain/devices/graphics>",
    ),
    dev(
        "<graphics type='spice' port='5900' tlsPort='5901'/>",
        "attribute 'tlsPort' of <domain/devices/graphics>",
    ),
    dev("<graphics type='spice' port='70000'/>", "SPICE port 70000"),
    dev(
        "<graphics type='rdp' port='3389'/>",
        "<graphics type='rdp'>",
    ),
    dev(
        "<graphics type='vnc' port='5900'/><graphics type='vnc' port='5901'/>",
        "more than one <graphics>",
    ),
    dev(
        "<graphics type='vnc' port='5900'><listen type='network' network='default'/></graphics>",
        "attribute 'network' of <domain/devices/graphics/listen>",
    ),
    dev(
        "<video><model type='vmvga'/></video>",
        "video model 'vmvga'",
    ),
    dev(
        "<video><model type='virtio' heads='2'/></video>",
        "more than one head",
    ),
    dev(
        "<video><model type='qxl' vgamem='1000'/></video>",
        "qxl vgamem 1000",
    ),
    dev(
        "<video><model type='vga' vram='8192'/></video>",
        "video memory sizes of model 'vga'",
    ),
    // Firmware.
    top(
        "<os><type arch='x86_64' machine='pc'>hvm</type><loader type='rom' format='qcow2'>/fw.rom</loader></os>",
        "loader format 'qcow2'",
    ),
    top(
        "<os><type arch='x86_64' machine='pc'>hvm</type><loader type='rom'>/fw.rom</loader><nvram>/v.fd</nvram></os>",
        "<nvram> needs a pflash <loader>",
    ),
    top(
        "<os><type arch='x86_64' machine='pc'>hvm</type><loader stateless='yes' type='pflash'>/fw.fd</loader></os>",
        "attribute 'stateless' of <domain/os/loader>",
    ),
    top(
        "<os><type arch='x86_64' machine='pc'>hvm</type><loader readonly='yes' type='pflash'>/fw.fd</loader><nvram format='qcow2'>/v.qcow2</nvram></os>",
        "nvram format 'qcow2'",
    ),
    top(
        "<features><smm state='on'><tseg unit='MiB'>48</tseg></smm></features>",
        "<domain/features/smm/tseg>",
    ),
    // Memory and NUMA.
    top(
        "<numatune><memory mode='restrictive' nodeset='0'/></numatune>",
        "numatune memory mode 'restrictive'",
    ),
    top(
        "<numatune><memory mode='strict' placement='auto'/></numatune>",
        "numatune placement 'auto'",
    ),
    top(
        "<memoryBacking><access mode='private2'/></memoryBacking>",
        "memory access mode 'private2'",
    ),
    top(
        "<memoryBacking><allocation mode='lazy'/></memoryBacking>",
        "memory allocation mode 'lazy'",
    ),
    top(
        "<memoryBacking><source type='disk'/></memoryBacking>",
        "memory source type 'disk'",
    ),
    // NICs.
    dev(
        "<interface type='user'><model type='ne2k_pci'/></interface>",
        "interface model 'ne2k_pci'",
    ),
    dev(
        "<interface type='mcast'><source address='230.0.0.1' port='5558'/></interface>",
        "attribute 'address' of <domain/devices/interface/source>",
    ),
    dev(
        "<interface type='user'><mac address='52:54:00:00:00:09'/><model type='virtio'/><driver queues='2'/></interface>",
        "interface 52:54:00:00:00:09 - multiqueue",
    ),
    dev(
        "<interface type='user'><model type='e1000'/><mtu size='1400'/></interface>",
        "setting MTU is only supported for virtio NICs",
    ),
    dev(
        "<interface type='user'><model type='virtio'/><driver name='vfio'/></interface>",
        "interface driver name 'vfio'",
    ),
    dev(
        "<interface type='user'><model type='virtio'/><driver txmode='fast'/></interface>",
        "interface driver txmode 'fast'",
    ),
    dev(
        "<interface type='user'><model type='virtio'/><driver><host lro='off'/></driver></interface>",
        "interface driver <host> offload 'lro'",
    ),
    // PCI.
    dev(
        "<controller type='pci' index='1' model='pcie-root-port'/>",
        "PCI controller model 'pcie-root-port' (index 1)",
    ),
    q35(
        "<controller type='pci' index='1' model='pcie-root-port'><target port='zz'/></controller>",
        "PCIe root port number",
    ),
    dev(
        "<interface type='user'><address type='ccw' cssid='0xfe' ssid='0' devno='1'/></interface>",
        "address type 'ccw'",
    ),
    dev(
        "<interface type='user'><address type='pci' domain='0' bus='3' slot='1' function='0'/></interface>",
        "no PCI controller with index 3",
    ),
    // SMBIOS and sysinfo.
    top(
        "<sysinfo type='fwcfg'><entry>x</entry></sysinfo>",
        "fwcfg <entry> needs a name",
    ),
    top(
        "<os><type arch='x86_64' machine='pc'>hvm</type><smbios mode='emulate2'/></os>",
        "smbios mode 'emulate2'",
    ),
    top(
        "<os><type arch='x86_64' machine='pc'>hvm</type><smbios mode='sysinfo'/></os>",
        "Domain requires SMBIOS",
    ),
    // Sound and audio.
    dev("<audio id='1' type='jack'/>", "audio type 'jack'"),
    dev(
        "<audio id='1' type='none'/><sound model='sb16'><audio id='1'/></sound>",
        "sound model 'sb16'",
    ),
    dev(
        "<audio id='1' type='none'/><sound model='ich6'><audio id='2'/></sound>",
        "no <audio id='2'> for <sound>",
    ),
    dev(
        "<audio id='1' type='none'/><sound model='ac97'><codec type='duplex'/></sound>",
        "sound model 'ac97' has no codecs",
    ),
    dev(
        "<audio id='1' type='none'/><sound model='ich6'><codec type='surround'/></sound>",
        "sound codec type 'surround'",
    ),
    // USB.
    dev(
        "<controller type='usb' model='sandbox'/>",
        "USB controller model 'sandbox'",
    ),
    dev(
        "<controller type='usb' model='piix3-uhci' ports='4'/>",
        "setting USB ports is only supported for XHCI",
    ),
    dev(
        "<controller type='usb' index='0' model='ich9-ehci1'/><controller type='usb' index='0' model='ich9-uhci1'/>",
        "USB companion controller 'ich9-uhci1'",
    ),
    dev(
        "<controller type='usb' model='qemu-xhci'/><redirdev bus='usb' type='spicevmc'/>",
        "<redirdev type='spicevmc'> needs a <graphics type='spice'>",
    ),
    // Virtio devices and channels.
    dev(
        "<rng model='virtio'><backend model='egd' type='tcp'><source mode='connect' host='h' service='1'/></backend></rng>",
        "attribute 'type' of <domain/devices/rng/backend>",
    ),
    dev(
        "<channel type='unix'><source mode='connect' path='/run/x.sock'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel>",
        "channel sockets in mode 'bind'",
    ),
    dev(
        "<channel type='pty'><target type='guestfwd' address='10.0.2.1' port='4600'/></channel>",
        "attribute 'address' of <domain/devices/channel/target>",
    ),
    dev(
        "<channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/></channel>",
        "<channel type='spicevmc'> needs a <graphics type='spice'>",
    ),
    dev(
        "<channel type='unix'><source mode='bind'/><target type='virtio' name='a.b'/><address type='virtio-serial' controller='0' bus='1' port='1'/></channel>",
        "virtio-serial bus other than 0",
    ),
    // More of each module.
    top("<cpu mode='custom'/>", "CPU mode 'custom' needs a <model>"),
    dev(
        "<disk type='file' device='disk'><driver name='tap'/><source file='/g.img'/><target dev='vda' bus='virtio'/></disk>",
        "driver name 'tap'",
    ),
    dev(
        "<disk type='file' device='disk'><source file='/g.img'/><backingStore type='file'><format type='raw'/><source file='/b.img'/></backingStore><target dev='vda' bus='virtio'/></disk>",
        "attribute 'type' of <domain/devices/disk/backingStore>",
    ),
    dev(
        "<disk type='dir' device='disk'><source dir='/d'/><target dev='vda' bus='virtio'/></disk>",
        "attribute 'dir' of <domain/devices/disk/source>",
    ),
    dev(
        "<video><model type='qxl' vram64='65536'/></video>",
        "attribute 'vram64' of <domain/devices/video/model>",
    ),
    dev(
        "<graphics type='spice' port='5900'><image compression='lz4'/></graphics>",
        "SPICE image compression 'lz4'",
    ),
    top(
        "<os><type arch='x86_64' machine='pc'>hvm</type><loader type='pflash'>/fw.fd</loader><nvram>/v.fd</nvram></os>",
        "<nvram> needs a read-only pflash <loader readonly='yes'>",
    ),
    top(
        "<iothreadids><iothread id='0'/></iothreadids>",
        "iothread 'id' value '0'",
    ),
    top(
        "<memoryBacking><hugepages><page size='2048' unit='KiB' nodeset='0'/></hugepages></memoryBacking>",
        "hugepages with a nodeset need <cpu><numa> cells",
    ),
    top(
        "<memoryBacking><hugepages/><source type='memfd2'/></memoryBacking>",
        "memory source",
    ),
    dev(
        "<audio id='1' type='none' timerPeriod='100'/>",
        "attribute 'timerPeriod' of <domain/devices/audio>",
    ),
    dev(
        "<audio type='none'/><sound model='ich6'/>",
        "<audio> without an id",
    ),
    dev(
        "<rng model='virtio-non-transitional2'><backend model='random'>/dev/urandom</backend></rng>",
        "rng model",
    ),
    dev(
        "<channel type='unix'><source mode='bind' path='/run/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock'/><target type='virtio' name='a.b'/></channel>",
        "channel socket path",
    ),
    dev(
        "<channel type='file'><source path='/tmp/f'/><target type='virtio' name='a.b'/></channel>",
        "channel type 'file'",
    ),
    dev(
        "<channel type='unix'><source mode='bind'/><target type='virtio' name='a.b'/><address type='virtio-serial' controller='0' bus='0' port='1'/></channel><channel type='unix'><source mode='bind'/><target type='virtio' name='a.c'/><address type='virtio-serial' controller='0' bus='0' port='1'/></channel>",
        "virtio-serial port 1 of controller 0 is used twice",
    ),
    dev(
        "<channel type='unix'><source mode='bind'/><target type='virtio'/></channel>",
        "virtio <channel> without a target name",
    ),
    dev(
        "<vsock model='virtio'/>",
        "vsock needs <cid auto='yes'/> or a cid address",
    ),
    dev(
        "<input type='passthrough' bus='usb'><source evdev='/dev/input/event1'/></input><controller type='usb' model='qemu-xhci'/>",
        "<domain/devices/input/source>",
    ),
    // Still more.
    dev(
        "<vsock model='virtio-transitional'><cid auto='yes'/></vsock>",
        "vsock model 'virtio-transitional'",
    ),
    top(
        "<os><type arch='x86_64' machine='pc'>hvm</type><loader type='flash'>/fw.fd</loader></os>",
        "loader type 'flash'",
    ),
    top(
        "<os><type arch='x86_64' machine='pc'>hvm</type><loader readonly='yes' type='pflash'>/fw.fd</loader><nvram type='network'><source protocol='iscsi' name='iqn.2013-07.com.example:iscsi-nopool/0'><host name='example.com' port='6000'/></source></nvram></os>",
        "nvram",
    ),
    top(
        "<memoryBacking><hugepages/><source type='anonymous'/></memoryBacking>",
        "hugepages with memory source 'anonymous'",
    ),
    top("<sysinfo type='fwcfg2'/>", "sysinfo type 'fwcfg2'"),
    dev(
        "<audio id='1' type='none'/><sound model='ich6'><audio id='x'/></sound>",
        "sound audio id 'x'",
    ),
    dev(
        "<channel type='unix'><source mode='bind'/><target type='virtio' name='a.b'/><address type='pci' domain='0' bus='0' slot='9' function='0'/></channel>",
        "address type 'pci' is not supported for a <channel>",
    ),
    top(
        "<vcpu>2</vcpu><cpu><numa><cell id='0' cpus='0-1' memory='65536'><distances><sibling id='0' value='x'/></distances></cell></numa></cpu>",
        "NUMA distance",
    ),
    top(
        "<features><hyperv><spinlocks state='on' retries='lots'/></hyperv></features>",
        "hyperv spinlocks retries 'lots'",
    ),
    // Other devices.
    dev("<memballoon model='xen'/>", "memballoon model 'xen'"),
    dev(
        "<watchdog model='diag288' action='reset'/>",
        "watchdog model 'diag288'",
    ),
    dev(
        "<watchdog model='i6300esb' action='inject-nmi2'/>",
        "watchdog action 'inject-nmi2'",
    ),
    dev(
        "<vsock model='virtio'><cid address='2'/></vsock>",
        "guest CID 2 is reserved",
    ),
    dev(
        "<serial type='nmdm'><source master='/dev/nmdm0A' slave='/dev/nmdm0B'/></serial>",
        "attribute 'master' of <domain/devices/serial/source>",
    ),
    dev(
        "<serial type='pty'><target type='pci-serial'/></serial>",
        "serial target type 'pci-serial'",
    ),
    dev(
        "<serial type='pty'><target type='isa-serial'><model name='pl011'/></target></serial>",
        "serial target model",
    ),
    dev(
        "<console type='pty'><target type='sclp'/></console>",
        "console target type 'sclp'",
    ),
    dev("<hub type='usb'/>", "<domain/devices/hub>"),
];

fn xml(c: &Case) -> String {
    let os = if c.extra.contains("<os>") {
        String::new()
    } else {
        format!(
            "<os><type arch='x86_64' machine='{}'>hvm</type></os>",
            c.machine
        )
    };
    format!(
        "<domain type='qemu'><name>g</name><memory>65536</memory>{os}{}\
         <devices>{}<memballoon model='none'/></devices></domain>",
        c.extra, c.devices
    )
}

#[test]
fn every_refusal_is_config_unsupported_and_names_its_element() {
    let _ = DISK;
    let mut wrong = Vec::new();
    for c in CASES {
        let x = xml(c);
        let def = match DomainDef::from_xml(&x) {
            Ok(d) => d,
            Err(e) => {
                wrong.push(format!("{x}\n  does not parse: {e}"));
                continue;
            }
        };
        match check_supported(&def) {
            Ok(()) => wrong.push(format!("{x}\n  accepted")),
            Err(e)
                if e.code() == ErrorCode::ConfigUnsupported
                    && e.domain() == ErrorDomain::Qemu
                    && e.message().contains(c.names) => {}
            Err(e) => wrong.push(format!(
                "{x}\n  {:?}/{:?}: {} (wanted '{}')",
                e.code(),
                e.domain(),
                e.message(),
                c.names
            )),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
