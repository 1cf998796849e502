//! [`DriverConnection`]: one open connection of a driver, and [`DomainRef`].

use crate::api::{DomainInfo, ListFlags, NodeInfo, StateReason};
use crate::driver::Secondary;
use crate::{Error, ErrorDomain, Result};
use uuid::Uuid;

/// How a driver identifies a domain to the public API: name, UUID and, while it runs, its id.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct DomainRef {
    /// Unique name.
    pub name: String,
    /// Unique UUID.
    pub uuid: Uuid,
    /// Hypervisor id while active, `None` while inactive (libvirt's -1).
    pub id: Option<u32>,
}

/// The arguments of `virConnectGetDomainCapabilities`: each `None` asks for the
/// driver's default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DomainCapsQuery {
    /// Emulator binary path.
    pub emulator: Option<String>,
    /// Guest architecture, e.g. `x86_64`.
    pub arch: Option<String>,
    /// Machine type or alias, e.g. `pc`, `q35`.
    pub machine: Option<String>,
    /// Virtualization type, e.g. `kvm`, `qemu`.
    pub virt_type: Option<String>,
    /// Flags (none defined by libvirt).
    pub flags: u32,
}

fn unsupported<T>(what: &str) -> Result<T> {
    Err(Error::no_support(ErrorDomain::None, what.to_string()))
}

/// The operations of one open driver connection. Every method has a default returning
/// libvirt's `VIR_ERR_NO_SUPPORT` (3), so a driver implements what it supports.
///
/// Methods are called from any thread, concurrently; drivers lock their own state. A driver
/// never calls user callbacks itself: it hands events to the connection's [`EventSink`]
/// (given in [`OpenContext`]), which delivers them from the event loop.
///
/// [`EventSink`]: crate::driver::EventSink
/// [`OpenContext`]: crate::driver::OpenContext
#[allow(unused_variables)]
pub trait DriverConnection: Send + Sync {
    /// Hypervisor type name (`virConnectGetType`), e.g. `"TEST"`, `"QEMU"`.
    fn hypervisor_type(&self) -> &str;

    /// Host name of the node.
    fn hostname(&self) -> Result<String> {
        unsupported("virConnectGetHostname")
    }
    /// Node CPU and memory facts.
    fn node_info(&self) -> Result<NodeInfo> {
        unsupported("virNodeGetInfo")
    }
    /// Host capabilities XML.
    fn capabilities(&self) -> Result<String> {
        unsupported("virConnectGetCapabilities")
    }
    /// Hypervisor version (`virConnectGetVersion`), `major * 1_000_000 + minor * 1000 +
    /// micro`.
    fn hypervisor_version(&self) -> Result<u64> {
        unsupported("virConnectGetVersion")
    }
    /// Domain capabilities XML (`virConnectGetDomainCapabilities`) for the emulator
    /// binary, architecture, machine type and virtualization type given (each `None`
    /// for the driver's default).
    fn domain_capabilities(&self, query: &DomainCapsQuery) -> Result<String> {
        unsupported("virConnectGetDomainCapabilities")
    }
    /// Domains matching `flags` (libvirt's `virConnectListAllDomains`).
    fn list_all_domains(&self, flags: ListFlags) -> Result<Vec<DomainRef>> {
        unsupported("virConnectListAllDomains")
    }
    /// Looks up an active domain by id.
    fn lookup_by_id(&self, id: u32) -> Result<DomainRef> {
        unsupported("virDomainLookupByID")
    }
    /// Looks up a domain by name.
    fn lookup_by_name(&self, name: &str) -> Result<DomainRef> {
        unsupported("virDomainLookupByName")
    }
    /// Looks up a domain by UUID.
    fn lookup_by_uuid(&self, uuid: &Uuid) -> Result<DomainRef> {
        unsupported("virDomainLookupByUUID")
    }
    /// Defines (or redefines) a persistent domain.
    fn define_xml(&self, xml: &str) -> Result<DomainRef> {
        unsupported("virDomainDefineXML")
    }
    /// Creates and starts a transient domain.
    fn create_xml(&self, xml: &str, flags: u32) -> Result<DomainRef> {
        unsupported("virDomainCreateXML")
    }
    /// Removes a persistent definition (an active domain becomes transient).
    fn undefine(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        unsupported("virDomainUndefine")
    }
    /// Starts a defined domain; returns it with its new id.
    fn create(&self, dom: &DomainRef, flags: u32) -> Result<DomainRef> {
        unsupported("virDomainCreate")
    }
    /// Stops a domain at once.
    fn destroy(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        unsupported("virDomainDestroy")
    }
    /// Asks the guest to shut down.
    fn shutdown(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        unsupported("virDomainShutdown")
    }
    /// Asks the guest to reboot.
    fn reboot(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        unsupported("virDomainReboot")
    }
    /// Pauses a running domain.
    fn suspend(&self, dom: &DomainRef) -> Result<()> {
        unsupported("virDomainSuspend")
    }
    /// Resumes a paused domain.
    fn resume(&self, dom: &DomainRef) -> Result<()> {
        unsupported("virDomainResume")
    }
    /// `virDomainReset`: a hard reset of the running guest, without asking it.
    fn reset(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        unsupported("virDomainReset")
    }

    /// `virDomainInjectNMI`: a non-maskable interrupt to the running guest.
    fn inject_nmi(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        unsupported("virDomainInjectNMI")
    }

    /// `virDomainSendKey`: `keycodes` of `codeset` pressed together for `holdtime` ms.
    fn send_key(
        &self,
        dom: &DomainRef,
        codeset: u32,
        holdtime: u32,
        keycodes: &[u32],
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainSendKey")
    }

    /// `virDomainAbortJob`: cancels the domain's background job.
    fn abort_job(&self, dom: &DomainRef) -> Result<()> {
        unsupported("virDomainAbortJob")
    }

    /// `virConnectDomainXMLToNative`: `xml` as the hypervisor's own configuration in
    /// `format` (`qemu-argv`: QEMU's command line).
    fn domain_xml_to_native(&self, format: &str, xml: &str, flags: u32) -> Result<String> {
        Err(Error::no_support(
            ErrorDomain::Domain,
            "virConnectDomainXMLToNative".to_string(),
        ))
    }

    /// `virDomainAbortJobFlags`: [`Self::abort_job`] with flags
    /// (`VIR_DOMAIN_ABORT_JOB_POSTCOPY`).
    fn abort_job_flags(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        Err(Error::no_support(
            ErrorDomain::Domain,
            "virDomainAbortJobFlags".to_string(),
        ))
    }

    /// `virDomainPMWakeup`: wakes a guest suspended to RAM.
    fn pm_wakeup(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        unsupported("virDomainPMWakeup")
    }
    /// Domain resource summary.
    fn domain_info(&self, dom: &DomainRef) -> Result<DomainInfo> {
        unsupported("virDomainGetInfo")
    }
    /// State and reason.
    fn domain_state(&self, dom: &DomainRef) -> Result<StateReason> {
        unsupported("virDomainGetState")
    }
    /// Domain XML (`flags` as `virDomainXMLFlags`).
    fn domain_xml(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        unsupported("virDomainGetXMLDesc")
    }
    /// Whether the domain has a persistent definition.
    fn is_persistent(&self, dom: &DomainRef) -> Result<bool> {
        unsupported("virDomainIsPersistent")
    }
    /// Whether the domain starts when the host/daemon starts.
    fn autostart(&self, dom: &DomainRef) -> Result<bool> {
        unsupported("virDomainGetAutostart")
    }
    /// Sets autostart.
    fn set_autostart(&self, dom: &DomainRef, autostart: bool) -> Result<()> {
        unsupported("virDomainSetAutostart")
    }
    /// `virDomainOpenConsole`: the guest side of the domain's console `dev_name`
    /// (its alias, e.g. `serial0`; `None`: the first console, else the first serial)
    /// with its session lease ([`super::ConsoleLeases`]; [`super::CONSOLE_FORCE`] in
    /// `flags` takes an active session over).
    fn open_console(
        &self,
        dom: &DomainRef,
        dev_name: Option<&str>,
        flags: u32,
    ) -> Result<super::Console> {
        unsupported("virDomainOpenConsole")
    }

    /// `virDomainOpenChannel`: a connection to the host side of the domain's channel
    /// `name` (its alias or its target name; `None`: the first channel) with its session
    /// lease (`VIR_DOMAIN_CHANNEL_FORCE`, 1, takes an active session over).
    fn open_channel(
        &self,
        dom: &DomainRef,
        name: Option<&str>,
        flags: u32,
    ) -> Result<super::Console> {
        unsupported("virDomainOpenChannel")
    }

    /// `virDomainOpenChannel` as a [`Stream`](crate::api::Stream), served in process as
    /// [`open_console_stream`](DriverConnection::open_console_stream) serves a console.
    fn open_channel_stream(
        &self,
        dom: &DomainRef,
        name: Option<&str>,
        flags: u32,
    ) -> Result<crate::api::Stream> {
        Ok(session_stream(self.open_channel(dom, name, flags)?))
    }

    /// `virDomainQemuMonitorCommand`: `cmd` passed to the QEMU monitor of a running
    /// domain as is (a QMP command in JSON, or an HMP command line with flag
    /// `VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP`); QEMU's reply as text. QEMU drivers only.
    fn qemu_monitor_command(&self, dom: &DomainRef, cmd: &str, flags: u32) -> Result<String> {
        unsupported("virDomainQemuMonitorCommand")
    }

    /// `virDomainQemuAgentCommand`: `cmd` (a JSON command object) passed to the guest
    /// agent of a running domain, waiting `timeout` seconds (-2 block, -1 default, 0
    /// no wait) for the reply; the whole reply object as text. QEMU drivers only.
    fn qemu_agent_command(
        &self,
        dom: &DomainRef,
        cmd: &str,
        timeout: i32,
        flags: u32,
    ) -> Result<String> {
        unsupported("virDomainQemuAgentCommand")
    }

    /// `virDomainSetTime`: the guest's clock set to `seconds`.`nseconds` since the
    /// epoch, or with `VIR_DOMAIN_TIME_SYNC` (1) from its RTC.
    fn set_guest_time(
        &self,
        dom: &DomainRef,
        seconds: i64,
        nseconds: u32,
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainSetTime")
    }

    /// `virDomainFSFreeze`: the guest's file systems at `mountpoints` (none: all)
    /// frozen; how many.
    fn fs_freeze(&self, dom: &DomainRef, mountpoints: &[String], flags: u32) -> Result<u32> {
        unsupported("virDomainFSFreeze")
    }

    /// `virDomainFSThaw`: the guest's frozen file systems thawed; how many.
    fn fs_thaw(&self, dom: &DomainRef, mountpoints: &[String], flags: u32) -> Result<u32> {
        unsupported("virDomainFSThaw")
    }

    /// `virDomainFSTrim`: unused blocks of the file system at `mountpoint` (all when
    /// `None`) discarded, ranges below `minimum` bytes possibly left.
    fn fs_trim(
        &self,
        dom: &DomainRef,
        mountpoint: Option<&str>,
        minimum: u64,
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainFSTrim")
    }

    /// `virDomainSendProcessSignal`: signal `signum` (`virDomainProcessSignal`) sent to
    /// process `pid` of the guest.
    fn send_process_signal(
        &self,
        dom: &DomainRef,
        pid: i64,
        signum: u32,
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainSendProcessSignal")
    }

    /// `virDomainIsUpdated`: whether the running domain's persistent definition changed
    /// since it started.
    fn is_updated(&self, dom: &DomainRef) -> Result<bool> {
        unsupported("virDomainIsUpdated")
    }

    /// `virConnectGetSysinfo`: the host's `<sysinfo>` XML (SMBIOS tables).
    fn sysinfo(&self, flags: u32) -> Result<String> {
        unsupported("virConnectGetSysinfo")
    }

    /// `virConnectGetCPUModelNames`: the CPU models libvirt knows for `arch`.
    fn cpu_model_names(&self, arch: &str, flags: u32) -> Result<Vec<String>> {
        unsupported("virConnectGetCPUModelNames")
    }

    /// `virConnectGetMaxVcpus`: the most vCPUs a guest of virtualization type `virt_type`
    /// (the driver's default when `None`) can have.
    fn connect_max_vcpus(&self, virt_type: Option<&str>) -> Result<u32> {
        unsupported("virConnectGetMaxVcpus")
    }

    /// `virDomainGetGuestInfo`: what the guest agent tells of the groups `types`
    /// selects (users, os, timezone, hostname, filesystem; 0: all), as typed
    /// parameters named as libvirt's (`os.id`, `fs.0.mountpoint`, …).
    fn guest_info(
        &self,
        dom: &DomainRef,
        types: u32,
        flags: u32,
    ) -> Result<Vec<crate::api::TypedParam>> {
        unsupported("virDomainGetGuestInfo")
    }

    /// `virDomainAgentSetResponseTimeout`: how long the domain's guest-agent commands
    /// wait for their reply: `timeout` seconds, or -2 (block), -1 (the driver's
    /// default), 0 (no wait).
    /// Unsupported in the domain error domain, as libvirt's public API reports it.
    fn agent_set_response_timeout(&self, dom: &DomainRef, timeout: i32, flags: u32) -> Result<()> {
        Err(Error::no_support(
            ErrorDomain::Domain,
            "virDomainAgentSetResponseTimeout".to_string(),
        ))
    }

    /// `virDomainSetUserPassword`: `user`'s password in the guest set to `password`
    /// (already crypted with `VIR_DOMAIN_PASSWORD_ENCRYPTED`, 1).
    fn set_user_password(
        &self,
        dom: &DomainRef,
        user: &str,
        password: &str,
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainSetUserPassword")
    }

    /// `virDomainGetGuestVcpus`: the guest's vCPUs as its agent sees them, as CPU lists
    /// `vcpus`, `online` and `offlinable`.
    fn guest_vcpus(&self, dom: &DomainRef, flags: u32) -> Result<Vec<crate::api::TypedParam>> {
        unsupported("virDomainGetGuestVcpus")
    }

    /// `virDomainSetGuestVcpus`: the guest's vCPUs of the CPU list `cpumap` brought
    /// online (`online`) or offline by its agent.
    fn set_guest_vcpus(
        &self,
        dom: &DomainRef,
        cpumap: &str,
        online: bool,
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainSetGuestVcpus")
    }

    /// `virDomainPMSuspendForDuration`: the guest suspends itself to RAM (`target` 0),
    /// disk (1) or both (2), for `duration` seconds (0: until woken).
    fn pm_suspend_for_duration(
        &self,
        dom: &DomainRef,
        target: u32,
        duration: u64,
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainPMSuspendForDuration")
    }

    /// `virDomainAuthorizedSSHKeysGet`: guest user `user`'s authorized SSH keys.
    fn authorized_ssh_keys(&self, dom: &DomainRef, user: &str, flags: u32) -> Result<Vec<String>> {
        unsupported("virDomainAuthorizedSSHKeysGet")
    }

    /// `virDomainAuthorizedSSHKeysSet`: `user`'s authorized SSH keys replaced by `keys`, or
    /// with `VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND` (1) added to, or with `_REMOVE` (2)
    /// taken from them.
    fn set_authorized_ssh_keys(
        &self,
        dom: &DomainRef,
        user: &str,
        keys: &[String],
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainAuthorizedSSHKeysSet")
    }

    /// `virDomainScreenshot`: an image of the domain's `screen`.
    fn screenshot(&self, dom: &DomainRef, screen: u32, flags: u32) -> Result<super::Screenshot> {
        unsupported("virDomainScreenshot")
    }

    /// `virDomainOpenConsole` as a [`Stream`](crate::api::Stream). The default serves
    /// [`open_console`](DriverConnection::open_console)'s pty in process; a driver with
    /// its own transport (remote) streams over it instead.
    fn open_console_stream(
        &self,
        dom: &DomainRef,
        dev_name: Option<&str>,
        flags: u32,
    ) -> Result<crate::api::Stream> {
        Ok(session_stream(self.open_console(dom, dev_name, flags)?))
    }

    /// `virDomainScreenshot` as the image's MIME type and a
    /// [`Stream`](crate::api::Stream) of it. The default serves
    /// [`screenshot`](DriverConnection::screenshot)'s bytes in process.
    fn screenshot_stream(
        &self,
        dom: &DomainRef,
        screen: u32,
        flags: u32,
    ) -> Result<(String, crate::api::Stream)> {
        let shot = self.screenshot(dom, screen, flags)?;
        let local = super::LocalStream::new(super::LocalSource::Bytes(shot.data));
        Ok((shot.mime, crate::api::Stream::local(local, None)))
    }

    /// `virDomainOpenGraphicsFD`: a socket connected to the server of the domain's
    /// `idx`-th `<graphics>` device (VNC or SPICE), for a viewer to speak its protocol
    /// on.
    fn open_graphics_fd(
        &self,
        dom: &DomainRef,
        idx: u32,
        flags: u32,
    ) -> Result<std::os::fd::OwnedFd> {
        unsupported("virDomainOpenGraphicsFD")
    }

    /// Starts `op` without blocking the calling thread and completes `done` when it has
    /// finished, from whichever thread learns the result (the remote driver: its socket's
    /// watch on the event loop). A driver that cannot do that returns the pair in
    /// [`Declined`], the default: rvirt-core then runs [`AsyncOp::run_blocking`] on a
    /// worker thread of its own, never on the caller's.
    ///
    /// [`Declined`]: super::Declined
    /// [`AsyncOp::run_blocking`]: super::AsyncOp::run_blocking
    fn start_async(
        &self,
        op: super::AsyncOp,
        done: super::Completer,
    ) -> std::result::Result<(), super::Declined> {
        Err(super::Declined(op, done))
    }

    /// The driver's monitoring operations, if it has any (stats, guest info, metadata,
    /// node facts); `None` makes each of them `VIR_ERR_NO_SUPPORT`.
    fn monitoring(&self) -> Option<&dyn super::Monitoring> {
        None
    }
    /// The driver's configuration-changing operations (memory, vCPUs, devices,
    /// rename), if it has any; `None` makes each of them `VIR_ERR_NO_SUPPORT`.
    fn configuration(&self) -> Option<&dyn super::Configuration> {
        None
    }
    /// The driver's save, restore and managed save operations, if it has any; `None`
    /// makes each of them `VIR_ERR_NO_SUPPORT`.
    fn save_restore(&self) -> Option<&dyn super::SaveRestore> {
        None
    }
    /// The driver's side of live migration, if it has one; `None` makes each step
    /// `VIR_ERR_NO_SUPPORT` and the migration features unsupported.
    fn migration(&self) -> Option<&dyn super::Migration> {
        None
    }
    /// The driver's snapshot operations, if it has any.
    fn snapshots(&self) -> Option<&dyn super::Snapshots> {
        None
    }
    /// The driver's checkpoint operations, if it has any.
    fn checkpoints(&self) -> Option<&dyn super::Checkpoints> {
        None
    }
    /// Called when the first callback for `id` is registered on this connection
    /// (`wanted` true) and when the last one goes (`false`). Remote drivers use it to
    /// subscribe on the server; local drivers need not care.
    fn event_interest(&self, id: crate::api::DomainEventId, wanted: bool) -> Result<()> {
        Ok(())
    }
    /// Client keepalive (`virConnectSetKeepAlive`): PING a silent peer every
    /// `interval`, close the connection after `count` unanswered PINGs;
    /// `Duration::ZERO` stops it. `Ok(false)` if the peer does not support keepalive
    /// (libvirt's 1). Local drivers have no peer: `VIR_ERR_NO_SUPPORT`.
    fn set_keepalive(&self, interval: std::time::Duration, count: u32) -> Result<bool> {
        unsupported("virConnectSetKeepAlive")
    }
    /// Releases the connection's resources. Called once, by `Connect::close` or drop.
    fn close(&self) -> Result<()> {
        Ok(())
    }
    /// The secondary drivers this connection brings itself (libvirt's test driver has
    /// its own networks, pools, node devices and interfaces; the remote driver forwards
    /// every family). `None`, the default, gives the connection the process's shared
    /// secondary drivers (see [`crate::driver::secondary`]).
    fn secondary_drivers(&self) -> Option<Secondary> {
        None
    }
}

/// A console or channel session served in process: its fd, holding its lease.
fn session_stream(c: super::Console) -> crate::api::Stream {
    let mut local = super::LocalStream::new(super::LocalSource::Fd(c.fd));
    local.lease = Some(c.lease);
    crate::api::Stream::local(local, None)
}
