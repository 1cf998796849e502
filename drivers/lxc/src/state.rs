//! Live status files (`run/lxc/NAME.xml`) and how controller events map to domain
//! states and lifecycle events.

use std::path::{Path, PathBuf};

use rvirt_core::api::{ShutoffReason, StateReason, StoppedDetail};
use rvirt_core::driver::files::{read_bounded, xml_attr as attr, xml_escape as escape};

/// Largest status file read back (one domain definition).
const MAX_STATUS_BYTES: u64 = 16 << 20;
use rvirt_core::{DomainEvent, Lifecycle};

use crate::protocol::ExitStatus;

/// What a new driver instance needs to re-adopt a running container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The controller's pid (also the domain id, as in libvirt's LXC driver).
    pub pid: u32,
    /// The container init's host pid, once known.
    pub init_pid: Option<u32>,
    /// The controller's monitor socket.
    pub socket: PathBuf,
    /// The live `<domain>` definition.
    pub domain_xml: String,
}

impl Status {
    /// The file's text.
    pub fn to_xml(&self) -> String {
        format!(
            "<domstatus state='running' reason='booted' pid='{}' initpid='{}'>\n  <monitor path='{}'/>\n{}</domstatus>\n",
            self.pid,
            self.init_pid.unwrap_or(0),
            escape(&self.socket.to_string_lossy()),
            self.domain_xml
        )
    }

    /// Parses what [`Status::to_xml`] wrote; `None` if anything is missing.
    pub fn parse(text: &str) -> Option<Status> {
        let head_end = text.find('>')?;
        let head = text.get(..head_end)?.strip_prefix("<domstatus")?;
        let pid = attr(head, "pid")?.parse().ok().filter(|&p: &u32| p > 0)?;
        let init_pid = attr(head, "initpid")?.parse().ok().filter(|&p: &u32| p > 0);
        let mon_start = text.find("<monitor ")?;
        let mon = text.get(mon_start..)?;
        let socket = attr(mon.get(..mon.find('>')?)?, "path")?;
        let start = text.find("<domain ")?;
        let end = text.rfind("</domain>")? + "</domain>".len();
        Some(Status {
            pid,
            init_pid,
            socket: PathBuf::from(socket),
            domain_xml: format!("{}\n", text.get(start..end)?),
        })
    }

    /// Reads and parses `path`; the error says why it is unusable (for the log).
    pub fn load(path: &Path) -> Result<Status, String> {
        let text = read_bounded(path, MAX_STATUS_BYTES).map_err(|e| e.to_string())?;
        Status::parse(&text).ok_or_else(|| "not a complete status file".to_string())
    }
}

/// How a running container ended, as the driver learnt it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ending {
    /// The controller reported EXIT with this status (then closed the socket).
    Exit(ExitStatus),
    /// The monitor socket closed without an EXIT event (controller killed or crashed).
    Eof,
    /// The driver destroyed it.
    Destroyed,
}

/// What an ending does to the domain.
#[derive(Clone, PartialEq, Debug)]
pub struct Outcome {
    /// State once stopped.
    pub state: StateReason,
    /// Events to emit.
    pub events: Vec<DomainEvent>,
    /// Start the container again (reboot).
    pub restart: bool,
}

/// The state and events for an ending (libvirt's `lxc_process.c` mapping): SHUTDOWN →
/// STOPPED/SHUTDOWN; ERROR, unknown statuses and EOF without EXIT → STOPPED/FAILED;
/// REBOOT → restart, announced by a REBOOT event alone (no STOPPED/STARTED pair).
pub fn outcome(ending: Ending) -> Outcome {
    let stopped = |reason, detail| Outcome {
        state: StateReason::Shutoff(reason),
        events: vec![DomainEvent::Lifecycle(Lifecycle::Stopped(detail))],
        restart: false,
    };
    match ending {
        Ending::Exit(ExitStatus::Shutdown) => {
            stopped(ShutoffReason::Shutdown, StoppedDetail::Shutdown)
        }
        Ending::Exit(ExitStatus::Error) | Ending::Eof => {
            stopped(ShutoffReason::Failed, StoppedDetail::Failed)
        }
        Ending::Destroyed => stopped(ShutoffReason::Destroyed, StoppedDetail::Destroyed),
        Ending::Exit(ExitStatus::Reboot) => Outcome {
            state: StateReason::Shutoff(ShutoffReason::Shutdown),
            events: vec![DomainEvent::Reboot],
            restart: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_and_rejects_truncation() {
        let s = Status {
            pid: 12,
            init_pid: Some(13),
            socket: PathBuf::from("/r/run/lxc/it's.sock"),
            domain_xml: "<domain type=\"lxc\" id=\"12\">\n  <name>a</name>\n</domain>\n".into(),
        };
        let text = s.to_xml();
        assert_eq!(Status::parse(&text), Some(s.clone()));
        for cut in [5, 30, 60, text.len() - 15] {
            assert_eq!(Status::parse(&text[..cut]), None);
        }
        let no_init = Status {
            init_pid: None,
            ..s
        };
        assert_eq!(Status::parse(&no_init.to_xml()), Some(no_init));
    }

    #[test]
    fn endings_map_like_libvirt() {
        let ev = |e| outcome(e).events;
        let stopped = |d| vec![DomainEvent::Lifecycle(Lifecycle::Stopped(d))];
        assert_eq!(
            ev(Ending::Exit(ExitStatus::Shutdown)),
            stopped(StoppedDetail::Shutdown)
        );
        assert_eq!(
            ev(Ending::Exit(ExitStatus::Error)),
            stopped(StoppedDetail::Failed)
        );
        assert_eq!(ev(Ending::Eof), stopped(StoppedDetail::Failed));
        assert_eq!(ev(Ending::Destroyed), stopped(StoppedDetail::Destroyed));
        let r = outcome(Ending::Exit(ExitStatus::Reboot));
        assert!(r.restart);
        assert_eq!(r.events, vec![DomainEvent::Reboot]);
        assert_eq!(
            outcome(Ending::Eof).state,
            StateReason::Shutoff(ShutoffReason::Failed)
        );
    }
}
