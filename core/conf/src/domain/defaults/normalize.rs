//! The values libvirt derives while reading a definition and prints back in place of
//! what was written: defaults it makes explicit (`<cpu mode='custom'>`, a TCP
//! `<protocol type='raw'/>`), sizes converted to KiB, and parts it does not keep for
//! the configuration in question (the `<driver>` of a non-virtio NIC, the path of a
//! `pty`, generated tap names of a stored definition).

use crate::bitmap::CpuSet;
use crate::devices::{CharDevice, CharDeviceType, CharSource, Device, Interface, TypeAttr};
use crate::domain::{CpuMode, DomainDef};
use crate::{Memory, MemoryUnit, YesNo};

fn kib(value: u64, unit: Option<MemoryUnit>) -> u64 {
    Memory::new(value, unit.unwrap_or_default()).kib()
}

fn canonical_bitmap(text: &mut Option<String>) {
    if let Some(set) = text.as_deref().and_then(CpuSet::parse) {
        *text = Some(set.to_string());
    }
}

fn cpu(def: &mut DomainDef) {
    let Some(cpu) = def.cpu.as_mut() else {
        return;
    };
    let mode = cpu.mode.unwrap_or(CpuMode::Custom);
    let named = cpu.model.as_ref().is_some_and(|m| m.name.is_some());
    if mode == CpuMode::Custom && !named {
        // Only topology, cache or NUMA: libvirt prints no attributes.
        cpu.mode = None;
        cpu.match_mode = None;
        cpu.check = None;
    } else {
        cpu.mode = Some(mode);
        if mode == CpuMode::Custom {
            cpu.match_mode.get_or_insert_with(|| "exact".into());
        } else {
            cpu.match_mode = None;
        }
    }
    if !matches!(mode, CpuMode::HostPassthrough | CpuMode::Maximum) {
        cpu.migratable = None;
    }
    if matches!(mode, CpuMode::Custom | CpuMode::HostModel) {
        if let Some(m) = cpu.model.as_mut() {
            if m.name.is_some() {
                m.fallback.get_or_insert_with(|| "allow".into());
            } else {
                m.fallback = None;
            }
        }
        if cpu
            .model
            .as_ref()
            .is_some_and(|m| m.name.is_none() && m.vendor_id.is_none() && m.extra.is_empty())
        {
            cpu.model = None;
        }
    } else {
        cpu.model = None;
        cpu.vendor = None;
    }
    if let Some(t) = cpu.topology.as_mut() {
        t.dies.get_or_insert(1);
    }
    // An empty <cpu/> says nothing: libvirt keeps none.
    {
        use crate::model::XmlElement;
        let el = cpu.to_element("cpu");
        if el.attrs.is_empty() && el.elements().next().is_none() {
            def.cpu = None;
            return;
        }
    }
    for f in &mut cpu.features {
        f.policy.get_or_insert_with(|| "require".into());
    }
    if let Some(numa) = cpu.numa.as_mut() {
        for (i, cell) in numa.cells.iter_mut().enumerate() {
            cell.id.get_or_insert(i as u32);
            cell.memory = kib(cell.memory, cell.unit);
            cell.unit = Some(MemoryUnit::KiB);
            canonical_bitmap(&mut cell.cpus);
        }
        // libvirt keeps the cells by id.
        numa.cells.sort_by_key(|c| c.id);
    }
}

fn chardev(c: &mut CharDevice, inactive: bool) {
    if inactive && let Some(t) = c.target.as_mut() {
        t.state = None;
    }
    match c.char_type {
        CharDeviceType::Tcp => {
            let s = match c.sources.first_mut() {
                Some(s) => s,
                None => {
                    c.sources.push(CharSource::default());
                    &mut c.sources[0]
                }
            };
            s.mode.get_or_insert_with(|| "connect".into());
            c.sources.truncate(1);
            c.protocol.get_or_insert_with(|| TypeAttr::new("raw"));
        }
        CharDeviceType::Unix => {
            c.sources.truncate(1);
            match c.sources.first_mut() {
                Some(s) if s.path.is_some() => {
                    s.mode.get_or_insert_with(|| "connect".into());
                }
                _ => c.sources.clear(),
            }
        }
        CharDeviceType::Pty if inactive => c.sources.clear(),
        CharDeviceType::Pty | CharDeviceType::Dev | CharDeviceType::File | CharDeviceType::Pipe => {
            c.sources.truncate(1);
            if c.sources.first().is_some_and(|s| s.path.is_none()) {
                c.sources.clear();
            }
        }
        CharDeviceType::Null
        | CharDeviceType::Vc
        | CharDeviceType::Stdio
        | CharDeviceType::Spicevmc => c.sources.clear(),
        _ => {}
    }
    if c.char_type != CharDeviceType::Tcp {
        c.protocol = None;
    }
}

/// libvirt's NIC models, spelled as it prints them (it reads them in any case).
const NIC_MODELS: &[&str] = &[
    "netfront",
    "rtl8139",
    "virtio",
    "e1000",
    "e1000e",
    "virtio-transitional",
    "virtio-non-transitional",
    "usb-net",
    "spapr-vlan",
    "lan9118",
    "scm91c111",
    "vlance",
    "vmxnet",
    "vmxnet2",
    "vmxnet3",
    "Am79C970A",
    "Am79C973",
    "82540EM",
    "82545EM",
    "82543GC",
];

/// The port libvirt gives a network disk's TCP host that names none
/// (`virStorageSourceNetworkDefaultPort`).
fn default_port(protocol: &str) -> Option<u16> {
    Some(match protocol {
        "http" => 80,
        "https" => 443,
        "ftp" => 21,
        "ftps" => 990,
        "tftp" => 69,
        "sheepdog" => 7000,
        "nbd" => 10809,
        "ssh" => 22,
        "iscsi" => 3260,
        "gluster" => 24007,
        "vxhs" => 9999,
        _ => return None,
    })
}

/// An iSCSI target without a LUN is LUN 0 (`virDomainPostParseCheckISCSIPath`).
fn iscsi_lun(protocol: Option<&str>, name: &mut Option<String>) {
    if protocol == Some("iscsi")
        && let Some(n) = name.as_mut()
        && !n.contains('/')
    {
        n.push_str("/0");
    }
}

/// A network disk source as libvirt completes it: default ports, the iSCSI LUN.
fn disk_source(s: &mut crate::devices::DiskSource) {
    let Some(protocol) = s.protocol.clone() else {
        return;
    };
    if let Some(port) = default_port(&protocol) {
        for h in &mut s.hosts {
            if h.port.is_none() && h.transport.as_deref().is_none_or(|t| t == "tcp") {
                h.port = Some(port.to_string());
            }
        }
    }
    iscsi_lun(Some(&protocol), &mut s.name);
}

fn is_virtio(i: &Interface) -> bool {
    matches!(
        i.model.as_ref().map(|m| m.value.as_str()),
        Some("virtio" | "virtio-transitional" | "virtio-non-transitional")
    )
}

fn interface(i: &mut Interface, inactive: bool) {
    // The network port a running NIC holds (a `vds` port id is configuration).
    if inactive
        && i.interface_type == crate::InterfaceType::Network
        && let Some(s) = i.source.as_mut()
    {
        s.portid = None;
    }
    if let Some(m) = i.model.as_mut()
        && let Some(known) = NIC_MODELS.iter().find(|k| k.eq_ignore_ascii_case(&m.value))
    {
        m.value = (*known).to_owned();
    }
    if i.interface_type == crate::InterfaceType::Direct
        && let Some(s) = i.source.as_mut()
    {
        s.mode.get_or_insert_with(|| "vepa".into());
    }
    if i.interface_type != crate::InterfaceType::Hostdev && !is_virtio(i) {
        i.driver = None;
    }
    // A host device NIC's driver is only its backend's name.
    if i.interface_type == crate::InterfaceType::Hostdev
        && let Some(d) = i.driver.take()
    {
        i.driver = d.name.map(|name| crate::devices::InterfaceDriver {
            name: Some(name),
            ..Default::default()
        });
    }
    // libvirt reads a traffic filter only for NICs on a network, a bridge or a tap.
    if !matches!(
        i.interface_type,
        crate::InterfaceType::Network
            | crate::InterfaceType::Bridge
            | crate::InterfaceType::Ethernet
    ) {
        i.filterref = None;
    }
    if inactive
        && let Some(t) = &i.target
        && ["vnet", "macvtap", "macvlan"]
            .iter()
            .any(|p| t.dev.starts_with(p))
        && t.managed != Some(YesNo::No)
    {
        i.target = None;
    }
}

/// A size element (`<hard_limit unit=…>N</…>`) rewritten in KiB, as libvirt prints
/// sizes it stores in KiB.
fn size_in_kib(el: &mut crate::xml::Element) {
    use crate::model::XmlElement;
    if let Ok(mem) = Memory::from_element(el.clone()) {
        *el = mem.normalized_kib().to_element(&el.name);
    }
}

fn on_by_default(f: &mut Option<crate::domain::FeatureState>) {
    if let Some(f) = f {
        f.state.get_or_insert(crate::OnOff::On);
    }
}

fn features(def: &mut DomainDef) {
    let Some(f) = def.features.as_mut() else {
        return;
    };
    for s in [
        &mut f.hap,
        &mut f.pmu,
        &mut f.pvspinlock,
        &mut f.vmport,
        &mut f.vmcoreinfo,
        &mut f.htm,
        &mut f.nested_hv,
        &mut f.ccf_assist,
    ] {
        on_by_default(s);
    }
    if let Some(smm) = f.smm.as_mut() {
        smm.state.get_or_insert(crate::OnOff::On);
    }
    if let Some(h) = f.hyperv.as_mut() {
        h.mode.get_or_insert_with(|| "custom".into());
        for s in [
            &mut h.relaxed,
            &mut h.vapic,
            &mut h.vpindex,
            &mut h.runtime,
            &mut h.synic,
            &mut h.reset,
            &mut h.frequencies,
            &mut h.reenlightenment,
            &mut h.tlbflush,
            &mut h.ipi,
            &mut h.evmcs,
            &mut h.avic,
        ] {
            on_by_default(s);
        }
        for el in [&mut h.spinlocks, &mut h.stimer, &mut h.vendor_id]
            .into_iter()
            .flatten()
        {
            if el.attr("state").is_none() {
                el.attrs.insert(0, ("state".into(), "on".into()));
            }
        }
    }
    if let Some(k) = f.kvm.as_mut() {
        for s in [
            &mut k.hidden,
            &mut k.hint_dedicated,
            &mut k.poll_control,
            &mut k.pv_ipi,
        ] {
            on_by_default(s);
        }
        if let Some(el) = k.dirty_ring.as_mut()
            && el.attr("state").is_none()
        {
            el.attrs.insert(0, ("state".into(), "on".into()));
        }
    }
    if let Some(max) = f.hpt.as_mut().and_then(|h| h.child_mut("maxpagesize")) {
        size_in_kib(max);
    }
    if let Some(tb) = f.tcg.as_mut().and_then(|t| t.child_mut("tb-cache")) {
        size_in_kib(tb);
    }
}

/// What libvirt stores as "no limit" for a memory tunable (KiB).
const UNLIMITED_KIB: u64 = 9007199254740991;

fn memory_tuning(def: &mut DomainDef) {
    if let Some(m) = def.memtune.as_mut() {
        for l in [&mut m.hard_limit, &mut m.soft_limit, &mut m.swap_hard_limit] {
            if l.as_ref().is_some_and(|x| x.kib() >= UNLIMITED_KIB) {
                *l = None;
            }
        }
        use crate::model::XmlElement;
        let el = m.to_element("memtune");
        if el.attrs.is_empty() && el.elements().next().is_none() {
            def.memtune = None;
        }
    }
    if let Some(m) = def.memtune.as_mut() {
        for l in [
            &mut m.hard_limit,
            &mut m.soft_limit,
            &mut m.swap_hard_limit,
            &mut m.min_guarantee,
        ]
        .into_iter()
        .flatten()
        {
            *l = l.normalized_kib();
        }
    }
    if let Some(pages) = def
        .memory_backing
        .as_mut()
        .and_then(|b| b.hugepages.as_mut())
    {
        for p in &mut pages.pages {
            p.size = kib(p.size, p.unit);
            p.unit = Some(MemoryUnit::KiB);
        }
    }
    let ids = def.iothreadids.as_ref().map_or(0, |i| i.iothreads.len());
    let count = def.iothreads.unwrap_or(0).max(ids as u32);
    def.iothreads = (count > 0).then_some(count);
    // Listed ids first, then the lowest free ids up to the count, as libvirt fills them
    // (the count is bounded when the definition is read).
    if let Some(list) = def.iothreadids.as_mut() {
        let taken: std::collections::HashSet<u32> = list.iothreads.iter().map(|t| t.id).collect();
        let missing = count as usize - list.iothreads.len().min(count as usize);
        let free = (1..).filter(|id| !taken.contains(id)).take(missing);
        list.iothreads
            .extend(free.map(|id| crate::domain::Iothread {
                id,
                ..Default::default()
            }));
    }
    // Pins belong to their thread: libvirt prints them in the threads' order.
    let ids: Vec<u32> = match &def.iothreadids {
        Some(list) => list.iothreads.iter().map(|t| t.id).collect(),
        None => (1..=count).collect(),
    };
    let mut order = std::collections::HashMap::new();
    for (i, id) in ids.into_iter().enumerate() {
        order.entry(id).or_insert(i);
    }
    if let Some(t) = def.cputune.as_mut() {
        let rank = |el: &crate::xml::Element| {
            el.attr("iothread")
                .and_then(|v| v.trim().parse::<u32>().ok())
                .and_then(|id| order.get(&id).copied())
                .unwrap_or(usize::MAX)
        };
        t.iothreadpins.sort_by_key(rank);
    }
}

/// NUMA memory tuning as libvirt reads it (`virDomainNumatuneParseXML`): `strict` unless
/// said otherwise, automatic placement (without a node set) when nothing pins it, and
/// vCPUs placed automatically with it when nothing pins them either.
fn numatune(def: &mut DomainDef) {
    use crate::domain::{NumatuneMemory, VcpuPlacement};
    let vcpu_auto = def
        .vcpu
        .as_ref()
        .is_some_and(|v| v.placement == Some(VcpuPlacement::Auto));
    if vcpu_auto {
        if let Some(v) = def.vcpu.as_mut() {
            v.cpuset = None;
        }
        let tune = def.numatune.get_or_insert_with(Default::default);
        tune.memory.get_or_insert_with(NumatuneMemory::default);
    }
    let Some(tune) = def.numatune.as_mut() else {
        return;
    };
    for n in &mut tune.memnodes {
        n.mode.get_or_insert_with(|| "strict".into());
        canonical_bitmap(&mut n.nodeset);
    }
    let Some(m) = tune.memory.as_mut() else {
        return;
    };
    m.mode.get_or_insert_with(|| "strict".into());
    canonical_bitmap(&mut m.nodeset);
    let placement = m.placement.unwrap_or(if m.nodeset.is_some() || !vcpu_auto {
        VcpuPlacement::Static
    } else {
        VcpuPlacement::Auto
    });
    if placement == VcpuPlacement::Auto {
        m.nodeset = None;
        m.placement = Some(VcpuPlacement::Auto);
    } else {
        m.placement = None;
    }
    let pinned = def.vcpu.as_ref().is_some_and(|v| v.cpuset.is_some())
        || def.cputune.as_ref().is_some_and(|t| {
            !t.vcpupins.is_empty() || t.emulatorpin.is_some() || !t.iothreadpins.is_empty()
        });
    if placement == VcpuPlacement::Auto && !pinned {
        def.vcpu
            .get_or_insert_with(|| crate::domain::Vcpu::new(1))
            .placement = Some(VcpuPlacement::Auto);
    }
}

/// Firmware feature requests as libvirt 9.0 reads them: only next to `firmware=`, and
/// enrolled keys imply secure boot (`virDomainDefPostParseOs`).
fn firmware_features(def: &mut DomainDef) {
    if def.os.firmware.is_none() {
        def.os.firmware_features = None;
        return;
    }
    let Some(f) = def.os.firmware_features.as_mut() else {
        return;
    };
    let enabled = |f: &crate::xml::Element, name: &str| {
        f.elements()
            .find(|x| x.name == "feature" && x.attr("name") == Some(name))
            .and_then(|x| x.attr("enabled").map(str::to_owned))
    };
    if enabled(f, "enrolled-keys").as_deref() == Some("yes") && enabled(f, "secure-boot").is_none()
    {
        let mut sb = crate::xml::Element::new("feature");
        sb.set_attr("enabled", "yes");
        sb.set_attr("name", "secure-boot");
        f.push(sb);
    }
}

/// libvirt keeps an s390 boot `loadparm` in upper case.
fn upper_loadparm(b: &mut crate::devices::BootOrder) {
    if let Some(l) = b.loadparm.as_mut() {
        *l = l.to_ascii_uppercase();
    }
}

/// A size element without a unit, written with the unit libvirt reads it in.
fn default_unit(el: &mut crate::xml::Element, unit: &str) {
    if el.attr("unit").is_none() {
        el.set_attr("unit", unit);
    }
}

/// The primary `<video>` first among the videos (libvirt inserts it there), and
/// `primary` printed only where it is `yes`.
fn videos(def: &mut DomainDef) {
    let devices = def.devices_mut();
    let is_video = |d: &Device| matches!(d, Device::Video(_));
    let primary = devices.iter().position(|d| {
        matches!(d, Device::Video(v) if v.model.as_ref().is_some_and(|m| m.primary == Some(YesNo::Yes)))
    });
    if let (Some(first), Some(p)) = (devices.iter().position(is_video), primary)
        && p > first
    {
        let v = devices.remove(p);
        devices.insert(first, v);
    }
    for d in devices.iter_mut() {
        if let Device::Video(v) = d
            && let Some(m) = v.model.as_mut()
            && m.primary == Some(YesNo::No)
        {
            m.primary = None;
        }
    }
}

/// Real-time schedulers as libvirt keeps them: one per vCPU or I/O thread, in id order.
fn schedulers(list: &mut Vec<crate::xml::Element>, attr: &str) {
    let mut per_id: Vec<(u32, crate::xml::Element)> = Vec::new();
    for el in list.iter() {
        let Some(set) = el.attr(attr).and_then(CpuSet::parse) else {
            return;
        };
        for id in set.0 {
            let mut one = el.clone();
            one.set_attr(attr, id.to_string());
            per_id.push((id, one));
        }
    }
    per_id.sort_by_key(|(id, _)| *id);
    *list = per_id.into_iter().map(|(_, el)| el).collect();
}

/// Applies libvirt's reading of the whole definition.
pub(crate) fn normalize(def: &mut DomainDef, inactive: bool) {
    cpu(def);
    features(def);
    memory_tuning(def);
    numatune(def);
    videos(def);
    firmware_features(def);
    if let Some(tseg) = def
        .features
        .as_mut()
        .and_then(|f| f.smm.as_mut())
        .and_then(|s| s.tseg.as_mut())
    {
        default_unit(tseg, "MiB");
    }
    if inactive && let Some(t) = def.cputune.as_mut() {
        // A cache allocation's id names its resctrl group while the domain runs.
        for c in &mut t.cachetunes {
            c.take_attr("id");
        }
    }
    if let Some(t) = def.cputune.as_mut() {
        schedulers(&mut t.vcpuscheds, "vcpus");
        schedulers(&mut t.iothreadscheds, "iothreads");
    }
    if let Some(m) = def.max_memory.as_mut() {
        m.value = kib(m.value, m.unit);
        m.unit = Some(MemoryUnit::KiB);
    }
    if def.bootloader.is_some() {
        // libvirt prints no boot order, menu or BIOS options next to a bootloader.
        def.os.boot.clear();
        def.os.boot_menu = None;
        def.os.bios = None;
    }
    if let Some(m) = def.os.boot_menu.as_mut()
        && m.enable != YesNo::Yes
    {
        m.timeout = None;
    }
    if let Some(l) = def.os.loader.as_mut()
        && l.path.is_some()
        && l.loader_type.is_none()
    {
        l.loader_type = Some("rom".into());
    }
    // libvirt numbers consoles by their place in the list, whatever they say.
    let mut console = 0;
    for d in def.devices_mut() {
        if let Device::Console(c) = d {
            c.target.get_or_insert_with(Default::default).port = Some(console);
            console += 1;
        }
    }
    for d in def.devices_mut() {
        let boot = match d {
            Device::Disk(x) => x.boot.as_mut(),
            Device::Interface(x) => x.boot.as_mut(),
            Device::Hostdev(x) => x.boot.as_mut(),
            _ => None,
        };
        if let Some(b) = boot {
            upper_loadparm(b);
        }
        if let Some(Some(a)) = d.address_mut()
            && a.is_empty_pci()
        {
            // libvirt prints an all-zero PCI address as an empty one.
            (a.domain, a.bus, a.slot, a.function) = (None, None, None, None);
        }
        match d {
            Device::Serial(c) | Device::Parallel(c) | Device::Console(c) | Device::Channel(c) => {
                chardev(c, inactive);
            }
            Device::Interface(i) => interface(i, inactive),
            Device::Filesystem(f) => {
                for mode in [&mut f.fmode, &mut f.dmode] {
                    if let Some(m) = mode.as_deref().and_then(|m| u32::from_str_radix(m, 8).ok()) {
                        *mode = Some(format!("{m:04o}"));
                    }
                }
            }
            Device::Controller(c) => {
                // libvirt gives an ICH9 UHCI companion its port on the EHCI master.
                let port = match c.model.as_deref() {
                    Some("ich9-uhci1") => Some(0),
                    Some("ich9-uhci2") => Some(2),
                    Some("ich9-uhci3") => Some(4),
                    _ => None,
                };
                if let Some(startport) = port
                    && c.controller_type == crate::ControllerType::Usb
                    && c.master.is_none()
                {
                    c.master = Some(crate::devices::ControllerMaster {
                        startport,
                        ..Default::default()
                    });
                }
                if let Some(hole) = c.pcihole64.as_mut() {
                    size_in_kib(hole);
                }
            }
            Device::Shmem(m) => {
                if m.model.is_none() {
                    let mut model = crate::xml::Element::new("model");
                    model.set_attr("type", "ivshmem");
                    m.model = Some(model);
                }
                // libvirt keeps the size in bytes and prints it in whole MiB.
                if let Some(size) = m.size.as_mut()
                    && let Ok(mem) =
                        <Memory as crate::model::XmlElement>::from_element(size.clone())
                {
                    let mib = mem.kib().saturating_mul(1024) >> 20;
                    let mut el = crate::xml::Element::new("size");
                    el.set_attr("unit", "M");
                    el.push_text(mib.to_string());
                    *size = el;
                }
            }
            Device::Hostdev(h) => {
                if let Some(s) = h.source.as_mut() {
                    iscsi_lun(s.protocol.as_deref(), &mut s.name);
                }
            }
            Device::Watchdog(w) => {
                w.action.get_or_insert_with(|| "reset".into());
            }
            Device::Redirfilter(f) => {
                // -1 is "any", which libvirt leaves out.
                for u in &mut f.usbdevs {
                    u.attrs.retain(|(k, v)| k == "allow" || v != "-1");
                }
            }
            Device::Smartcard(c) => {
                if c.smartcard_type.as_deref() != Some("tcp") {
                    c.protocol = None;
                }
                if matches!(c.smartcard_type.as_deref(), Some("unix" | "tcp"))
                    && let Some(s) = c.source.as_mut()
                {
                    s.mode.get_or_insert_with(|| "connect".into());
                }
            }
            Device::Redirdev(r) => {
                if r.redir_type != CharDeviceType::Tcp {
                    r.protocol = None;
                }
                if r.redir_type == CharDeviceType::Unix
                    && let Some(s) = r.source.as_mut()
                {
                    s.mode.get_or_insert_with(|| "connect".into());
                }
                if r.redir_type == CharDeviceType::Tcp {
                    r.source
                        .get_or_insert_with(CharSource::default)
                        .mode
                        .get_or_insert_with(|| "connect".into());
                    r.protocol.get_or_insert_with(|| TypeAttr::new("raw"));
                } else if r.redir_type == CharDeviceType::Spicevmc {
                    r.source = None;
                }
            }
            Device::Disk(disk) => {
                if let Some(s) = disk.source.as_mut() {
                    disk_source(s);
                }
                // vhost-user disks cannot be snapshotted (libvirt says so explicitly); a
                // read-only disk that is not snapshotted goes without saying.
                if disk.disk_type == crate::DiskType::VhostUser && disk.snapshot.is_none() {
                    disk.snapshot = Some("no".into());
                }
                if disk.readonly && disk.snapshot.as_deref() == Some("no") {
                    disk.snapshot = None;
                }
                // A closed tray is the default, which libvirt does not print.
                if disk.target.tray.as_deref() == Some("closed") {
                    disk.target.tray = None;
                }

                if !inactive {
                    continue;
                }
                // Live state: a running block copy, labels skipped for this run.
                disk.mirror = None;
                if let Some(s) = disk.source.as_mut() {
                    s.seclabels.retain(|l| {
                        l.attr("labelskip") != Some("yes") || l.elements().next().is_some()
                    });
                }
                if let Some(s) = disk.source.as_mut() {
                    s.index = None;
                }
                let mut b = disk.backing_store.as_mut();
                while let Some(store) = b {
                    store.index = None;
                    if let Some(s) = store.source.as_mut() {
                        s.index = None;
                    }
                    b = store.backing_store.as_deref_mut();
                }
            }
            Device::Memory(m) => {
                if let Some(size) = m.target.as_mut().and_then(|t| t.child_mut("size"))
                    && let Ok(mem) =
                        <Memory as crate::model::XmlElement>::from_element(size.clone())
                {
                    *size = crate::model::XmlElement::to_element(&mem.normalized_kib(), "size");
                }
            }
            _ => {}
        }
    }
}
