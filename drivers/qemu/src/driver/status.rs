//! The live status file of a running domain (`ROOT/run/qemu/NAME.xml`): a `<domstatus>`
//! wrapper around the live definition, written on start and on every state change and
//! read back when a new driver instance reconnects to a QEMU that outlived the process
//! that started it.

use std::path::{Path, PathBuf};

use rvirt_core::api::StateReason;
use rvirt_core::driver::files::{
    is_plain_component, read_bounded, xml_attr as attr, xml_escape as escape,
};

/// File name of the monitor socket in a domain's private directory.
pub(crate) const MONITOR_SOCKET: &str = "monitor.sock";
/// Largest status file read back (a status file is one domain definition).
const MAX_STATUS_BYTES: u64 = 16 << 20;

/// What a driver instance needs to find and re-adopt a running QEMU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DomainStatus {
    /// State and reason when the file was written.
    pub state: StateReason,
    /// QEMU's process id.
    pub pid: u32,
    /// The monitor socket QEMU listens on.
    pub monitor: PathBuf,
    /// The domain's private directory (`ROOT/lib/qemu/domain-ID-NAME`).
    pub lib_dir: PathBuf,
    /// The guest-agent response timeout of the run (libvirt's `<agentTimeout>`;
    /// -2, blocking, when the file has none, as one of an older rvirt).
    pub agent_timeout: i32,
    /// The live `<domain>` definition (with its runtime `id`).
    pub domain_xml: String,
}

/// `VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK`: libvirt's default for a domain.
pub(crate) const AGENT_TIMEOUT_BLOCK: i32 = -2;

impl DomainStatus {
    /// The file's text.
    pub fn to_xml(&self) -> String {
        format!(
            "<domstatus state='{}' reason='{}' pid='{}'>\n  <monitor path='{}' type='unix'/>\n  <libDir path='{}'/>\n  <agentTimeout>{}</agentTimeout>\n{}</domstatus>\n",
            self.state.state().name(),
            self.state.reason_name(),
            self.pid,
            escape(&self.monitor.to_string_lossy()),
            escape(&self.lib_dir.to_string_lossy()),
            self.agent_timeout,
            self.domain_xml
        )
    }

    /// Parses a file written by [`to_xml`](Self::to_xml); `None` if anything is missing.
    pub fn parse(text: &str) -> Option<DomainStatus> {
        let head_end = text.find('>')?;
        let head = text.get(..head_end)?.strip_prefix("<domstatus")?;
        let state = attr(head, "state")?;
        let reason = attr(head, "reason")?;
        let pid = attr(head, "pid")?.parse().ok().filter(|&p: &u32| p > 0)?;
        let monitor = element_attr(text, "<monitor ", "path")?;
        let lib_dir = element_attr(text, "<libDir ", "path")?;
        let start = text.find("<domain ")?;
        let end = text.rfind("</domain>")? + "</domain>".len();
        // Only before the definition; a bad value makes the file unreadable, as in
        // libvirt ("failed to parse agent timeout").
        let agent_timeout = match text.get(..start)?.split_once("<agentTimeout>") {
            None => AGENT_TIMEOUT_BLOCK,
            Some((_, rest)) => {
                let v: i32 = rest.split_once("</agentTimeout>")?.0.trim().parse().ok()?;
                (v >= AGENT_TIMEOUT_BLOCK).then_some(v)?
            }
        };
        Some(DomainStatus {
            state: state_from_names(&state, &reason)?,
            pid,
            monitor: PathBuf::from(monitor),
            lib_dir: PathBuf::from(lib_dir),
            agent_timeout,
            domain_xml: format!("{}\n", text.get(start..end)?),
        })
    }

    /// Reads and parses the status file `path` of the root whose private directories
    /// live in `lib_root`. Every path in a status file is untrusted: the private
    /// directory must be a direct child of `lib_root` and the monitor socket must be in
    /// it, or the file is refused. Errors say why, for the log.
    pub fn load(path: &Path, lib_root: &Path) -> Result<DomainStatus, String> {
        let text = read_bounded(path, MAX_STATUS_BYTES).map_err(|e| e.to_string())?;
        let status = DomainStatus::parse(&text).ok_or("not a complete status file")?;
        let inside = status.lib_dir.parent() == Some(lib_root)
            && status.lib_dir.file_name().is_some_and(is_plain_component);
        if !inside {
            return Err(format!(
                "its private directory '{}' is not inside '{}'",
                status.lib_dir.display(),
                lib_root.display()
            ));
        }
        if status.monitor != status.lib_dir.join(MONITOR_SOCKET) {
            return Err(format!(
                "its monitor socket '{}' is not '{MONITOR_SOCKET}' in its private directory",
                status.monitor.display()
            ));
        }
        Ok(status)
    }
}

/// The state/reason pair libvirt names `state`/`reason` in status XML.
fn state_from_names(state: &str, reason: &str) -> Option<StateReason> {
    (0..8).find_map(|s| {
        (0..16).find_map(|r| {
            StateReason::from_raw(s, r)
                .filter(|sr| sr.state().name() == state && sr.reason_name() == reason)
        })
    })
}

fn element_attr(text: &str, open: &str, name: &str) -> Option<String> {
    let start = text.find(open)?;
    let rest = text.get(start..)?;
    let end = rest.find('>')?;
    attr(rest.get(..end)?, name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rvirt_core::api::{PausedReason, RunningReason};

    fn sample(state: StateReason) -> DomainStatus {
        DomainStatus {
            state,
            pid: 4242,
            monitor: PathBuf::from("/r/lib/qemu/domain-3-it's/monitor.sock"),
            lib_dir: PathBuf::from("/r/lib/qemu/domain-3-it's"),
            agent_timeout: AGENT_TIMEOUT_BLOCK,
            domain_xml: "<domain type='qemu' id='3'>\n  <name>a</name>\n</domain>\n".into(),
        }
    }

    #[test]
    fn round_trips_every_state_written_for_live_domains() {
        for st in [
            StateReason::Running(RunningReason::Booted),
            StateReason::Running(RunningReason::Unpaused),
            StateReason::Paused(PausedReason::User),
            StateReason::Paused(PausedReason::StartingUp),
        ] {
            let s = sample(st);
            assert_eq!(DomainStatus::parse(&s.to_xml()), Some(s));
        }
    }

    #[test]
    fn the_agent_timeout_round_trips_and_a_bad_one_is_refused() {
        let blocking = sample(StateReason::Running(RunningReason::Booted));
        let without = blocking
            .to_xml()
            .replace("  <agentTimeout>-2</agentTimeout>\n", "");
        assert_ne!(without, blocking.to_xml());
        assert_eq!(DomainStatus::parse(&without).as_ref(), Some(&blocking));
        for t in [-2, -1, 0, 1, 3600] {
            let s = DomainStatus {
                agent_timeout: t,
                ..blocking.clone()
            };
            assert!(
                s.to_xml()
                    .contains(&format!("<agentTimeout>{t}</agentTimeout>"))
            );
            assert_eq!(DomainStatus::parse(&s.to_xml()), Some(s));
        }
        let text = DomainStatus {
            agent_timeout: 7,
            ..blocking
        }
        .to_xml();
        for bad in ["-3", "x", ""] {
            let t = text.replace(">7<", &format!(">{bad}<"));
            assert_eq!(DomainStatus::parse(&t), None, "{bad}");
        }
    }

    #[test]
    fn paths_outside_the_root_are_refused() {
        let dir = std::env::temp_dir().join(format!("rvirt-status-{}", std::process::id()));
        let lib = dir.join("lib/qemu");
        std::fs::create_dir_all(&lib).unwrap();
        let path = dir.join("a.xml");
        let good = DomainStatus {
            lib_dir: lib.join("domain-3-a"),
            monitor: lib.join("domain-3-a/monitor.sock"),
            ..sample(StateReason::Running(RunningReason::Booted))
        };
        std::fs::write(&path, good.to_xml()).unwrap();
        assert_eq!(DomainStatus::load(&path, &lib), Ok(good.clone()));
        for (lib_dir, monitor) in [
            ("/etc", "/etc/monitor.sock"),
            ("LIB/..", "LIB/../monitor.sock"),
            ("LIB/domain-3-a/x", "LIB/domain-3-a/x/monitor.sock"),
            ("LIB/domain-3-a", "/run/other.sock"),
        ] {
            let bad = DomainStatus {
                lib_dir: PathBuf::from(lib_dir.replace("LIB", &lib.to_string_lossy())),
                monitor: PathBuf::from(monitor.replace("LIB", &lib.to_string_lossy())),
                ..good.clone()
            };
            std::fs::write(&path, bad.to_xml()).unwrap();
            let err = DomainStatus::load(&path, &lib).unwrap_err();
            assert!(err.contains("not"), "{lib_dir}: {err}");
        }
        std::fs::write(&path, &good.to_xml()[..50]).unwrap();
        assert_eq!(
            DomainStatus::load(&path, &lib).unwrap_err(),
            "not a complete status file"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn rejects_truncated_or_foreign_files() {
        let text = sample(StateReason::Running(RunningReason::Booted)).to_xml();
        for cut in [10, 40, 80, text.len() - 20] {
            assert_eq!(DomainStatus::parse(&text[..cut]), None, "cut at {cut}");
        }
        assert_eq!(DomainStatus::parse("<domain type='qemu'/>"), None);
        let bad_pid = text.replace("pid='4242'", "pid='0'");
        assert_eq!(DomainStatus::parse(&bad_pid), None);
        let bad_state = text.replace("state='running'", "state='flying'");
        assert_eq!(DomainStatus::parse(&bad_state), None);
    }
}
