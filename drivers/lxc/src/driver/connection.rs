//! [`LxcConnection`]: the public operations of the driver on one root's instance.

use std::path::Path;
use std::sync::Arc;

use rvirt_core::api::{DomainInfo, ListFlags, StateReason};
use rvirt_core::conf::{Defaults, DomainDef};
use rvirt_core::driver::{DomainRef, DriverConnection, EventSink};
use rvirt_core::event::SharedLoop;
use rvirt_core::{Error, ErrorDomain, Result, Uuid};

use super::instance::{Shared, Vm, not_running, running};
use crate::process::signal;
use crate::xml::ContainerSpec;

/// One open connection to an LXC driver instance. Connections of a process to the same
/// root share the instance; each gets every domain event.
#[derive(Debug)]
pub struct LxcConnection {
    shared: Arc<Shared>,
}

/// Parses and completes a definition; it must be runnable by this driver.
pub(crate) fn parse_def(xml: &str) -> Result<DomainDef> {
    let mut def = DomainDef::from_xml(xml)?;
    def.prepare_define(&Defaults::lxc())?;
    ContainerSpec::from_def(&def)?;
    crate::xml::check_supported(&def)?;
    Ok(def)
}

/// Parses and completes a definition this driver stored, without the checks libvirt
/// skips for its own files (one stored before a check existed still loads).
pub(crate) fn parse_stored_def(xml: &str) -> Result<DomainDef> {
    let mut def = DomainDef::from_stored_xml(xml)?;
    def.prepare_stored(&Defaults::lxc())?;
    ContainerSpec::from_def(&def)?;
    crate::xml::check_supported(&def)?;
    Ok(def)
}

fn flags_unsupported(flags: u32, what: &str) -> Result<()> {
    if flags != 0 {
        return Err(Error::invalid_arg(
            ErrorDomain::Lxc,
            format!("unsupported flags (0x{flags:x}) in function {what}"),
        ));
    }
    Ok(())
}

/// CPU time of `pid` in ns (utime + stime from `/proc/PID/stat`).
fn cpu_time_ns(pid: u32) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    let Some(rest) = stat.rfind(')').and_then(|i| stat.get(i + 1..)) else {
        return 0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = [11, 12, 13, 14]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    // SAFETY: sysconf has no memory-safety preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    ticks.saturating_mul(1_000_000_000 / u64::try_from(hz).unwrap_or(100).max(1))
}

impl LxcConnection {
    /// Opens a connection to `root`'s instance: the one this process already runs, or
    /// a new one. A new instance watches monitors on `event_loop`.
    pub fn open(root: &Path, event_loop: SharedLoop, events: EventSink) -> Result<Self> {
        let shared = super::DRIVER.acquire(root, event_loop)?;
        Ok(LxcConnection::on(shared, events))
    }

    /// A connection on `shared` (already held for it), whose events go to `events`.
    pub(crate) fn on(shared: Arc<Shared>, events: EventSink) -> LxcConnection {
        shared.domains.fanout.add(events);
        LxcConnection { shared }
    }

    /// The container init's host pid of a running domain (for tests and tools).
    pub fn init_pid(&self, dom: &DomainRef) -> Result<u32> {
        let e = self.shared.domains.list.get(dom)?;
        let mut vm = e.lock();
        running(&mut vm)?.init_pid.ok_or_else(not_running)
    }

    fn read<T>(&self, dom: &DomainRef, f: impl FnOnce(&Vm) -> Result<T>) -> Result<T> {
        self.shared.domains.read(dom, f)
    }
}

impl DriverConnection for LxcConnection {
    fn hypervisor_type(&self) -> &str {
        "LXC"
    }

    fn hypervisor_version(&self) -> Result<u64> {
        super::host::hypervisor_version()
    }

    fn node_info(&self) -> Result<rvirt_core::api::NodeInfo> {
        rvirt_core::host::nodeinfo::node_info()
    }

    fn capabilities(&self) -> Result<String> {
        super::host::capabilities()
    }

    fn monitoring(&self) -> Option<&dyn rvirt_core::driver::Monitoring> {
        Some(self)
    }

    fn sysinfo(&self, flags: u32) -> Result<String> {
        if flags != 0 {
            return Err(Error::invalid_arg(
                ErrorDomain::Lxc,
                format!("unsupported flags (0x{flags:x}) in function lxcConnectGetSysinfo"),
            ));
        }
        rvirt_core::sysinfo::host_sysinfo()
            .map(str::to_owned)
            .ok_or_else(|| {
                Error::new(
                    rvirt_core::ErrorCode::ConfigUnsupported,
                    ErrorDomain::Lxc,
                    "Host SMBIOS information is not available",
                )
            })
    }

    fn hostname(&self) -> Result<String> {
        Ok(std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|_| "localhost".into()))
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
        let def = parse_def(xml)?;
        self.shared.layout.check_name(&def.name)?;
        self.shared.domains.define(def)
    }

    fn create_xml(&self, xml: &str, flags: u32) -> Result<DomainRef> {
        flags_unsupported(flags, "create_xml")?;
        let s = &self.shared;
        s.domains.create_xml(parse_def(xml)?, |entry| {
            s.domains.change(entry, |vm, ev| s.start(entry, vm, ev))
        })
    }

    fn undefine(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        flags_unsupported(flags, "undefine")?;
        self.shared.domains.undefine(dom)
    }

    fn create(&self, dom: &DomainRef, flags: u32) -> Result<DomainRef> {
        flags_unsupported(flags, "create")?;
        let s = &self.shared;
        let entry = s.domains.list.get(dom)?;
        s.domains.change(&entry, |vm, ev| {
            s.start(&entry, vm, ev)?;
            Ok(vm.to_ref())
        })
    }

    fn destroy(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        flags_unsupported(flags, "destroy")?;
        let entry = self.shared.domains.list.get(dom)?;
        self.shared.destroy(&entry)
    }

    fn shutdown(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        flags_unsupported(flags, "shutdown")?;
        // SIGTERM to init; STOPPED/SHUTDOWN follows on the loop when it exits. An init
        // without a SIGTERM handler ignores it (the PID-namespace init rule).
        self.read(dom, |vm| {
            let init = vm
                .run
                .as_ref()
                .ok_or_else(not_running)?
                .init_pid
                .ok_or_else(not_running)?;
            signal(init, libc::SIGTERM);
            Ok(())
        })
    }

    fn domain_info(&self, dom: &DomainRef) -> Result<DomainInfo> {
        self.read(dom, |vm| {
            let cpu = vm
                .run
                .as_ref()
                .and_then(|r| r.init_pid)
                .map_or(0, cpu_time_ns);
            Ok(vm.info(cpu))
        })
    }

    fn domain_state(&self, dom: &DomainRef) -> Result<StateReason> {
        self.read(dom, |vm| Ok(vm.state))
    }

    fn domain_xml(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        self.read(dom, |vm| vm.xml(flags))
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

    fn close(&self) -> Result<()> {
        // Like libvirt's embedded driver, running containers outlive the instance: the
        // next instance on this root (this process or another) reconnects to them.
        self.shared.domains.fanout.prune();
        super::DRIVER.release(&self.shared);
        Ok(())
    }
}
