//! Connection-level host facts of an instance: the default binary's probed
//! capabilities (cached under `ROOT/cache/qemu/capabilities`), and from them the
//! hypervisor version, the capabilities and domain capabilities documents; node facts
//! from the host.

use std::path::Path;

use rvirt_core::Result;
use rvirt_core::api::NodeInfo;
use rvirt_core::driver::DomainCapsQuery;

use super::instance::Shared;
use crate::capabilities::QemuCaps;
use crate::capabilities::domcaps::domain_capabilities_xml;
use crate::capabilities::host_xml::capabilities_xml;
use crate::command_line::{DEFAULT_EMULATOR, I686_EMULATOR};
use crate::host::nodeinfo::node_info;

impl Shared {
    /// The probed capabilities of [`DEFAULT_EMULATOR`] (probing QEMU only when the
    /// cache has no valid entry).
    pub(crate) fn default_caps(&self) -> Result<QemuCaps> {
        self.caps.get(Path::new(DEFAULT_EMULATOR))
    }

    /// `virConnectGetVersion`: QEMU's `major * 1_000_000 + minor * 1000 + micro`.
    pub(crate) fn hypervisor_version(&self) -> Result<u64> {
        let v = self.default_caps()?.version;
        Ok(u64::from(v.major) * 1_000_000 + u64::from(v.minor) * 1000 + u64::from(v.micro))
    }

    /// `virNodeGetInfo`.
    pub(crate) fn node_info(&self) -> Result<NodeInfo> {
        node_info()
    }

    /// `virConnectGetCapabilities`.
    pub(crate) fn capabilities(&self) -> Result<String> {
        let caps = self.default_caps()?;
        let i686 = self.i686_caps();
        Ok(capabilities_xml(
            &caps,
            i686.as_ref(),
            &node_info()?,
            self.kvm_usable(),
        ))
    }

    /// The probed capabilities of [`I686_EMULATOR`], if it is installed and probes.
    fn i686_caps(&self) -> Option<QemuCaps> {
        let bin = Path::new(I686_EMULATOR);
        bin.exists().then(|| self.caps.get(bin).ok()).flatten()
    }

    /// `virConnectGetDomainCapabilities`.
    pub(crate) fn domain_capabilities(&self, query: &DomainCapsQuery) -> Result<String> {
        super::connection::check_flags(query.flags, 0, "domain_capabilities")?;
        // Only the binaries this driver knows are probed, never a path a client names.
        let i686 = query.arch.as_deref() == Some("i686")
            || (query.arch.is_none() && query.emulator.as_deref() == Some(I686_EMULATOR));
        if i686 {
            let caps = self.caps.get(Path::new(I686_EMULATOR))?;
            let mut q = query.clone();
            q.arch = Some("i686".into());
            return domain_capabilities_xml(&caps, &q, self.kvm_usable());
        }
        let caps = self.default_caps()?;
        domain_capabilities_xml(&caps, query, self.kvm_usable())
    }

    /// KVM as QEMU will see it on this root (as its own user on a confined root).
    fn kvm_usable(&self) -> bool {
        crate::security::kvm_usable_for_qemu(self.is_system(), &crate::security::security_config())
    }
}
