//! Command-line configuration.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Usage text for `--help` and argument errors.
pub const USAGE: &str = "\
usage: rvirtd [OPTIONS]
  --socket-dir DIR          where to create libvirt-sock (rw) and libvirt-sock-ro (ro) [/run/rvirt]
  --rw-perms OCTAL          mode of the read-write socket [0600]
  --ro-perms OCTAL          mode of the read-only socket [0666]
  --listen-tcp ADDR:PORT    also serve the read-write server on plain TCP (loopback only: no TLS, no auth)
  --qemu-root DIR           state directory of qemu:///system
  --default-uri URI         URI opened when a client sends an empty one [test:///default]
  --keep-open URI           open URI at startup and hold it while the daemon runs (repeatable);
                            keeps test:///default's state between clients
  --workers N               threads executing calls [4]
  --timeout SECS            exit after SECS without clients
  --pidfile PATH            write the daemon's pid there
  --keepalive-interval SECS ping idle keepalive clients every SECS (0: never) [5]
  --keepalive-count N       close a client after N unanswered pings [5]
  --max-client-output BYTES disconnect a client leaving more output unread [67108872]
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
    /// Plain TCP address of the read-write server, if any (loopback only).
    pub listen_tcp: Option<SocketAddr>,
    /// Root of `qemu:///system`.
    pub qemu_root: Option<PathBuf>,
    /// URI for clients that send an empty one.
    pub default_uri: String,
    /// URIs held open for the daemon's lifetime.
    pub keep_open: Vec<String>,
    /// Worker threads.
    pub workers: usize,
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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            socket_dir: PathBuf::from("/run/rvirt"),
            rw_perms: 0o600,
            ro_perms: 0o666,
            listen_tcp: None,
            qemu_root: None,
            default_uri: "test:///default".into(),
            keep_open: Vec::new(),
            workers: 4,
            timeout: None,
            pidfile: None,
            keepalive_interval: Duration::from_secs(5),
            keepalive_count: 5,
            max_client_output: 2 * rvirt_rpc::MAX_PACKET_LEN,
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
        let mut it = args.into_iter();
        while let Some(flag) = it.next() {
            if flag == "--help" || flag == "-h" {
                return Ok(Parsed::Help);
            }
            let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
            match flag.as_str() {
                "--socket-dir" => c.socket_dir = PathBuf::from(value()?),
                "--rw-perms" => c.rw_perms = octal(&flag, &value()?)?,
                "--ro-perms" => c.ro_perms = octal(&flag, &value()?)?,
                "--listen-tcp" => {
                    let v = value()?;
                    let addr: SocketAddr =
                        v.parse().map_err(|e| format!("--listen-tcp {v}: {e}"))?;
                    if !addr.ip().is_loopback() {
                        return Err(format!(
                            "--listen-tcp {v}: only loopback addresses are allowed (no TLS, no authentication)"
                        ));
                    }
                    c.listen_tcp = Some(addr);
                }
                "--qemu-root" => c.qemu_root = Some(PathBuf::from(value()?)),
                "--default-uri" => c.default_uri = value()?,
                "--keep-open" => c.keep_open.push(value()?),
                "--workers" => c.workers = number(&flag, &value()?)?.max(1) as usize,
                "--timeout" => c.timeout = Some(Duration::from_secs(number(&flag, &value()?)?)),
                "--pidfile" => c.pidfile = Some(PathBuf::from(value()?)),
                "--keepalive-interval" => {
                    c.keepalive_interval = Duration::from_secs(number(&flag, &value()?)?)
                }
                "--keepalive-count" => c.keepalive_count = number(&flag, &value()?)? as u32,
                "--max-client-output" => {
                    c.max_client_output = number(&flag, &value()?)?.max(1024) as usize
                }
                _ => return Err(format!("unknown option '{flag}'")),
            }
        }
        Ok(Parsed::Run(Box::new(c)))
    }
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
            "--keep-open",
            "test:///default",
            "--timeout",
            "3",
        ]))
        .unwrap() else {
            panic!("expected Run");
        };
        assert_eq!(c.socket_dir, PathBuf::from("/tmp/x"));
        assert_eq!(c.ro_perms, 0o644);
        assert_eq!(c.rw_perms, 0o600);
        assert_eq!(c.listen_tcp.unwrap().port(), 16509);
        assert_eq!(c.keep_open, vec!["test:///default".to_string()]);
        assert_eq!(c.timeout, Some(Duration::from_secs(3)));
    }

    #[test]
    fn refuses_bad_input() {
        assert!(Config::parse(args(&["--listen-tcp", "0.0.0.0:1"])).is_err());
        assert!(Config::parse(args(&["--rw-perms", "9"])).is_err());
        assert!(Config::parse(args(&["--bogus"])).is_err());
        assert!(Config::parse(args(&["--socket-dir"])).is_err());
        assert_eq!(Config::parse(args(&["--help"])).unwrap(), Parsed::Help);
    }
}
