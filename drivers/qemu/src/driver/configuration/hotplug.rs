//! Live attach and detach of `<disk>` (virtio) and `<interface type='user'>` through
//! QMP, from the same `-blockdev`/`-netdev`/`-device` arguments the command line gives
//! a cold-plugged device: `blockdev-add` (storage, format) or `netdev_add`, then
//! `device_add`, undone in reverse if a step fails; detach is `device_del`, after which
//! QEMU's `DEVICE_DELETED` (once the guest released the device) removes it from the
//! live definition and frees its backends ([`apply_device_deleted`]). Like libvirt, a
//! detach waits [`UNPLUG_WAIT`] for that and otherwise returns with the request pending.
//!
//! Names: the first live change gives every disk and NIC of the live definition the
//! alias its command line used (`virtio-disk1`, `net0`), kept in the status file, so
//! later hotplugs and reconnects name devices the same way; a new disk takes the first
//! `libvirt-N-{storage,format}` node pair QEMU does not have, a new NIC the first
//! `netN`/`hostnetN` free in `/machine/peripheral`.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use rvirt_core::conf::{Alias, Device, DiskType, DomainDef, InterfaceType, Mac};
use rvirt_core::objects::{Events, impact};
use rvirt_core::{DomainEvent, Error, ErrorCode, ErrorDomain, Result};
use serde_json::{Value, json};

use super::device_xml::{attach_config, detach_config, find, missing, parse_device, target_exists};
use super::{persistent_mut, save_config, touch_status};
use crate::command_line::{
    DiskNames, DiskSecret, PciBuses, disk_alias, disk_bus, disk_names, push_disk, push_interface,
    secret_id,
};
use crate::driver::instance::{Entry, Shared, not_running};
use crate::driver::live::random_mac;
use crate::driver::monitor::Monitor;
use crate::driver::running::Vm;
use crate::driver::start::MONITOR_TIMEOUT;

/// How long a live detach waits for QEMU to finish the unplug (libvirt's 5 s) before
/// it returns with the request pending.
pub(crate) const UNPLUG_WAIT: Duration = Duration::from_secs(5);

fn internal(message: String) -> Error {
    Error::new(ErrorCode::InternalError, ErrorDomain::Qemu, message)
}

fn unsupported(message: String) -> Error {
    Error::new(ErrorCode::OperationUnsupported, ErrorDomain::Qemu, message)
}

/// The `<alias name=…>` of a disk or NIC.
fn alias_of(dev: &Device) -> Option<&str> {
    match dev {
        Device::Disk(d) => d.alias.as_ref().map(|a| a.name.as_str()),
        Device::Interface(n) => n.alias.as_ref().map(|a| a.name.as_str()),
        _ => None,
    }
}

/// Gives every disk and NIC of the live definition `def` without an alias the one its
/// command line gave it (disks by target, NICs `netN` by position).
pub(crate) fn fill_aliases(def: &mut DomainDef) {
    let names = disk_names(def);
    let mut nic = 0;
    for dev in def.devices_mut() {
        match dev {
            Device::Disk(d) if d.alias.is_none() => {
                if let Some(n) = names.iter().find(|n| n.target == d.target.dev) {
                    d.alias = Some(Alias::new(n.alias.clone()));
                }
            }
            Device::Interface(n) => {
                if n.alias.is_none() {
                    n.alias = Some(Alias::new(format!("net{nic}")));
                }
                nic += 1;
            }
            _ => {}
        }
    }
}

/// The ids of the user-created devices QEMU has (`/machine/peripheral`).
pub(super) fn peripheral_ids(mon: &Monitor) -> Result<HashSet<String>> {
    let v = mon.call(
        "qom-list",
        Some(json!({"path": "/machine/peripheral"})),
        MONITOR_TIMEOUT,
    )?;
    Ok(v.as_array()
        .into_iter()
        .flatten()
        .filter(|p| {
            p.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.starts_with("child<"))
        })
        .filter_map(|p| p.get("name")?.as_str().map(str::to_owned))
        .collect())
}

/// The block node names QEMU has.
fn node_names(mon: &Monitor) -> Result<HashSet<String>> {
    let v = mon.call("query-named-block-nodes", None, MONITOR_TIMEOUT)?;
    Ok(v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.get("node-name")?.as_str().map(str::to_owned))
        .collect())
}

/// The first N for which QEMU has neither `libvirt-N-format` nor `libvirt-N-storage`:
/// the node names of a disk (or medium) added live.
pub(super) fn free_node_index(mon: &Monitor) -> Result<usize> {
    let nodes = node_names(mon)?;
    Ok((1..usize::MAX)
        .find(|n| {
            !nodes.contains(&format!("libvirt-{n}-format"))
                && !nodes.contains(&format!("libvirt-{n}-storage"))
        })
        .unwrap_or(usize::MAX))
}

/// The QMP commands equivalent to command-line arguments (`-blockdev J` →
/// `blockdev-add J`, `-netdev J` → `netdev_add J`, `-device J` → `device_add J`).
pub(super) fn plug_commands(args: &[String]) -> Result<Vec<(&'static str, Value)>> {
    args.chunks(2)
        .map(|pair| {
            let [opt, arg] = pair else {
                return Err(internal(format!("odd device arguments {pair:?}")));
            };
            let cmd = match opt.as_str() {
                "-blockdev" => "blockdev-add",
                "-netdev" => "netdev_add",
                "-device" => "device_add",
                "-object" => "object-add",
                other => return Err(internal(format!("cannot hotplug '{other}'"))),
            };
            let value = serde_json::from_str(arg)
                .map_err(|e| internal(format!("bad device argument '{arg}': {e}")))?;
            Ok((cmd, value))
        })
        .collect()
}

/// Runs `cmds` in order; if one fails, deletes the backends already added, in reverse.
pub(super) fn run_plug(mon: &Monitor, cmds: Vec<(&'static str, Value)>) -> Result<()> {
    let mut undo: Vec<(&'static str, Value)> = Vec::new();
    for (cmd, args) in cmds {
        // Opening a LUKS image derives its key (seconds of CPU, by design).
        let encrypted = args.get("key-secret").is_some() || args.get("encrypt").is_some();
        let wait = if encrypted {
            MONITOR_TIMEOUT * 6
        } else {
            MONITOR_TIMEOUT
        };
        if let Err(e) = mon.call(cmd, Some(args.clone()), wait) {
            for (u, a) in undo.into_iter().rev() {
                let _ = mon.call(u, Some(a), MONITOR_TIMEOUT);
            }
            return Err(e);
        }
        match cmd {
            "blockdev-add" => undo.push(("blockdev-del", json!({"node-name": args["node-name"]}))),
            "netdev_add" => undo.push(("netdev_del", json!({"id": args["id"]}))),
            "object-add" => undo.push(("object-del", json!({"id": args["id"]}))),
            _ => {}
        }
    }
    Ok(())
}

/// What libvirt checks before a live attach: a virtio disk with a new target, or a NIC.
fn check_live_attach(def: &DomainDef, dev: &Device) -> Result<()> {
    match dev {
        Device::Disk(d) => {
            match disk_bus(d) {
                Some("virtio") => {}
                Some(bus) => {
                    return Err(unsupported(format!(
                        "disk bus '{bus}' cannot be hotplugged."
                    )));
                }
                None => {
                    return Err(internal(format!(
                        "invalid disk target name '{}'",
                        d.target.dev
                    )));
                }
            }
            if find(def, dev).is_some() {
                return Err(target_exists(&d.target.dev, true));
            }
            Ok(())
        }
        Device::Interface(_) => Ok(()),
        other => Err(unsupported(format!(
            "live attach of device '{}' is not supported",
            other.element_name()
        ))),
    }
}

/// Plugs `dev` into the QEMU behind `mon`; returns it with its alias set, the alias,
/// and for a disk the names QEMU knows it by.
fn plug(
    mon: &Monitor,
    mut dev: Device,
    def: &DomainDef,
    system: bool,
) -> Result<(Device, String, Option<DiskNames>)> {
    let ids = peripheral_ids(mon)?;
    let buses = PciBuses::new(def, crate::pci::machine_of(def));
    let mut args = Vec::new();
    let (alias, names) = match &mut dev {
        Device::Disk(d) => {
            let alias = disk_alias(d)
                .ok_or_else(|| internal(format!("invalid disk target name '{}'", d.target.dev)))?;
            if ids.contains(&alias) {
                return Err(target_exists(&d.target.dev, true));
            }
            let n = free_node_index(mon)?;
            // An encrypted disk's passphrase goes over the private monitor socket.
            let secret = super::super::disk_secrets::passphrase(d, system)?.map(DiskSecret::Data);
            push_disk(d, n, None, &buses, secret.as_ref(), &mut args)?;
            d.alias = Some(Alias::new(alias.clone()));
            let source = d.source.as_ref();
            let path = match d.disk_type {
                DiskType::File => source.and_then(|s| s.file.clone()),
                DiskType::Block => source.and_then(|s| s.dev.clone()),
                _ => None,
            };
            let names = DiskNames {
                target: d.target.dev.clone(),
                alias: alias.clone(),
                node: path.as_ref().map(|_| format!("libvirt-{n}-format")),
                path,
            };
            (alias, Some(names))
        }
        Device::Interface(nic) => {
            let i = (0..usize::MAX)
                .find(|i| !ids.contains(&format!("net{i}")))
                .unwrap_or(usize::MAX);
            if nic.interface_type != InterfaceType::User {
                // A tap for a network or bridge NIC is only opened at start.
                return Err(unsupported(format!(
                    "live attach of <interface type='{}'> is not supported",
                    nic.interface_type
                )));
            }
            push_interface(nic, i, &Default::default(), &buses, &mut args)?;
            nic.alias = Some(Alias::new(format!("net{i}")));
            (format!("net{i}"), None)
        }
        other => {
            return Err(unsupported(format!(
                "live attach of device '{}' is not supported",
                other.element_name()
            )));
        }
    };
    run_plug(mon, plug_commands(&args)?)?;
    Ok((dev, alias, names))
}

/// Waits up to [`UNPLUG_WAIT`] for `alias` to leave `/machine/peripheral`; true if
/// it did. Each query lets the monitor's events be applied meanwhile.
fn wait_unplugged(mon: &Monitor, alias: &str) -> Result<bool> {
    let deadline = Instant::now() + UNPLUG_WAIT;
    loop {
        if !peripheral_ids(mon)?.contains(alias) {
            return Ok(true);
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// QEMU finished unplugging the device `alias` (`DEVICE_DELETED`, or a detach saw it
/// go): it leaves the live definition and its backends are deleted (commands sent, not
/// waited for). Nothing happens for an alias the live definition does not have (the
/// other of the two paths got there first).
pub(crate) fn apply_device_deleted(vm: &mut Vm, alias: &str) {
    fill_aliases(&mut vm.def);
    let Some(i) = vm
        .def
        .devices()
        .iter()
        .position(|d| alias_of(d) == Some(alias))
    else {
        return;
    };
    let dev = vm.def.devices_mut().remove(i);
    if let Some(run) = vm.run.as_mut() {
        match dev {
            Device::Disk(_) => {
                if let Some(k) = run.devices.disks.iter().position(|n| n.alias == alias) {
                    let names = run.devices.disks.remove(k);
                    if let Some(fmt) = names.node {
                        let storage = fmt.replace("-format", "-storage");
                        let _ = run
                            .mon
                            .send("blockdev-del", Some(json!({"node-name": fmt})));
                        let _ = run
                            .mon
                            .send("blockdev-del", Some(json!({"node-name": storage})));
                        // An encrypted disk's secret object (none: QEMU answers an error).
                        let _ = run
                            .mon
                            .send("object-del", Some(json!({"id": secret_id(&fmt)})));
                    }
                }
            }
            Device::Interface(nic) => {
                if let Some(n) = alias.strip_prefix("net") {
                    let _ = run
                        .mon
                        .send("netdev_del", Some(json!({"id": format!("hostnet{n}")})));
                }
                // The run directory holds a passthrough device's own MAC.
                let run_dir = run.status.parent().unwrap_or(std::path::Path::new("/"));
                super::super::netplug::unplug_interface(&nic, run_dir);
            }
            _ => {}
        }
    }
    touch_status(vm);
}

impl Shared {
    /// `virDomainAttachDeviceFlags` (flags checked by the caller): the persistent
    /// definition is edited on a copy first (so its errors come before QEMU is
    /// touched), then the device is plugged live, then the copy is saved.
    pub(crate) fn attach_device(&self, entry: &Entry, xml: &str, flags: u32) -> Result<()> {
        let job = entry.begin_job("virDomainAttachDeviceFlags")?;
        let (new_config, live) = {
            let mut vm = job.lock();
            let (live, config) = impact(&vm, flags)?;
            let mut dev = parse_device(
                xml,
                if live {
                    "live attach"
                } else {
                    "persistent attach"
                },
            )?;
            if let Device::Interface(n) = &mut dev
                && n.mac.is_none()
            {
                n.mac = Some(Mac::new(random_mac()));
            }
            let new_config = if config {
                let mut def = persistent_mut(&mut vm).clone();
                attach_config(&mut def, dev.clone())?;
                crate::pci::assign_pci_addresses(&mut def)?;
                Some(def)
            } else {
                None
            };
            let live = if live {
                check_live_attach(&vm.def, &dev)?;
                crate::pci::assign_hotplug_address(&vm.def, &mut dev)?;
                let run = vm.run.as_ref().ok_or_else(not_running)?;
                let (mon, status) = (run.mon.clone(), run.status.clone());
                // DAC: QEMU's user must reach the new image (libvirt relabels it too).
                let config = crate::security::security_config();
                if let Some(plan) = crate::security::dac_plan(&vm.def, self.is_system(), &config)? {
                    let files = crate::security::device_files(&dev);
                    crate::security::prepare::relabel(files, &plan, &status)?;
                }
                // A QEMU with a private /dev gets the new device's node there, one in
                // a devices cgroup access to it.
                let paths = crate::security::devices::device_paths(&dev);
                crate::security::namespace::add_to_running(run.pid, &paths)?;
                crate::security::cgroup::devices::allow_recorded(&status, &paths).map_err(|e| {
                    rvirt_core::Error::new(
                        rvirt_core::ErrorCode::SystemError,
                        rvirt_core::ErrorDomain::Qemu,
                        e.to_string(),
                    )
                })?;
                fill_aliases(&mut vm.def);
                Some((mon, dev, vm.def.clone()))
            } else {
                None
            };
            (new_config, live)
        };
        if let Some((mon, dev, def)) = live {
            let (dev, alias, names) = plug(&mon, dev, &def, self.is_system())?;
            let mut vm = job.lock();
            if let (Some(run), Some(names)) = (vm.run.as_mut(), names) {
                run.devices.disks.push(names);
            }
            vm.def.add_device(dev);
            touch_status(&mut vm);
            let ev: Events = vec![vm.event(DomainEvent::DeviceAdded { alias })];
            self.domains.fanout.queue(ev);
            drop(vm);
            self.domains.fanout.flush();
        }
        if let Some(def) = new_config {
            save_config(self, &def)?;
            *persistent_mut(&mut job.lock()) = def;
        }
        Ok(())
    }

    /// `virDomainDetachDeviceAlias` (flags checked by the caller): the disk or NIC
    /// with that alias in the definition `flags` select, detached as
    /// [`Self::detach_device`] detaches it.
    ///
    /// Errors: `VIR_ERR_DEVICE_MISSING` "no device found with alias …".
    pub(crate) fn detach_device_alias(&self, entry: &Entry, alias: &str, flags: u32) -> Result<()> {
        let xml = {
            let mut vm = entry.lock();
            let (live, _) = impact(&vm, flags)?;
            let def = if live {
                fill_aliases(&mut vm.def);
                &vm.def
            } else {
                vm.next_def.as_ref().unwrap_or(&vm.def)
            };
            let dev = def
                .devices()
                .iter()
                .find(|d| alias_of(d) == Some(alias))
                .ok_or_else(|| {
                    Error::new(
                        ErrorCode::DeviceMissing,
                        ErrorDomain::Qemu,
                        format!("no device found with alias {alias}"),
                    )
                })?;
            // What detach_device identifies it by: a disk's target, a NIC's MAC.
            match dev {
                Device::Disk(d) => format!(
                    "<disk type='file' device='disk'><target dev='{}'/></disk>",
                    rvirt_core::host::capabilities::esc(&d.target.dev)
                ),
                Device::Interface(n) => format!(
                    "<interface type='{}'><mac address='{}'/></interface>",
                    n.interface_type,
                    rvirt_core::host::capabilities::esc(
                        n.mac.as_ref().map_or("", |m| m.address.as_str())
                    )
                ),
                other => {
                    return Err(unsupported(format!(
                        "detach of device '{}' is not supported",
                        other.element_name()
                    )));
                }
            }
        };
        self.detach_device(entry, &xml, flags)
    }

    /// `virDomainDetachDeviceFlags` (flags checked by the caller): the device is
    /// looked up in every definition the flags select before anything changes; live,
    /// `device_del` and up to [`UNPLUG_WAIT`] for QEMU to finish.
    pub(crate) fn detach_device(&self, entry: &Entry, xml: &str, flags: u32) -> Result<()> {
        let job = entry.begin_job("virDomainDetachDeviceFlags")?;
        let (new_config, unplug) = {
            let mut vm = job.lock();
            let (live, config) = impact(&vm, flags)?;
            let dev = parse_device(
                xml,
                if live {
                    "live detach"
                } else {
                    "persistent detach"
                },
            )?;
            let new_config = if config {
                let mut def = persistent_mut(&mut vm).clone();
                detach_config(&mut def, &dev)?;
                Some(def)
            } else {
                None
            };
            let unplug = if live {
                let i = find(&vm.def, &dev).ok_or_else(|| missing(&dev, true))?;
                if let Device::Disk(d) = &vm.def.devices()[i]
                    && disk_bus(d) != Some("virtio")
                {
                    return Err(unsupported(
                        "This type of disk cannot be hot unplugged".into(),
                    ));
                }
                let mon = vm.run.as_ref().ok_or_else(not_running)?.mon.clone();
                fill_aliases(&mut vm.def);
                let alias = alias_of(&vm.def.devices()[i])
                    .map(str::to_owned)
                    .ok_or_else(|| internal("the device to detach has no alias".into()))?;
                Some((mon, alias))
            } else {
                None
            };
            (new_config, unplug)
        };
        if let Some((mon, alias)) = unplug {
            mon.call("device_del", Some(json!({"id": alias})), MONITOR_TIMEOUT)?;
            if wait_unplugged(&mon, &alias)? {
                apply_device_deleted(&mut job.lock(), &alias);
            }
        }
        if let Some(def) = new_config {
            save_config(self, &def)?;
            *persistent_mut(&mut job.lock()) = def;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_deleted_removes_by_alias_once() {
        let def = DomainDef::from_xml(
            "<domain type='qemu'><name>g</name><memory>65536</memory>\
             <os><type>hvm</type></os><devices>\
             <disk type='file' device='disk'><source file='/a.img'/><target dev='vda' bus='virtio'/></disk>\
             <disk type='file' device='disk'><source file='/b.img'/><target dev='vdb' bus='virtio'/></disk>\
             <interface type='user'/><interface type='user'/>\
             </devices></domain>",
        )
        .unwrap();
        let mut vm = Vm::new(def, true);
        apply_device_deleted(&mut vm, "virtio-disk1");
        apply_device_deleted(&mut vm, "net1");
        let xml = vm.def.to_xml().unwrap();
        assert!(!xml.contains("vdb"), "{xml}");
        assert!(xml.contains("<alias name='virtio-disk0'/>"), "{xml}");
        assert!(xml.contains("<alias name='net0'/>"), "{xml}");
        assert!(!xml.contains("net1"), "{xml}");
        apply_device_deleted(&mut vm, "virtio-disk1");
        assert_eq!(vm.def.devices().len(), 2);
    }

    #[test]
    fn arguments_become_qmp_commands() {
        let args: Vec<String> = [
            "-blockdev",
            "{\"node-name\":\"n\"}",
            "-device",
            "{\"id\":\"d\"}",
        ]
        .map(String::from)
        .to_vec();
        let cmds = plug_commands(&args).unwrap();
        assert_eq!(cmds[0].0, "blockdev-add");
        assert_eq!(cmds[1], ("device_add", json!({"id": "d"})));
        assert!(plug_commands(&["-drive".to_owned(), "{}".to_owned()]).is_err());
    }
}
