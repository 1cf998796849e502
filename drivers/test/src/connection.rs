//! [`TestConnection`]: one open `test:///` connection.

use std::path::Path;
use std::sync::Arc;

use rvirt_core::api::{DomainInfo, ListFlags, NodeInfo, StateReason};
use rvirt_core::conf::{Defaults, DomainDef};
use rvirt_core::driver::{DomainRef, DriverConnection, EventSink, ObjectEventSink, Secondary};
use rvirt_core::uri::Uri;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, Uuid};

use crate::capabilities::capabilities_xml;
use crate::errors::{check_flags, conf_error};
use crate::guest_control;
use crate::node_file;
use crate::objects::TestObjects;
use crate::ops;
use crate::shared::default_world;
use crate::state::World;

/// `VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_MIGRATABLE`.
const XML_FLAGS: u32 = 1 | 2 | 8;
/// Every `virConnectListAllDomainsFlags` bit.
const LIST_FLAGS: u32 = (1 << 16) - 1;

/// A connection to a test world: the shared `test:///default` one or a fresh world loaded
/// from a node file. Implements [`DriverConnection`]; its secondary drivers are the
/// world's networks, storage pools, node devices and host interfaces.
#[derive(Debug)]
pub struct TestConnection {
    world: Arc<World>,
}

/// Parses and completes a definition (outside any lock).
pub(crate) fn parse_def(xml: &str) -> Result<DomainDef> {
    let mut def = DomainDef::from_xml(xml).map_err(|e| conf_error(&e))?;
    def.prepare_define(&Defaults::test_driver())
        .map_err(|e| conf_error(&e))?;
    Ok(def)
}

/// The host name, as the kernel reports it.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

impl TestConnection {
    /// The world this connection opened.
    pub(crate) fn world(&self) -> &World {
        &self.world
    }

    /// Opens `test:///default` (shared, process-wide) or `test:///ABSOLUTE/PATH.xml` (a
    /// fresh world per call). Domain events go to `events`, network, pool and node
    /// device events to `objects`.
    pub fn open(uri: &Uri, events: EventSink, objects: ObjectEventSink) -> Result<TestConnection> {
        let path = uri.path();
        let world = if path == "/default" {
            default_world()
        } else if path.len() > 1 && path.starts_with('/') {
            Arc::new(node_file::load(Path::new(path))?)
        } else {
            return Err(Error::new(
                ErrorCode::InvalidArg,
                ErrorDomain::Test,
                "supply an absolute path to a node file or use test:///default",
            ));
        };
        world.add_sink(events, objects);
        Ok(TestConnection { world })
    }
}

impl DriverConnection for TestConnection {
    fn hypervisor_type(&self) -> &str {
        "TEST"
    }

    fn hostname(&self) -> Result<String> {
        Ok(host_name())
    }

    fn node_info(&self) -> Result<NodeInfo> {
        Ok(self.world.node.clone())
    }

    fn capabilities(&self) -> Result<String> {
        Ok(capabilities_xml(&self.world.node))
    }

    fn list_all_domains(&self, flags: ListFlags) -> Result<Vec<DomainRef>> {
        check_flags(flags.0, LIST_FLAGS, "list_all_domains")?;
        Ok(self.world.domains.list(flags))
    }

    fn lookup_by_id(&self, id: u32) -> Result<DomainRef> {
        self.world.domains.lookup_by_id(id)
    }

    fn lookup_by_name(&self, name: &str) -> Result<DomainRef> {
        self.world.domains.lookup_by_name(name)
    }

    fn lookup_by_uuid(&self, uuid: &Uuid) -> Result<DomainRef> {
        self.world.domains.lookup_by_uuid(uuid)
    }

    fn define_xml(&self, xml: &str) -> Result<DomainRef> {
        self.world.domains.define(parse_def(xml)?)
    }

    fn create_xml(&self, xml: &str, flags: u32) -> Result<DomainRef> {
        // VIR_DOMAIN_START_VALIDATE is the only flag libvirt's test driver takes.
        check_flags(flags, 16, "create_xml")?;
        ops::create_xml(&self.world, parse_def(xml)?)
    }

    fn undefine(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        // VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA.
        check_flags(flags, 1 | 2, "undefine")?;
        let (snapshots, managed_save) = self.world.domains.read(dom, |o| {
            Ok(((!o.is_active()).then(|| o.snapshots.len()), o.managed_save))
        })?;
        if managed_save && flags & 1 == 0 {
            return Err(Error::operation_invalid(
                ErrorDomain::Test,
                "Refusing to undefine while domain managed save image exists",
            ));
        }
        if let Some(n) = snapshots.filter(|&n| n > 0)
            && flags & 2 == 0
        {
            return Err(Error::operation_invalid(
                ErrorDomain::Test,
                format!("cannot delete inactive domain with {n} snapshots"),
            ));
        }
        self.world.domains.undefine(dom)
    }

    fn create(&self, dom: &DomainRef, flags: u32) -> Result<DomainRef> {
        check_flags(flags, 0, "create")?;
        ops::start(&self.world, dom)
    }

    fn destroy(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        // VIR_DOMAIN_DESTROY_GRACEFUL.
        check_flags(flags, 1, "destroy")?;
        ops::destroy(&self.world, dom)
    }

    fn shutdown(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0, "shutdown")?;
        ops::shutdown(&self.world, dom)
    }

    fn reboot(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        // Every virDomainRebootFlagValues method (ACPI … PARAVIRT).
        check_flags(flags, 0x1f, "reboot")?;
        ops::reboot(&self.world, dom)
    }

    fn suspend(&self, dom: &DomainRef) -> Result<()> {
        ops::suspend(&self.world, dom)
    }

    fn resume(&self, dom: &DomainRef) -> Result<()> {
        ops::resume(&self.world, dom)
    }

    fn inject_nmi(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        guest_control::inject_nmi(&self.world, dom, flags)
    }

    fn send_key(
        &self,
        dom: &DomainRef,
        codeset: u32,
        _holdtime: u32,
        keycodes: &[u32],
        flags: u32,
    ) -> Result<()> {
        guest_control::send_key(&self.world, dom, codeset, keycodes, flags)
    }

    fn set_guest_time(
        &self,
        dom: &DomainRef,
        seconds: i64,
        nseconds: u32,
        flags: u32,
    ) -> Result<()> {
        guest_control::set_time(&self.world, dom, seconds, nseconds, flags)
    }

    fn fs_freeze(&self, dom: &DomainRef, mountpoints: &[String], flags: u32) -> Result<u32> {
        guest_control::fs_freeze_thaw(&self.world, dom, mountpoints, flags, true)
    }

    fn fs_thaw(&self, dom: &DomainRef, mountpoints: &[String], flags: u32) -> Result<u32> {
        guest_control::fs_freeze_thaw(&self.world, dom, mountpoints, flags, false)
    }

    fn set_user_password(
        &self,
        dom: &DomainRef,
        _user: &str,
        _password: &str,
        flags: u32,
    ) -> Result<()> {
        guest_control::set_user_password(&self.world, dom, flags)
    }

    fn fs_trim(
        &self,
        dom: &DomainRef,
        mountpoint: Option<&str>,
        _minimum: u64,
        flags: u32,
    ) -> Result<()> {
        guest_control::fs_trim(&self.world, dom, mountpoint, flags)
    }

    fn send_process_signal(
        &self,
        dom: &DomainRef,
        pid: i64,
        signum: u32,
        flags: u32,
    ) -> Result<()> {
        guest_control::send_process_signal(&self.world, dom, pid, signum, flags)
    }

    fn is_updated(&self, dom: &DomainRef) -> Result<bool> {
        // libvirt's test driver never marks a definition updated.
        self.world.domains.read(dom, |_| Ok(false))
    }

    fn sysinfo(&self, flags: u32) -> Result<String> {
        guest_control::sysinfo(flags)
    }

    fn cpu_model_names(&self, arch: &str, flags: u32) -> Result<Vec<String>> {
        crate::errors::check_flags(flags, 0, "testConnectGetCPUModelNames")?;
        rvirt_core::objects::cpu_model_names(arch, ErrorDomain::Test)
    }

    fn connect_max_vcpus(&self, _virt_type: Option<&str>) -> Result<u32> {
        // 32 whatever the type, as libvirt's test driver answers.
        Ok(crate::configuration::MAX_VCPUS)
    }

    fn domain_info(&self, dom: &DomainRef) -> Result<DomainInfo> {
        self.world.domains.read(dom, |o| {
            let cpu = o.run.map_or(0, |r| {
                u64::try_from(r.started.elapsed().as_nanos()).unwrap_or(u64::MAX)
            });
            Ok(o.info(cpu))
        })
    }

    fn domain_state(&self, dom: &DomainRef) -> Result<StateReason> {
        self.world.domains.read(dom, |o| Ok(o.state))
    }

    fn domain_xml(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        check_flags(flags, XML_FLAGS, "domain_xml")?;
        self.world.domains.read(dom, |o| o.xml(flags))
    }

    fn is_persistent(&self, dom: &DomainRef) -> Result<bool> {
        self.world.domains.read(dom, |o| Ok(o.persistent))
    }

    fn autostart(&self, dom: &DomainRef) -> Result<bool> {
        self.world.domains.read(dom, |o| Ok(o.autostart))
    }

    fn set_autostart(&self, dom: &DomainRef, autostart: bool) -> Result<()> {
        self.world.domains.set_autostart(dom, autostart)
    }

    fn monitoring(&self) -> Option<&dyn rvirt_core::driver::Monitoring> {
        Some(self)
    }

    fn checkpoints(&self) -> Option<&dyn rvirt_core::driver::Checkpoints> {
        Some(self)
    }

    fn snapshots(&self) -> Option<&dyn rvirt_core::driver::Snapshots> {
        Some(self)
    }

    fn configuration(&self) -> Option<&dyn rvirt_core::driver::Configuration> {
        Some(self)
    }

    fn save_restore(&self) -> Option<&dyn rvirt_core::driver::SaveRestore> {
        Some(self)
    }

    fn close(&self) -> Result<()> {
        self.world.domains.fanout.prune();
        Ok(())
    }

    fn secondary_drivers(&self) -> Option<Secondary> {
        Some(TestObjects::secondary(self.world.clone()))
    }
}
