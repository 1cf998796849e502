//! # rvirt-driver-network
//!
//! rvirt's network driver: the host's virtual networks, served to the `qemu:///system`
//! and `lxc:///system` connections of the process (a shared secondary driver, as
//! libvirt's network driver is to its hypervisor drivers).
//!
//! * Networks in libvirt's `<network>` XML: define, undefine, create (transient), start,
//!   destroy, autostart, list, lookup, XML (live and inactive), active/persistent.
//! * A started `nat`, `route`, `open` or isolated network is a Linux bridge (`ip`)
//!   carrying the network's addresses, an nftables table of its own (`nat`: forward and
//!   masquerade; `route`: forward; isolated: nothing leaves the bridge), and one
//!   dnsmasq (Debian's `dnsmasq-base`) serving its DHCP ranges, static hosts and DNS,
//!   with its configuration, pid and lease files under the run directory. Destroy kills
//!   that dnsmasq by its pid and removes the table and the bridge. `bridge` networks
//!   use an existing host bridge.
//! * DHCP leases (`virNetworkGetDHCPLeases`) are read from dnsmasq's lease file.
//! * `virNetworkUpdate` of DHCP hosts and ranges, DNS hosts, TXT and SRV records,
//!   forward interfaces and portgroups, live and/or persistent as libvirt resolves
//!   its flags; a live change of hosts rewrites dnsmasq's hosts files and sends it
//!   SIGHUP, a change of its configuration restarts it.
//! * Network ports (`virNetworkPortCreateXML` and the other `virNetworkPort*` calls):
//!   libvirt's `<networkport>` plugged into the network's bridge, recorded under
//!   `run/network/ports/NETUUID/` while the network runs, counted in the live
//!   `<network connections='N'>`, dropped when it stops. Bandwidth parameters are
//!   recorded in the port; this driver does not shape traffic, so a `floor` (which
//!   needs QoS on the bridge) is refused.
//! * Persistence under the state root (`--network-root` in rvirtd):
//!   `etc/network/NAME.xml` with `autostart/` links, `run/network/NAME.xml` for running
//!   networks (a restarted daemon adopts their bridges and dnsmasq). On the first start
//!   of a root, libvirt's `default` network (NAT, `virbr0`, 192.168.122.0/24 with a
//!   DHCP range) is defined with autostart, as Debian's libvirt package installs it.
//! * Events: network lifecycle (defined, undefined, started, stopped), to every
//!   connection.

mod cmd;
mod conn;
mod defaults;
mod dnsmasq;
mod host;
mod ports;
mod qos;
mod state;
mod update;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rvirt_core::Result;
use rvirt_core::driver::{
    OpenContext, Secondary, SecondaryDriver, StateContext, register_secondary_driver,
};
use rvirt_core::uri::Uri;

use conn::NetworkConn;
use state::State;

/// Where the host's network state lives unless [`set_system_root`] says otherwise.
pub const DEFAULT_SYSTEM_ROOT: &str = "/var/lib/rvirt/network-system";

/// The network driver (one per process).
#[derive(Debug)]
pub struct HostNetwork {
    root: Mutex<Option<PathBuf>>,
    autostart: AtomicBool,
    state: Mutex<Option<Arc<State>>>,
}

impl Default for HostNetwork {
    fn default() -> HostNetwork {
        HostNetwork {
            root: Mutex::new(None),
            autostart: AtomicBool::new(true),
            state: Mutex::new(None),
        }
    }
}

impl HostNetwork {
    /// A driver whose state will live under `root` (the process's own driver is
    /// [`register`]ed; this is for embedding and tests).
    pub fn with_root(root: impl Into<PathBuf>) -> HostNetwork {
        let d = HostNetwork::default();
        *d.root.lock().unwrap_or_else(|p| p.into_inner()) = Some(root.into());
        d
    }

    fn state(&self) -> Option<Arc<State>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The root the state uses (or will use).
    pub fn root(&self) -> PathBuf {
        self.root
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_SYSTEM_ROOT))
    }

    /// Whether autostart networks start with the state (default: yes).
    pub fn set_autostart_enabled(&self, on: bool) {
        self.autostart.store(on, Ordering::Relaxed);
    }
}

impl SecondaryDriver for HostNetwork {
    fn name(&self) -> &'static str {
        "network"
    }

    fn open(&self, uri: &Uri, ctx: &OpenContext) -> Result<Secondary> {
        let served = rvirt_core::driver::serves_host_objects(uri);
        let Some(state) = self.state().filter(|_| served) else {
            return Ok(Secondary::default());
        };
        state.events.add(ctx.object_events.clone());
        Ok(Secondary {
            network: Some(Arc::new(NetworkConn { state })),
            ..Secondary::default()
        })
    }

    fn state_initialize(&self, _ctx: &StateContext) -> Result<()> {
        let state = State::start(&self.root(), self.autostart.load(Ordering::Relaxed))?;
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(state));
        Ok(())
    }

    fn state_cleanup(&self) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
}

fn driver() -> Arc<HostNetwork> {
    static DRIVER: OnceLock<Arc<HostNetwork>> = OnceLock::new();
    DRIVER.get_or_init(Arc::default).clone()
}

/// Sets the host state's root (before the state starts).
pub fn set_system_root(root: impl Into<PathBuf>) {
    *driver().root.lock().unwrap_or_else(|p| p.into_inner()) = Some(root.into());
}

/// Whether the host state starts its autostart networks (before the state starts;
/// default yes). Test daemons outside a network namespace turn it off.
pub fn set_autostart_enabled(on: bool) {
    driver().set_autostart_enabled(on);
}

/// Registers the network driver as a shared secondary driver (idempotent).
pub fn register() -> Result<()> {
    register_secondary_driver(driver())
}
