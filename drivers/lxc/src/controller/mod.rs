//! The per-container controller process (`rvirt-lxc-controller`).
//!
//! It starts the container's init ([`crate::namespaces`]), then serves the monitor
//! socket it inherited from the driver: one client at a time (a newer connection
//! replaces an older one, so a restarted driver can reconnect); every new client first
//! gets an INIT event with the init pid. When init exits the controller sends EXIT
//! (waiting a little for a client if none is connected), keeps the connection open
//! until the bytes are written and the driver hangs up (bounded), and exits. SIGTERM
//! or SIGINT (destroy) kill init with SIGKILL first.
//!
//! Arguments: `--listen-fd N --name NAME --staging DIR` followed by the container
//! spec ([`ContainerSpec::to_args`](crate::xml::ContainerSpec::to_args)).

mod server;
mod signals;

use std::os::fd::FromRawFd;
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::time::Duration;

use crate::namespaces::spawn_init;
use crate::protocol::ExitStatus;
use crate::xml::ContainerSpec;
use server::Server;
use signals::{SignalFd, Signalled};

/// How long the controller waits for a driver to connect before it exits unheard.
const WAIT_FOR_CLIENT: Duration = Duration::from_secs(3);
/// How long it waits for the driver to hang up after EXIT.
const WAIT_FOR_HANGUP: Duration = Duration::from_secs(5);

/// The controller's options.
#[derive(Debug)]
struct Options {
    listen_fd: i32,
    name: String,
    staging: PathBuf,
    spec: ContainerSpec,
}

fn parse(args: Vec<String>) -> Result<Options, String> {
    let (spec, rest) = ContainerSpec::from_args(args)?;
    let mut listen_fd = None;
    let mut name = None;
    let mut staging = None;
    for (k, v) in rest {
        match k.as_str() {
            "--listen-fd" => {
                listen_fd = Some(v.parse::<i32>().map_err(|_| format!("bad fd '{v}'"))?);
            }
            "--name" => name = Some(v),
            "--staging" => staging = Some(PathBuf::from(v)),
            _ => return Err(format!("unknown option '{k}'")),
        }
    }
    Ok(Options {
        listen_fd: listen_fd.ok_or("--listen-fd is required")?,
        name: name.ok_or("--name is required")?,
        staging: staging.ok_or("--staging is required")?,
        spec,
    })
}

/// Maps init's wait status to the EXIT event's status: normal exit (or SIGTERM) →
/// shutdown, SIGHUP → reboot, anything else (or a destroy) → error.
pub fn exit_status_for(wait_status: libc::c_int, destroyed: bool) -> ExitStatus {
    if destroyed {
        return ExitStatus::Error;
    }
    if libc::WIFEXITED(wait_status) {
        return ExitStatus::Shutdown;
    }
    if libc::WIFSIGNALED(wait_status) {
        return match libc::WTERMSIG(wait_status) {
            libc::SIGHUP => ExitStatus::Reboot,
            libc::SIGTERM => ExitStatus::Shutdown,
            _ => ExitStatus::Error,
        };
    }
    ExitStatus::Error
}

fn log(name: &str, msg: &str) {
    eprintln!("rvirt-lxc-controller[{name}]: {msg}");
}

/// The controller's `main`: returns the process exit code.
pub fn main(args: Vec<String>) -> i32 {
    let opts = match parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("rvirt-lxc-controller: {e}");
            return 2;
        }
    };
    // SAFETY: ignoring SIGPIPE so a vanished driver gives EPIPE instead of killing us.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    let listener = match take_listener(opts.listen_fd) {
        Ok(l) => l,
        Err(e) => {
            log(&opts.name, &format!("bad --listen-fd: {e}"));
            return 1;
        }
    };
    let signals = match SignalFd::new() {
        Ok(s) => s,
        Err(e) => {
            log(&opts.name, &format!("cannot set up signals: {e}"));
            return 1;
        }
    };
    let mut server = Server::new(listener);
    let status = match spawn_init(&opts.spec, &opts.staging) {
        Ok(pid) => {
            log(&opts.name, &format!("container init {pid} started"));
            server.set_init_pid(pid);
            run(&opts, &mut server, &signals, pid)
        }
        Err(e) => {
            log(&opts.name, &format!("cannot start the container: {e}"));
            ExitStatus::Error
        }
    };
    log(&opts.name, &format!("exiting: {status:?}"));
    server.finish(status, WAIT_FOR_CLIENT, WAIT_FOR_HANGUP);
    let _ = std::fs::remove_dir(&opts.staging);
    0
}

/// Moves the inherited listening socket to a close-on-exec fd (it must not leak into
/// the container) and, when it came as stdin, puts `/dev/null` there instead.
fn take_listener(fd: i32) -> std::io::Result<UnixListener> {
    // SAFETY: fcntl(F_DUPFD_CLOEXEC) on the inherited fd returns a new fd we own.
    let moved = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) };
    if moved < 0 {
        return Err(std::io::Error::last_os_error());
    }
    if fd == 0 {
        let null = std::fs::File::open("/dev/null")?;
        // SAFETY: dup2 onto stdin, whose previous file (our listener copy) we own.
        unsafe { libc::dup2(std::os::fd::AsRawFd::as_raw_fd(&null), 0) };
    } else {
        // SAFETY: closing the inherited copy; `moved` keeps the socket.
        unsafe { libc::close(fd) };
    }
    // SAFETY: `moved` is a fresh fd owned by nothing else.
    Ok(unsafe { UnixListener::from_raw_fd(moved) })
}

/// Serves clients until init exits; returns the EXIT status to send.
fn run(opts: &Options, server: &mut Server, signals: &SignalFd, init: u32) -> ExitStatus {
    let mut destroyed = false;
    loop {
        let ready = server.poll(signals.fd(), None);
        if !ready {
            continue;
        }
        for sig in signals.read() {
            match sig {
                Signalled::Child => {
                    if let Some(st) = signals::try_wait(init) {
                        return exit_status_for(st, destroyed);
                    }
                }
                Signalled::Terminate => {
                    log(&opts.name, "destroy requested: killing init");
                    destroyed = true;
                    crate::process::signal(init, libc::SIGKILL);
                }
                Signalled::Other => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exited(code: i32) -> libc::c_int {
        (code & 0xff) << 8
    }

    #[test]
    fn wait_statuses_map_to_exit_events() {
        assert_eq!(exit_status_for(exited(0), false), ExitStatus::Shutdown);
        assert_eq!(exit_status_for(exited(3), false), ExitStatus::Shutdown);
        assert_eq!(exit_status_for(libc::SIGHUP, false), ExitStatus::Reboot);
        assert_eq!(exit_status_for(libc::SIGTERM, false), ExitStatus::Shutdown);
        assert_eq!(exit_status_for(libc::SIGKILL, false), ExitStatus::Error);
        assert_eq!(exit_status_for(exited(0), true), ExitStatus::Error);
    }

    #[test]
    fn options_parse() {
        let args: Vec<String> = [
            "--listen-fd",
            "3",
            "--name",
            "c",
            "--staging",
            "/s",
            "--hostname",
            "c",
            "--",
            "/bin/true",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let o = parse(args).unwrap();
        assert_eq!((o.listen_fd, o.name.as_str()), (3, "c"));
        assert_eq!(o.spec.init, "/bin/true");
        assert!(parse(vec!["--name".into(), "c".into()]).is_err());
    }
}
