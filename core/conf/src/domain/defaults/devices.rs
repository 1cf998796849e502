//! Per-device post-parse: disk buses and drive addresses, console and serial ports,
//! video memory, filesystem access modes and the other per-device defaults.

use std::collections::HashSet;

use super::{Defaults, xml_error};
use crate::devices::{
    Address, CharTarget, Device, DiskBus, DiskDevice, MemoryDevice, VideoModel, VideoModelType,
    disk_name_index,
};
use crate::domain::{DomainDef, DomainType, OsType};
use crate::{ConfError, YesNo};

/// The `<boot order>` of a device, if it has one.
pub(crate) fn boot_order(d: &Device) -> Option<u32> {
    let b = match d {
        Device::Disk(x) => x.boot.as_ref(),
        Device::Interface(x) => x.boot.as_ref(),
        Device::Hostdev(x) => x.boot.as_ref(),
        Device::Redirdev(x) => x.boot.as_ref(),
        Device::Filesystem(x) => x.boot.as_ref(),
        Device::Serial(x) | Device::Console(x) | Device::Parallel(x) | Device::Channel(x) => {
            x.boot.as_ref()
        }
        _ => None,
    };
    b.map(|b| b.order)
}

/// The size of a memory device in KiB, from its `<target><size>`.
pub(crate) fn memory_device_kib(m: &MemoryDevice) -> Option<u64> {
    let size = m.target.as_ref()?.child("size")?;
    let mem = crate::model::XmlElement::from_element(size.clone()).ok()?;
    Some(crate::Memory::kib(&mem))
}

/// Assigns ports to `isa-serial` serials without one (libvirt allows four).
pub(crate) fn isa_serial_ports(def: &mut DomainDef) -> Result<(), ConfError> {
    let isa = |t: &Option<CharTarget>| {
        t.as_ref()
            .is_some_and(|t| t.target_type.as_deref() == Some("isa-serial"))
    };
    let mut used = [false; 4];
    let mut count = 0;
    for d in def.devices() {
        if let Device::Serial(s) = d
            && isa(&s.target)
        {
            count += 1;
            let port = s.target.as_ref().and_then(|t| t.port);
            if count > 4 || port.is_some_and(|p| p >= 4) {
                return Err(ConfError::Invalid {
                    code: crate::codes::INTERNAL_ERROR,
                    domain: crate::domains::DOMAIN,
                    message: "Maximum supported number of ISA serial ports is '4'".into(),
                });
            }
            if let Some(p) = port {
                if used[p as usize] {
                    return Err(ConfError::Invalid {
                        code: crate::codes::INTERNAL_ERROR,
                        domain: crate::domains::DOMAIN,
                        message: format!("target port '{p}' already allocated"),
                    });
                }
                used[p as usize] = true;
            }
        }
    }
    for d in def.devices_mut() {
        if let Device::Serial(s) = d
            && isa(&s.target)
            && let Some(t) = s.target.as_mut()
            && t.port.is_none()
            && let Some(free) = used.iter().position(|u| !u)
        {
            used[free] = true;
            t.port = Some(free as u32);
        }
    }
    Ok(())
}

/// Gives a serial, parallel or console without a port the next one of its kind.
fn chr_port(def: &mut DomainDef, i: usize) {
    let kind = def.devices()[i].element_name().to_owned();
    let max = def
        .devices()
        .iter()
        .filter(|d| d.element_name() == kind)
        .filter_map(|d| match d {
            Device::Serial(c) | Device::Parallel(c) | Device::Console(c) => {
                c.target.as_ref().and_then(|t| t.port)
            }
            _ => None,
        })
        .max();
    if let Device::Serial(c) | Device::Parallel(c) | Device::Console(c) = &mut def.devices_mut()[i]
    {
        let t = c.target.get_or_insert_with(CharTarget::default);
        if t.port.is_none() {
            t.port = Some(max.map_or(0, |m| m + 1));
        }
    }
}

/// The per-device post-parse of every device, in order.
pub(crate) fn each_device(def: &mut DomainDef, defaults: &Defaults) -> Result<(), ConfError> {
    // The drive addresses SCSI host devices take (a disk given one of them by default
    // is refused, as libvirt does); the pass changes no host device's address.
    let scsi_hostdevs = def.scsi_hostdev_positions();
    for i in 0..def.devices().len() {
        one_device(def, defaults, i, &scsi_hostdevs)?;
    }
    Ok(())
}

fn one_device(
    def: &mut DomainDef,
    defaults: &Defaults,
    i: usize,
    scsi_hostdevs: &HashSet<[u32; 4]>,
) -> Result<(), ConfError> {
    let wide_scsi = defaults.wide_scsi;
    let domain_type = def.domain_type;
    let os = def.os.os_type.value;
    let arch = def.os.os_type.arch.clone();
    let mut needs_port = false;
    match &mut def.devices_mut()[i] {
        Device::Console(c) => {
            let t = c.target.get_or_insert_with(CharTarget::default);
            if t.target_type.is_none() {
                t.target_type = Some("serial".into());
            }
            needs_port = true;
        }
        Device::Serial(_) | Device::Parallel(_) => needs_port = true,
        Device::Rng(r) => {
            if let Some(b) = r.backend.as_mut()
                && b.model == "random"
                && b.path.as_deref().is_none_or(str::is_empty)
            {
                b.path = Some("/dev/random".into());
            }
        }
        Device::Disk(d) => {
            if let Some(rest) = d.target.dev.strip_prefix("ioemu:") {
                d.target.dev = rest.to_owned();
            }
            if d.device == Some(DiskDevice::Cdrom) {
                d.readonly = true;
            }
            if d.target.bus.is_none() {
                let dev = d.target.dev.as_str();
                d.target.bus = Some(if d.device == Some(DiskDevice::Floppy) {
                    DiskBus::Fdc
                } else if dev.starts_with("sd") {
                    DiskBus::Scsi
                } else if dev.starts_with("vd") {
                    DiskBus::Virtio
                } else if dev.starts_with("xvd") {
                    DiskBus::Xen
                } else if dev.starts_with("ubd") {
                    DiskBus::Uml
                } else {
                    DiskBus::Ide
                });
            }
            if d.device.is_none() {
                d.device = Some(DiskDevice::Disk);
            }
            if let Some(s) = d.source.as_mut()
                && d.disk_type == crate::DiskType::Nvme
                && s.managed.is_none()
            {
                s.managed = Some(YesNo::Yes);
            }
            if d.address.is_none() {
                d.address = drive_address(&d.target.dev, d.target.bus, wide_scsi)?;
                let at = d.address.as_ref().and_then(|a| a.drive_position());
                if d.target.bus == Some(DiskBus::Scsi)
                    && let Some(at) = at
                    && scsi_hostdevs.contains(&at)
                {
                    // (libvirt's message lacks the last quote.)
                    return Err(super::unsupported(format!(
                        "using disk target name '{}' conflicts with SCSI host device address controller='{}' bus='{}' target='{}' unit='{}",
                        d.target.dev, at[0], at[1], at[2], at[3]
                    )));
                }
            }
        }
        Device::Video(v) => {
            let model = v.model.get_or_insert_with(VideoModel::default);
            if model.model_type.is_none() {
                model.model_type = if matches!(os, OsType::Xen | OsType::Linux) {
                    Some(VideoModelType::Xen)
                } else if arch.as_deref().is_some_and(|a| a.starts_with("ppc64")) {
                    Some(VideoModelType::Vga)
                } else {
                    defaults.default_video
                };
            }
            video_ram(model, domain_type);
        }
        Device::Filesystem(f) => {
            let socket = f.source.as_ref().and_then(|s| s.socket.as_ref()).is_some();
            if f.accessmode.is_none() && !socket {
                f.accessmode = Some("passthrough".into());
            }
            if f.fs_type.is_none() {
                f.fs_type = Some(crate::FilesystemType::Mount);
            }
        }
        Device::Memory(m) if m.model == "virtio-pmem" && m.access.is_none() => {
            m.access = Some("shared".into());
        }
        Device::Hostdev(h) => {
            if h.mode.is_none() {
                h.mode = Some(crate::HostdevMode::Subsystem);
            }
            if h.mode == Some(crate::HostdevMode::Subsystem) && h.managed.is_none() {
                h.managed = Some(YesNo::No);
            }
        }
        _ => {}
    }
    if needs_port {
        chr_port(def, i);
    }
    Ok(())
}

/// The drive address libvirt gives a disk on a controller-based bus.
fn drive_address(
    dev: &str,
    bus: Option<DiskBus>,
    wide_scsi: bool,
) -> Result<Option<Address>, ConfError> {
    let Some(bus) = bus else {
        return Ok(None);
    };
    if !matches!(
        bus,
        DiskBus::Scsi | DiskBus::Ide | DiskBus::Sata | DiskBus::Fdc
    ) {
        return Ok(None);
    }
    let idx = disk_name_index(dev).ok_or_else(|| {
        xml_error(format!(
            "Unknown disk name '{dev}' and no address specified"
        ))
    })?;
    Ok(Some(match bus {
        DiskBus::Scsi => {
            if wide_scsi {
                let (c, mut u) = (idx / 15, idx % 15);
                if u >= 7 {
                    u += 1;
                }
                Address::drive(c, 0, 0, u)
            } else {
                Address::drive(idx / 7, 0, 0, idx % 7)
            }
        }
        DiskBus::Ide => Address::drive(idx / 4, (idx % 4) / 2, 0, idx % 2),
        DiskBus::Sata => Address::drive(idx / 6, 0, 0, idx % 6),
        _ => Address::drive(idx / 2, 0, 0, idx % 2),
    }))
}

fn video_default_ram(t: Option<VideoModelType>, domain_type: DomainType) -> u32 {
    match t {
        Some(VideoModelType::Vga | VideoModelType::Cirrus | VideoModelType::Vmvga) => {
            match domain_type {
                DomainType::Vbox => 8 * 1024,
                DomainType::Vmware => 4 * 1024,
                _ => 16 * 1024,
            }
        }
        Some(VideoModelType::Bochs) => 16 * 1024,
        Some(VideoModelType::Xen) => 4 * 1024,
        Some(VideoModelType::Qxl) => 64 * 1024,
        _ => 0,
    }
}

fn round_up_pow2(v: u32) -> u32 {
    if v == 0 { 0 } else { v.next_power_of_two() }
}

/// Fills in a video model's `ram`/`vram` as libvirt does, rounded up to powers of two.
pub(crate) fn video_ram(model: &mut VideoModel, domain_type: DomainType) {
    if model.model_type == Some(VideoModelType::None) {
        return;
    }
    if model.ram.unwrap_or(0) == 0 && model.model_type == Some(VideoModelType::Qxl) {
        model.ram = Some(video_default_ram(model.model_type, domain_type));
    }
    if model.vram.unwrap_or(0) == 0 {
        model.vram = Some(video_default_ram(model.model_type, domain_type));
    }
    model.ram = model.ram.map(round_up_pow2).filter(|v| *v != 0);
    model.vram = model.vram.map(round_up_pow2).filter(|v| *v != 0);
    if model.heads.is_none() {
        model.heads = Some(1);
    }
}

/// Marks the first video primary and gives it its defaults (it may have been added
/// after the per-device pass); a first video of model `none` keeps no values.
pub(crate) fn primary_video(def: &mut DomainDef, defaults: &Defaults) {
    let Some(i) = def
        .devices()
        .iter()
        .position(|d| matches!(d, Device::Video(_)))
    else {
        return;
    };
    // (A video takes no drive address: no host device positions needed.)
    let _ = one_device(def, defaults, i, &HashSet::new());
    if let Device::Video(v) = &mut def.devices_mut()[i] {
        let model = v.model.get_or_insert_with(VideoModel::default);
        if model.model_type == Some(VideoModelType::None) {
            let alias = v.alias.take();
            *v = crate::Video::default();
            v.model = Some(VideoModel {
                model_type: Some(VideoModelType::None),
                ..VideoModel::default()
            });
            v.alias = alias;
        } else {
            model.primary = Some(YesNo::Yes);
        }
    }
}

/// Gives the first serial its post-parse (it may have come from a console).
pub(crate) fn first_serial(def: &mut DomainDef) {
    if let Some(i) = def
        .devices()
        .iter()
        .position(|d| matches!(d, Device::Serial(_)))
    {
        chr_port(def, i);
    }
}
