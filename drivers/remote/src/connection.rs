//! [`RemoteConnection`]: the [`DriverConnection`] methods as REMOTE procedure calls.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rvirt_core::api::{DomainInfo, DomainState, ListFlags, NodeInfo, StateReason};
use rvirt_core::driver::{DomainRef, DriverConnection, OpenContext, Secondary};
use rvirt_core::uri::Uri;
use rvirt_core::{DomainEventId, Error, ErrorCode, ErrorDomain, Result, Uuid};
use rvirt_rpc::procs;
use rvirt_rpc::types::{
    AuthListRet, AuthPolkitRet, ConnectDomainEventCallbackDeregisterAnyArgs,
    ConnectDomainEventCallbackRegisterAnyArgs, ConnectDomainEventCallbackRegisterAnyRet,
    ConnectDomainEventRegisterAnyArgs, ConnectGetCapabilitiesRet, ConnectGetHostnameRet,
    ConnectGetTypeRet, ConnectListAllDomainsArgs, ConnectListAllDomainsRet, ConnectOpenArgs,
    ConnectSupportsFeatureArgs, ConnectSupportsFeatureRet, DomainArgs, DomainCreateXmlArgs,
    DomainDefineXmlArgs, DomainFlagsArgs, DomainGetAutostartRet, DomainGetInfoRet,
    DomainGetStateRet, DomainGetXmlDescRet, DomainIsPersistentRet, DomainLookupByIdArgs,
    DomainLookupByNameArgs, DomainLookupByUuidArgs, DomainRet, DomainSetAutostartArgs,
    NodeGetInfoRet, auth_type,
};

use crate::client::Client;
use crate::target::resolve;
use crate::wire::{to_ref, to_wire};

/// `VIR_DRV_FEATURE_PROGRAM_KEEPALIVE`.
const FEATURE_KEEPALIVE: i32 = 10;
/// `VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK`.
const FEATURE_EVENT_CALLBACK: i32 = 14;

/// How long closing waits for the daemon's CONNECT_CLOSE reply before it drops the
/// connection anyway.
const CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// One open connection to a daemon.
#[derive(Debug)]
pub struct RemoteConnection {
    client: Arc<Client>,
    hv_type: String,
    /// The server offers per-callback event registration (316/317/318).
    event_callbacks: bool,
    /// Client keepalive is possible: an event loop exists and the server supports it.
    keepalive: bool,
    /// Server-side registrations: event id → server callback id (legacy API: -1).
    registrations: Mutex<HashMap<i32, i32>>,
}

impl RemoteConnection {
    /// The RPC client.
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// Connects, authenticates and opens `uri` on the daemon, like libvirt's client.
    pub fn open(uri: &Uri, ctx: OpenContext) -> Result<RemoteConnection> {
        let runtime = std::env::var_os("XDG_RUNTIME_DIR").map(std::path::PathBuf::from);
        let target = resolve(
            uri,
            ctx.read_only,
            &|p: &Path| p.exists(),
            runtime.as_deref(),
        )?;
        let client = Client::connect(
            &target.endpoint,
            ctx.events,
            ctx.object_events,
            ctx.event_loop.clone(),
        )?;
        let auth: AuthListRet = client.call(procs::AUTH_LIST, &())?;
        authenticate(&client, &auth.types)?;
        // Asking makes the daemon PING us (the watch answers with PONG), so only ask when
        // an event loop exists, as libvirt's client does.
        let keepalive = ctx.event_loop.is_some() && supports(&client, FEATURE_KEEPALIVE);
        let open = ConnectOpenArgs {
            name: Some(target.remote_name),
            flags: u32::from(ctx.read_only),
        };
        client.call::<_, ()>(procs::CONNECT_OPEN, &open)?;
        let event_callbacks = supports(&client, FEATURE_EVENT_CALLBACK);
        let hv: ConnectGetTypeRet = client.call(procs::CONNECT_GET_TYPE, &())?;
        if keepalive {
            let (interval, count) = crate::keepalive::settings();
            client.set_keepalive(interval, count)?;
        }
        Ok(RemoteConnection {
            client,
            hv_type: hv.type_,
            event_callbacks,
            keepalive,
            registrations: Mutex::new(HashMap::new()),
        })
    }

    fn dom_call<R: serde::de::DeserializeOwned>(&self, proc_: i32, dom: &DomainRef) -> Result<R> {
        self.client.call(proc_, &DomainArgs { dom: to_wire(dom) })
    }

    pub(crate) fn dom_flags_call<R: serde::de::DeserializeOwned>(
        &self,
        proc_: i32,
        dom: &DomainRef,
        flags: u32,
    ) -> Result<R> {
        let args = DomainFlagsArgs {
            dom: to_wire(dom),
            flags,
        };
        self.client.call(proc_, &args)
    }
}

fn authenticate(client: &Client, types: &[i32]) -> Result<()> {
    if types.is_empty() || types.contains(&auth_type::NONE) {
        return Ok(());
    }
    if types.contains(&auth_type::POLKIT) {
        let r: AuthPolkitRet = client.call(procs::AUTH_POLKIT, &())?;
        if r.complete == 1 {
            return Ok(());
        }
    }
    Err(Error::new(
        ErrorCode::AuthFailed,
        ErrorDomain::Remote,
        format!("the server offers authentication types {types:?}; rvirt supports none and polkit"),
    ))
}

/// CONNECT_SUPPORTS_FEATURE; an error counts as "no", as in libvirt's client.
pub(crate) fn supports(client: &Client, feature: i32) -> bool {
    client
        .call::<_, ConnectSupportsFeatureRet>(
            procs::CONNECT_SUPPORTS_FEATURE,
            &ConnectSupportsFeatureArgs { feature },
        )
        .is_ok_and(|r| r.supported != 0)
}

/// A wire state and reason as the public API's; unknown reasons keep the state.
pub(crate) fn state_reason(state: i32, reason: i32) -> StateReason {
    StateReason::from_raw(state, reason)
        .or_else(|| StateReason::from_raw(state, 0))
        .unwrap_or(StateReason::NoState)
}

/// `virDomainGetInfo`'s reply as the public API's [`DomainInfo`].
pub(crate) fn domain_info(r: DomainGetInfoRet) -> DomainInfo {
    DomainInfo {
        state: DomainState::from_raw(i32::from(r.state)).unwrap_or(DomainState::NoState),
        max_mem_kib: r.max_mem,
        memory_kib: r.memory,
        nr_virt_cpu: u32::from(r.nr_virt_cpu),
        cpu_time_ns: r.cpu_time,
    }
}

impl DriverConnection for RemoteConnection {
    fn hypervisor_type(&self) -> &str {
        &self.hv_type
    }

    fn hostname(&self) -> Result<String> {
        let r: ConnectGetHostnameRet = self.client.call(procs::CONNECT_GET_HOSTNAME, &())?;
        Ok(r.hostname)
    }

    fn node_info(&self) -> Result<NodeInfo> {
        let r: NodeGetInfoRet = self.client.call(procs::NODE_GET_INFO, &())?;
        let n = |v: i32| u32::try_from(v).unwrap_or(0);
        Ok(NodeInfo {
            model: r.model_string(),
            memory_kib: r.memory,
            cpus: n(r.cpus),
            mhz: n(r.mhz),
            nodes: n(r.nodes),
            sockets: n(r.sockets),
            cores: n(r.cores),
            threads: n(r.threads),
        })
    }

    fn capabilities(&self) -> Result<String> {
        let r: ConnectGetCapabilitiesRet =
            self.client.call(procs::CONNECT_GET_CAPABILITIES, &())?;
        Ok(r.capabilities)
    }

    fn list_all_domains(&self, flags: ListFlags) -> Result<Vec<DomainRef>> {
        let args = ConnectListAllDomainsArgs {
            need_results: 1,
            flags: flags.0,
        };
        let r: ConnectListAllDomainsRet =
            self.client.call(procs::CONNECT_LIST_ALL_DOMAINS, &args)?;
        Ok(r.domains.into_iter().map(to_ref).collect())
    }

    fn lookup_by_id(&self, id: u32) -> Result<DomainRef> {
        let id = i32::try_from(id).map_err(|_| {
            Error::invalid_arg(ErrorDomain::Remote, format!("id {id} is too large"))
        })?;
        let r: DomainRet = self
            .client
            .call(procs::DOMAIN_LOOKUP_BY_ID, &DomainLookupByIdArgs { id })?;
        Ok(to_ref(r.dom))
    }

    fn lookup_by_name(&self, name: &str) -> Result<DomainRef> {
        let args = DomainLookupByNameArgs { name: name.into() };
        let r: DomainRet = self.client.call(procs::DOMAIN_LOOKUP_BY_NAME, &args)?;
        Ok(to_ref(r.dom))
    }

    fn lookup_by_uuid(&self, uuid: &Uuid) -> Result<DomainRef> {
        let args = DomainLookupByUuidArgs {
            uuid: *uuid.as_bytes(),
        };
        let r: DomainRet = self.client.call(procs::DOMAIN_LOOKUP_BY_UUID, &args)?;
        Ok(to_ref(r.dom))
    }

    fn define_xml(&self, xml: &str) -> Result<DomainRef> {
        let args = DomainDefineXmlArgs { xml: xml.into() };
        let r: DomainRet = self.client.call(procs::DOMAIN_DEFINE_XML, &args)?;
        Ok(to_ref(r.dom))
    }

    fn create_xml(&self, xml: &str, flags: u32) -> Result<DomainRef> {
        let args = DomainCreateXmlArgs {
            xml_desc: xml.into(),
            flags,
        };
        let r: DomainRet = self.client.call(procs::DOMAIN_CREATE_XML, &args)?;
        Ok(to_ref(r.dom))
    }

    fn undefine(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        match self.dom_flags_call(procs::DOMAIN_UNDEFINE_FLAGS, dom, flags) {
            Err(e) if e.code() == ErrorCode::NoSupport && flags == 0 => {
                self.dom_call(procs::DOMAIN_UNDEFINE, dom)
            }
            r => r,
        }
    }

    fn create(&self, dom: &DomainRef, flags: u32) -> Result<DomainRef> {
        match self.dom_flags_call::<DomainRet>(procs::DOMAIN_CREATE_WITH_FLAGS, dom, flags) {
            Ok(r) => Ok(to_ref(r.dom)),
            Err(e) if e.code() == ErrorCode::NoSupport && flags == 0 => {
                // Old daemons: DOMAIN_CREATE returns nothing, so refresh the id by UUID.
                self.dom_call::<()>(procs::DOMAIN_CREATE, dom)?;
                self.lookup_by_uuid(&dom.uuid)
            }
            Err(e) => Err(e),
        }
    }

    fn destroy(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        if flags == 0 {
            self.dom_call(procs::DOMAIN_DESTROY, dom)
        } else {
            self.dom_flags_call(procs::DOMAIN_DESTROY_FLAGS, dom, flags)
        }
    }

    fn shutdown(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        if flags == 0 {
            self.dom_call(procs::DOMAIN_SHUTDOWN, dom)
        } else {
            self.dom_flags_call(procs::DOMAIN_SHUTDOWN_FLAGS, dom, flags)
        }
    }

    fn reboot(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        self.dom_flags_call(procs::DOMAIN_REBOOT, dom, flags)
    }

    fn suspend(&self, dom: &DomainRef) -> Result<()> {
        self.dom_call(procs::DOMAIN_SUSPEND, dom)
    }

    fn resume(&self, dom: &DomainRef) -> Result<()> {
        self.dom_call(procs::DOMAIN_RESUME, dom)
    }

    fn pm_wakeup(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        self.dom_flags_call(procs::DOMAIN_PM_WAKEUP, dom, flags)
    }

    fn reset(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        self.dom_flags_call(procs::DOMAIN_RESET, dom, flags)
    }

    fn inject_nmi(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        self.dom_flags_call(procs::DOMAIN_INJECT_NMI, dom, flags)
    }

    fn send_key(
        &self,
        dom: &DomainRef,
        codeset: u32,
        holdtime: u32,
        keycodes: &[u32],
        flags: u32,
    ) -> Result<()> {
        self.remote_send_key(dom, codeset, holdtime, keycodes, flags)
    }

    fn qemu_monitor_command(&self, dom: &DomainRef, cmd: &str, flags: u32) -> Result<String> {
        self.remote_qemu_monitor_command(dom, cmd, flags)
    }

    fn open_console_stream(
        &self,
        dom: &DomainRef,
        dev_name: Option<&str>,
        flags: u32,
    ) -> Result<rvirt_core::Stream> {
        crate::stream::open_console(&self.client, dom, dev_name, flags)
    }

    fn open_channel_stream(
        &self,
        dom: &DomainRef,
        name: Option<&str>,
        flags: u32,
    ) -> Result<rvirt_core::Stream> {
        crate::stream::open_channel(&self.client, dom, name, flags)
    }

    fn open_graphics_fd(
        &self,
        dom: &DomainRef,
        idx: u32,
        flags: u32,
    ) -> Result<std::os::fd::OwnedFd> {
        let args = rvirt_rpc::console::DomainOpenGraphicsFdArgs {
            dom: crate::wire::to_wire(dom),
            idx,
            flags,
        };
        let ((), fds) = self
            .client
            .call_with_fds(procs::DOMAIN_OPEN_GRAPHICS_FD, &args)?;
        fds.into_iter().next().ok_or_else(|| {
            Error::new(
                ErrorCode::Rpc,
                ErrorDomain::Rpc,
                "no file descriptor received",
            )
        })
    }

    fn screenshot_stream(
        &self,
        dom: &DomainRef,
        screen: u32,
        flags: u32,
    ) -> Result<(String, rvirt_core::Stream)> {
        crate::stream::screenshot(&self.client, dom, screen, flags)
    }

    fn set_guest_time(
        &self,
        dom: &DomainRef,
        seconds: i64,
        nseconds: u32,
        flags: u32,
    ) -> Result<()> {
        self.remote_set_time(dom, seconds, nseconds, flags)
    }

    fn fs_freeze(&self, dom: &DomainRef, mountpoints: &[String], flags: u32) -> Result<u32> {
        self.remote_fs_freeze_thaw(rvirt_rpc::procs::DOMAIN_FSFREEZE, dom, mountpoints, flags)
    }

    fn fs_thaw(&self, dom: &DomainRef, mountpoints: &[String], flags: u32) -> Result<u32> {
        self.remote_fs_freeze_thaw(rvirt_rpc::procs::DOMAIN_FSTHAW, dom, mountpoints, flags)
    }

    fn fs_trim(
        &self,
        dom: &DomainRef,
        mountpoint: Option<&str>,
        minimum: u64,
        flags: u32,
    ) -> Result<()> {
        let args = rvirt_rpc::control::DomainFstrimArgs {
            dom: crate::wire::to_wire(dom),
            mount_point: mountpoint.map(str::to_string),
            minimum,
            flags,
        };
        self.client.call(procs::DOMAIN_FSTRIM, &args)
    }

    fn send_process_signal(
        &self,
        dom: &DomainRef,
        pid: i64,
        signum: u32,
        flags: u32,
    ) -> Result<()> {
        let args = rvirt_rpc::control::DomainSendProcessSignalArgs {
            dom: crate::wire::to_wire(dom),
            pid_value: pid,
            signum,
            flags,
        };
        self.client.call(procs::DOMAIN_SEND_PROCESS_SIGNAL, &args)
    }

    fn is_updated(&self, dom: &DomainRef) -> Result<bool> {
        let r: rvirt_rpc::types::DomainIsUpdatedRet =
            self.dom_call(procs::DOMAIN_IS_UPDATED, dom)?;
        Ok(r.updated != 0)
    }

    fn sysinfo(&self, flags: u32) -> Result<String> {
        let args = rvirt_rpc::types::ConnectGetSysinfoArgs { flags };
        let r: rvirt_rpc::types::ConnectGetSysinfoRet =
            self.client.call(procs::CONNECT_GET_SYSINFO, &args)?;
        Ok(r.sysinfo)
    }

    fn cpu_model_names(&self, arch: &str, flags: u32) -> Result<Vec<String>> {
        let args = rvirt_rpc::monitoring::ConnectGetCpuModelNamesArgs {
            arch: arch.to_string(),
            need_results: 1,
            flags,
        };
        let r: rvirt_rpc::monitoring::ConnectGetCpuModelNamesRet = self
            .client
            .call(procs::CONNECT_GET_CPU_MODEL_NAMES, &args)?;
        Ok(r.models)
    }

    fn connect_max_vcpus(&self, virt_type: Option<&str>) -> Result<u32> {
        let args = rvirt_rpc::types::ConnectGetMaxVcpusArgs {
            r#type: virt_type.map(str::to_string),
        };
        let r: rvirt_rpc::types::ConnectGetMaxVcpusRet =
            self.client.call(procs::CONNECT_GET_MAX_VCPUS, &args)?;
        Ok(u32::try_from(r.max_vcpus).unwrap_or(0))
    }

    fn guest_info(
        &self,
        dom: &DomainRef,
        types: u32,
        flags: u32,
    ) -> Result<Vec<rvirt_core::api::TypedParam>> {
        self.remote_guest_info(dom, types, flags)
    }

    fn set_user_password(
        &self,
        dom: &DomainRef,
        user: &str,
        password: &str,
        flags: u32,
    ) -> Result<()> {
        self.remote_set_user_password(dom, user, password, flags)
    }

    fn agent_set_response_timeout(&self, dom: &DomainRef, timeout: i32, flags: u32) -> Result<()> {
        self.remote_agent_set_response_timeout(dom, timeout, flags)
    }

    fn pm_suspend_for_duration(
        &self,
        dom: &DomainRef,
        target: u32,
        duration: u64,
        flags: u32,
    ) -> Result<()> {
        self.remote_pm_suspend_for_duration(dom, target, duration, flags)
    }

    fn authorized_ssh_keys(&self, dom: &DomainRef, user: &str, flags: u32) -> Result<Vec<String>> {
        self.remote_authorized_ssh_keys(dom, user, flags)
    }

    fn set_authorized_ssh_keys(
        &self,
        dom: &DomainRef,
        user: &str,
        keys: &[String],
        flags: u32,
    ) -> Result<()> {
        self.remote_set_authorized_ssh_keys(dom, user, keys, flags)
    }

    fn guest_vcpus(&self, dom: &DomainRef, flags: u32) -> Result<Vec<rvirt_core::api::TypedParam>> {
        self.remote_guest_vcpus(dom, flags)
    }

    fn set_guest_vcpus(
        &self,
        dom: &DomainRef,
        cpumap: &str,
        online: bool,
        flags: u32,
    ) -> Result<()> {
        self.remote_set_guest_vcpus(dom, cpumap, online, flags)
    }

    fn qemu_agent_command(
        &self,
        dom: &DomainRef,
        cmd: &str,
        timeout: i32,
        flags: u32,
    ) -> Result<String> {
        self.remote_qemu_agent_command(dom, cmd, timeout, flags)
    }

    fn abort_job(&self, dom: &DomainRef) -> Result<()> {
        self.dom_call(procs::DOMAIN_ABORT_JOB, dom)
    }

    fn abort_job_flags(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        self.dom_flags_call(procs::DOMAIN_ABORT_JOB_FLAGS, dom, flags)
    }

    fn domain_xml_to_native(&self, format: &str, xml: &str, flags: u32) -> Result<String> {
        let args = rvirt_rpc::configuration::ConnectDomainXmlToNativeArgs {
            native_format: format.to_string(),
            domain_xml: xml.to_string(),
            flags,
        };
        let r: rvirt_rpc::configuration::ConnectDomainXmlToNativeRet = self
            .client
            .call(procs::CONNECT_DOMAIN_XML_TO_NATIVE, &args)?;
        Ok(r.native_config)
    }

    fn domain_info(&self, dom: &DomainRef) -> Result<DomainInfo> {
        let r: DomainGetInfoRet = self.dom_call(procs::DOMAIN_GET_INFO, dom)?;
        Ok(domain_info(r))
    }

    fn domain_state(&self, dom: &DomainRef) -> Result<StateReason> {
        let r: DomainGetStateRet = self.dom_flags_call(procs::DOMAIN_GET_STATE, dom, 0)?;
        Ok(state_reason(r.state, r.reason))
    }

    fn domain_xml(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        let r: DomainGetXmlDescRet = self.dom_flags_call(procs::DOMAIN_GET_XML_DESC, dom, flags)?;
        Ok(r.xml)
    }

    fn is_persistent(&self, dom: &DomainRef) -> Result<bool> {
        let r: DomainIsPersistentRet = self.dom_call(procs::DOMAIN_IS_PERSISTENT, dom)?;
        Ok(r.persistent != 0)
    }

    fn autostart(&self, dom: &DomainRef) -> Result<bool> {
        let r: DomainGetAutostartRet = self.dom_call(procs::DOMAIN_GET_AUTOSTART, dom)?;
        Ok(r.autostart != 0)
    }

    fn set_autostart(&self, dom: &DomainRef, autostart: bool) -> Result<()> {
        let args = DomainSetAutostartArgs {
            dom: to_wire(dom),
            autostart: i32::from(autostart),
        };
        self.client.call(procs::DOMAIN_SET_AUTOSTART, &args)
    }

    fn start_async(
        &self,
        op: rvirt_core::driver::AsyncOp,
        done: rvirt_core::driver::Completer,
    ) -> std::result::Result<(), rvirt_core::driver::Declined> {
        crate::async_calls::start(self.client(), op, done)
    }

    fn monitoring(&self) -> Option<&dyn rvirt_core::driver::Monitoring> {
        Some(self)
    }

    fn snapshots(&self) -> Option<&dyn rvirt_core::driver::Snapshots> {
        Some(self)
    }

    fn checkpoints(&self) -> Option<&dyn rvirt_core::driver::Checkpoints> {
        Some(self)
    }

    fn configuration(&self) -> Option<&dyn rvirt_core::driver::Configuration> {
        Some(self)
    }

    fn migration(&self) -> Option<&dyn rvirt_core::driver::Migration> {
        Some(self)
    }

    fn save_restore(&self) -> Option<&dyn rvirt_core::driver::SaveRestore> {
        Some(self)
    }

    fn event_interest(&self, id: DomainEventId, wanted: bool) -> Result<()> {
        let event_id = id.as_raw();
        let mut regs = self.registrations.lock().unwrap_or_else(|p| p.into_inner());
        if wanted {
            if regs.contains_key(&event_id) {
                return Ok(());
            }
            let cb = if self.event_callbacks {
                let args = ConnectDomainEventCallbackRegisterAnyArgs {
                    event_id,
                    dom: None,
                };
                let r: ConnectDomainEventCallbackRegisterAnyRet = self
                    .client
                    .call(procs::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, &args)?;
                r.callback_id
            } else {
                let args = ConnectDomainEventRegisterAnyArgs { event_id };
                self.client
                    .call::<_, ()>(procs::CONNECT_DOMAIN_EVENT_REGISTER_ANY, &args)?;
                -1
            };
            regs.insert(event_id, cb);
            return Ok(());
        }
        let Some(cb) = regs.remove(&event_id) else {
            return Ok(());
        };
        if self.client.is_dead() {
            return Ok(());
        }
        if self.event_callbacks {
            let args = ConnectDomainEventCallbackDeregisterAnyArgs { callback_id: cb };
            self.client
                .call(procs::CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, &args)
        } else {
            let args = ConnectDomainEventRegisterAnyArgs { event_id };
            self.client
                .call(procs::CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, &args)
        }
    }

    fn set_keepalive(&self, interval: std::time::Duration, count: u32) -> Result<bool> {
        if !self.keepalive {
            return Ok(false);
        }
        self.client.set_keepalive(interval, count)?;
        Ok(true)
    }

    fn secondary_drivers(&self) -> Option<Secondary> {
        Some(crate::objects::RemoteObjects::secondary(
            self.client.clone(),
        ))
    }

    fn close(&self) -> Result<()> {
        let r = if self.client.is_dead() {
            Ok(())
        } else {
            // Bounded: a stopped daemon must not hold the closing thread (possibly the
            // event loop's, when the last handle is dropped in async code) for ever.
            self.client
                .call_within::<_, ()>(procs::CONNECT_CLOSE, &(), Some(CLOSE_WAIT))
        };
        self.client.shutdown();
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rvirt_core::api::{RunningReason, ShutoffReason};

    #[test]
    fn unknown_reasons_keep_the_state() {
        assert_eq!(
            state_reason(1, 1),
            StateReason::Running(RunningReason::Booted)
        );
        assert_eq!(
            state_reason(5, 99),
            StateReason::Shutoff(ShutoffReason::Unknown)
        );
        assert_eq!(state_reason(42, 0), StateReason::NoState);
    }
}
