//! The daemon: builds its servers ("libvirtd" and "admin") and their listening
//! sockets, registers everything on the event loop, and runs it until a signal or the
//! idle timeout.

use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Duration;

use rvirt_core::Connect;
use rvirt_core::event::{self, DefaultLoop, EventLoop, Interest, SharedLoop, TimerInterval};

use crate::auth::{AuthMode, Policy};
use crate::client::Client;
use crate::config::Config;
use crate::registry::Registry;
use crate::served::ServedUris;
use crate::server::{
    ADMIN_SERVER, DEFAULT_MAX_ANONYMOUS_CLIENTS, DEFAULT_MAX_CLIENTS, MAIN_SERVER, Program, Server,
};
use crate::service::{Service, Transport};
use crate::shutdown::AutoShutdown;
use crate::{log, signals};
use rvirt_rpc_server::listener::{Listener, Stream};
use rvirt_rpc_server::output::OutputBudget;
use rvirt_rpc_server::workers::Pool;

/// File name of the read-write socket in the socket directory.
pub const RW_SOCKET: &str = "libvirt-sock";
/// File name of the read-only socket in the socket directory.
pub const RO_SOCKET: &str = "libvirt-sock-ro";
/// File name of the admin socket in the socket directory.
pub const ADMIN_SOCKET: &str = "libvirt-admin-sock";

/// Worker bounds of the admin server's pool (admin calls are short).
const ADMIN_WORKERS: (usize, usize) = (1, 5);

/// A running daemon.
#[derive(Debug)]
pub struct Daemon {
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
    pub fn start(config: Config) -> Result<Daemon, String> {
        rvirt_rpc_server::log::set_sink(Some(Arc::new(|line| log!("{line}"))));
        rvirt_driver_test::register().map_err(|e| e.to_string())?;
        rvirt_driver_qemu::register().map_err(|e| e.to_string())?;
        if let Some(root) = &config.qemu_root {
            rvirt_driver_qemu::driver::set_system_root(root.clone());
        }
        let event_loop = event::register_default().map_err(|e| e.to_string())?;
        let shared = event::require().map_err(|e| e.to_string())?;

        let base = Service {
            name: MAIN_SERVER,
            transport: Transport::Unix,
            read_only: false,
            secure: true,
            auth: config.auth_unix_rw,
            policy: Policy::new(&config.auth_allow_uid),
            owner_only: false,
            #[cfg(feature = "tls")]
            tls: None,
            default_uri: config.default_uri.clone(),
            served: Arc::new(ServedUris {
                test_files: config.allow_test_files.clone(),
            }),
            keepalive_interval: config.keepalive_interval,
            max_output: config.max_client_output,
            output_budget: OutputBudget::new(config.max_total_output),
            auth_timeout: config.auth_timeout,
        };
        // The TLS credentials are read before any socket exists, so a bad file stops
        // the daemon without leaving sockets behind.
        let tls_service = match config.listen_tls {
            Some(addr) => Some((addr, tls_service(&config, &base)?)),
            None => None,
        };

        let (main, admin) = servers(&config, &shared)?;
        let mut servers = vec![main.clone()];
        servers.extend(admin.clone());
        let shutdown = AutoShutdown::new(shared.clone(), config.timeout);
        let registry = Registry::new(servers, shutdown.clone());

        std::fs::create_dir_all(&config.socket_dir)
            .map_err(|e| format!("{}: {e}", config.socket_dir.display()))?;
        let dir = &config.socket_dir;
        let mut bound = vec![
            (
                Listener::bind_unix(&dir.join(RW_SOCKET), config.rw_perms),
                base.clone(),
                &main,
            ),
            (
                Listener::bind_unix(&dir.join(RO_SOCKET), config.ro_perms),
                Service {
                    name: "libvirtd-ro",
                    read_only: true,
                    auth: config.auth_unix_ro,
                    ..base.clone()
                },
                &main,
            ),
        ];
        if let Some(addr) = config.listen_tcp {
            // Config::parse admits plain TCP only with `--auth-tcp none`.
            let service = Service {
                name: "libvirtd-tcp",
                transport: Transport::Tcp,
                secure: false,
                auth: AuthMode::None,
                ..base.clone()
            };
            bound.push((Listener::bind_tcp(addr), service, &main));
        }
        if let Some((addr, service)) = tls_service {
            bound.push((Listener::bind_tcp(addr), service, &main));
        }
        if let Some(admin) = &admin {
            let service = Service {
                name: ADMIN_SERVER,
                auth: AuthMode::None,
                owner_only: true,
                ..base.clone()
            };
            let path = dir.join(ADMIN_SOCKET);
            bound.push((
                Listener::bind_unix(&path, config.admin_perms),
                service,
                admin,
            ));
        }

        let mut listeners = Vec::new();
        let mut names = Vec::new();
        for (listener, service, server) in bound {
            let listener = Arc::new(listener.map_err(|e| format!("cannot listen: {e}"))?);
            names.push((service.name, service.auth));
            let watch = watch_listener(&shared, &listener, Arc::new(service), server, &registry)?;
            server.add_watch(watch);
            listeners.push(listener);
        }

        let mut held = Vec::new();
        for uri in &config.keep_open {
            held.push(Connect::open(uri).map_err(|e| format!("--keep-open {uri}: {e}"))?);
        }

        start_keepalive(&shared, &config, &registry)?;
        start_auth_timeouts(&shared, &config, &registry)?;
        shutdown.start(&registry, event_loop.clone())?;
        let quit_loop = event_loop.clone();
        let signals = signals::install(&shared, move || {
            log!("signal received, shutting down");
            quit_loop.quit();
        })
        .map_err(|e| format!("signal handlers: {e}"))?;

        if let Some(pidfile) = &config.pidfile {
            std::fs::write(pidfile, format!("{}\n", std::process::id()))
                .map_err(|e| format!("{}: {e}", pidfile.display()))?;
        }
        for (l, (name, auth)) in listeners.iter().zip(names) {
            log!(
                "listening on {} ({name}, auth {})",
                l.describe(),
                auth.name()
            );
        }
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
    pub fn run(self) -> Result<(), String> {
        let r = self.event_loop.run().map_err(|e| e.to_string());
        for c in self.registry.snapshot() {
            c.close();
        }
        for s in self.registry.servers() {
            s.pool().shutdown();
        }
        for conn in &self.held {
            let _ = conn.close();
        }
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

/// The main server and, unless `--no-admin`, the admin server.
fn servers(
    config: &Config,
    shared: &SharedLoop,
) -> Result<(Arc<Server>, Option<Arc<Server>>), String> {
    let pool = Pool::new("rvirtd-worker", config.workers, config.workers)
        .map_err(|e| format!("worker threads: {e}"))?;
    let main = Server::new(
        MAIN_SERVER,
        Program::Remote,
        pool,
        shared.clone(),
        DEFAULT_MAX_CLIENTS,
        DEFAULT_MAX_ANONYMOUS_CLIENTS,
    );
    if !config.admin {
        return Ok((main, None));
    }
    let pool = Pool::new("rvirtd-admin", ADMIN_WORKERS.0, ADMIN_WORKERS.1)
        .map_err(|e| format!("admin worker threads: {e}"))?;
    let admin = Server::new(
        ADMIN_SERVER,
        Program::Admin,
        pool,
        shared.clone(),
        DEFAULT_MAX_CLIENTS,
        0,
    );
    Ok((main, Some(admin)))
}

/// The TLS listener's service: read-write, secure, authenticated by the client
/// certificate (libvirt's default `auth_tls = "none"`).
#[cfg(feature = "tls")]
fn tls_service(config: &Config, base: &Service) -> Result<Service, String> {
    let acceptor = rvirt_rpc_server::tls::Acceptor::load(&config.tls_files, &config.tls_allowed_dn)
        .map_err(|e| format!("--listen-tls: {e}"))?;
    Ok(Service {
        name: "libvirtd-tls",
        transport: Transport::Tls,
        auth: AuthMode::None,
        tls: Some(Arc::new(acceptor)),
        ..base.clone()
    })
}

#[cfg(not(feature = "tls"))]
fn tls_service(_: &Config, _: &Service) -> Result<Service, String> {
    Err("--listen-tls: this rvirtd was built without the `tls` feature".into())
}

/// Watches a listening socket: accepts connections while its server accepts clients.
fn watch_listener(
    shared: &SharedLoop,
    listener: &Arc<Listener>,
    service: Arc<Service>,
    server: &Arc<Server>,
    registry: &Arc<Registry>,
) -> Result<event::WatchId, String> {
    let (l, el, server, registry) = (
        listener.clone(),
        shared.clone(),
        server.clone(),
        registry.clone(),
    );
    shared
        .add_handle(
            listener.as_raw_fd(),
            Interest::READABLE,
            Box::new(move |_, _, _| {
                // Level-triggered: whatever a suspended server leaves in the backlog is
                // accepted once it resumes.
                while server.accepting() {
                    match l.accept() {
                        Ok(Some(stream)) => {
                            let id = registry.next_id();
                            if service.owner_only && !owned_by_us(&stream) {
                                log_refused(id, &stream, service.name);
                                continue;
                            }
                            match Client::start(
                                id,
                                stream,
                                service.clone(),
                                server.clone(),
                                el.clone(),
                                Arc::downgrade(&registry),
                            ) {
                                Ok(c) => registry.insert(c),
                                Err(e) => log!("client {id}: cannot watch socket: {e}"),
                            }
                        }
                        Ok(None) => return,
                        Err(e) => {
                            log!("accept on {}: {e}", l.describe());
                            return;
                        }
                    }
                }
            }),
        )
        .map_err(|e| e.to_string())
}

/// True if the peer runs as the daemon's effective uid.
fn owned_by_us(stream: &Stream) -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    stream.peer_cred().is_some_and(|p| p.uid == me)
}

fn log_refused(id: u64, stream: &Stream, service: &str) {
    match stream.peer_cred() {
        Some(p) => log!(
            "client {id}: disallowing {service} client pid {} with uid {}",
            p.pid,
            p.uid
        ),
        None => log!("client {id}: disallowing {service} client with unknown uid"),
    }
}

/// Disconnects clients that took longer than `--auth-timeout` to finish their TLS
/// handshake or authentication: such clients count against the server's limits
/// (`max_clients`, `max_anonymous_clients`), so idle ones would lock everyone out.
fn start_auth_timeouts(
    shared: &SharedLoop,
    config: &Config,
    registry: &Arc<Registry>,
) -> Result<(), String> {
    if config.auth_timeout.is_zero() {
        return Ok(());
    }
    let registry = registry.clone();
    let tick = (config.auth_timeout / 4).clamp(Duration::from_millis(100), Duration::from_secs(1));
    shared
        .add_timeout(
            TimerInterval::Every(tick),
            Box::new(move |_| {
                let now = std::time::Instant::now();
                for c in registry.snapshot() {
                    if c.auth_overdue(now) {
                        log!(
                            "client {}: no TLS handshake or authentication within the time allowed; disconnecting",
                            c.id()
                        );
                        c.close();
                    }
                }
            }),
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// PINGs idle keepalive clients and drops dead ones.
fn start_keepalive(
    shared: &SharedLoop,
    config: &Config,
    registry: &Arc<Registry>,
) -> Result<(), String> {
    let (interval, count) = (config.keepalive_interval, config.keepalive_count);
    if interval.is_zero() {
        return Ok(());
    }
    let registry = registry.clone();
    let tick = (interval / 5).max(Duration::from_millis(200));
    shared
        .add_timeout(
            TimerInterval::Every(tick),
            Box::new(move |_| {
                for c in registry.snapshot() {
                    c.keepalive_tick(interval, count);
                }
            }),
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
}
