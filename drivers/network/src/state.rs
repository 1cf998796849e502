//! The network driver's host state: every network (live and persistent definitions,
//! whether it runs), definitions under `ROOT/etc/network` with autostart
//! marks, running networks' live definitions under `ROOT/run/network` (a restarted
//! daemon finds its bridges and dnsmasq processes again), dnsmasq's files under
//! `ROOT/run/network/dnsmasq`, running networks' ports under
//! `ROOT/run/network/ports/NETUUID/`; the connections network events go to.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rvirt_core::api::{NetworkEvent, NetworkLifecycle, ObjectEvent};
use rvirt_core::driver::files::RootLock;
use rvirt_core::driver::{NetworkRef, ObjectEventFanout};
use rvirt_core::objconf::{NetworkDef, NetworkPortDef};
use rvirt_core::objects::XmlStore;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, log};

use crate::dnsmasq::Files;
use crate::host;
use crate::ports::PortDirs;

const D: ErrorDomain = ErrorDomain::Network;

/// One network.
#[derive(Clone, Debug)]
pub(crate) struct Net {
    /// The running definition (the only one while inactive).
    pub def: NetworkDef,
    /// The persistent definition while it differs from the running one.
    pub new_def: Option<NetworkDef>,
    pub active: bool,
    pub persistent: bool,
    pub autostart: bool,
    /// The ports of the running network.
    pub ports: Vec<NetworkPortDef>,
}

impl Net {
    pub(crate) fn reference(&self) -> NetworkRef {
        NetworkRef {
            name: self.def.name.clone(),
            uuid: self.def.uuid,
        }
    }

    /// The bridge guests plug into.
    pub(crate) fn bridge(&self) -> Option<&str> {
        self.def.bridge.name.as_deref()
    }

    /// Shows the number of ports in the running definition, as libvirt's
    /// `<network connections='N'>`.
    pub(crate) fn set_connections(&mut self) {
        let n = u32::try_from(self.ports.len()).unwrap_or(u32::MAX);
        self.def.connections = (n > 0).then_some(n);
    }

    /// The persistent definition as written and shown (no live status).
    pub(crate) fn inactive_def(&self) -> NetworkDef {
        let mut d = self.persistent_def().clone();
        d.connections = None;
        d
    }

    /// The definition as it will be after the next stop.
    pub(crate) fn persistent_def(&self) -> &NetworkDef {
        self.new_def.as_ref().unwrap_or(&self.def)
    }
}

/// The network driver's state for one root.
#[derive(Debug)]
pub(crate) struct State {
    root: PathBuf,
    config: XmlStore,
    status: XmlStore,
    nets: Mutex<Vec<Net>>,
    /// Where running networks' ports are recorded.
    pub ports: PortDirs,
    /// Connections receiving network events.
    pub events: ObjectEventFanout,
    _lock: RootLock,
}

impl State {
    /// Takes `root`, loads the networks (defining libvirt's `default` network on the
    /// root's first start), adopts those still running and, when `autostart`, starts
    /// the autostart ones.
    pub(crate) fn start(root: &Path, autostart: bool) -> Result<State> {
        let lock = RootLock::acquire_root(
            root,
            &["etc/network", "run/network"],
            "run/network/driver.pid",
            Duration::from_secs(5),
            D,
            "network",
        )?;
        let state = State {
            root: root.to_path_buf(),
            config: XmlStore::open(root.join("etc/network"), D)?,
            status: XmlStore::open(root.join("run/network"), D)?,
            nets: Mutex::new(Vec::new()),
            ports: PortDirs::new(&root.join("run/network")),
            events: ObjectEventFanout::new(),
            _lock: lock,
        };
        state.define_default()?;
        let mut nets: Vec<Net> = Vec::new();
        for (name, text) in state.config.load_all() {
            match NetworkDef::from_xml(&text) {
                Ok(def) if def.name == name => nets.push(Net {
                    autostart: state.config.autostart(&name),
                    def,
                    new_def: None,
                    active: false,
                    persistent: true,
                    ports: Vec::new(),
                }),
                _ => log::warning(D, format_args!("skipping network file '{name}.xml'")),
            }
        }
        for (name, text) in state.status.load_all() {
            let Ok(live) = NetworkDef::from_xml(&text) else {
                continue;
            };
            let alive = live.bridge.name.as_deref().is_some_and(host::link_exists);
            if !alive {
                let _ = state.status.delete(&name);
                continue;
            }
            match nets.iter_mut().find(|n| n.def.name == name) {
                Some(n) => {
                    let mut same = live.clone();
                    same.connections = None;
                    if n.def != same {
                        n.new_def = Some(std::mem::replace(&mut n.def, live));
                    }
                    n.active = true;
                }
                None => nets.push(Net {
                    def: live,
                    new_def: None,
                    active: true,
                    persistent: false,
                    autostart: false,
                    ports: Vec::new(),
                }),
            }
        }
        state.share_run_dir();
        for n in nets.iter_mut().filter(|n| n.active) {
            n.ports = state.ports.load(&n.def.uuid);
            n.set_connections();
        }
        let running: Vec<_> = nets
            .iter()
            .filter(|n| n.active)
            .map(|n| n.def.uuid)
            .collect();
        state.ports.prune(&running);
        for n in nets.iter_mut().filter(|n| n.active) {
            let files = state.files(&n.def.name)?;
            if files.pid().is_none()
                && needs_dnsmasq(&n.def)
                && let Some(br) = n.bridge().map(str::to_string)
                && let Err(e) = files.start(&n.def, &br)
            {
                log::warning(D, format_args!("network '{}': {}", n.def.name, e.message()));
            }
        }
        for n in nets
            .iter_mut()
            .filter(|n| autostart && n.autostart && !n.active)
        {
            match state.activate(n) {
                Ok(()) => log::info(D, format_args!("network '{}' autostarted", n.def.name)),
                Err(e) => log::warning(
                    D,
                    format_args!("network '{}' not autostarted: {}", n.def.name, e.message()),
                ),
            }
        }
        *state.lock() = nets;
        Ok(state)
    }

    /// Defines libvirt's `default` network (autostart) unless this root was started
    /// before or already has networks.
    fn define_default(&self) -> Result<()> {
        let marker = self.root.join(crate::defaults::MARKER);
        if marker.exists() {
            return Ok(());
        }
        if self.config.load_all().is_empty() {
            let def = NetworkDef::from_xml(crate::defaults::DEFAULT_XML)?;
            self.config.save(&def.name, &def.to_xml(), true)?;
            self.config.set_autostart(&def.name, true)?;
        }
        std::fs::write(&marker, b"")
            .map_err(|e| Error::internal(D, format!("cannot write '{}': {e}", marker.display())))
    }

    /// Lets others through `ROOT`, `ROOT/run` and `ROOT/run/network` (o+x, never
    /// listing), as dnsmasq's unprivileged user must reach the hosts files in
    /// `run/network/dnsmasq` (libvirt's are under world-readable directories);
    /// everything private in them stays 0600/0700. The directories above the root are
    /// the operator's: when they keep others out, the hosts go into dnsmasq's
    /// configuration instead (see [`crate::dnsmasq`]).
    fn share_run_dir(&self) {
        use std::os::unix::fs::PermissionsExt;
        for d in [
            self.root.clone(),
            self.root.join("run"),
            self.root.join("run/network"),
        ] {
            if let Ok(m) = std::fs::symlink_metadata(&d)
                && m.is_dir()
                && m.permissions().mode() & 0o001 == 0
            {
                let mode = (m.permissions().mode() & 0o7777) | 0o011;
                let _ = std::fs::set_permissions(&d, std::fs::Permissions::from_mode(mode));
            }
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Vec<Net>> {
        self.nets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// dnsmasq's files of network `name`.
    pub(crate) fn files(&self, name: &str) -> Result<Files> {
        Files::new(&self.root.join("run/network/dnsmasq"), name)
    }

    /// Writes the persistent definition of `n` and its autostart mark.
    pub(crate) fn save_config(&self, n: &Net) -> Result<()> {
        self.config
            .save(&n.def.name, &n.inactive_def().to_xml(), true)?;
        self.config.set_autostart(&n.def.name, n.autostart)
    }

    /// Marks (or unmarks) persistent network `name` to start with the state.
    pub(crate) fn set_autostart(&self, name: &str, on: bool) -> Result<()> {
        self.config.set_autostart(name, on)
    }

    /// Removes the persistent definition of `name`.
    pub(crate) fn delete_config(&self, name: &str) -> Result<()> {
        self.config.delete(name)
    }

    /// Records the live definition of a running `n` (or forgets a stopped one).
    pub(crate) fn save_status(&self, n: &Net) -> Result<()> {
        if n.active {
            self.status.save(&n.def.name, &n.def.to_xml(), false)
        } else {
            self.status.delete(&n.def.name)
        }
    }

    /// Starts `n` on the host: bridge, addresses, firewall, dnsmasq.
    pub(crate) fn activate(&self, n: &mut Net) -> Result<()> {
        crate::dnsmasq::check_hosts(&n.def)?;
        let br = n.bridge().map(str::to_string).ok_or_else(|| {
            Error::internal(
                D,
                format!("network '{}' does not have a bridge name.", n.def.name),
            )
        })?;
        match n.def.forward_mode() {
            "none" | "nat" | "route" | "open" => {
                host::start(&n.def, &br)?;
                if needs_dnsmasq(&n.def) {
                    let files = self.files(&n.def.name)?;
                    if let Err(e) = files.start(&n.def, &br) {
                        files.stop();
                        let _ = host::stop(&n.def, &br);
                        return Err(e);
                    }
                }
            }
            "bridge" => {
                if !host::link_exists(&br) {
                    return Err(Error::internal(
                        D,
                        format!("bridge '{br}' of network '{}' does not exist", n.def.name),
                    ));
                }
            }
            mode => {
                return Err(Error::new(
                    ErrorCode::ConfigUnsupported,
                    D,
                    format!("forward mode '{mode}' is not supported by this network driver"),
                ));
            }
        }
        n.active = true;
        self.save_status(n)
    }

    /// Stops `n` on the host.
    pub(crate) fn deactivate(&self, n: &mut Net) -> Result<()> {
        if n.def.has_own_bridge() {
            self.files(&n.def.name)?.stop();
            if let Some(br) = n.bridge().map(str::to_string) {
                host::stop(&n.def, &br)?;
            }
        }
        n.active = false;
        n.ports.clear();
        n.def.connections = None;
        self.ports.delete_all(&n.def.uuid);
        if let Some(next) = n.new_def.take() {
            n.def = next;
        }
        self.save_status(n)
    }

    /// A lifecycle event to every connection.
    pub(crate) fn lifecycle(&self, net: NetworkRef, l: NetworkLifecycle) {
        self.events
            .emit(ObjectEvent::Network(net, NetworkEvent::Lifecycle(l)));
    }
}

/// True when the network serves DHCP or DNS (it has an address).
pub(crate) fn needs_dnsmasq(def: &NetworkDef) -> bool {
    def.has_own_bridge() && !def.ips.is_empty()
}
