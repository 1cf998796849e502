//! # rvirt-driver-nwfilter
//!
//! rvirt's network filter driver: the host's network filter definitions and filter
//! bindings, served to the `qemu:///system` and `lxc:///system` connections of the
//! process (a shared secondary driver, as libvirt's nwfilter driver is to its
//! hypervisor drivers).
//!
//! * Filters: libvirt's `<filter name= chain= priority=>` XML with its `<rule>`s and
//!   `<filterref>`s kept as written, in order: define (new, or a redefinition with
//!   the same name and UUID), undefine (refused while a binding uses the filter),
//!   list, lookup by name and by UUID, XML. A filter that would reach itself
//!   through its references is refused ("filter would introduce a loop"), as are a
//!   name or UUID another filter has.
//! * Bindings (`<filterbinding>`: owner, port device, MAC, filter reference with
//!   parameters): create (the filter must exist), list, lookup by port device, XML,
//!   delete.
//! * Persistence under the state root (`--nwfilter-root` in rvirtd):
//!   `nwfilter/NAME.xml` (0600 in 0700 directories, replaced atomically and synced)
//!   and `run/nwfilter-binding/PORTDEV.xml`; read back at start, skipping files that
//!   do not parse, are not named by their filter, or clash with another.
//!
//! * Rules applied: a binding's filter tree is instantiated on its port device with
//!   nftables, one `bridge` table per device (libvirt 9 uses ebtables and iptables;
//!   rvirt does not assume ebtables on the host), see `instantiate`: protocols
//!   `mac`, `arp`, `rarp`, `ip`, `ipv6`, `tcp`, `udp`, `icmp`, `all`; anything else is
//!   refused at binding creation (`VIR_ERR_CONFIG_UNSUPPORTED`); redefining a filter
//!   re-instantiates the bindings that use it; deleting a binding removes its table.
//!
//! Not done: libvirt's built-in filters (`clean-traffic`, …) are not shipped (define
//! them), rules match without connection state, IP address learning (a missing
//! `$IP`) is not done.

mod binding;
mod conn;
mod instantiate;
mod state;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rvirt_core::Result;
use rvirt_core::driver::secondary::RootedState;
use rvirt_core::driver::{
    OpenContext, Secondary, SecondaryDriver, StateContext, register_secondary_driver,
};
use rvirt_core::uri::Uri;

use conn::NwFilterConn;
use state::State;

/// Where the host's filters live unless [`set_system_root`] says otherwise.
pub const DEFAULT_SYSTEM_ROOT: &str = "/var/lib/rvirt/nwfilter-system";

/// The network filter driver (one per process).
#[derive(Debug)]
pub struct HostNwFilters {
    slot: RootedState<State>,
}

impl Default for HostNwFilters {
    fn default() -> HostNwFilters {
        HostNwFilters {
            slot: RootedState::new(DEFAULT_SYSTEM_ROOT),
        }
    }
}

impl HostNwFilters {
    /// A driver whose state will live under `root` (the process's own driver is
    /// [`register`]ed; this is for embedding and tests).
    pub fn with_root(root: impl Into<PathBuf>) -> HostNwFilters {
        HostNwFilters {
            slot: RootedState::with_root(DEFAULT_SYSTEM_ROOT, root),
        }
    }

    /// The root the state uses (or will use).
    pub fn root(&self) -> PathBuf {
        self.slot.root()
    }
}

impl SecondaryDriver for HostNwFilters {
    fn name(&self) -> &'static str {
        "nwfilter"
    }

    fn open(&self, uri: &Uri, _ctx: &OpenContext) -> Result<Secondary> {
        let Some(state) = self.slot.served(uri) else {
            return Ok(Secondary::default());
        };
        Ok(Secondary {
            nwfilter: Some(Arc::new(NwFilterConn { state })),
            ..Secondary::default()
        })
    }

    fn state_initialize(&self, _ctx: &StateContext) -> Result<()> {
        self.slot.start(State::start)
    }

    fn state_cleanup(&self) {
        self.slot.stop();
    }
}

fn driver() -> Arc<HostNwFilters> {
    static DRIVER: OnceLock<Arc<HostNwFilters>> = OnceLock::new();
    DRIVER.get_or_init(Arc::default).clone()
}

/// Sets the host state's root (before the state starts).
pub fn set_system_root(root: impl Into<PathBuf>) {
    driver().slot.set_root(root);
}

/// Registers the network filter driver as a shared secondary driver (idempotent).
pub fn register() -> Result<()> {
    register_secondary_driver(driver())
}
