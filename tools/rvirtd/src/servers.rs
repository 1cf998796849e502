//! rvirtd's two servers, assembled from the RPC server library: **"libvirtd"**, hosting
//! the REMOTE program on the read-write and read-only unix sockets and the optional
//! TCP and TLS listeners, and **"admin"** (unless `--no-admin`), hosting the ADMIN
//! program on the admin socket. Each socket is a [`Service`] of its server.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use rvirt_core::event::SharedLoop;
use rvirt_rpc_server::listener::Listener;
use rvirt_rpc_server::output::OutputBudget;
use rvirt_rpc_server::workers::Pool;
use rvirt_rpc_server::{Registry, Server, Service, Transport};

use crate::auth::{AuthMode, Policy};
use crate::config::Config;
use crate::remote::RemoteConfig;
use crate::remote::served::ServedUris;
use crate::shutdown::AutoShutdown;
use crate::{admin, log, remote};

/// File name of the read-write socket in the socket directory.
const RW_SOCKET: &str = "libvirt-sock";
/// File name of the read-only socket in the socket directory.
const RO_SOCKET: &str = "libvirt-sock-ro";
/// File name of the admin socket in the socket directory.
const ADMIN_SOCKET: &str = "libvirt-admin-sock";

/// The name of the main server, as libvirtd reports it.
const MAIN_SERVER: &str = "libvirtd";
/// The name of the admin server.
const ADMIN_SERVER: &str = "admin";

/// libvirtd's default `max_clients`.
const DEFAULT_MAX_CLIENTS: usize = 5000;
/// libvirtd's default `max_anonymous_clients` (main server; the admin server has
/// none, 0 meaning no limit).
const DEFAULT_MAX_ANONYMOUS_CLIENTS: usize = 20;

/// Worker bounds of the admin server's pool (admin calls are short).
const ADMIN_WORKERS: (usize, usize) = (1, 5);

/// Where a socket listens.
#[derive(Debug)]
enum Address {
    Unix(PathBuf, u32),
    Tcp(SocketAddr),
}

/// One socket to bind: where, for which server, with which settings.
#[derive(Debug)]
pub(crate) struct Planned {
    address: Address,
    server: &'static str,
    service: Service,
    auth: AuthMode,
}

/// The main server and, unless `--no-admin`, the admin server (in the order
/// CONNECT_LIST_SERVERS reports them).
pub(crate) fn servers(
    config: &Config,
    shared: &SharedLoop,
    shutdown: &Arc<AutoShutdown>,
) -> Result<Vec<Arc<Server>>, String> {
    let pool = Pool::new("rvirtd-worker", config.workers, config.workers)
        .map_err(|e| format!("worker threads: {e}"))?;
    let remote = remote::programs(RemoteConfig {
        default_uri: config.default_uri.clone(),
        served: ServedUris {
            test_files: config.allow_test_files.clone(),
        },
        policy: Policy::new(&config.auth_allow_uid),
    });
    let main = Server::new(
        MAIN_SERVER,
        remote,
        pool,
        shared.clone(),
        DEFAULT_MAX_CLIENTS,
        DEFAULT_MAX_ANONYMOUS_CLIENTS,
    );
    main.set_max_client_requests(config.max_client_requests);
    if !config.admin {
        return Ok(vec![main]);
    }
    let pool = Pool::new("rvirtd-admin", ADMIN_WORKERS.0, ADMIN_WORKERS.1)
        .map_err(|e| format!("admin worker threads: {e}"))?;
    let admin = Server::new(
        ADMIN_SERVER,
        admin::programs(shutdown.clone()),
        pool,
        shared.clone(),
        DEFAULT_MAX_CLIENTS,
        0,
    );
    Ok(vec![main, admin])
}

/// Every socket the configuration asks for (the TLS credentials are loaded here).
pub(crate) fn services(config: &Config) -> Result<Vec<Planned>, String> {
    let mut base = Service::new(
        MAIN_SERVER,
        Transport::Unix,
        OutputBudget::new(config.max_total_output),
    );
    base.keepalive_interval = config.keepalive_interval;
    base.max_output = config.max_client_output;
    base.auth_timeout = config.auth_timeout;
    let with_auth = |mut service: Service, auth: AuthMode| {
        service.auth = auth.number();
        (service, auth)
    };
    let tls = match config.listen_tls {
        Some(addr) => Some((addr, tls_service(config, &base)?)),
        None => None,
    };
    let dir = &config.socket_dir;
    let mut plan = Vec::new();
    let mut add = |address, server, (service, auth)| {
        plan.push(Planned {
            address,
            server,
            service,
            auth,
        })
    };
    add(
        Address::Unix(dir.join(RW_SOCKET), config.rw_perms),
        MAIN_SERVER,
        with_auth(base.clone(), config.auth_unix_rw),
    );
    let ro = Service {
        name: "libvirtd-ro",
        read_only: true,
        ..base.clone()
    };
    add(
        Address::Unix(dir.join(RO_SOCKET), config.ro_perms),
        MAIN_SERVER,
        with_auth(ro, config.auth_unix_ro),
    );
    if let Some(addr) = config.listen_tcp {
        // Config::parse admits plain TCP only with `--auth-tcp none`.
        let tcp = Service {
            name: "libvirtd-tcp",
            transport: Transport::Tcp,
            ..base.clone()
        };
        add(Address::Tcp(addr), MAIN_SERVER, (tcp, AuthMode::None));
    }
    if let Some((addr, service)) = tls {
        add(Address::Tcp(addr), MAIN_SERVER, (service, AuthMode::None));
    }
    if config.admin {
        let admin = Service {
            name: ADMIN_SERVER,
            owner_only: true,
            ..base.clone()
        };
        add(
            Address::Unix(dir.join(ADMIN_SOCKET), config.admin_perms),
            ADMIN_SERVER,
            (admin, AuthMode::None),
        );
    }
    Ok(plan)
}

/// Binds the planned sockets and serves them; the caller keeps the listeners to
/// remove their paths at exit.
pub(crate) fn listen(
    config: &Config,
    plan: Vec<Planned>,
    registry: &Arc<Registry>,
) -> Result<Vec<Arc<Listener>>, String> {
    std::fs::create_dir_all(&config.socket_dir)
        .map_err(|e| format!("{}: {e}", config.socket_dir.display()))?;
    // Save images named by clients never land among the daemon's sockets.
    rvirt_core::driver::save_file::protect_dir(&config.socket_dir);
    let mut listeners = Vec::new();
    let mut names = Vec::new();
    for p in plan {
        let listener = match &p.address {
            Address::Unix(path, mode) => Listener::bind_unix(path, *mode),
            Address::Tcp(addr) => Listener::bind_tcp(*addr),
        };
        let listener = Arc::new(listener.map_err(|e| format!("cannot listen: {e}"))?);
        let server = registry
            .server(p.server)
            .ok_or_else(|| format!("no server {}", p.server))?
            .clone();
        names.push((p.service.name, p.auth));
        registry
            .listen(&server, listener.clone(), p.service)
            .map_err(|e| e.to_string())?;
        listeners.push(listener);
    }
    for (l, (name, auth)) in listeners.iter().zip(names) {
        log!(
            "listening on {} ({name}, auth {})",
            l.describe(),
            auth.name()
        );
    }
    Ok(listeners)
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
        tls: Some(Arc::new(acceptor)),
        ..base.clone()
    })
}

#[cfg(not(feature = "tls"))]
fn tls_service(_: &Config, _: &Service) -> Result<Service, String> {
    Err("--listen-tls: this rvirtd was built without the `tls` feature".into())
}
