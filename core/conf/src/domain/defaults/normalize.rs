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

fn is_virtio(i: &Interface) -> bool {
    matches!(
        i.model.as_ref().map(|m| m.value.as_str()),
        Some("virtio" | "virtio-transitional" | "virtio-non-transitional")
    )
}

fn interface(i: &mut Interface, inactive: bool) {
    if i.interface_type == crate::InterfaceType::Direct
        && let Some(s) = i.source.as_mut()
    {
        s.mode.get_or_insert_with(|| "vepa".into());
    }
    if i.interface_type != crate::InterfaceType::Hostdev && !is_virtio(i) {
        i.driver = None;
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

fn memory_tuning(def: &mut DomainDef) {
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
    // Listed ids first, then the lowest free ids up to the count, as libvirt fills them.
    if let Some(list) = def.iothreadids.as_mut() {
        let mut next = 1;
        while list.iothreads.len() < count as usize {
            if !list.iothreads.iter().any(|t| t.id == next) {
                list.iothreads.push(crate::domain::Iothread {
                    id: next,
                    ..Default::default()
                });
            }
            next += 1;
        }
    }
    // Pins belong to their thread: libvirt prints them in the threads' order.
    let order: Vec<u32> = match &def.iothreadids {
        Some(list) => list.iothreads.iter().map(|t| t.id).collect(),
        None => (1..=count).collect(),
    };
    if let Some(t) = def.cputune.as_mut() {
        let rank = |el: &crate::xml::Element| {
            el.attr("iothread")
                .and_then(|v| v.trim().parse::<u32>().ok())
                .and_then(|id| order.iter().position(|&o| o == id))
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
    for d in def.devices_mut() {
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
            Device::Watchdog(w) => {
                w.action.get_or_insert_with(|| "reset".into());
            }
            Device::Redirdev(r) => {
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
            Device::Disk(disk) if inactive => {
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
