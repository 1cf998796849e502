//! `<disk>` → `-blockdev` (storage + format nodes) and a JSON `-device`.

use rvirt_core::conf::{BootDevice, Device, Disk, DiskDevice, DiskType, DomainDef};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::{Map, Value, json};

use super::disk_encryption::{
    DiskSecret, apply as apply_encryption, disk_encryption, secret_object,
};
use super::machine::{is_i440fx, is_q35};
use super::pci::PciBuses;
use super::unsupported;

/// Parses a disk target name (`vda`, `hdc`, `sdaa`) into its prefix and index, like
/// libvirt's `virDiskNameParse` (`a` = 0, `z` = 25, `aa` = 26).
pub fn disk_name_index(name: &str) -> Option<(&str, u32)> {
    let prefix = ["xvd", "vd", "hd", "sd", "fd", "ubd", "nvme"]
        .into_iter()
        .find(|p| name.starts_with(p))?;
    let letters = &name[prefix.len()..];
    if letters.is_empty() || !letters.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let mut idx: u32 = 0;
    for b in letters.bytes() {
        idx = idx.checked_mul(26)?.checked_add(u32::from(b - b'a') + 1)?;
    }
    Some((prefix, idx - 1))
}

/// A disk's bus (explicit, or implied by its target's prefix) and its target index.
fn disk_bus_index(disk: &Disk) -> Option<(&str, u32)> {
    let (prefix, index) = disk_name_index(&disk.target.dev)?;
    let bus = match (disk.target.bus.map(|b| b.as_str()), prefix) {
        (Some(b), _) => b,
        (None, "vd") => "virtio",
        (None, "hd") => "ide",
        (None, "sd") => "scsi",
        (None, "fd") => "fdc",
        (None, other) => other,
    };
    Some((bus, index))
}

/// libvirt's device alias for a disk on `bus` with target index `index`
/// (`virtio-disk0`, `ide0-1-0`, `scsi0-0-0-1`, `fdc0-0-0`).
fn alias_of(bus: &str, index: u32) -> String {
    match bus {
        "virtio" => format!("virtio-disk{index}"),
        "ide" => format!("ide0-{}-{}", index / 2, index % 2),
        "scsi" => format!("scsi0-0-0-{index}"),
        "fdc" => format!("fdc0-0-{index}"),
        "sata" => format!("sata0-0-{index}"),
        other => format!("{other}-disk{index}"),
    }
}

/// libvirt's alias of `disk` (`virtio-disk1` for `vdb`), if its target name parses.
pub(crate) fn disk_alias(disk: &Disk) -> Option<String> {
    disk_bus_index(disk).map(|(bus, index)| alias_of(bus, index))
}

/// The bus of `disk`: explicit, or implied by its target's prefix (`virtio` for `vd*`).
pub(crate) fn disk_bus(disk: &Disk) -> Option<&str> {
    disk_bus_index(disk).map(|(bus, _)| bus)
}

/// How QEMU names one of the domain's disks in its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskNames {
    /// Target name, e.g. `vda`.
    pub target: String,
    /// Device alias (the `-device` id), e.g. `virtio-disk0`.
    pub alias: String,
    /// The format node's name (`libvirt-N-format`), if the disk has media.
    pub node: Option<String>,
    /// Host path of the source, if it has one.
    pub path: Option<String>,
}

/// The names of every disk of `def`, in the order and with the names the command line
/// gives them.
pub fn disk_names(def: &DomainDef) -> Vec<DiskNames> {
    def.devices()
        .iter()
        .filter_map(|d| match d {
            Device::Disk(d) => Some(d),
            _ => None,
        })
        .enumerate()
        .filter_map(|(i, disk)| {
            let (bus, index) = disk_bus_index(disk)?;
            let source = disk.source.as_ref();
            let path = match disk.disk_type {
                DiskType::File => source.and_then(|s| s.file.clone()),
                DiskType::Block => source.and_then(|s| s.dev.clone()),
                _ => None,
            };
            Some(DiskNames {
                target: disk.target.dev.clone(),
                alias: alias_of(bus, index),
                node: path.as_ref().map(|_| format!("libvirt-{}-format", i + 1)),
                path,
            })
        })
        .collect()
}

/// Boot indexes per disk (by position among the domain's disks).
fn boot_indexes(def: &DomainDef, disks: &[&Disk]) -> Vec<Option<u32>> {
    let explicit = def.devices().iter().any(|d| match d {
        Device::Disk(d) => d.boot.is_some(),
        Device::Interface(i) => i.boot.is_some(),
        _ => false,
    });
    if explicit {
        return disks
            .iter()
            .map(|d| d.boot.as_ref().map(|b| b.order))
            .collect();
    }
    let mut out = vec![None; disks.len()];
    let order: Vec<BootDevice> = if def.os.boot.is_empty() {
        vec![BootDevice::Hd]
    } else {
        def.os.boot.iter().map(|b| b.dev).collect()
    };
    let mut next = 1;
    for dev in order {
        let want = match dev {
            BootDevice::Hd => DiskDevice::Disk,
            BootDevice::Cdrom => DiskDevice::Cdrom,
            BootDevice::Fd => DiskDevice::Floppy,
            BootDevice::Network => continue,
        };
        if let Some(i) = disks
            .iter()
            .position(|d| d.device.unwrap_or(DiskDevice::Disk) == want)
            && out[i].is_none()
        {
            out[i] = Some(next);
            next += 1;
        }
    }
    out
}

pub(super) fn push_disks(
    def: &DomainDef,
    machine: &str,
    secrets: &[Option<DiskSecret>],
    args: &mut Vec<String>,
) -> Result<()> {
    let disks: Vec<&Disk> = def
        .devices()
        .iter()
        .filter_map(|d| match d {
            Device::Disk(d) => Some(d),
            _ => None,
        })
        .collect();
    let boot = boot_indexes(def, &disks);
    for (i, (disk, bootindex)) in disks.iter().zip(boot).enumerate() {
        let secret = secrets.get(i).and_then(Option::as_ref);
        let buses = PciBuses::new(def, machine);
        push_disk(disk, i + 1, bootindex, &buses, secret, args)?;
    }
    Ok(())
}

/// Pushes the arguments of `disk` (format node `libvirt-{node}-format`); an
/// encrypted disk's passphrase comes from `secret` (`None`: only checked).
pub(crate) fn push_disk(
    disk: &Disk,
    node: usize,
    bootindex: Option<u32>,
    buses: &PciBuses,
    secret: Option<&DiskSecret>,
    args: &mut Vec<String>,
) -> Result<()> {
    let machine = buses.machine();
    let target = &disk.target.dev;
    let device = disk.device.unwrap_or(DiskDevice::Disk);
    if !matches!(device, DiskDevice::Disk | DiskDevice::Cdrom) {
        return Err(unsupported(format!(
            "disk device '{device}' ({target}) is not supported yet"
        )));
    }
    // An empty <backingStore/> says "no backing file"; QEMU reads the chain of a
    // qcow2 from its header otherwise, as libvirt lets it.
    if disk
        .backing_store
        .as_ref()
        .is_some_and(|b| b.source.is_some() || b.backing_store.is_some())
    {
        return Err(unsupported(format!(
            "a <backingStore> chain on disk '{target}' is not supported yet"
        )));
    }
    let format = match &disk.driver {
        None => "raw".to_owned(),
        Some(d) => {
            if d.name.as_deref().is_some_and(|n| n != "qemu") {
                return Err(unsupported(format!(
                    "unsupported driver name '{}' for disk '{target}'",
                    d.name.as_deref().unwrap_or_default()
                )));
            }
            if d.discard
                .is_some_and(|v| !matches!(v.to_string().as_str(), "unmap" | "ignore"))
            {
                return Err(unsupported(format!(
                    "disk discard mode on '{target}' is not supported"
                )));
            }
            d.format.clone().unwrap_or_else(|| "raw".into())
        }
    };
    if !matches!(format.as_str(), "raw" | "qcow2") {
        return Err(unsupported(format!(
            "disk format '{format}' ({target}) is not supported yet"
        )));
    }
    let readonly = disk.readonly || device == DiskDevice::Cdrom;
    let discard = disk
        .driver
        .as_ref()
        .and_then(|d| d.discard)
        .map(|v| v.to_string());

    let (bus, index) = disk_bus_index(disk).ok_or_else(|| {
        Error::new(
            ErrorCode::InternalError,
            ErrorDomain::Qemu,
            format!("invalid disk target name '{target}'"),
        )
    })?;
    let tuning = super::disk_tuning::tuning(disk, bus)?;

    // Storage + format nodes.
    let source = disk.source.as_ref();
    let path = match disk.disk_type {
        DiskType::File => source.and_then(|s| s.file.clone()),
        DiskType::Block => source.and_then(|s| s.dev.clone()),
        other => {
            return Err(unsupported(format!(
                "disk type '{other}' ({target}) is not supported yet"
            )));
        }
    };
    let drive = match path {
        Some(path) => {
            let storage = format!("libvirt-{node}-storage");
            let fmt = format!("libvirt-{node}-format");
            let driver = if disk.disk_type == DiskType::Block {
                "host_device"
            } else {
                "file"
            };
            let mut storage_node = json!({"driver": driver, "filename": path,
                                          "node-name": storage, "read-only": readonly});
            let mut format_node = json!({"node-name": fmt, "read-only": readonly,
                                         "driver": format, "file": storage});
            if let Some(d) = &discard {
                storage_node["discard"] = d.clone().into();
                format_node["discard"] = d.clone().into();
            }
            tuning.apply_node(&mut storage_node, true);
            tuning.apply_node(&mut format_node, false);
            if disk_encryption(disk)?.is_some() {
                args.push("-object".into());
                args.push(secret_object(&fmt, secret).to_string());
                apply_encryption(&mut format_node, &format);
            }
            args.push("-blockdev".into());
            args.push(storage_node.to_string());
            args.push("-blockdev".into());
            args.push(format_node.to_string());
            Some(fmt)
        }
        None if device == DiskDevice::Cdrom => None,
        None => {
            return Err(Error::new(
                ErrorCode::NoSource,
                ErrorDomain::Qemu,
                format!("missing source for disk '{target}'"),
            ));
        }
    };

    // Frontend device.
    let mut dev = Map::new();
    match bus {
        "virtio" => {
            if device != DiskDevice::Disk {
                return Err(unsupported(format!(
                    "virtio bus does not support device '{device}' ({target})"
                )));
            }
            dev.insert("driver".into(), "virtio-blk-pci".into());
            buses.place_map(disk.address.as_ref(), &mut dev)?;
            dev.insert("id".into(), alias_of(bus, index).into());
        }
        "ide" => {
            if !is_i440fx(machine) {
                return Err(unsupported(format!(
                    "IDE disks are only supported on i440FX ('pc') machines, not '{machine}'"
                )));
            }
            if index > 3 {
                return Err(unsupported(format!(
                    "IDE disk '{target}' is beyond the 4 units of the PIIX IDE controller"
                )));
            }
            let (ide_bus, unit) = (index / 2, index % 2);
            let driver = if device == DiskDevice::Cdrom {
                "ide-cd"
            } else {
                "ide-hd"
            };
            dev.insert("driver".into(), driver.into());
            dev.insert("bus".into(), format!("ide.{ide_bus}").into());
            dev.insert("unit".into(), unit.into());
            dev.insert("id".into(), alias_of(bus, index).into());
        }
        // Q35's built-in AHCI controller: six ports, `ide.0`…`ide.5`, one unit each.
        "sata" => {
            if !is_q35(machine) {
                return Err(unsupported(format!(
                    "SATA disks are only supported on Q35 machines, not '{machine}'"
                )));
            }
            if index > 5 {
                return Err(unsupported(format!(
                    "SATA disk '{target}' is beyond the 6 ports of the Q35 AHCI controller"
                )));
            }
            let driver = if device == DiskDevice::Cdrom {
                "ide-cd"
            } else {
                "ide-hd"
            };
            dev.insert("driver".into(), driver.into());
            dev.insert("bus".into(), format!("ide.{index}").into());
            dev.insert("id".into(), alias_of(bus, index).into());
        }
        other => {
            return Err(unsupported(format!(
                "disk bus '{other}' ({target}) is not supported yet"
            )));
        }
    }
    if let Some(drive) = drive {
        dev.insert("drive".into(), drive.into());
    }
    if let Some(serial) = &disk.serial {
        dev.insert("serial".into(), serial.clone().into());
    }
    if let Some(b) = bootindex {
        dev.insert("bootindex".into(), b.into());
    }
    tuning.apply_device(&mut dev);
    args.push("-device".into());
    args.push(Value::Object(dev).to_string());
    Ok(())
}
