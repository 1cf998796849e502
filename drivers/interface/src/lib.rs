//! # rvirt-driver-interface
//!
//! rvirt's host interface driver: the host's network interfaces, served to the
//! `qemu:///system` and `lxc:///system` connections of the process (a shared secondary
//! driver, as libvirt's interface driver is to its hypervisor drivers).
//!
//! It answers as libvirt's read-only udev backend does, reading sysfs on every call (no
//! state, no cache): every entry of `/sys/class/net` except bridge ports (`brport/`) and
//! tun/tap devices (`tun_flags`), active when its `operstate` is `up`; its XML has the
//! type (`ethernet`, `bridge` with its members, `bond` with its slaves, `vlan` with its
//! tag and device from `/proc/net/vlan`), MTU, link state and speed and MAC address,
//! and no addresses. Interfaces are never defined, changed, started nor stopped
//! (`VIR_ERR_NO_SUPPORT`, as libvirt's udev backend).

mod conn;
mod def;
mod format;
mod glob;
mod sysfs;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rvirt_core::Result;
use rvirt_core::driver::{OpenContext, Secondary, SecondaryDriver, register_secondary_driver};
use rvirt_core::uri::Uri;

pub use conn::InterfaceConn;
pub use def::{HostIface, IfaceBody};

/// The interface driver: where it reads the host's interfaces.
#[derive(Debug, Clone)]
pub struct HostInterfaces {
    sysfs: PathBuf,
    procfs: PathBuf,
}

impl HostInterfaces {
    /// A driver reading the sysfs mounted at `sysfs` and the procfs at `procfs` (`/sys`
    /// and `/proc` for the host; small fake trees in tests).
    pub fn with_roots(sysfs: impl Into<PathBuf>, procfs: impl Into<PathBuf>) -> HostInterfaces {
        HostInterfaces {
            sysfs: sysfs.into(),
            procfs: procfs.into(),
        }
    }

    /// One connection's view of the interfaces under these roots.
    pub fn connection(&self) -> InterfaceConn {
        InterfaceConn::new(self.sysfs.clone(), self.procfs.clone())
    }
}

impl SecondaryDriver for HostInterfaces {
    fn name(&self) -> &'static str {
        "interface"
    }

    fn open(&self, uri: &Uri, _ctx: &OpenContext) -> Result<Secondary> {
        if !rvirt_core::driver::serves_host_objects(uri) {
            return Ok(Secondary::default());
        }
        Ok(Secondary {
            interface: Some(Arc::new(self.connection())),
            ..Secondary::default()
        })
    }
}

/// Registers the process's interface driver (reading `/sys` and `/proc`) as a shared
/// secondary driver; idempotent.
pub fn register() -> Result<()> {
    static DRIVER: OnceLock<Arc<HostInterfaces>> = OnceLock::new();
    let d = DRIVER.get_or_init(|| Arc::new(HostInterfaces::with_roots("/sys", "/proc")));
    register_secondary_driver(d.clone())
}
