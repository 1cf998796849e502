//! [`Domain`]: a handle on one domain of a connection.

use std::fmt;

use uuid::Uuid;

use super::{Connect, DomainInfo, StateReason, Stream};
use crate::Result;
use crate::driver::DomainRef;

/// A domain handle (libvirt's `virDomainPtr`): the connection plus the domain's identity as
/// of the call that returned it. State is always asked from the driver.
#[derive(Clone)]
pub struct Domain {
    conn: Connect,
    r: DomainRef,
}

impl fmt::Debug for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Domain")
            .field("name", &self.r.name)
            .field("uuid", &self.r.uuid)
            .field("id", &self.r.id)
            .finish()
    }
}

impl Domain {
    pub(crate) fn from_ref(conn: Connect, r: DomainRef) -> Domain {
        Domain { conn, r }
    }

    /// The connection this handle belongs to.
    pub fn connect(&self) -> &Connect {
        &self.conn
    }

    /// Name.
    pub fn name(&self) -> &str {
        &self.r.name
    }

    /// UUID.
    pub fn uuid(&self) -> &Uuid {
        &self.r.uuid
    }

    /// UUID as libvirt prints it.
    pub fn uuid_string(&self) -> String {
        self.r.uuid.hyphenated().to_string()
    }

    /// Id while active when this handle was made (`None` = libvirt's -1).
    pub fn id(&self) -> Option<u32> {
        self.r.id
    }

    /// The driver-level identity.
    pub fn domain_ref(&self) -> &DomainRef {
        &self.r
    }

    /// The handle after `virDomainRename`.
    pub(crate) fn set_name(&mut self, name: &str) {
        self.r.name = name.to_string();
    }

    /// Starts a defined domain (`virDomainCreate`) and refreshes this handle's id.
    pub fn create(&mut self) -> Result<()> {
        self.create_with_flags(0)
    }

    /// [`Domain::create`] with `virDomainCreateFlags`.
    pub fn create_with_flags(&mut self, flags: u32) -> Result<()> {
        let driver = self.conn.driver_in("virDomainCreateWithFlags")?;
        self.conn.check_writable("virDomainCreateWithFlags")?;
        self.r = driver.create(&self.r, flags)?;
        Ok(())
    }

    /// Stops the domain now (`virDomainDestroy`).
    pub fn destroy(&self) -> Result<()> {
        self.destroy_with_flags(0)
    }

    /// [`Domain::destroy`] with `virDomainDestroyFlagsValues`.
    pub fn destroy_with_flags(&self, flags: u32) -> Result<()> {
        let driver = self.conn.driver_in("virDomainDestroyFlags")?;
        self.conn.check_writable("virDomainDestroyFlags")?;
        driver.destroy(&self.r, flags)
    }

    /// Asks the guest to shut down (`virDomainShutdown`).
    pub fn shutdown(&self) -> Result<()> {
        self.shutdown_with_flags(0)
    }

    /// [`Domain::shutdown`] with `virDomainShutdownFlagValues`.
    pub fn shutdown_with_flags(&self, flags: u32) -> Result<()> {
        let driver = self.conn.driver_in("virDomainShutdownFlags")?;
        self.conn.check_writable("virDomainShutdownFlags")?;
        driver.shutdown(&self.r, flags)
    }

    /// Asks the guest to reboot (`virDomainReboot`).
    pub fn reboot(&self, flags: u32) -> Result<()> {
        let driver = self.conn.driver_in("virDomainReboot")?;
        self.conn.check_writable("virDomainReboot")?;
        driver.reboot(&self.r, flags)
    }

    /// Pauses the domain (`virDomainSuspend`).
    pub fn suspend(&self) -> Result<()> {
        let driver = self.conn.driver_in("virDomainSuspend")?;
        self.conn.check_writable("virDomainSuspend")?;
        driver.suspend(&self.r)
    }

    /// Opens the domain's console `dev_name` (`virDomainOpenConsole`): a [`Stream`]
    /// of its character device, both ways (`flags`: [`CONSOLE_FORCE`](crate::driver::CONSOLE_FORCE)
    /// takes over an active session, which then hangs up). A read-write connection only.
    /// A daemon takes the local pty back with [`Stream::into_local`].
    pub fn open_console(&self, dev_name: Option<&str>, flags: u32) -> Result<Stream> {
        self.conn.check_writable("virDomainOpenConsole")?;
        let st = self
            .conn
            .driver()?
            .open_console_stream(&self.r, dev_name, flags)?;
        Ok(st.with_event_loop(self.conn.event_loop().cloned()))
    }

    /// Opens the domain's channel `name` (its alias or target name; `None`: the first)
    /// (`virDomainOpenChannel`): a [`Stream`] to the guest's port, both ways
    /// (`VIR_DOMAIN_CHANNEL_FORCE`, 1, takes over an active session). A read-write
    /// connection only.
    pub fn open_channel(&self, name: Option<&str>, flags: u32) -> Result<Stream> {
        self.conn.check_writable("virDomainOpenChannel")?;
        let st = self
            .conn
            .driver()?
            .open_channel_stream(&self.r, name, flags)?;
        Ok(st.with_event_loop(self.conn.event_loop().cloned()))
    }

    /// Passes `cmd` to the domain's QEMU monitor as is and returns QEMU's reply
    /// (`virDomainQemuMonitorCommand`, libvirt-qemu): a QMP command in JSON (the whole
    /// reply object comes back, an `error` member included), or with `flags` 1
    /// (`VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP`) an HMP command line and its output.
    /// QEMU domains only; a read-write connection only.
    pub fn qemu_monitor_command(&self, cmd: &str, flags: u32) -> Result<String> {
        self.conn.check_writable("virDomainQemuMonitorCommand")?;
        self.conn
            .driver()?
            .qemu_monitor_command(&self.r, cmd, flags)
    }

    /// Passes `cmd`, a JSON command object such as `{"execute":"guest-ping"}`, to the
    /// domain's QEMU guest agent and returns the agent's whole reply object as text
    /// (`virDomainQemuAgentCommand`, libvirt-qemu). `timeout` is in seconds, or -2
    /// (`VIR_DOMAIN_QEMU_AGENT_COMMAND_BLOCK`), -1 (`_DEFAULT`, 5 s) or 0 (`_NOWAIT`).
    /// QEMU domains only; a read-write connection only.
    pub fn qemu_agent_command(&self, cmd: &str, timeout: i32, flags: u32) -> Result<String> {
        self.conn.check_writable("virDomainQemuAgentCommand")?;
        self.conn
            .driver()?
            .qemu_agent_command(&self.r, cmd, timeout, flags)
    }

    /// Sets the guest's clock to `seconds` and `nseconds` since the epoch, or with
    /// `VIR_DOMAIN_TIME_SYNC` (1) from its RTC (`virDomainSetTime`; the QEMU guest
    /// agent). A read-write connection only.
    pub fn set_time(&self, seconds: i64, nseconds: u32, flags: u32) -> Result<()> {
        self.conn.check_writable("virDomainSetTime")?;
        self.conn
            .driver()?
            .set_guest_time(&self.r, seconds, nseconds, flags)
    }

    /// Freezes the guest's file systems at `mountpoints` (all when empty); returns how
    /// many (`virDomainFSFreeze`; the QEMU guest agent). A read-write connection only.
    pub fn fs_freeze(&self, mountpoints: &[String], flags: u32) -> Result<u32> {
        self.conn.check_writable("virDomainFSFreeze")?;
        self.conn.driver()?.fs_freeze(&self.r, mountpoints, flags)
    }

    /// Thaws the guest's frozen file systems; returns how many (`virDomainFSThaw`). A
    /// read-write connection only.
    pub fn fs_thaw(&self, mountpoints: &[String], flags: u32) -> Result<u32> {
        self.conn.check_writable("virDomainFSThaw")?;
        self.conn.driver()?.fs_thaw(&self.r, mountpoints, flags)
    }

    /// Discards the unused blocks of the guest's file system at `mountpoint` (every one
    /// when `None`), ranges shorter than `minimum` bytes possibly left
    /// (`virDomainFSTrim`). A read-write connection only.
    pub fn fs_trim(&self, mountpoint: Option<&str>, minimum: u64, flags: u32) -> Result<()> {
        self.conn.check_writable("virDomainFSTrim")?;
        self.conn
            .driver()?
            .fs_trim(&self.r, mountpoint, minimum, flags)
    }

    /// Sends signal `signum` (`virDomainProcessSignal`, libvirt's numbering) to process
    /// `pid` in the guest (`virDomainSendProcessSignal`). A read-write connection only.
    pub fn send_process_signal(&self, pid: i64, signum: u32, flags: u32) -> Result<()> {
        self.conn.check_writable("virDomainSendProcessSignal")?;
        self.conn
            .driver()?
            .send_process_signal(&self.r, pid, signum, flags)
    }

    /// Whether the running domain's persistent definition changed since it started
    /// (`virDomainIsUpdated`).
    pub fn is_updated(&self) -> Result<bool> {
        self.conn.driver()?.is_updated(&self.r)
    }

    /// What the guest agent tells of the guest (`virDomainGetGuestInfo`): the groups
    /// `types` selects (`VIR_DOMAIN_GUEST_INFO_USERS` 1, `_OS` 2, `_TIMEZONE` 4,
    /// `_HOSTNAME` 8, `_FILESYSTEM` 16; 0: all) as typed parameters. A read-write
    /// connection only.
    pub fn guest_info(&self, types: u32, flags: u32) -> Result<Vec<crate::api::TypedParam>> {
        self.conn.check_writable("virDomainGetGuestInfo")?;
        self.conn.driver()?.guest_info(&self.r, types, flags)
    }

    /// How long the domain's guest-agent commands wait for their reply
    /// (`virDomainAgentSetResponseTimeout`): `timeout` seconds, or
    /// `VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK` (-2), `_DEFAULT` (-1), `_NOWAIT` (0).
    /// A read-write connection only.
    pub fn agent_set_response_timeout(&self, timeout: i32, flags: u32) -> Result<()> {
        self.conn
            .check_writable("virDomainAgentSetResponseTimeout")?;
        self.conn
            .driver()?
            .agent_set_response_timeout(&self.r, timeout, flags)
    }

    /// Sets `user`'s password in the guest (`virDomainSetUserPassword`; the QEMU guest
    /// agent); with `VIR_DOMAIN_PASSWORD_ENCRYPTED` (1) `password` is already crypted.
    /// A read-write connection only.
    pub fn set_user_password(&self, user: &str, password: &str, flags: u32) -> Result<()> {
        self.conn.check_writable("virDomainSetUserPassword")?;
        self.conn
            .driver()?
            .set_user_password(&self.r, user, password, flags)
    }

    /// The guest's vCPUs as its agent sees them (`virDomainGetGuestVcpus`): CPU lists
    /// `vcpus`, `online` and `offlinable`. A read-write connection only.
    pub fn guest_vcpus(&self, flags: u32) -> Result<Vec<super::TypedParam>> {
        self.conn.check_writable("virDomainGetGuestVcpus")?;
        self.conn.driver()?.guest_vcpus(&self.r, flags)
    }

    /// Brings the guest's vCPUs of the CPU list `cpumap` online (`state` 1) or offline
    /// (0) through its agent (`virDomainSetGuestVcpus`). A read-write connection only.
    pub fn set_guest_vcpus(&self, cpumap: &str, state: i32, flags: u32) -> Result<()> {
        self.conn.check_writable("virDomainSetGuestVcpus")?;
        self.conn
            .driver()?
            .set_guest_vcpus(&self.r, cpumap, state != 0, flags)
    }

    /// Makes the guest suspend itself to RAM (`target` 0), disk (1) or both (2)
    /// (`virDomainPMSuspendForDuration`; `duration` 0: until woken with
    /// [`pm_wakeup`](Self::pm_wakeup)). A read-write connection only.
    pub fn pm_suspend_for_duration(&self, target: u32, duration: u64, flags: u32) -> Result<()> {
        self.conn.check_writable("virDomainPMSuspendForDuration")?;
        self.conn
            .driver()?
            .pm_suspend_for_duration(&self.r, target, duration, flags)
    }

    /// Guest user `user`'s authorized SSH keys (`virDomainAuthorizedSSHKeysGet`; the
    /// QEMU guest agent). A read-write connection only.
    pub fn authorized_ssh_keys(&self, user: &str, flags: u32) -> Result<Vec<String>> {
        self.conn.check_writable("virDomainAuthorizedSSHKeysGet")?;
        self.conn
            .driver()?
            .authorized_ssh_keys(&self.r, user, flags)
    }

    /// Replaces `user`'s authorized SSH keys with `keys`, or adds them
    /// (`VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND`, 1), or removes them (`_REMOVE`, 2)
    /// (`virDomainAuthorizedSSHKeysSet`). A read-write connection only.
    pub fn set_authorized_ssh_keys(&self, user: &str, keys: &[String], flags: u32) -> Result<()> {
        self.conn.check_writable("virDomainAuthorizedSSHKeysSet")?;
        if flags & 3 == 3 {
            return Err(crate::Error::invalid_arg(
                crate::ErrorDomain::Domain,
                "Flags 'VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND' and \
                 'VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_REMOVE' are mutually exclusive",
            ));
        }
        self.conn
            .driver()?
            .set_authorized_ssh_keys(&self.r, user, keys, flags)
    }

    /// An image of the domain's screen `screen` (`virDomainScreenshot`): its MIME type
    /// (QEMU's `image/x-portable-pixmap` or `image/png`) and a [`Stream`] of its bytes.
    /// A read-write connection only.
    pub fn screenshot(&self, screen: u32, flags: u32) -> Result<(String, Stream)> {
        self.conn.check_writable("virDomainScreenshot")?;
        let (mime, st) = self
            .conn
            .driver()?
            .screenshot_stream(&self.r, screen, flags)?;
        Ok((mime, st.with_event_loop(self.conn.event_loop().cloned())))
    }

    /// Resets the running guest at once, without asking it (`virDomainReset`).
    pub fn reset(&self, flags: u32) -> Result<()> {
        let driver = self.conn.driver_in("virDomainReset")?;
        self.conn.check_writable("virDomainReset")?;
        driver.reset(&self.r, flags)
    }

    /// Sends the running guest a non-maskable interrupt (`virDomainInjectNMI`).
    pub fn inject_nmi(&self, flags: u32) -> Result<()> {
        let driver = self.conn.driver_in("virDomainInjectNMI")?;
        self.conn.check_writable("virDomainInjectNMI")?;
        driver.inject_nmi(&self.r, flags)
    }

    /// Presses `keycodes` of `codeset` (`virKeycodeSet`: 0 linux, 1 xt, 2 atset1, …)
    /// together for `holdtime` ms, then releases them (`virDomainSendKey`).
    pub fn send_key(
        &self,
        codeset: u32,
        holdtime: u32,
        keycodes: &[u32],
        flags: u32,
    ) -> Result<()> {
        let driver = self.conn.driver_in("virDomainSendKey")?;
        self.conn.check_writable("virDomainSendKey")?;
        driver.send_key(&self.r, codeset, holdtime, keycodes, flags)
    }

    /// Cancels the domain's background job (`virDomainAbortJob`).
    pub fn abort_job(&self) -> Result<()> {
        let driver = self.conn.driver_in("virDomainAbortJob")?;
        self.conn.check_writable("virDomainAbortJob")?;
        driver.abort_job(&self.r)
    }

    /// [`Self::abort_job`] with flags (`virDomainAbortJobFlags`;
    /// `VIR_DOMAIN_ABORT_JOB_POSTCOPY` 1).
    pub fn abort_job_flags(&self, flags: u32) -> Result<()> {
        let driver = self.conn.driver_in("virDomainAbortJobFlags")?;
        self.conn.check_writable("virDomainAbortJobFlags")?;
        driver.abort_job_flags(&self.r, flags)
    }

    /// A socket connected to the graphics server of the domain's `idx`-th `<graphics>`
    /// device (`virDomainOpenGraphicsFD`). A read-write connection only.
    pub fn open_graphics_fd(&self, idx: u32, flags: u32) -> Result<std::os::fd::OwnedFd> {
        self.conn.check_writable("virDomainOpenGraphicsFD")?;
        self.conn.driver()?.open_graphics_fd(&self.r, idx, flags)
    }

    /// Resumes a paused domain (`virDomainResume`).
    pub fn resume(&self) -> Result<()> {
        let driver = self.conn.driver_in("virDomainResume")?;
        self.conn.check_writable("virDomainResume")?;
        driver.resume(&self.r)
    }

    /// Wakes a guest the guest itself suspended to RAM (`virDomainPMWakeup`); `flags`
    /// must be 0.
    pub fn pm_wakeup(&self, flags: u32) -> Result<()> {
        let driver = self.conn.driver_in("virDomainPMWakeup")?;
        self.conn.check_writable("virDomainPMWakeup")?;
        driver.pm_wakeup(&self.r, flags)
    }

    /// Removes the persistent definition (`virDomainUndefine`).
    pub fn undefine(&self) -> Result<()> {
        self.undefine_with_flags(0)
    }

    /// [`Domain::undefine`] with `virDomainUndefineFlagsValues`.
    pub fn undefine_with_flags(&self, flags: u32) -> Result<()> {
        let driver = self.conn.driver_in("virDomainUndefineFlags")?;
        self.conn.check_writable("virDomainUndefineFlags")?;
        driver.undefine(&self.r, flags)
    }

    /// Resource summary (`virDomainGetInfo`).
    pub fn info(&self) -> Result<DomainInfo> {
        self.conn
            .driver_in("virDomainGetInfo")?
            .domain_info(&self.r)
    }

    /// State and reason (`virDomainGetState`).
    pub fn state(&self) -> Result<StateReason> {
        self.conn
            .driver_in("virDomainGetState")?
            .domain_state(&self.r)
    }

    /// True while running, paused, … (`virDomainIsActive`).
    pub fn is_active(&self) -> Result<bool> {
        Ok(self.state()?.state().is_active())
    }

    /// True when a persistent definition exists.
    pub fn is_persistent(&self) -> Result<bool> {
        self.conn
            .driver_in("virDomainIsPersistent")?
            .is_persistent(&self.r)
    }

    /// Domain XML (`virDomainGetXMLDesc`).
    ///
    /// Secrets (graphics passwords) are included only with [`XmlFlags::SECURE`], which a
    /// read-only connection is refused (`VIR_ERR_OPERATION_DENIED`, as libvirt).
    ///
    /// [`XmlFlags::SECURE`]: crate::api::XmlFlags::SECURE
    pub fn xml_desc(&self, flags: u32) -> Result<String> {
        if flags & crate::api::XmlFlags::SECURE != 0 && self.conn.is_read_only() {
            return Err(crate::Error::new(
                crate::ErrorCode::OperationDenied,
                crate::ErrorDomain::Domain,
                "operation forbidden: virDomainGetXMLDesc with secure flag",
            ));
        }
        self.conn
            .driver_in("virDomainGetXMLDesc")?
            .domain_xml(&self.r, flags)
    }

    /// Whether the domain starts automatically.
    pub fn autostart(&self) -> Result<bool> {
        self.conn
            .driver_in("virDomainGetAutostart")?
            .autostart(&self.r)
    }

    /// Sets autostart.
    pub fn set_autostart(&self, autostart: bool) -> Result<()> {
        let driver = self.conn.driver_in("virDomainSetAutostart")?;
        self.conn.check_writable("virDomainSetAutostart")?;
        driver.set_autostart(&self.r, autostart)
    }
}
