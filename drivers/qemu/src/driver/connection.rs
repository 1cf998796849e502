//! [`QemuConnection`]: the public API of the QEMU driver, a view on one root's
//! instance ([`super::instance::Shared`]).

use std::path::Path;
use std::sync::Arc;

use rvirt_core::api::{DomainInfo, ListFlags, StateReason};
use rvirt_core::driver::{DomainRef, DriverConnection, EventSink};
use rvirt_core::event::SharedLoop;
use rvirt_core::{Error, ErrorDomain, Result, Uuid};

use super::instance::{Shared, not_running, parse_def};

/// A definition to define or create: parsed, completed (the machine's implicit devices,
/// PCI addresses assigned as libvirt does), and refused if this driver cannot carry it out.
pub(crate) fn runnable_def(xml: &str) -> Result<rvirt_core::conf::DomainDef> {
    let mut def = parse_def(xml)?;
    crate::command_line::normalize_prefix(&mut def);
    crate::machine_defaults::add_machine_defaults(&mut def);
    crate::command_line::check_supported(&def)?;
    crate::pci::assign_pci_addresses(&mut def)?;
    Ok(def)
}
use super::autodestroy::START_AUTODESTROY;
use super::running::Vm;
use super::start::StartFlags;

/// `VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA`: an inactive domain's snapshot metadata
/// goes with it.
const UNDEFINE_SNAPSHOTS_METADATA: u32 = 2;
/// `VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA`: an inactive domain's checkpoint
/// metadata goes with it (refused otherwise while it has checkpoints).
const UNDEFINE_CHECKPOINTS_METADATA: u32 = 16;

/// `VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN` (and `VIR_DOMAIN_REBOOT_…`).
const MODE_ACPI: u32 = 1;
/// `VIR_DOMAIN_SHUTDOWN_GUEST_AGENT` (and `VIR_DOMAIN_REBOOT_…`).
const MODE_AGENT: u32 = 2;

/// `VIR_DOMAIN_START_PAUSED` (create, createXML).
pub(crate) const START_PAUSED: u32 = 1;

/// One open connection to a QEMU driver instance. Every connection of a process to
/// the same root shares one instance (one set of domains, one root lock); each
/// connection gets every domain event.
#[derive(Debug)]
pub struct QemuConnection {
    pub(super) shared: Arc<Shared>,
    /// The guests this connection started with `VIR_DOMAIN_START_AUTODESTROY`.
    pub(super) autodestroy: super::autodestroy::AutoDestroy,
}

/// libvirt's "unsupported flags (0x…) in function NAME" for bits outside `allowed`.
pub(super) fn check_flags(flags: u32, allowed: u32, function: &str) -> Result<()> {
    if flags & !allowed != 0 {
        return Err(Error::invalid_arg(
            ErrorDomain::Qemu,
            format!("unsupported flags (0x{flags:x}) in function {function}"),
        ));
    }
    Ok(())
}

fn vm_is_persistent(entry: &super::instance::Entry) -> bool {
    entry.lock().persistent
}

/// CPU time of `pid` in ns, from `/proc/PID/stat` (utime + stime).
fn cpu_time_ns(pid: u32) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
        return 0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields after the comm: state is index 0, utime 11, stime 12.
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    // SAFETY: sysconf has no memory-safety preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let hz = u64::try_from(hz).unwrap_or(100).max(1);
    ticks.saturating_mul(1_000_000_000 / hz)
}

impl QemuConnection {
    /// Opens a connection to the driver instance of `root`: the one this process
    /// already runs for it, or a new one (root lock, definitions,
    /// reconnect). A new instance watches monitors on `event_loop`; later connections
    /// share the first one's loop.
    ///
    /// Errors: the root is locked by another process (`VIR_ERR_OPERATION_FAILED`), or
    /// its directories cannot be created (`VIR_ERR_SYSTEM_ERROR`).
    pub fn open(root: &Path, event_loop: SharedLoop, events: EventSink) -> Result<Self> {
        let shared = super::DRIVER.acquire(root, event_loop)?;
        Ok(QemuConnection::on(shared, events))
    }

    /// A connection on `shared` (already held for it), whose events go to `events`.
    pub(crate) fn on(shared: Arc<Shared>, events: EventSink) -> QemuConnection {
        shared.domains.fanout.add(events);
        QemuConnection {
            shared,
            autodestroy: Default::default(),
        }
    }

    /// The QEMU process id of a running domain (for tests and tools).
    pub fn pid(&self, dom: &DomainRef) -> Result<u32> {
        self.read(dom, |vm| {
            vm.run.as_ref().map(|r| r.pid).ok_or_else(not_running)
        })
    }

    /// Runs the QMP command `name` with `args` on the monitor of running domain `dom`
    /// and returns its `return` value (for tests and tools, like libvirt's
    /// `virDomainQemuMonitorCommand`). QEMU's errors read as in libvirt ("unable to
    /// execute QEMU command 'NAME': …").
    pub fn monitor_command(
        &self,
        dom: &DomainRef,
        name: &str,
        args: Option<serde_json::Value>,
    ) -> Result<serde_json::Value> {
        let mon = self.read(dom, super::running::running_monitor)?;
        mon.call(name, args, super::start::MONITOR_TIMEOUT)
    }

    /// The driver instance this connection views.
    pub(super) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// Runs `f` on the domain `dom` (`VIR_ERR_NO_DOMAIN` when there is none).
    pub(super) fn read<T>(&self, dom: &DomainRef, f: impl FnOnce(&Vm) -> Result<T>) -> Result<T> {
        self.shared.domains.read(dom, f)
    }

    /// Shutdown or reboot through the guest agent, as libvirt picks it: when asked
    /// (`MODE_AGENT`), or by default when the agent is connected. True if done; false
    /// to go on with ACPI (not asked, or the agent failed and ACPI is allowed too).
    fn by_agent(&self, dom: &DomainRef, flags: u32, reboot: bool) -> Result<bool> {
        let (agent, acpi) = (flags & MODE_AGENT != 0, flags & MODE_ACPI != 0);
        if !agent && (acpi || !self.shared.agent_available(dom)) {
            return Ok(false);
        }
        match self.shared.agent_shutdown(dom, reboot) {
            Ok(()) => Ok(true),
            Err(e) if agent && !acpi => Err(e),
            Err(_) => Ok(false),
        }
    }

    /// Starts the domain `entry` (taking its job).
    fn start(&self, entry: &super::instance::Entry, flags: u32) -> Result<DomainRef> {
        let how = StartFlags::from_bits(flags);
        if let Some(restored) = self.shared.start_managed(entry, how) {
            restored?;
            return Ok(entry.lock().to_ref());
        }
        let job = entry.begin_job("virDomainCreate")?;
        self.shared.start(entry, &job, how)?;
        Ok(job.lock().to_ref())
    }
}

impl DriverConnection for QemuConnection {
    fn hypervisor_type(&self) -> &str {
        "QEMU"
    }

    fn hostname(&self) -> Result<String> {
        Ok(std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|_| "localhost".into()))
    }

    fn hypervisor_version(&self) -> Result<u64> {
        self.shared.hypervisor_version()
    }

    fn node_info(&self) -> Result<rvirt_core::api::NodeInfo> {
        self.shared.node_info()
    }

    fn domain_xml_to_native(&self, format: &str, xml: &str, flags: u32) -> Result<String> {
        super::native::domain_xml_to_native(format, xml, flags)
    }

    fn sysinfo(&self, flags: u32) -> Result<String> {
        check_flags(flags, 0, "qemuConnectGetSysinfo")?;
        host_sysinfo(rvirt_core::ErrorDomain::Qemu)
    }

    fn connect_max_vcpus(&self, virt_type: Option<&str>) -> Result<u32> {
        match virt_type.map(str::to_ascii_lowercase).as_deref() {
            None | Some("qemu") => Ok(16),
            Some("kvm") => crate::host::kvm_max_vcpus(),
            Some(_) => Err(rvirt_core::Error::invalid_arg(
                rvirt_core::ErrorDomain::Qemu,
                format!("unknown type '{}'", virt_type.unwrap_or_default()),
            )),
        }
    }

    fn cpu_model_names(&self, arch: &str, flags: u32) -> Result<Vec<String>> {
        // libvirt's QEMU driver answers from the CPU map, as the test driver does.
        check_flags(flags, 0, "qemuConnectGetCPUModelNames")?;
        rvirt_core::objects::cpu_model_names(arch, rvirt_core::ErrorDomain::Qemu)
    }

    fn capabilities(&self) -> Result<String> {
        self.shared.capabilities()
    }

    fn domain_capabilities(&self, query: &rvirt_core::driver::DomainCapsQuery) -> Result<String> {
        self.shared.domain_capabilities(query)
    }

    fn list_all_domains(&self, flags: ListFlags) -> Result<Vec<DomainRef>> {
        Ok(self.shared.domains.list(flags))
    }

    fn lookup_by_id(&self, id: u32) -> Result<DomainRef> {
        self.shared.domains.lookup_by_id(id)
    }

    fn lookup_by_name(&self, name: &str) -> Result<DomainRef> {
        self.shared.domains.lookup_by_name(name)
    }

    fn lookup_by_uuid(&self, uuid: &Uuid) -> Result<DomainRef> {
        self.shared.domains.lookup_by_uuid(uuid)
    }

    fn define_xml(&self, xml: &str) -> Result<DomainRef> {
        self.shared.domains.define(runnable_def(xml)?)
    }

    fn create_xml(&self, xml: &str, flags: u32) -> Result<DomainRef> {
        check_flags(flags, START_PAUSED | START_AUTODESTROY, "create_xml")?;
        let s = &self.shared;
        let dom = s.domains.create_xml(runnable_def(xml)?, |entry| {
            let job = entry.begin_job("virDomainCreateXML")?;
            s.start(entry, &job, StartFlags::from_bits(flags))
        })?;
        if flags & START_AUTODESTROY != 0 {
            self.autodestroy.add(dom.uuid, dom.id);
        }
        Ok(dom)
    }

    fn undefine(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        use crate::firmware::nvram::{UNDEFINE_KEEP_NVRAM, UNDEFINE_NVRAM, on_undefine};
        check_flags(
            flags,
            UNDEFINE_SNAPSHOTS_METADATA
                | UNDEFINE_NVRAM
                | UNDEFINE_KEEP_NVRAM
                | UNDEFINE_CHECKPOINTS_METADATA,
            "undefine",
        )?;
        let (name, snapshots, checkpoints, active) = self.read(dom, |vm| {
            Ok((
                vm.name().to_string(),
                vm.snapshots.len(),
                vm.checkpoints.len(),
                vm.is_active(),
            ))
        })?;
        if !active && snapshots > 0 && flags & UNDEFINE_SNAPSHOTS_METADATA == 0 {
            return Err(Error::operation_invalid(
                ErrorDomain::Qemu,
                format!("cannot delete inactive domain with {snapshots} snapshots"),
            ));
        }
        if !active && checkpoints > 0 && flags & UNDEFINE_CHECKPOINTS_METADATA == 0 {
            return Err(Error::operation_invalid(
                ErrorDomain::Qemu,
                format!("cannot delete inactive domain with {checkpoints} checkpoints"),
            ));
        }
        let entry = self.shared.domains.list.get(dom)?;
        let persistent = {
            let vm = entry.lock();
            vm.next_def.clone().unwrap_or_else(|| vm.def.clone())
        };
        // libvirt: a persistent definition's store refuses the undefine unless the
        // caller says what becomes of it.
        if vm_is_persistent(&entry) {
            on_undefine(&persistent, &self.shared.nvram_dir(), flags)?;
        }
        self.shared.domains.undefine(dom)?;
        if !active && snapshots > 0 {
            self.shared.snapshot_store().remove_all(&name)?;
        }
        if !active && checkpoints > 0 {
            self.shared.checkpoint_store().remove_all(&name)?;
        }
        Ok(())
    }

    fn create(&self, dom: &DomainRef, flags: u32) -> Result<DomainRef> {
        check_flags(flags, START_PAUSED | START_AUTODESTROY, "create")?;
        let entry = self.shared.domains.list.get(dom)?;
        let started = self.start(&entry, flags)?;
        if flags & START_AUTODESTROY != 0 {
            self.autodestroy.add(started.uuid, started.id);
        }
        Ok(started)
    }

    fn destroy(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0, "destroy")?;
        self.shared.destroy(&self.shared.domains.list.get(dom)?)
    }

    fn shutdown(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, MODE_ACPI | MODE_AGENT, "qemuDomainShutdownFlags")?;
        if self.by_agent(dom, flags, false)? {
            return Ok(());
        }
        self.shared.shutdown(&self.shared.domains.list.get(dom)?)
    }

    fn reboot(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, MODE_ACPI | MODE_AGENT, "qemuDomainReboot")?;
        if self.by_agent(dom, flags, true)? {
            return Ok(());
        }
        self.shared.reboot(&self.shared.domains.list.get(dom)?)
    }

    fn suspend(&self, dom: &DomainRef) -> Result<()> {
        self.shared.suspend(&self.shared.domains.list.get(dom)?)
    }

    fn resume(&self, dom: &DomainRef) -> Result<()> {
        self.shared.resume(&self.shared.domains.list.get(dom)?)
    }

    fn reset(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0, "reset")?;
        self.shared.reset(&self.shared.domains.list.get(dom)?)
    }

    fn inject_nmi(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0, "inject_nmi")?;
        self.shared.inject_nmi(&self.shared.domains.list.get(dom)?)
    }

    fn send_key(
        &self,
        dom: &DomainRef,
        codeset: u32,
        holdtime: u32,
        keycodes: &[u32],
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, 0, "send_key")?;
        let entry = self.shared.domains.list.get(dom)?;
        self.shared.send_key(&entry, codeset, holdtime, keycodes)
    }

    fn abort_job(&self, dom: &DomainRef) -> Result<()> {
        self.shared.abort_job(&self.shared.domains.list.get(dom)?)
    }

    fn abort_job_flags(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        self.shared
            .abort_job_flags(&self.shared.domains.list.get(dom)?, flags)
    }

    fn is_updated(&self, dom: &DomainRef) -> Result<bool> {
        // As libvirt's QEMU driver: no change marks a running domain updated.
        self.shared.domains.read(dom, |_| Ok(false))
    }

    fn pm_wakeup(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0, "pm_wakeup")?;
        self.shared.pm_wakeup(&self.shared.domains.list.get(dom)?)
    }

    fn domain_info(&self, dom: &DomainRef) -> Result<DomainInfo> {
        self.read(dom, |vm| {
            Ok(vm.info(vm.run.as_ref().map_or(0, |r| cpu_time_ns(r.pid))))
        })
    }

    fn domain_state(&self, dom: &DomainRef) -> Result<StateReason> {
        self.read(dom, |vm| Ok(vm.state))
    }

    fn open_console(
        &self,
        dom: &DomainRef,
        dev_name: Option<&str>,
        flags: u32,
    ) -> Result<rvirt_core::driver::Console> {
        self.shared.open_console(dom, dev_name, flags)
    }

    fn open_channel(
        &self,
        dom: &DomainRef,
        name: Option<&str>,
        flags: u32,
    ) -> Result<rvirt_core::driver::Console> {
        self.shared.open_channel(dom, name, flags)
    }

    fn screenshot(
        &self,
        dom: &DomainRef,
        screen: u32,
        flags: u32,
    ) -> Result<rvirt_core::driver::Screenshot> {
        self.shared.screenshot(dom, screen, flags)
    }

    fn set_guest_time(
        &self,
        dom: &DomainRef,
        seconds: i64,
        nseconds: u32,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, super::guest_agent::TIME_SYNC, "qemuDomainSetTime")?;
        self.shared.agent_set_time(dom, seconds, nseconds, flags)
    }

    fn fs_freeze(&self, dom: &DomainRef, mountpoints: &[String], flags: u32) -> Result<u32> {
        check_flags(flags, 0, "qemuDomainFSFreeze")?;
        self.shared.agent_fs_freeze(dom, mountpoints)
    }

    fn fs_thaw(&self, dom: &DomainRef, mountpoints: &[String], flags: u32) -> Result<u32> {
        check_flags(flags, 0, "qemuDomainFSThaw")?;
        self.shared.agent_fs_thaw(dom, mountpoints)
    }

    fn guest_info(
        &self,
        dom: &DomainRef,
        types: u32,
        flags: u32,
    ) -> Result<Vec<rvirt_core::api::TypedParam>> {
        check_flags(flags, 0, "qemuDomainGetGuestInfo")?;
        super::guest_info::guest_info(&self.shared, dom, types)
    }

    fn pm_suspend_for_duration(
        &self,
        dom: &DomainRef,
        target: u32,
        duration: u64,
        flags: u32,
    ) -> Result<()> {
        self.shared.pm_suspend(dom, target, duration, flags)
    }

    fn authorized_ssh_keys(&self, dom: &DomainRef, user: &str, flags: u32) -> Result<Vec<String>> {
        check_flags(flags, 0, "qemuDomainAuthorizedSSHKeysGet")?;
        self.shared.agent_ssh_keys(dom, user)
    }

    fn set_authorized_ssh_keys(
        &self,
        dom: &DomainRef,
        user: &str,
        keys: &[String],
        flags: u32,
    ) -> Result<()> {
        // VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND | _REMOVE.
        check_flags(flags, 1 | 2, "qemuDomainAuthorizedSSHKeysSet")?;
        self.shared
            .agent_set_ssh_keys(dom, user, keys, flags & 1 != 0, flags & 2 != 0)
    }

    fn guest_vcpus(&self, dom: &DomainRef, flags: u32) -> Result<Vec<rvirt_core::api::TypedParam>> {
        check_flags(flags, 0, "qemuDomainGetGuestVcpus")?;
        self.shared.guest_vcpus(dom)
    }

    fn set_guest_vcpus(
        &self,
        dom: &DomainRef,
        cpumap: &str,
        online: bool,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, 0, "qemuDomainSetGuestVcpus")?;
        self.shared.set_guest_vcpus(dom, cpumap, online)
    }

    fn set_user_password(
        &self,
        dom: &DomainRef,
        user: &str,
        password: &str,
        flags: u32,
    ) -> Result<()> {
        check_flags(
            flags,
            super::guest_agent::PASSWORD_ENCRYPTED,
            "qemuDomainSetUserPassword",
        )?;
        self.shared
            .agent_set_user_password(dom, user, password, flags)
    }

    fn agent_set_response_timeout(&self, dom: &DomainRef, timeout: i32, flags: u32) -> Result<()> {
        check_flags(flags, 0, "qemuDomainAgentSetResponseTimeout")?;
        self.shared.agent_set_response_timeout(dom, timeout)
    }

    fn qemu_agent_command(
        &self,
        dom: &DomainRef,
        cmd: &str,
        timeout: i32,
        flags: u32,
    ) -> Result<String> {
        check_flags(flags, 0, "qemuDomainQemuAgentCommand")?;
        self.shared.agent_command(dom, cmd, timeout)
    }

    fn qemu_monitor_command(&self, dom: &DomainRef, cmd: &str, flags: u32) -> Result<String> {
        check_flags(flags, super::passthrough::HMP, "qemu_monitor_command")?;
        let mon = self.read(dom, super::running::running_monitor)?;
        super::passthrough::monitor_command(&mon, cmd, flags)
    }

    fn open_graphics_fd(
        &self,
        dom: &DomainRef,
        idx: u32,
        flags: u32,
    ) -> Result<std::os::fd::OwnedFd> {
        self.shared.open_graphics_fd(dom, idx, flags)
    }

    fn domain_xml(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        // A disk under a block copy shows its `<mirror>`, ready or not as QEMU says: asked
        // outside the domain's lock, and only then.
        let mirrored = self.read(dom, |vm| {
            let live = flags & rvirt_core::api::XmlFlags::INACTIVE == 0;
            let mirror = vm.def.devices().iter().any(
                |d| matches!(d, rvirt_core::conf::Device::Disk(disk) if disk.mirror.is_some()),
            );
            Ok(match &vm.run {
                Some(run) if live && mirror => Some((
                    run.mon.clone(),
                    run.devices
                        .disks
                        .iter()
                        .map(|n| (n.target.clone(), n.alias.clone()))
                        .collect::<Vec<_>>(),
                    vm.def.clone(),
                    vm.next_def.clone(),
                    vm.id(),
                )),
                _ => None,
            })
        })?;
        match mirrored {
            None => self.read(dom, |vm| vm.xml(flags)),
            Some((mon, aliases, mut def, next, id)) => {
                super::disk_jobs::copy::mark_ready(&mon, &aliases, &mut def);
                rvirt_core::driver::format_domain_xml(&def, next.as_ref(), id, flags)
            }
        }
    }

    fn is_persistent(&self, dom: &DomainRef) -> Result<bool> {
        self.read(dom, |vm| Ok(vm.persistent))
    }

    fn autostart(&self, dom: &DomainRef) -> Result<bool> {
        self.read(dom, |vm| Ok(vm.autostart))
    }

    fn set_autostart(&self, dom: &DomainRef, autostart: bool) -> Result<()> {
        self.shared.domains.set_autostart(dom, autostart)
    }

    fn monitoring(&self) -> Option<&dyn rvirt_core::driver::Monitoring> {
        Some(self)
    }

    fn configuration(&self) -> Option<&dyn rvirt_core::driver::Configuration> {
        Some(self)
    }

    fn save_restore(&self) -> Option<&dyn rvirt_core::driver::SaveRestore> {
        Some(self)
    }

    fn migration(&self) -> Option<&dyn rvirt_core::driver::Migration> {
        Some(self)
    }

    fn snapshots(&self) -> Option<&dyn rvirt_core::driver::Snapshots> {
        Some(self)
    }

    fn checkpoints(&self) -> Option<&dyn rvirt_core::driver::Checkpoints> {
        Some(self)
    }

    fn close(&self) -> Result<()> {
        // Like libvirt's embedded driver, running domains outlive the instance: the
        // next instance on this root (this process or another) reconnects to them —
        // but for those this connection started to die with it.
        self.autodestroy.destroy_all(&self.shared);
        self.shared.domains.fanout.prune();
        super::DRIVER.release(&self.shared);
        Ok(())
    }
}

/// The host's `<sysinfo>` (core's `dmidecode` reading), or libvirt's refusal in
/// `domain` when the host has no SMBIOS tables.
pub(crate) fn host_sysinfo(domain: rvirt_core::ErrorDomain) -> Result<String> {
    rvirt_core::sysinfo::host_sysinfo()
        .map(str::to_owned)
        .ok_or_else(|| {
            rvirt_core::Error::new(
                rvirt_core::ErrorCode::ConfigUnsupported,
                domain,
                "Host SMBIOS information is not available",
            )
        })
}
