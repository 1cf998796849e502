//! The daemon: assembles its two servers from the RPC server library ([`servers`]),
//! binds their sockets, registers everything on the event loop, and runs it until a
//! signal or the idle timeout.

use std::sync::Arc;

use rvirt_core::Connect;
use rvirt_core::driver::{StateContext, cleanup_states, initialize_states};
use rvirt_core::event::{self, DefaultLoop};
use rvirt_rpc_server::Registry;
use rvirt_rpc_server::listener::Listener;

use crate::config::Config;
use crate::servers;
use crate::shutdown::AutoShutdown;
use crate::{log, signals};

/// A running daemon.
#[derive(Debug)]
pub(crate) struct Daemon {
    config: Config,
    event_loop: DefaultLoop,
    registry: Arc<Registry>,
    listeners: Vec<Arc<Listener>>,
    held: Vec<Connect>,
    _signals: Option<signals::Signals>,
}

impl Daemon {
    /// Registers the drivers and the default loop, binds every socket and opens the
    /// `--keep-open` URIs. Call [`Daemon::run`] next.
    pub(crate) fn start(config: Config) -> Result<Daemon, String> {
        let pidfile = config.pidfile.clone();
        let started = Self::start_serving(config);
        if started.is_err()
            && let Some(p) = pidfile
        {
            let _ = std::fs::remove_file(p);
        }
        started
    }

    fn start_serving(config: Config) -> Result<Daemon, String> {
        rvirt_rpc_server::log::set_sink(Some(Arc::new(|line| log!("{line}"))));
        rvirt_core::log::set_sink(Some(Arc::new(|r: &rvirt_core::log::Record<'_>| {
            log!(
                "{} : {}: {}",
                r.level.name(),
                rvirt_core::log::domain_name(r.domain),
                r.message
            )
        })));
        rvirt_driver_test::register().map_err(|e| e.to_string())?;
        rvirt_driver_qemu::register().map_err(|e| e.to_string())?;
        rvirt_driver_lxc::register().map_err(|e| e.to_string())?;
        // The daemon's own connections to other daemons (peer-to-peer migration);
        // clients never open remote URIs here (`remote::served`).
        rvirt_driver_remote::register().map_err(|e| e.to_string())?;
        if let Some(root) = &config.qemu_root {
            rvirt_driver_qemu::driver::set_system_root(root.clone());
        }
        rvirt_driver_qemu::security::set_security_config(config.qemu_security.clone());
        if let Some(root) = &config.lxc_root {
            rvirt_driver_lxc::driver::set_system_root(root.clone());
        }
        rvirt_driver_storage::register().map_err(|e| e.to_string())?;
        if let Some(root) = &config.storage_root {
            rvirt_driver_storage::set_system_root(root.clone());
        }
        rvirt_driver_network::register().map_err(|e| e.to_string())?;
        if let Some(root) = &config.network_root {
            rvirt_driver_network::set_system_root(root.clone());
        }
        rvirt_driver_network::set_autostart_enabled(config.network_autostart);
        rvirt_driver_nodedev::register().map_err(|e| e.to_string())?;
        rvirt_driver_interface::register().map_err(|e| e.to_string())?;
        rvirt_driver_secret::register().map_err(|e| e.to_string())?;
        if let Some(root) = &config.secret_root {
            rvirt_driver_secret::set_system_root(root.clone());
        }
        rvirt_driver_nwfilter::register().map_err(|e| e.to_string())?;
        if let Some(root) = &config.nwfilter_root {
            rvirt_driver_nwfilter::set_system_root(root.clone());
        }
        let event_loop = event::register_default().map_err(|e| e.to_string())?;
        let shared = event::require().map_err(|e| e.to_string())?;

        // The pid file exists before any socket (as libvirtd's): whoever sees a socket
        // finds the pid. Written whole (temp file + rename), never seen half-written.
        if let Some(pidfile) = &config.pidfile {
            rvirt_core::driver::files::write_replace(
                pidfile,
                format!("{}\n", std::process::id()).as_bytes(),
                rvirt_core::driver::files::Durability::RenameOnly,
                rvirt_core::ErrorDomain::None,
            )
            .map_err(|e| format!("{}: {e}", pidfile.display()))?;
        }
        // The TLS credentials are read before any socket exists, so a bad file stops
        // the daemon without leaving sockets behind.
        let services = servers::services(&config)?;
        let shutdown = AutoShutdown::new(shared.clone(), config.timeout);
        let list = servers::servers(&config, &shared, &shutdown)?;
        let registry = Registry::new(shared.clone(), list);
        // Signal handlers before any socket exists: a SIGTERM that arrives while the
        // drivers' states initialize is kept in the handlers' pipe and ends the loop as
        // soon as it runs, which removes the sockets (no default action killing the
        // daemon with its sockets left behind).
        let quit_loop = event_loop.clone();
        let signals = signals::install(&shared, move || {
            log!("signal received, shutting down");
            quit_loop.quit();
        })
        .map_err(|e| format!("signal handlers: {e}"))?;
        let listeners = servers::listen(&config, services, &registry)?;
        // The drivers' state runs from now on, whether or not a client is connected
        // (libvirt's virStateInitialize): guests are followed, reaped and restarted
        // with nobody watching. No client is served before the loop runs.
        if let Err(e) = initialize_states(&StateContext {
            event_loop: shared.clone(),
        }) {
            for l in &listeners {
                l.remove_path();
            }
            return Err(e.to_string());
        }

        let mut held = Vec::new();
        for uri in &config.keep_open {
            held.push(Connect::open(uri).map_err(|e| format!("--keep-open {uri}: {e}"))?);
        }

        registry
            .start_keepalive(config.keepalive_interval, config.keepalive_count)
            .map_err(|e| e.to_string())?;
        registry
            .start_auth_timeouts(config.auth_timeout)
            .map_err(|e| e.to_string())?;
        shutdown.start(&registry, event_loop.clone())?;

        Ok(Daemon {
            config,
            event_loop,
            registry,
            listeners,
            held,
            _signals: Some(signals),
        })
    }

    /// Runs the event loop until a signal or the idle timeout, then closes every
    /// client and removes the sockets and the pid file.
    pub(crate) fn run(self) -> Result<(), String> {
        let r = self.event_loop.run().map_err(|e| e.to_string());
        self.registry.shutdown();
        for conn in &self.held {
            let _ = conn.close();
        }
        cleanup_states();
        for l in &self.listeners {
            l.remove_path();
        }
        if let Some(p) = &self.config.pidfile {
            let _ = std::fs::remove_file(p);
        }
        log!("stopped");
        r
    }
}
