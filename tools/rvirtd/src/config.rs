//! Command-line configuration.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::auth::AuthMode;
use crate::pki::PkiFlags;
use rvirt_rpc_server::pki::TlsFiles;

/// Usage text for `--help` and argument errors.
pub const USAGE: &str = "\
usage: rvirtd [OPTIONS]
  --socket-dir DIR          where to create libvirt-sock (rw), libvirt-sock-ro (ro) and
                            libvirt-admin-sock (admin) [/run/rvirt]
  --rw-perms OCTAL          mode of the read-write socket [0600]
  --ro-perms OCTAL          mode of the read-only socket [0666]
  --admin-perms OCTAL       mode of the admin socket (virt-admin; only clients running as the
                            daemon's own uid are served there, whatever the mode) [0600]
  --no-admin                no admin server and no admin socket
  --auth-unix-rw MODE       none or polkit: clients of the read-write socket must pass
                            AUTH_POLKIT (their uid on --auth-allow-uid; root always passes) [none]
  --auth-unix-ro MODE       the same for the read-only socket [none]
  --auth-allow-uid UID      a uid AUTH_POLKIT accepts (repeatable) [the daemon's own uid]
  --listen-tcp ADDR:PORT    also serve the read-write server on plain TCP (loopback only);
                            needs --auth-tcp none
  --auth-tcp none           accept unauthenticated, unencrypted TCP clients (libvirt's default
                            auth_tcp is sasl, which rvirtd does not implement)
  --listen-tls ADDR:PORT    also serve the read-write server on TLS (libvirt's port: 16514);
                            clients need a certificate signed by the CA
  --pki-dir DIR             TLS files in libvirt's pkipath layout: DIR/cacert.pem,
                            DIR/servercert.pem, DIR/serverkey.pem, optional DIR/cacrl.pem
                            [/etc/pki/CA/cacert.pem, /etc/pki/libvirt/servercert.pem,
                            /etc/pki/libvirt/private/serverkey.pem]
  --tls-ca-file FILE        override one TLS file (libvirtd.conf's ca_file, crl_file,
  --tls-crl-file FILE         cert_file, key_file)
  --tls-cert-file FILE
  --tls-key-file FILE
  --tls-allowed-dn PATTERN  accept only client certificates whose Distinguished Name matches
                            (* and ? wildcards; repeatable; like tls_allowed_dn_list) [any]
  --qemu-root DIR           state directory of qemu:///system [/var/lib/rvirt/qemu-system]
  --qemu-user USER          user the QEMUs of qemu:///system run as (name or +UID; root: no
                            switch; like qemu.conf's user) [libvirt-qemu]
  --qemu-group GROUP        their group (name or +GID) [the user's primary group]
  --qemu-sandbox yes|no     seccomp -sandbox for every QEMU (qemu.conf's seccomp_sandbox) [yes]
  --qemu-namespaces mount|none  a private mount namespace with its own /dev (only the
                            devices the guest uses) for each QEMU (qemu.conf's
                            namespaces) [mount; needs root]
  --lxc-root DIR            state directory of lxc:///system [/var/lib/rvirt/lxc-system]
  --storage-root DIR        state directory of the host's storage pools (of qemu:///system
                            and lxc:///system) [/var/lib/rvirt/storage-system]
  --network-root DIR        state directory of the host's virtual networks (of
                            qemu:///system and lxc:///system) [/var/lib/rvirt/network-system]
  --secret-root DIR         state directory of the host's secrets (of qemu:///system and
                            lxc:///system) [/var/lib/rvirt/secret-system]
  --nwfilter-root DIR       state directory of the host's network filters (of
                            qemu:///system and lxc:///system) [/var/lib/rvirt/nwfilter-system]
  --network-autostart yes|no  start the autostart networks (libvirt's 'default' among
                            them) with the daemon [yes]
  --default-uri URI         URI opened when a client sends an empty one [test:///default]
  --allow-test-file FILE    let clients open test:///FILE, a test-driver node file (absolute
                            path; repeatable). Clients open only test:///default,
                            qemu:///system, lxc:///system and these
  --keep-open URI           open URI at startup and hold it while the daemon runs (repeatable);
                            keeps test:///default's state between clients
  --workers N               threads executing the libvirtd server's calls (its pool's minimum
                            and maximum; virt-admin server-threadpool-set changes them) [4]
  --max-client-requests N   calls of one client run at once, each answered as it finishes
                            (libvirtd.conf's max_client_requests; connection setup,
                            authentication and event registration always run alone) [5]
  --timeout SECS            exit after SECS without clients (0: never; virt-admin
                            daemon-timeout changes it at run time) [never]
  --pidfile PATH            write the daemon's pid there
  --keepalive-interval SECS ping idle keepalive clients every SECS (0: never) [5]
  --keepalive-count N       close a client after N unanswered pings [5]
  --max-client-output BYTES disconnect a client leaving more output unread [67108872]
  --max-total-output BYTES  while all clients together leave more output unread, disconnect
                            the one holding the most [134217744]
  --auth-timeout SECS       disconnect a client that has not finished its TLS handshake or
                            its authentication after SECS (0: never) [10]
  --help                    this text";

/// The daemon's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Directory of the unix sockets.
    pub socket_dir: PathBuf,
    /// Mode of the read-write socket.
    pub rw_perms: u32,
    /// Mode of the read-only socket.
    pub ro_perms: u32,
    /// Run the admin server (`libvirt-admin-sock`).
    pub admin: bool,
    /// Mode of the admin socket.
    pub admin_perms: u32,
    /// Authentication on the read-write socket.
    pub auth_unix_rw: AuthMode,
    /// Authentication on the read-only socket.
    pub auth_unix_ro: AuthMode,
    /// uids AUTH_POLKIT accepts; empty: the daemon's own.
    pub auth_allow_uid: Vec<u32>,
    /// Plain TCP address of the read-write server, if any (loopback only).
    pub listen_tcp: Option<SocketAddr>,
    /// `--auth-tcp`: must be `Some(AuthMode::None)` for `listen_tcp`.
    pub auth_tcp: Option<AuthMode>,
    /// TLS address of the read-write server, if any.
    pub listen_tls: Option<SocketAddr>,
    /// The TLS server's CA, CRL, certificate and key.
    pub tls_files: TlsFiles,
    /// Patterns a client certificate's Distinguished Name must match; empty: any.
    pub tls_allowed_dn: Vec<String>,
    /// Root of `qemu:///system`.
    pub qemu_root: Option<PathBuf>,
    /// QEMU's user, group and seccomp sandbox (`qemu.conf`'s `user`, `group`,
    /// `seccomp_sandbox`).
    pub qemu_security: rvirt_driver_qemu::security::SecurityConfig,
    /// Root of `lxc:///system`.
    pub lxc_root: Option<PathBuf>,
    /// Root of the host's storage driver state.
    pub storage_root: Option<PathBuf>,
    /// Root of the host's network driver state.
    pub network_root: Option<PathBuf>,
    /// Root of the host's secret driver state.
    pub secret_root: Option<PathBuf>,
    /// Root of the host's network filter driver state.
    pub nwfilter_root: Option<PathBuf>,
    /// Whether autostart networks start with the daemon.
    pub network_autostart: bool,
    /// URI for clients that send an empty one.
    pub default_uri: String,
    /// Node files clients may open as `test:///FILE`.
    pub allow_test_files: Vec<String>,
    /// URIs held open for the daemon's lifetime.
    pub keep_open: Vec<String>,
    /// Worker threads.
    pub workers: usize,
    /// Calls of one client running at once.
    pub max_client_requests: usize,
    /// Exit after this long without clients.
    pub timeout: Option<Duration>,
    /// Pid file.
    pub pidfile: Option<PathBuf>,
    /// Idle time before a keepalive PING; zero disables PINGs.
    pub keepalive_interval: Duration,
    /// Unanswered PINGs before a client is dropped.
    pub keepalive_count: u32,
    /// Unread output after which a client is disconnected (default: two maximal
    /// packets).
    pub max_client_output: usize,
    /// Unread output of all clients together (default: four maximal packets).
    pub max_total_output: usize,
    /// Time allowed for the TLS handshake and authentication.
    pub auth_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            socket_dir: PathBuf::from("/run/rvirt"),
            rw_perms: 0o600,
            ro_perms: 0o666,
            admin: true,
            admin_perms: 0o600,
            auth_unix_rw: AuthMode::None,
            auth_unix_ro: AuthMode::None,
            auth_allow_uid: Vec::new(),
            listen_tcp: None,
            auth_tcp: None,
            listen_tls: None,
            tls_files: TlsFiles::system(),
            tls_allowed_dn: Vec::new(),
            qemu_root: None,
            qemu_security: rvirt_driver_qemu::security::SecurityConfig::default(),
            lxc_root: None,
            storage_root: None,
            network_root: None,
            secret_root: None,
            nwfilter_root: None,
            network_autostart: true,
            default_uri: "test:///default".into(),
            allow_test_files: Vec::new(),
            keep_open: Vec::new(),
            workers: 4,
            max_client_requests: rvirt_rpc_server::DEFAULT_MAX_CLIENT_REQUESTS,
            timeout: None,
            pidfile: None,
            keepalive_interval: Duration::from_secs(5),
            keepalive_count: 5,
            max_client_output: 2 * rvirt_rpc::MAX_PACKET_LEN,
            max_total_output: 4 * rvirt_rpc::MAX_PACKET_LEN,
            auth_timeout: Duration::from_secs(10),
        }
    }
}

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// Run with this configuration.
    Run(Box<Config>),
    /// Print the usage.
    Help,
}

impl Config {
    /// Parses command-line arguments (without the program name).
    pub fn parse(args: Vec<String>) -> Result<Parsed, String> {
        let mut c = Config::default();
        let mut pki = PkiFlags::default();
        let mut it = args.into_iter();
        while let Some(flag) = it.next() {
            if flag == "--help" || flag == "-h" {
                return Ok(Parsed::Help);
            }
            if flag == "--no-admin" {
                c.admin = false;
                continue;
            }
            let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
            match flag.as_str() {
                "--socket-dir" => c.socket_dir = PathBuf::from(value()?),
                "--rw-perms" => c.rw_perms = octal(&flag, &value()?)?,
                "--ro-perms" => c.ro_perms = octal(&flag, &value()?)?,
                "--admin-perms" => c.admin_perms = octal(&flag, &value()?)?,
                "--listen-tcp" => {
                    let v = value()?;
                    let addr = address(&flag, &v)?;
                    if !addr.ip().is_loopback() {
                        return Err(format!(
                            "--listen-tcp {v}: only loopback addresses are allowed (plain TCP is neither encrypted nor authenticated)"
                        ));
                    }
                    c.listen_tcp = Some(addr);
                }
                "--auth-tcp" => {
                    c.auth_tcp = match AuthMode::parse(&flag, &value()?)? {
                        AuthMode::Polkit => {
                            return Err("--auth-tcp polkit: polkit needs a unix socket's peer credentials (use none)".into());
                        }
                        m => Some(m),
                    }
                }
                "--auth-unix-rw" => c.auth_unix_rw = AuthMode::parse(&flag, &value()?)?,
                "--auth-unix-ro" => c.auth_unix_ro = AuthMode::parse(&flag, &value()?)?,
                "--auth-allow-uid" => {
                    let v = value()?;
                    let uid = u32::try_from(number(&flag, &v)?)
                        .map_err(|_| format!("{flag} {v}: not a uid"))?;
                    c.auth_allow_uid.push(uid);
                }
                "--listen-tls" => c.listen_tls = Some(address(&flag, &value()?)?),
                "--pki-dir" => pki.dir = Some(PathBuf::from(value()?)),
                "--tls-ca-file" => pki.ca = Some(PathBuf::from(value()?)),
                "--tls-crl-file" => pki.crl = Some(PathBuf::from(value()?)),
                "--tls-cert-file" => pki.cert = Some(PathBuf::from(value()?)),
                "--tls-key-file" => pki.key = Some(PathBuf::from(value()?)),
                "--tls-allowed-dn" => c.tls_allowed_dn.push(value()?),
                "--qemu-root" => c.qemu_root = Some(PathBuf::from(value()?)),
                "--qemu-user" => c.qemu_security.user = value()?,
                "--qemu-group" => c.qemu_security.group = Some(value()?),
                "--qemu-sandbox" => {
                    c.qemu_security.seccomp_sandbox = match value()?.as_str() {
                        "yes" => true,
                        "no" => false,
                        v => return Err(format!("{flag} {v}: expected yes or no")),
                    }
                }
                "--qemu-namespaces" => {
                    c.qemu_security.mount_namespace = match value()?.as_str() {
                        "mount" => true,
                        "none" => false,
                        v => return Err(format!("{flag} {v}: expected mount or none")),
                    }
                }
                "--lxc-root" => c.lxc_root = Some(PathBuf::from(value()?)),
                "--storage-root" => c.storage_root = Some(PathBuf::from(value()?)),
                "--network-root" => c.network_root = Some(PathBuf::from(value()?)),
                "--secret-root" => c.secret_root = Some(PathBuf::from(value()?)),
                "--nwfilter-root" => c.nwfilter_root = Some(PathBuf::from(value()?)),
                "--network-autostart" => {
                    c.network_autostart = match value()?.as_str() {
                        "yes" => true,
                        "no" => false,
                        v => return Err(format!("{flag} {v}: expected yes or no")),
                    }
                }
                "--default-uri" => c.default_uri = value()?,
                "--allow-test-file" => {
                    let v = value()?;
                    if !v.starts_with('/') {
                        return Err(format!("{flag} {v}: not an absolute path"));
                    }
                    c.allow_test_files.push(v);
                }
                "--keep-open" => c.keep_open.push(value()?),
                "--workers" => {
                    let n = number(&flag, &value()?)?.max(1);
                    if n > rvirt_rpc_server::workers::MAX_WORKERS as u64 {
                        return Err(format!(
                            "{flag} {n}: more than the limit of {}",
                            rvirt_rpc_server::workers::MAX_WORKERS
                        ));
                    }
                    c.workers = n as usize;
                }
                "--max-client-requests" => {
                    c.max_client_requests = number(&flag, &value()?)?.clamp(1, 10_000) as usize
                }
                "--timeout" => c.timeout = Some(Duration::from_secs(number(&flag, &value()?)?)),
                "--pidfile" => c.pidfile = Some(PathBuf::from(value()?)),
                "--keepalive-interval" => {
                    c.keepalive_interval = Duration::from_secs(number(&flag, &value()?)?)
                }
                "--keepalive-count" => c.keepalive_count = number(&flag, &value()?)? as u32,
                "--max-client-output" => {
                    c.max_client_output = number(&flag, &value()?)?.max(1024) as usize
                }
                "--max-total-output" => {
                    c.max_total_output = number(&flag, &value()?)?.max(1024) as usize
                }
                "--auth-timeout" => c.auth_timeout = Duration::from_secs(number(&flag, &value()?)?),
                _ => return Err(format!("unknown option '{flag}'")),
            }
        }
        if c.listen_tcp.is_some() && c.auth_tcp != Some(AuthMode::None) {
            return Err(
                "--listen-tcp needs --auth-tcp none: plain TCP clients are not authenticated \
                 (libvirt's default auth_tcp is sasl, which rvirtd does not implement); \
                 use --listen-tls for authenticated remote access"
                    .into(),
            );
        }
        c.tls_files = pki.resolve();
        Ok(Parsed::Run(Box::new(c)))
    }
}

fn address(flag: &str, v: &str) -> Result<SocketAddr, String> {
    v.parse().map_err(|e| format!("{flag} {v}: {e}"))
}

fn octal(flag: &str, v: &str) -> Result<u32, String> {
    u32::from_str_radix(v, 8)
        .ok()
        .filter(|m| *m <= 0o7777)
        .ok_or_else(|| format!("{flag} {v}: not an octal mode"))
}

fn number(flag: &str, v: &str) -> Result<u64, String> {
    v.parse()
        .map_err(|_| format!("{flag} {v}: not a non-negative integer"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_flags() {
        let Parsed::Run(c) = Config::parse(args(&[
            "--socket-dir",
            "/tmp/x",
            "--ro-perms",
            "0644",
            "--listen-tcp",
            "127.0.0.1:16509",
            "--auth-tcp",
            "none",
            "--listen-tls",
            "0.0.0.0:16514",
            "--pki-dir",
            "/pki",
            "--tls-allowed-dn",
            "C=GB,CN=*",
            "--auth-unix-rw",
            "polkit",
            "--auth-allow-uid",
            "0",
            "--auth-allow-uid",
            "1000",
            "--keep-open",
            "test:///default",
            "--timeout",
            "3",
            "--admin-perms",
            "0660",
            "--max-client-requests",
            "7",
        ]))
        .unwrap() else {
            panic!("expected Run");
        };
        assert_eq!(c.socket_dir, PathBuf::from("/tmp/x"));
        assert_eq!(c.max_client_requests, 7);
        assert_eq!(c.ro_perms, 0o644);
        assert_eq!(c.rw_perms, 0o600);
        assert_eq!(c.listen_tcp.unwrap().port(), 16509);
        assert_eq!(c.auth_tcp, Some(AuthMode::None));
        assert_eq!(c.listen_tls.unwrap().port(), 16514);
        assert_eq!(c.tls_files, TlsFiles::in_dir(std::path::Path::new("/pki")));
        assert_eq!(c.tls_allowed_dn, vec!["C=GB,CN=*".to_string()]);
        assert_eq!(
            (c.auth_unix_rw, c.auth_unix_ro),
            (AuthMode::Polkit, AuthMode::None)
        );
        assert_eq!(c.auth_allow_uid, vec![0, 1000]);
        assert_eq!(c.keep_open, vec!["test:///default".to_string()]);
        assert_eq!(c.timeout, Some(Duration::from_secs(3)));
        assert_eq!((c.admin, c.admin_perms), (true, 0o660));
        let Parsed::Run(c) = Config::parse(args(&["--no-admin"])).unwrap() else {
            panic!("expected Run");
        };
        assert!(!c.admin);
    }

    /// `--qemu-namespaces`: mount (the default) or none; nothing else.
    #[test]
    fn qemu_namespaces_flag() {
        let ns = |v: &[&str]| match Config::parse(args(v)) {
            Ok(Parsed::Run(c)) => Ok(c.qemu_security.mount_namespace),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e),
        };
        assert_eq!(ns(&[]), Ok(true));
        assert_eq!(ns(&["--qemu-namespaces", "none"]), Ok(false));
        assert_eq!(ns(&["--qemu-namespaces", "mount"]), Ok(true));
        let e = ns(&["--qemu-namespaces", "pid"]).unwrap_err();
        assert!(e.contains("expected mount or none"), "{e}");
    }

    #[test]
    fn plain_tcp_needs_explicit_consent() {
        let e = Config::parse(args(&["--listen-tcp", "127.0.0.1:16509"])).unwrap_err();
        assert!(e.contains("--auth-tcp none"), "{e}");
        let ok = Config::parse(args(&["--auth-tcp", "none", "--listen-tcp", "127.0.0.1:1"]));
        assert!(ok.is_ok());
    }

    #[test]
    fn refuses_bad_input() {
        assert!(Config::parse(args(&["--listen-tcp", "0.0.0.0:1", "--auth-tcp", "none"])).is_err());
        assert!(Config::parse(args(&["--auth-tcp", "polkit"])).is_err());
        assert!(Config::parse(args(&["--auth-tcp", "sasl"])).is_err());
        assert!(Config::parse(args(&["--auth-allow-uid", "x"])).is_err());
        assert!(Config::parse(args(&["--listen-tls", "nowhere"])).is_err());
        assert!(Config::parse(args(&["--rw-perms", "9"])).is_err());
        assert!(Config::parse(args(&["--admin-perms", "x"])).is_err());
        assert!(Config::parse(args(&["--bogus"])).is_err());
        assert!(Config::parse(args(&["--socket-dir"])).is_err());
        assert_eq!(Config::parse(args(&["--help"])).unwrap(), Parsed::Help);
    }
}
