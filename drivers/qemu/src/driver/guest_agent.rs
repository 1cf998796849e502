//! What the QEMU guest agent answers: the channel connected when the guest opens its
//! port and closed when it closes it (QEMU's `VSERPORT_CHANGE`, as libvirt does), and
//! the Domain APIs on top of it
//! (`virDomainQemuAgentCommand`, host name, interface addresses, file systems and
//! their freezing, guest time, agent shutdown and reboot), worded as libvirt's.

use std::path::PathBuf;
use std::time::Duration;

use rvirt_core::api::{DomainInterface, FsInfo, IpAddress, StateReason};
use rvirt_core::conf::{AddressType, CharDeviceType, Device, DomainDef};
use rvirt_core::driver::DomainRef;
use rvirt_core::event::SharedLoop;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, log};
use serde_json::{Value, json};

use super::agent::{Agent, DEFAULT_TIMEOUT, Request, SHUTDOWN_TIMEOUT, unresponsive};
use super::instance::{Shared, not_running};
use super::running::{Vm, save_status};
use super::status::AGENT_TIMEOUT_BLOCK;
use crate::event_map::{AGENT_CHANNEL, agent_channel};
use crate::qmp::QmpEvent;

/// `VIR_DOMAIN_PASSWORD_ENCRYPTED`: the password is already crypted.
pub(super) const PASSWORD_ENCRYPTED: u32 = 1;

/// `VIR_DOMAIN_TIME_SYNC`: set the guest's clock from its RTC.
pub(super) const TIME_SYNC: u32 = 1;

/// `VIR_DOMAIN_QEMU_AGENT_COMMAND_BLOCK`: wait for the reply as long as it takes.
const TIMEOUT_BLOCK: i32 = -2;
/// `VIR_DOMAIN_QEMU_AGENT_COMMAND_DEFAULT`.
const TIMEOUT_DEFAULT: i32 = -1;

/// Most interfaces, and addresses per interface, passed on (the wire protocol's
/// `REMOTE_DOMAIN_INTERFACE_MAX` and `REMOTE_DOMAIN_IP_ADDR_MAX`).
const MAX_INTERFACES: usize = 2048;
/// Most file systems passed on (`REMOTE_DOMAIN_FSINFO_MAX`).
const MAX_FILESYSTEMS: usize = 256;
/// Most disks per file system passed on (`REMOTE_DOMAIN_FSINFO_DISKS_MAX`).
const MAX_FS_DISKS: usize = 256;

/// Connects the domain's agent channel, if it has one, and watches it on the loop
/// (on the loop's thread: the socket is QEMU's listening one, so this does not wait).
/// Only the socket the command line put in the domain's private directory is used: a
/// path the definition names elsewhere is not the driver's to open.
fn connect(vm: &mut Vm, event_loop: &SharedLoop) {
    let Some((_, chan)) = agent_channel(&vm.def) else {
        return;
    };
    if chan.char_type != CharDeviceType::Unix {
        return;
    }
    let named = chan
        .sources
        .iter()
        .find_map(|s| s.path.as_deref())
        .map(PathBuf::from);
    let name = vm.name().to_owned();
    let Some(run) = vm.run.as_mut() else {
        return;
    };
    let path = run.priv_dir.join(AGENT_CHANNEL);
    if named.is_some_and(|p| p != path) {
        log::warning(
            ErrorDomain::Qemu,
            format_args!(
                "domain '{name}': the guest agent's socket is outside the domain's directory; not connecting"
            ),
        );
        return;
    }
    match Agent::connect(&path, event_loop.clone()).and_then(|a| a.watch().map(|()| a)) {
        Ok(agent) => run.agent = Some(agent),
        Err(e) => log::warning(
            ErrorDomain::Qemu,
            format_args!("domain '{name}': cannot connect the guest agent: {e}"),
        ),
    }
}

/// After a reconnect: connects the agent again if the guest has its port open
/// (`open_chardevs`: the labels `query-chardev` reports open, e.g. `charchannel0`).
pub(super) fn reattach(vm: &mut Vm, event_loop: &SharedLoop, open_chardevs: &[String]) {
    let Some((n, _)) = agent_channel(&vm.def) else {
        return;
    };
    let label = format!("charchannel{n}");
    if !open_chardevs.contains(&label) {
        return;
    }
    if let Some(run) = vm.run.as_mut() {
        run.agent_open = true;
    }
    connect(vm, event_loop);
}

/// Follows the agent's port through QEMU's events (on the loop, domain locked): the
/// guest opened it (connect) or closed it (disconnect); a power-off or reset finishes
/// a `guest-shutdown`, a suspend a `guest-suspend-*`.
pub(super) fn apply_event(vm: &mut Vm, event: &QmpEvent) {
    let Some(run) = vm.run.as_mut() else {
        return;
    };
    match event {
        QmpEvent::VserportChange { id, open } if run.devices.agent_port.as_ref() == Some(id) => {
            run.agent_open = *open;
            if *open {
                if run.agent.is_none() {
                    let event_loop = run.mon.event_loop();
                    connect(vm, &event_loop);
                }
            } else if let Some(agent) = run.agent.take() {
                agent.guest_reset();
                agent.close();
            }
        }
        QmpEvent::Shutdown { .. }
        | QmpEvent::Reset { .. }
        | QmpEvent::Suspend
        | QmpEvent::SuspendDisk => {
            if let Some(agent) = &run.agent {
                agent.guest_reset();
            }
        }
        _ => {}
    }
}

/// The agent's `return` member `key`, or libvirt's error for a reply without it.
fn member<'a>(v: &'a Value, key: &str, command: &str) -> Result<&'a Value> {
    v.get(key).ok_or_else(|| {
        Error::internal(
            ErrorDomain::Qemu,
            format!("'{key}' missing in reply of {command}"),
        )
    })
}

impl Shared {
    /// The domain's agent, when it can take a command (libvirt's
    /// `qemuDomainAgentAvailable`).
    fn agent(&self, dom: &DomainRef) -> Result<Agent> {
        self.agent_with_timeout(dom).map(|(agent, _)| agent)
    }

    /// The domain's agent (as [`Shared::agent`]) and how long its commands wait for
    /// their reply (`None`: as long as it takes).
    fn agent_with_timeout(&self, dom: &DomainRef) -> Result<(Agent, Option<Duration>)> {
        self.domains.read(dom, |vm| {
            let run = vm.run.as_ref().ok_or_else(not_running)?;
            if !matches!(vm.state, StateReason::Running(_)) {
                return Err(not_running());
            }
            if agent_channel(&vm.def).is_none() {
                return Err(Error::new(
                    ErrorCode::ArgumentUnsupported,
                    ErrorDomain::Qemu,
                    "QEMU guest agent is not configured",
                ));
            }
            match &run.agent {
                Some(agent) if run.agent_open => {
                    Ok((agent.clone(), response_timeout(run.agent_timeout)))
                }
                _ => Err(unresponsive("QEMU guest agent is not connected")),
            }
        })
    }

    /// The agent response timeout a run of `vm` starts with: the last one set for
    /// the domain, or libvirt's default, blocking.
    pub(super) fn agent_timeout_of(&self, vm: &Vm) -> i32 {
        let uuid = vm.def.uuid.unwrap_or_default();
        self.agent_timeouts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&uuid)
            .copied()
            .unwrap_or(AGENT_TIMEOUT_BLOCK)
    }

    /// `virDomainAgentSetResponseTimeout`: remembered for the domain (its next runs
    /// too) and, while it runs, used by its agent's next commands and written into
    /// its status file. No job is taken: no command is sent (as in libvirt).
    pub(crate) fn agent_set_response_timeout(&self, dom: &DomainRef, timeout: i32) -> Result<()> {
        if timeout < TIMEOUT_BLOCK {
            return Err(Error::invalid_arg(
                ErrorDomain::Qemu,
                format!(
                    "guest agent timeout '{timeout}' is less than the minimum '{TIMEOUT_BLOCK}'"
                ),
            ));
        }
        let entry = self.domains.list.get(dom)?;
        let mut vm = entry.lock();
        self.agent_timeouts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(vm.def.uuid.unwrap_or_default(), timeout);
        if let Some(run) = vm.run.as_mut()
            && run.agent_timeout != timeout
        {
            run.agent_timeout = timeout;
            run.saved = None;
            save_status(&mut vm);
        }
        Ok(())
    }

    /// True if the domain's agent could take a command now.
    pub(crate) fn agent_available(&self, dom: &DomainRef) -> bool {
        self.agent(dom).is_ok()
    }

    /// Runs `execute` with `arguments` on the domain's agent, waiting as long as the
    /// domain's response timeout says.
    pub(super) fn agent_run(
        &self,
        dom: &DomainRef,
        execute: &str,
        arguments: Option<Value>,
    ) -> Result<Value> {
        let mut command = json!({ "execute": execute });
        if let Some(args) = arguments {
            command["arguments"] = args;
        }
        let (agent, timeout) = self.agent_with_timeout(dom)?;
        agent.command(Request {
            command: &command,
            timeout,
            agent_timeout: timeout,
            resets_guest: false,
        })
    }

    /// `virDomainQemuAgentCommand`: `cmd` (a JSON command object) passed to the agent;
    /// the whole reply object as text. `timeout` in seconds, or -2 (block), -1
    /// (default, 5 s), 0 (no wait).
    pub(crate) fn agent_command(&self, dom: &DomainRef, cmd: &str, timeout: i32) -> Result<String> {
        if timeout < TIMEOUT_BLOCK {
            return Err(Error::invalid_arg(
                ErrorDomain::Qemu,
                format!(
                    "guest agent timeout '{timeout}' is less than the minimum '{TIMEOUT_BLOCK}'"
                ),
            ));
        }
        let command: Value = serde_json::from_str(cmd).map_err(|e| {
            Error::internal(ErrorDomain::Qemu, format!("cannot parse json {cmd}: {e}"))
        })?;
        if !command.get("execute").is_some_and(Value::is_string) {
            return Err(Error::internal(
                ErrorDomain::Qemu,
                format!("cannot parse json {cmd}: no 'execute' command"),
            ));
        }
        let (agent, agent_timeout) = self.agent_with_timeout(dom)?;
        let value = agent.command(Request {
            command: &command,
            timeout: response_timeout(timeout),
            agent_timeout,
            resets_guest: false,
        })?;
        Ok(json!({ "return": value }).to_string())
    }

    /// `virDomainGetHostname` from the agent (`guest-get-host-name`).
    pub(crate) fn agent_hostname(&self, dom: &DomainRef) -> Result<String> {
        let v = self.agent_run(dom, "guest-get-host-name", None)?;
        member(&v, "host-name", "guest-get-host-name")?
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| {
                Error::internal(
                    ErrorDomain::Qemu,
                    "'host-name' missing in guest-get-host-name reply",
                )
            })
    }

    /// `virDomainGetTime` (`guest-get-time`): seconds and nanoseconds since the epoch.
    pub(crate) fn agent_time(&self, dom: &DomainRef) -> Result<(i64, u32)> {
        let v = self.agent_run(dom, "guest-get-time", None)?;
        let ns = v.as_i64().ok_or_else(|| {
            Error::internal(
                ErrorDomain::Qemu,
                "malformed return value of guest-get-time",
            )
        })?;
        Ok((
            ns.div_euclid(1_000_000_000),
            u32::try_from(ns.rem_euclid(1_000_000_000)).unwrap_or(0),
        ))
    }

    /// `virDomainInterfaceAddresses` from the agent (`guest-network-get-interfaces`).
    pub(crate) fn agent_interfaces(&self, dom: &DomainRef) -> Result<Vec<DomainInterface>> {
        let v = self.agent_run(dom, "guest-network-get-interfaces", None)?;
        let list = v.as_array().ok_or_else(|| {
            Error::internal(
                ErrorDomain::Qemu,
                "qemu agent didn't return an array of interfaces",
            )
        })?;
        list.iter().take(MAX_INTERFACES).map(interface).collect()
    }

    /// `virDomainGetFSInfo` (`guest-get-fsinfo`): mount order; each file system's
    /// disks named by the domain's disk targets.
    pub(crate) fn agent_fs_info(&self, dom: &DomainRef) -> Result<Vec<FsInfo>> {
        let v = self.agent_run(dom, "guest-get-fsinfo", None)?;
        let list = v.as_array().ok_or_else(|| {
            Error::internal(ErrorDomain::Qemu, "Malformed guest-get-fsinfo reply")
        })?;
        let def = self.domains.read(dom, |vm| Ok(vm.def.clone()))?;
        // The agent lists the most recent mount first.
        list.iter()
            .take(MAX_FILESYSTEMS)
            .rev()
            .map(|fs| filesystem(fs, &def))
            .collect()
    }

    /// `virDomainSetTime` (`guest-set-time`): to the given time, or with
    /// [`TIME_SYNC`] from the guest's RTC.
    pub(crate) fn agent_set_time(
        &self,
        dom: &DomainRef,
        seconds: i64,
        nseconds: u32,
        flags: u32,
    ) -> Result<()> {
        let args = if flags & TIME_SYNC != 0 {
            None
        } else {
            if nseconds > 999_999_999 {
                return Err(Error::invalid_arg(ErrorDomain::Qemu, "nseconds too big"));
            }
            let ns = seconds
                .checked_mul(1_000_000_000)
                .and_then(|s| s.checked_add(i64::from(nseconds)))
                .ok_or_else(|| {
                    Error::invalid_arg(
                        ErrorDomain::Qemu,
                        format!("Time '{seconds}' is too big for guest agent"),
                    )
                })?;
            Some(json!({ "time": ns }))
        };
        self.agent_run(dom, "guest-set-time", args).map(|_| ())
    }

    /// `virDomainAuthorizedSSHKeysGet` (`guest-ssh-get-authorized-keys`).
    pub(crate) fn agent_ssh_keys(&self, dom: &DomainRef, user: &str) -> Result<Vec<String>> {
        let command = "guest-ssh-get-authorized-keys";
        let v = self.agent_run(dom, command, Some(json!({ "username": user })))?;
        member(&v, "keys", command)?
            .as_array()
            .and_then(|keys| keys.iter().map(|k| k.as_str().map(str::to_owned)).collect())
            .ok_or_else(|| malformed(command))
    }

    /// `virDomainAuthorizedSSHKeysSet`: `guest-ssh-add-authorized-keys` (replacing the
    /// user's keys unless `append`), or with `remove` `guest-ssh-remove-authorized-keys`.
    pub(crate) fn agent_set_ssh_keys(
        &self,
        dom: &DomainRef,
        user: &str,
        keys: &[String],
        append: bool,
        remove: bool,
    ) -> Result<()> {
        let (command, args) = if remove {
            (
                "guest-ssh-remove-authorized-keys",
                json!({ "username": user, "keys": keys }),
            )
        } else {
            (
                "guest-ssh-add-authorized-keys",
                json!({ "username": user, "keys": keys, "reset": !append }),
            )
        };
        self.agent_run(dom, command, Some(args)).map(|_| ())
    }

    /// `virDomainSetUserPassword` (`guest-set-user-password`, the password in base64).
    pub(crate) fn agent_set_user_password(
        &self,
        dom: &DomainRef,
        user: &str,
        password: &str,
        flags: u32,
    ) -> Result<()> {
        let args = json!({
            "username": user,
            "password": base64(password.as_bytes()),
            "crypted": flags & PASSWORD_ENCRYPTED != 0,
        });
        self.agent_run(dom, "guest-set-user-password", Some(args))
            .map(|_| ())
    }

    /// `virDomainFSFreeze`: `guest-fsfreeze-freeze`, or `-freeze-list` for
    /// `mountpoints`; how many file systems froze.
    pub(crate) fn agent_fs_freeze(&self, dom: &DomainRef, mountpoints: &[String]) -> Result<u32> {
        let (command, args) = if mountpoints.is_empty() {
            ("guest-fsfreeze-freeze", None)
        } else {
            (
                "guest-fsfreeze-freeze-list",
                Some(json!({ "mountpoints": mountpoints })),
            )
        };
        count(self.agent_run(dom, command, args)?, command)
    }

    /// `virDomainFSThaw`: `guest-fsfreeze-thaw` (all of them: the agent cannot thaw
    /// some, so naming mount points is refused as libvirt does).
    pub(crate) fn agent_fs_thaw(&self, dom: &DomainRef, mountpoints: &[String]) -> Result<u32> {
        if !mountpoints.is_empty() {
            return Err(Error::new(
                ErrorCode::ArgumentUnsupported,
                ErrorDomain::Qemu,
                "specifying mountpoints is not supported",
            ));
        }
        count(
            self.agent_run(dom, "guest-fsfreeze-thaw", None)?,
            "guest-fsfreeze-thaw",
        )
    }

    /// `virDomainPMSuspendForDuration`: `guest-suspend-ram`, `-disk` or `-hybrid`, done
    /// once QEMU reports the guest suspended (or powered off, for the disk).
    pub(crate) fn agent_suspend(&self, dom: &DomainRef, command: &str) -> Result<()> {
        self.agent_resetting(dom, json!({ "execute": command }))
    }

    /// `virDomainShutdownFlags`/`virDomainReboot` with `VIR_DOMAIN_SHUTDOWN_GUEST_AGENT`:
    /// `guest-shutdown`, done once QEMU reports the guest powered off or reset.
    pub(crate) fn agent_shutdown(&self, dom: &DomainRef, reboot: bool) -> Result<()> {
        let mode = if reboot { "reboot" } else { "powerdown" };
        self.agent_resetting(
            dom,
            json!({"execute": "guest-shutdown", "arguments": {"mode": mode}}),
        )
    }

    /// An agent `command` that ends by the guest powering off, resetting or
    /// suspending: done once QEMU reports it (bounded by [`SHUTDOWN_TIMEOUT`]).
    fn agent_resetting(&self, dom: &DomainRef, command: serde_json::Value) -> Result<()> {
        let (agent, agent_timeout) = self.agent_with_timeout(dom)?;
        agent
            .command(Request {
                command: &command,
                timeout: Some(SHUTDOWN_TIMEOUT),
                agent_timeout,
                resets_guest: true,
            })
            .map(|_| ())
    }
}

/// An agent timeout (seconds, or -2: block, -1: libvirt's default) as a wait.
fn response_timeout(timeout: i32) -> Option<Duration> {
    match timeout {
        TIMEOUT_BLOCK => None,
        TIMEOUT_DEFAULT => Some(DEFAULT_TIMEOUT),
        secs => Some(Duration::from_secs(u64::try_from(secs).unwrap_or(0))),
    }
}

fn malformed(what: &str) -> Error {
    Error::internal(
        ErrorDomain::Qemu,
        format!("qemu agent didn't provide '{what}' field"),
    )
}

/// One entry of `guest-network-get-interfaces`.
pub(super) fn interface(v: &Value) -> Result<DomainInterface> {
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("name"))?;
    let addrs = v
        .get("ip-addresses")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let addrs = addrs
        .iter()
        .take(MAX_INTERFACES)
        .filter_map(|a| {
            let kind = match a.get("ip-address-type")?.as_str()? {
                "ipv4" => 0,
                "ipv6" => 1,
                _ => return None,
            };
            Some(IpAddress {
                kind,
                addr: a.get("ip-address")?.as_str()?.to_owned(),
                prefix: a
                    .get("prefix")
                    .and_then(Value::as_u64)
                    .and_then(|p| u32::try_from(p).ok())
                    .unwrap_or(0),
            })
        })
        .collect();
    Ok(DomainInterface {
        name: name.to_owned(),
        hwaddr: v
            .get("hardware-address")
            .and_then(Value::as_str)
            .map(str::to_owned),
        addrs,
    })
}

/// One entry of `guest-get-fsinfo`.
fn filesystem(v: &Value, def: &DomainDef) -> Result<FsInfo> {
    let s = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| malformed(k))
    };
    let dev_aliases = v
        .get("disk")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .take(MAX_FS_DISKS)
        .filter_map(|d| disk_target(d, def))
        .collect();
    Ok(FsInfo {
        mountpoint: s("mountpoint")?,
        name: s("name")?,
        fstype: s("type")?,
        dev_aliases,
    })
}

/// The target (`vda`) of the domain's disk the agent describes by its PCI address.
pub(super) fn disk_target(d: &Value, def: &DomainDef) -> Option<String> {
    let pci = d.get("pci-controller")?;
    let n = |k: &str| pci.get(k)?.as_u64().and_then(|x| u32::try_from(x).ok());
    let (domain, bus, slot, function) = (n("domain")?, n("bus")?, n("slot")?, n("function")?);
    def.devices().iter().find_map(|dev| match dev {
        Device::Disk(disk) => {
            let a = disk.address.as_ref()?;
            (a.address_type == AddressType::Pci
                && a.domain.unwrap_or(0) == domain
                && a.bus.unwrap_or(0) == bus
                && a.slot == Some(slot)
                && a.function.unwrap_or(0) == function)
                .then(|| disk.target.dev.clone())
        }
        _ => None,
    })
}

/// A reply that is a count of file systems.
fn count(v: Value, command: &str) -> Result<u32> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| {
            Error::internal(
                ErrorDomain::Qemu,
                format!("malformed return value of {command}"),
            )
        })
}

/// Standard base64 with padding (RFC 4648), as the agent takes passwords.
pub(crate) fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_as_rfc_4648() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(super::base64(plain.as_bytes()), coded);
        }
    }
}
