//! # rvirt-driver-nodedev
//!
//! rvirt's node device driver: the host's devices, served to the `qemu:///system` and
//! `lxc:///system` connections of the process (a shared secondary driver, as libvirt's
//! node device driver is to its hypervisor drivers).
//!
//! Devices are read from sysfs on every call (no state, no cache): the root device
//! `computer` (capability `system`, from DMI), every PCI device (`pci`, from
//! `/sys/bus/pci/devices`) and every network interface (`net`, from
//! `/sys/class/net`), named and nested as libvirt names and nests them
//! (`pci_0000_00_03_0`, `net_eth0_52_54_00_12_34_56`, parent `computer` or the PCI
//! device). Devices are not created, defined nor detached (`VIR_ERR_NO_SUPPORT`); the
//! event registrations are accepted, and no events come (devices are not watched).

mod conn;
mod scan;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rvirt_core::Result;
use rvirt_core::driver::{OpenContext, Secondary, SecondaryDriver, register_secondary_driver};
use rvirt_core::uri::Uri;

pub use scan::scan;

/// The node device driver: where it reads the host's devices.
#[derive(Debug)]
pub struct HostDevices {
    sysfs: PathBuf,
}

impl HostDevices {
    /// A driver reading the sysfs mounted at `sysfs` (`/sys` for the host; a copy of
    /// part of it in tests).
    pub fn with_sysfs(sysfs: impl Into<PathBuf>) -> HostDevices {
        HostDevices {
            sysfs: sysfs.into(),
        }
    }
}

impl SecondaryDriver for HostDevices {
    fn name(&self) -> &'static str {
        "nodedev"
    }

    fn open(&self, uri: &Uri, _ctx: &OpenContext) -> Result<Secondary> {
        if !rvirt_core::driver::serves_host_objects(uri) {
            return Ok(Secondary::default());
        }
        Ok(Secondary {
            node_device: Some(Arc::new(conn::NodeDevConn::new(self.sysfs.clone()))),
            ..Secondary::default()
        })
    }
}

/// Registers the process's node device driver (reading `/sys`) as a shared secondary
/// driver; idempotent.
pub fn register() -> Result<()> {
    static DRIVER: OnceLock<Arc<HostDevices>> = OnceLock::new();
    let d = DRIVER.get_or_init(|| Arc::new(HostDevices::with_sysfs("/sys")));
    register_secondary_driver(d.clone())
}
