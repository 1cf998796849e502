//! [`TestConnection`]: one open `test:///` connection.

use std::path::Path;
use std::sync::Arc;

use rvirt_core::api::{DomainInfo, ListFlags, NodeInfo, StateReason};
use rvirt_core::conf::DomainDef;
use rvirt_core::driver::{DomainRef, DriverConnection, EventSink, format_domain_xml};
use rvirt_core::uri::Uri;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, Uuid};

use crate::capabilities::capabilities_xml;
use crate::errors::{self, check_flags, conf_error};
use crate::inventory::{HostInterface, Network, StoragePool};
use crate::node_file;
use crate::ops;
use crate::shared::Shared;
use crate::state::World;

/// `VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_MIGRATABLE`.
const XML_FLAGS: u32 = 1 | 2 | 8;
/// Every `virConnectListAllDomainsFlags` bit.
const LIST_FLAGS: u32 = (1 << 16) - 1;

/// A connection to a test world: the shared `test:///default` one or a fresh world loaded
/// from a node file. Implements [`DriverConnection`]; the inherent methods expose the
/// world's read-only networks, storage pools and host interfaces.
#[derive(Debug)]
pub struct TestConnection {
    shared: Arc<Shared>,
}

/// Parses and completes a definition (outside any lock).
fn parse_def(xml: &str) -> Result<DomainDef> {
    let mut def = DomainDef::from_xml(xml).map_err(|e| conf_error(&e))?;
    def.fill_defaults();
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
    /// Opens `test:///default` (shared, process-wide) or `test:///ABSOLUTE/PATH.xml` (a
    /// fresh world per call). Events go to `events`.
    pub fn open(uri: &Uri, events: EventSink) -> Result<TestConnection> {
        let path = uri.path();
        let shared = if path == "/default" {
            Shared::default_world()
        } else if path.len() > 1 && path.starts_with('/') {
            Shared::new(node_file::load(Path::new(path))?)
        } else {
            return Err(Error::new(
                ErrorCode::InvalidArg,
                ErrorDomain::Test,
                "supply an absolute path to a node file or use test:///default",
            ));
        };
        shared.add_sink(events);
        Ok(TestConnection { shared })
    }

    fn read<T>(&self, f: impl FnOnce(&World) -> Result<T>) -> Result<T> {
        f(&self.shared.read())
    }
}

impl DriverConnection for TestConnection {
    fn hypervisor_type(&self) -> &str {
        "TEST"
    }

    fn list_networks(&self) -> Result<Vec<Network>> {
        Ok(self.shared.read().inventory.networks.clone())
    }

    fn lookup_network_by_name(&self, name: &str) -> Result<Network> {
        self.shared.read().inventory.network(name)
    }

    fn list_storage_pools(&self) -> Result<Vec<StoragePool>> {
        Ok(self.shared.read().inventory.pools.clone())
    }

    fn lookup_storage_pool_by_name(&self, name: &str) -> Result<StoragePool> {
        self.shared.read().inventory.pool(name)
    }

    fn list_interfaces(&self) -> Result<Vec<HostInterface>> {
        Ok(self.shared.read().inventory.interfaces.clone())
    }

    fn lookup_interface_by_name(&self, name: &str) -> Result<HostInterface> {
        self.shared.read().inventory.interface(name)
    }

    fn hostname(&self) -> Result<String> {
        Ok(host_name())
    }

    fn node_info(&self) -> Result<NodeInfo> {
        Ok(self.shared.read().node.clone())
    }

    fn capabilities(&self) -> Result<String> {
        let node = self.shared.read().node.clone();
        Ok(capabilities_xml(&node))
    }

    fn list_all_domains(&self, flags: ListFlags) -> Result<Vec<DomainRef>> {
        check_flags(flags.0, LIST_FLAGS, "list_all_domains")?;
        self.read(|w| {
            Ok(w.iter()
                .filter(|o| flags.accepts(o.state.state(), o.persistent, o.autostart))
                .map(|o| o.to_ref())
                .collect())
        })
    }

    fn lookup_by_id(&self, id: u32) -> Result<DomainRef> {
        self.read(|w| {
            w.uuid_of_id(id)
                .and_then(|u| w.get(&u))
                .map(|o| o.to_ref())
                .ok_or_else(|| errors::no_domain(format_args!("id {id}")))
        })
    }

    fn lookup_by_name(&self, name: &str) -> Result<DomainRef> {
        self.read(|w| {
            w.uuid_of_name(name)
                .and_then(|u| w.get(&u))
                .map(|o| o.to_ref())
                .ok_or_else(|| errors::no_domain(format_args!("name '{name}'")))
        })
    }

    fn lookup_by_uuid(&self, uuid: &Uuid) -> Result<DomainRef> {
        self.read(|w| {
            w.get(uuid)
                .map(|o| o.to_ref())
                .ok_or_else(|| errors::no_domain(format_args!("uuid '{}'", uuid.hyphenated())))
        })
    }

    fn define_xml(&self, xml: &str) -> Result<DomainRef> {
        let def = parse_def(xml)?;
        self.shared.mutate(|w, ev| ops::define(w, ev, def))
    }

    fn create_xml(&self, xml: &str, flags: u32) -> Result<DomainRef> {
        // VIR_DOMAIN_START_VALIDATE is the only flag libvirt's test driver takes.
        check_flags(flags, 16, "create_xml")?;
        let def = parse_def(xml)?;
        self.shared.mutate(|w, ev| ops::create_xml(w, ev, def))
    }

    fn undefine(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        // VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA.
        check_flags(flags, 1 | 2, "undefine")?;
        self.shared.mutate(|w, ev| ops::undefine(w, ev, dom))
    }

    fn create(&self, dom: &DomainRef, flags: u32) -> Result<DomainRef> {
        check_flags(flags, 0, "create")?;
        self.shared.mutate(|w, ev| ops::start(w, ev, dom))
    }

    fn destroy(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        // VIR_DOMAIN_DESTROY_GRACEFUL.
        check_flags(flags, 1, "destroy")?;
        self.shared.mutate(|w, ev| ops::destroy(w, ev, dom))
    }

    fn shutdown(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0, "shutdown")?;
        self.shared.mutate(|w, ev| ops::shutdown(w, ev, dom))
    }

    fn reboot(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        // Every virDomainRebootFlagValues method (ACPI … PARAVIRT).
        check_flags(flags, 0x1f, "reboot")?;
        self.shared.mutate(|w, ev| ops::reboot(w, ev, dom))
    }

    fn suspend(&self, dom: &DomainRef) -> Result<()> {
        self.shared.mutate(|w, ev| ops::suspend(w, ev, dom))
    }

    fn resume(&self, dom: &DomainRef) -> Result<()> {
        self.shared.mutate(|w, ev| ops::resume(w, ev, dom))
    }

    fn domain_info(&self, dom: &DomainRef) -> Result<DomainInfo> {
        self.read(|w| {
            let o = w.by_ref(dom)?;
            Ok(DomainInfo {
                state: o.state.state(),
                max_mem_kib: o.def.memory_kib(),
                memory_kib: o.def.current_memory_kib(),
                nr_virt_cpu: o.def.current_vcpus(),
                cpu_time_ns: o.started.map_or(0, |t| {
                    u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX)
                }),
            })
        })
    }

    fn domain_state(&self, dom: &DomainRef) -> Result<StateReason> {
        self.read(|w| Ok(w.by_ref(dom)?.state))
    }

    fn domain_xml(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        check_flags(flags, XML_FLAGS, "domain_xml")?;
        self.read(|w| {
            let o = w.by_ref(dom)?;
            format_domain_xml(&o.def, o.next_def.as_ref(), o.id, flags)
        })
    }

    fn is_persistent(&self, dom: &DomainRef) -> Result<bool> {
        self.read(|w| Ok(w.by_ref(dom)?.persistent))
    }

    fn autostart(&self, dom: &DomainRef) -> Result<bool> {
        self.read(|w| Ok(w.by_ref(dom)?.autostart))
    }

    fn set_autostart(&self, dom: &DomainRef, autostart: bool) -> Result<()> {
        self.shared
            .mutate(|w, _| ops::set_autostart(w, dom, autostart))
    }

    fn close(&self) -> Result<()> {
        self.shared.prune_sinks();
        Ok(())
    }
}
