//! The daemon: its servers (read-write and read-only, each a set of listening
//! sockets: unix, plain TCP, TLS), the client registry, timers, and the event loop
//! that drives them.

use std::collections::HashMap;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rvirt_core::Connect;
use rvirt_core::event::{self, DefaultLoop, EventLoop, Interest, SharedLoop, TimerInterval};

use crate::auth::{AuthMode, Policy};
use crate::client::Client;
use crate::config::Config;
use crate::listener::Listener;
use crate::workers::Pool;
use crate::{log, signals};

/// File name of the read-write socket in the socket directory.
pub const RW_SOCKET: &str = "libvirt-sock";
/// File name of the read-only socket in the socket directory.
pub const RO_SOCKET: &str = "libvirt-sock-ro";

/// What a client's calls may do, decided by the server (and listener) it came in on.
#[derive(Clone, Debug)]
pub struct ServerInfo {
    /// Listener name, for logs ("libvirtd", "libvirtd-ro", "libvirtd-tcp",
    /// "libvirtd-tls").
    pub name: &'static str,
    /// Every connection of this server is read-only.
    pub read_only: bool,
    /// The transport is safe from eavesdropping (unix socket, TLS): CONNECT_IS_SECURE.
    pub secure: bool,
    /// What a client must do before calling procedures other than AUTH_LIST and
    /// AUTH_POLKIT.
    pub auth: AuthMode,
    /// Who passes AUTH_POLKIT.
    pub policy: Policy,
    /// The TLS configuration of a TLS listener.
    #[cfg(feature = "tls")]
    pub tls: Option<Arc<crate::tls::Acceptor>>,
    /// URI opened when the client sends an empty one.
    pub default_uri: String,
    /// Idle time before keepalive PINGs; zero disables them.
    pub keepalive_interval: Duration,
    /// Unread output after which a client is disconnected.
    pub max_output: usize,
}

/// The daemon's connected clients.
#[derive(Debug)]
pub struct Clients {
    map: Mutex<HashMap<u64, Arc<Client>>>,
    idle_since: Mutex<Option<Instant>>,
}

impl Clients {
    fn new() -> Arc<Clients> {
        Arc::new(Clients {
            map: Mutex::new(HashMap::new()),
            idle_since: Mutex::new(Some(Instant::now())),
        })
    }

    fn map(&self) -> MutexGuard<'_, HashMap<u64, Arc<Client>>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn insert(&self, client: Arc<Client>) {
        self.map().insert(client.id(), client);
        *self.idle_since.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Forgets a closed client.
    pub fn remove(&self, id: u64) {
        let mut map = self.map();
        map.remove(&id);
        if map.is_empty() {
            *self.idle_since.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        }
    }

    /// The connected clients.
    pub fn snapshot(&self) -> Vec<Arc<Client>> {
        self.map().values().cloned().collect()
    }

    /// How long the daemon has had no client, if it has none.
    pub fn idle_for(&self) -> Option<Duration> {
        self.idle_since
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map(|t| t.elapsed())
    }
}

/// A running daemon.
#[derive(Debug)]
pub struct Daemon {
    config: Config,
    event_loop: DefaultLoop,
    pool: Arc<Pool>,
    clients: Arc<Clients>,
    listeners: Vec<Arc<Listener>>,
    held: Vec<Connect>,
    _signals: Option<signals::Signals>,
}

impl Daemon {
    /// Registers the drivers and the default loop, binds every socket and opens the
    /// `--keep-open` URIs. Call [`Daemon::run`] next.
    pub fn start(config: Config) -> Result<Daemon, String> {
        rvirt_driver_test::register().map_err(|e| e.to_string())?;
        rvirt_driver_qemu::register().map_err(|e| e.to_string())?;
        if let Some(root) = &config.qemu_root {
            rvirt_driver_qemu::driver::set_system_root(root.clone());
        }
        let event_loop = event::register_default().map_err(|e| e.to_string())?;
        let shared = event::require().map_err(|e| e.to_string())?;
        let pool = Pool::new(config.workers).map_err(|e| format!("worker threads: {e}"))?;
        let clients = Clients::new();
        let next_id = Arc::new(AtomicU64::new(1));

        let base = ServerInfo {
            name: "libvirtd",
            read_only: false,
            secure: true,
            auth: config.auth_unix_rw,
            policy: Policy::new(&config.auth_allow_uid),
            #[cfg(feature = "tls")]
            tls: None,
            default_uri: config.default_uri.clone(),
            keepalive_interval: config.keepalive_interval,
            max_output: config.max_client_output,
        };
        // The TLS credentials are read before any socket exists, so a bad file stops
        // the daemon without leaving sockets behind.
        let tls_server = match config.listen_tls {
            Some(addr) => Some((addr, tls_server(&config, &base)?)),
            None => None,
        };
        std::fs::create_dir_all(&config.socket_dir)
            .map_err(|e| format!("{}: {e}", config.socket_dir.display()))?;
        let mut bound = vec![
            (
                Listener::bind_unix(&config.socket_dir.join(RW_SOCKET), config.rw_perms),
                base.clone(),
            ),
            (
                Listener::bind_unix(&config.socket_dir.join(RO_SOCKET), config.ro_perms),
                ServerInfo {
                    name: "libvirtd-ro",
                    read_only: true,
                    auth: config.auth_unix_ro,
                    ..base.clone()
                },
            ),
        ];
        if let Some(addr) = config.listen_tcp {
            // Config::parse admits plain TCP only with `--auth-tcp none`.
            let info = ServerInfo {
                name: "libvirtd-tcp",
                secure: false,
                auth: AuthMode::None,
                ..base.clone()
            };
            bound.push((Listener::bind_tcp(addr), info));
        }
        if let Some((addr, info)) = tls_server {
            bound.push((Listener::bind_tcp(addr), info));
        }
        let mut listeners = Vec::new();
        let mut names = Vec::new();
        for (listener, info) in bound {
            let listener = Arc::new(listener.map_err(|e| format!("cannot listen: {e}"))?);
            names.push((info.name, info.auth));
            watch_listener(
                &shared,
                &listener,
                Arc::new(info),
                &pool,
                &clients,
                &next_id,
            )?;
            listeners.push(listener);
        }

        let mut held = Vec::new();
        for uri in &config.keep_open {
            held.push(Connect::open(uri).map_err(|e| format!("--keep-open {uri}: {e}"))?);
        }

        start_timers(&shared, &config, &clients, &event_loop)?;
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
            pool,
            clients,
            listeners,
            held,
            _signals: Some(signals),
        })
    }

    /// Runs the event loop until a signal or the idle timeout, then closes every
    /// client and removes the sockets and the pid file.
    pub fn run(self) -> Result<(), String> {
        let r = self.event_loop.run().map_err(|e| e.to_string());
        for c in self.clients.snapshot() {
            c.close();
        }
        self.pool.shutdown();
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

/// The TLS listener's server: read-write, secure, authenticated by the client
/// certificate (libvirt's default `auth_tls = "none"`).
#[cfg(feature = "tls")]
fn tls_server(config: &Config, base: &ServerInfo) -> Result<ServerInfo, String> {
    let acceptor = crate::tls::Acceptor::load(&config.tls_files, &config.tls_allowed_dn)
        .map_err(|e| format!("--listen-tls: {e}"))?;
    Ok(ServerInfo {
        name: "libvirtd-tls",
        auth: AuthMode::None,
        tls: Some(Arc::new(acceptor)),
        ..base.clone()
    })
}

#[cfg(not(feature = "tls"))]
fn tls_server(_: &Config, _: &ServerInfo) -> Result<ServerInfo, String> {
    Err("--listen-tls: this rvirtd was built without the `tls` feature".into())
}

fn watch_listener(
    shared: &SharedLoop,
    listener: &Arc<Listener>,
    info: Arc<ServerInfo>,
    pool: &Arc<Pool>,
    clients: &Arc<Clients>,
    next_id: &Arc<AtomicU64>,
) -> Result<(), String> {
    let (l, el, pool, clients, next_id) = (
        listener.clone(),
        shared.clone(),
        pool.clone(),
        clients.clone(),
        next_id.clone(),
    );
    shared
        .add_handle(
            listener.as_raw_fd(),
            Interest::READABLE,
            Box::new(move |_, _, _| {
                loop {
                    match l.accept() {
                        Ok(Some(stream)) => {
                            let id = next_id.fetch_add(1, Ordering::Relaxed);
                            match Client::start(
                                id,
                                stream,
                                info.clone(),
                                el.clone(),
                                pool.clone(),
                                Arc::downgrade(&clients),
                            ) {
                                Ok(c) => clients.insert(c),
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
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn start_timers(
    shared: &SharedLoop,
    config: &Config,
    clients: &Arc<Clients>,
    event_loop: &DefaultLoop,
) -> Result<(), String> {
    let (interval, count) = (config.keepalive_interval, config.keepalive_count);
    if !interval.is_zero() {
        let clients = clients.clone();
        let tick = (interval / 5).max(Duration::from_millis(200));
        shared
            .add_timeout(
                TimerInterval::Every(tick),
                Box::new(move |_| {
                    for c in clients.snapshot() {
                        c.keepalive_tick(interval, count);
                    }
                }),
            )
            .map_err(|e| e.to_string())?;
    }
    if let Some(timeout) = config.timeout {
        let clients = clients.clone();
        let quit_loop = event_loop.clone();
        shared
            .add_timeout(
                TimerInterval::Every(Duration::from_millis(250)),
                Box::new(move |_| {
                    if clients.idle_for().is_some_and(|d| d >= timeout) {
                        log!("no client for {}s, exiting", timeout.as_secs());
                        quit_loop.quit();
                    }
                }),
            )
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
