//! `virDomainUpdateDeviceFlags` of a CD-ROM or floppy: its media changed or ejected
//! (`virsh change-media`, `update-device`), as libvirt's QEMU driver does it on a
//! `-blockdev` machine — live, the tray opened (forced), the old medium removed and its
//! nodes deleted, the new image's storage and format nodes added and inserted, the tray
//! closed; and/or in the persistent definition. Other devices are not updated here.

use rvirt_core::conf::{Device, Disk, DiskDevice, DomainDef};
use rvirt_core::objects::impact;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::json;

use super::device_xml::{find, missing, parse_device};
use super::hotplug::{free_node_index, plug_commands, run_plug};
use super::{persistent_mut, save_config, touch_status};
use crate::command_line::{PciBuses, disk_alias, push_disk};
use crate::driver::instance::{Entry, Shared, not_running};
use crate::driver::monitor::Monitor;
use crate::driver::start::MONITOR_TIMEOUT;

/// How long a forced tray opening may take.
const TRAY_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

fn unsupported(message: String) -> Error {
    Error::new(ErrorCode::OperationUnsupported, ErrorDomain::Qemu, message)
}

/// The disk of `def` that `new` (a `<disk>` of an update) names, checked to be a
/// removable-media drive of the same kind.
fn media_drive<'a>(def: &'a DomainDef, new: &Device, live: bool) -> Result<(usize, &'a Disk)> {
    let i = find(def, new).ok_or_else(|| match new {
        // libvirt's words for a live update of a disk the guest lacks.
        Device::Disk(d) if live => Error::internal(
            ErrorDomain::Qemu,
            format!("disk '{}' not found", d.target.dev),
        ),
        _ => missing(new, live),
    })?;
    let (Device::Disk(old), Device::Disk(want)) = (&def.devices()[i], new) else {
        return Err(missing(new, live));
    };
    let kind = old.device.unwrap_or(DiskDevice::Disk);
    if !matches!(kind, DiskDevice::Cdrom | DiskDevice::Floppy) {
        return Err(unsupported(format!(
            "disk device '{kind}' ({}) cannot be updated: only cdrom and floppy media change",
            old.target.dev
        )));
    }
    if want.device.unwrap_or(DiskDevice::Disk) != kind {
        return Err(unsupported(format!(
            "cannot change disk device of '{}' from '{kind}'",
            old.target.dev
        )));
    }
    Ok((i, old))
}

/// `old` with the medium of `new`: its type, source and format.
fn with_media(old: &Disk, new: &Disk) -> Disk {
    let mut d = old.clone();
    d.disk_type = new.disk_type;
    d.source = new.source.clone();
    if let Some(format) = new.driver.as_ref().and_then(|n| n.format.clone()) {
        d.driver.get_or_insert_with(Default::default).format = Some(format);
    }
    d
}

/// The QEMU side of a media change of drive `alias` to `disk`'s source (none:
/// ejected), the new nodes named `libvirt-N-*` with the first free N.
fn change_media(mon: &Monitor, alias: &str, disk: &Disk, def: &DomainDef) -> Result<()> {
    let call = |cmd: &str, args: serde_json::Value| mon.call(cmd, Some(args), MONITOR_TIMEOUT);
    // The drive's entry of `query-block`.
    let drive = || -> Result<serde_json::Value> {
        let block = call("query-block", json!({}))?;
        Ok(block
            .as_array()
            .into_iter()
            .flatten()
            .find(|b| {
                b.get("qdev")
                    .and_then(|q| q.as_str())
                    .is_some_and(|q| q == alias || q.ends_with(&format!("/{alias}")))
            })
            .cloned()
            .unwrap_or_default())
    };
    // The format node of the medium in the drive now, if any.
    let old_node = drive()?["inserted"]["node-name"]
        .as_str()
        .map(str::to_owned);
    call("blockdev-open-tray", json!({"id": alias, "force": true}))?;
    // QEMU may open the tray later (the guest is told first): wait for it, as
    // libvirt waits for DEVICE_TRAY_MOVED.
    let deadline = std::time::Instant::now() + TRAY_WAIT;
    while drive()?["tray_open"] != json!(true) {
        if std::time::Instant::now() >= deadline {
            return Err(Error::new(
                ErrorCode::OperationFailed,
                ErrorDomain::Qemu,
                format!("timed out waiting to open tray of '{alias}'"),
            ));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    call("blockdev-remove-medium", json!({"id": alias}))?;
    if let Some(fmt) = old_node {
        let _ = call("blockdev-del", json!({"node-name": fmt}));
        if let Some(storage) = fmt.strip_suffix("-format") {
            let _ = call(
                "blockdev-del",
                json!({"node-name": format!("{storage}-storage")}),
            );
        }
    }
    if disk
        .source
        .as_ref()
        .is_some_and(|s| s.file.is_some() || s.dev.is_some())
    {
        let n = free_node_index(mon)?;
        let buses = PciBuses::new(def, crate::pci::machine_of(def));
        let mut args = Vec::new();
        push_disk(disk, n, None, &buses, None, &mut args)?;
        let backends: Vec<_> = plug_commands(&args)?
            .into_iter()
            .filter(|(cmd, _)| *cmd != "device_add")
            .collect();
        run_plug(mon, backends)?;
        call(
            "blockdev-insert-medium",
            json!({"id": alias, "node-name": format!("libvirt-{n}-format")}),
        )?;
    }
    call("blockdev-close-tray", json!({"id": alias}))?;
    Ok(())
}

impl Shared {
    /// `virDomainUpdateDeviceFlags` (flags checked by the caller): the media of a
    /// CD-ROM or floppy, live and/or persistent; both definitions are checked before
    /// anything changes.
    pub(crate) fn update_device(&self, entry: &Entry, xml: &str, flags: u32) -> Result<()> {
        let job = entry.begin_job("virDomainUpdateDeviceFlags")?;
        let mut vm = job.lock();
        let (live, config) = impact(&vm, flags)?;
        let what = if live {
            "live update"
        } else {
            "persistent update"
        };
        let dev = parse_device(xml, what)?;
        let Device::Disk(new) = &dev else {
            return Err(unsupported(format!(
                "{what} of device '{}' is not supported",
                dev.element_name()
            )));
        };
        let new_config = if config {
            let mut def = persistent_mut(&mut vm).clone();
            let (i, old) = media_drive(&def, &dev, false)?;
            let changed = with_media(old, new);
            def.devices_mut()[i] = Device::Disk(changed);
            Some(def)
        } else {
            None
        };
        if live {
            let (i, old) = media_drive(&vm.def, &dev, true)?;
            let changed = with_media(old, new);
            let alias = disk_alias(old).ok_or_else(|| {
                Error::internal(
                    ErrorDomain::Qemu,
                    format!("invalid disk target name '{}'", old.target.dev),
                )
            })?;
            let run = vm.run.as_ref().ok_or_else(not_running)?;
            let (mon, status, pid) = (run.mon.clone(), run.status.clone(), run.pid);
            // DAC and QEMU's private /dev: as for a hot-plugged disk.
            let changed_dev = Device::Disk(changed.clone());
            let config = crate::security::security_config();
            if let Some(plan) = crate::security::dac_plan(&vm.def, self.is_system(), &config)? {
                let files = crate::security::device_files(&changed_dev);
                crate::security::prepare::relabel(files, &plan, &status)?;
            }
            let paths = crate::security::devices::device_paths(&changed_dev);
            crate::security::namespace::add_to_running(pid, &paths)?;
            let def = vm.def.clone();
            drop(vm);
            change_media(&mon, &alias, &changed, &def)?;
            vm = job.lock();
            if vm.run.is_some() {
                vm.def.devices_mut()[i] = Device::Disk(changed);
                touch_status(&mut vm);
            }
        }
        if let Some(def) = new_config {
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
        }
        Ok(())
    }
}
