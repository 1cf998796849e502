//! virtio `<rng>`, the virtio-serial controller and `<channel type='unix'>` ports
//! (libvirt's `qemuBuildRNGCommandLine`, `qemuBuildVirtioSerialPortDevProps`).

use std::path::{Path, PathBuf};

use rvirt_core::Result;
use rvirt_core::conf::{
    Address, AddressType, CharDevice, CharDeviceType, ControllerType, Device, DomainDef,
};
use serde_json::json;

use super::pci::PciBuses;
use super::{escape_opt, unsupported};

/// Longest `sun_path` QEMU can bind.
const MAX_SOCKET_PATH: usize = 107;

/// Pushes each `<rng model='virtio'>`: an `rng-random` (or `rng-builtin`) object and
/// a `virtio-rng-pci` device using it.
pub(super) fn push_rngs(def: &DomainDef, machine: &str, args: &mut Vec<String>) -> Result<()> {
    let rngs = def.devices().iter().filter_map(|d| match d {
        Device::Rng(r) => Some(r),
        _ => None,
    });
    for (n, rng) in rngs.enumerate() {
        if rng.model != "virtio" {
            return Err(unsupported(format!(
                "rng model '{}' is not supported",
                rng.model
            )));
        }
        let obj = format!("objrng{n}");
        let backend = match rng.backend.as_ref().map(|b| b.model.as_str()) {
            None | Some("builtin") => json!({"qom-type": "rng-builtin", "id": obj}),
            Some("random") => {
                let path = rng
                    .backend
                    .as_ref()
                    .and_then(|b| b.path.as_deref())
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .unwrap_or("/dev/urandom");
                json!({"qom-type": "rng-random", "id": obj, "filename": path})
            }
            Some(other) => {
                return Err(unsupported(format!(
                    "rng backend model '{other}' is not supported yet"
                )));
            }
        };
        args.push("-object".into());
        args.push(backend.to_string());
        let mut dev = json!({"driver": "virtio-rng-pci", "rng": obj, "id": format!("rng{n}")});
        PciBuses::new(def, machine).place(rng.address.as_ref(), &mut dev)?;
        args.push("-device".into());
        args.push(dev.to_string());
    }
    Ok(())
}

/// The `-chardev` of a `<channel type='unix'>`: a listening socket at the source
/// path, or `PRIVATE_DIR/NAME` without one.
fn unix_channel(
    chan: &CharDevice,
    name: &str,
    private_dir: Option<&Path>,
    id: &str,
) -> Result<String> {
    if chan
        .sources
        .iter()
        .any(|s| s.mode.as_deref().is_some_and(|m| m != "bind"))
    {
        return Err(unsupported(
            "only channel sockets in mode 'bind' are supported",
        ));
    }
    let path = match chan.sources.iter().find_map(|s| s.path.as_deref()) {
        Some(p) => PathBuf::from(p),
        // Without a private directory (the define-time check) the name stands in.
        None => private_dir.map_or_else(|| PathBuf::from(name), |d| d.join(name)),
    };
    let path = path.to_string_lossy().into_owned();
    if path.len() > MAX_SOCKET_PATH {
        return Err(unsupported(format!(
            "channel socket path '{path}' is too long"
        )));
    }
    Ok(format!(
        "socket,id={id},path={},server=on,wait=off",
        escape_opt(&path)
    ))
}

/// Pushes the virtio-serial controllers (explicit ones, or one implied by a virtio
/// channel) and each `<channel type='unix'>` (see [`unix_channel`]) or
/// `<channel type='spicevmc'>` (the SPICE agent's `vdagent`) with a virtio target,
/// on a `virtserialport` named after the target.
pub(super) fn push_channels(
    def: &DomainDef,
    machine: &str,
    private_dir: Option<&Path>,
    args: &mut Vec<String>,
) -> Result<()> {
    let mut controllers: Vec<(u32, Option<&Address>)> = def
        .devices()
        .iter()
        .filter_map(|d| match d {
            Device::Controller(c) if c.controller_type == ControllerType::VirtioSerial => {
                Some((c.index.unwrap_or(0), c.address.as_ref()))
            }
            _ => None,
        })
        .collect();
    let channels: Vec<_> = def
        .devices()
        .iter()
        .filter_map(|d| match d {
            Device::Channel(c) => Some(c),
            _ => None,
        })
        .collect();
    if controllers.is_empty() && !channels.is_empty() {
        controllers.push((0, None));
    }
    for (index, address) in &controllers {
        let mut dev = json!({"driver": "virtio-serial-pci", "id": format!("virtio-serial{index}")});
        PciBuses::new(def, machine).place(*address, &mut dev)?;
        args.push("-device".into());
        args.push(dev.to_string());
    }
    let mut ports = SerialPorts::reserving(channels.iter().copied());
    for (n, chan) in channels.into_iter().enumerate() {
        let target = chan.target.as_ref();
        if target.and_then(|t| t.target_type.as_deref()) != Some("virtio") {
            return Err(unsupported(
                "only virtio <channel> targets are supported yet",
            ));
        }
        let name = target.and_then(|t| t.name.as_deref()).ok_or_else(|| {
            unsupported("a virtio <channel> without a target name is not supported yet")
        })?;
        let id = format!("charchannel{n}");
        let spec = match chan.char_type {
            CharDeviceType::Unix => unix_channel(chan, name, private_dir, &id)?,
            CharDeviceType::Spicevmc => {
                if !super::display::has_spice(def) {
                    return Err(unsupported(
                        "<channel type='spicevmc'> needs a <graphics type='spice'>",
                    ));
                }
                format!("spicevmc,id={id},name=vdagent")
            }
            other => {
                return Err(unsupported(format!(
                    "channel type '{other}' is not supported yet"
                )));
            }
        };
        args.push("-chardev".into());
        args.push(spec);
        let (controller, port) = ports.place(chan.address.as_ref(), controllers[0].0)?;
        args.push("-device".into());
        args.push(
            json!({"driver": "virtserialport", "bus": format!("virtio-serial{controller}.0"),
                   "nr": port, "chardev": id, "id": format!("channel{n}"), "name": name})
            .to_string(),
        );
    }
    Ok(())
}

/// The virtio-serial ports handed out so far: a channel's `<address
/// type='virtio-serial' controller bus port>` is kept, one without takes the next free
/// port (from 1) on the first controller.
#[derive(Default)]
struct SerialPorts(Vec<(u32, u32)>, Vec<(u32, u32)>);

impl SerialPorts {
    /// Ports named by the channels' addresses, kept free for them.
    fn reserving<'a>(channels: impl Iterator<Item = &'a CharDevice>) -> SerialPorts {
        let reserved = channels
            .filter_map(|c| c.address.as_ref())
            .filter(|a| a.address_type == AddressType::VirtioSerial)
            .filter_map(|a| Some((a.controller.unwrap_or(0), a.port.as_deref()?.parse().ok()?)))
            .collect();
        SerialPorts(Vec::new(), reserved)
    }

    fn place(&mut self, address: Option<&Address>, first: u32) -> Result<(u32, u32)> {
        let taken = match address {
            Some(a) if a.address_type == AddressType::VirtioSerial => {
                if a.bus.unwrap_or(0) != 0 {
                    return Err(unsupported("virtio-serial bus other than 0"));
                }
                let port = a
                    .port
                    .as_deref()
                    .map(str::parse::<u32>)
                    .transpose()
                    .map_err(|_| unsupported("a virtio-serial port must be a number"))?;
                (a.controller.unwrap_or(0), port)
            }
            Some(a) => {
                return Err(unsupported(format!(
                    "address type '{}' is not supported for a <channel>",
                    a.address_type
                )));
            }
            None => (first, None),
        };
        let port = match taken {
            (c, Some(p)) if self.0.contains(&(c, p)) => {
                return Err(unsupported(format!(
                    "virtio-serial port {p} of controller {c} is used twice"
                )));
            }
            (_, Some(p)) => p,
            (c, None) => (1..)
                .find(|p| !self.0.contains(&(c, *p)) && !self.1.contains(&(c, *p)))
                .unwrap_or(1),
        };
        self.0.push((taken.0, port));
        Ok((taken.0, port))
    }
}
