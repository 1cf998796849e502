//! `virDomainQemuMonitorCommand` (`virsh qemu-monitor-command`): a command passed to
//! the guest's QEMU monitor as the caller wrote it. A QMP command comes back as
//! QEMU's whole reply object, `{"return": …, "id": …}` or `{"error": {…}, "id": …}`
//! (an error of QEMU's is the caller's to read, not a failed call, as in libvirt);
//! an HMP command line runs through QMP's `human-monitor-command` and comes back as
//! its text.

use std::sync::atomic::{AtomicU64, Ordering};

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::{Value, json};

use super::monitor::Monitor;
use super::start::MONITOR_TIMEOUT;

/// `VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP`.
pub(crate) const HMP: u32 = 1;

fn bad_command(message: String) -> Error {
    Error::new(ErrorCode::InternalError, ErrorDomain::Qemu, message)
}

/// Runs `cmd` (QMP JSON, or an HMP line with [`HMP`] in `flags`) on `mon`.
///
/// Errors: `VIR_ERR_INTERNAL_ERROR` for a QMP command that is not a JSON object with
/// an `execute` string; the monitor's errors (gone, timed out).
pub(crate) fn monitor_command(mon: &Monitor, cmd: &str, flags: u32) -> Result<String> {
    mon.note_passthrough();
    if flags & HMP != 0 {
        let out = mon.call(
            "human-monitor-command",
            Some(json!({"command-line": cmd})),
            MONITOR_TIMEOUT,
        )?;
        return Ok(out.as_str().unwrap_or_default().to_owned());
    }
    let parsed: Value = serde_json::from_str(cmd)
        .map_err(|e| bad_command(format!("cannot parse json {cmd}: {e}")))?;
    let name = parsed
        .get("execute")
        .and_then(Value::as_str)
        .ok_or_else(|| bad_command(format!("QMP command '{cmd}' has no 'execute' member")))?;
    let args = parsed.get("arguments").cloned();
    let id = parsed.get("id").cloned();
    let reply = match mon.call(name, args, MONITOR_TIMEOUT) {
        Ok(ret) => json!({"return": ret}),
        // QEMU refused the command: its answer is the result.
        Err(e) if e.code() == ErrorCode::InternalError => {
            let (class, desc) = qemu_error(e.message(), name);
            json!({"error": {"class": class, "desc": desc}})
        }
        Err(e) => return Err(e),
    };
    let mut reply = reply;
    // Like libvirt, the caller's id, or one of the driver's own.
    reply["id"] = id.unwrap_or_else(|| {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        format!("libvirt-{}", NEXT.fetch_add(1, Ordering::Relaxed)).into()
    });
    Ok(reply.to_string())
}

/// QEMU's error class and description from the monitor's "unable to execute QEMU
/// command 'N': DESC (CLASS)".
fn qemu_error<'a>(message: &'a str, name: &str) -> (&'a str, &'a str) {
    let desc = message
        .strip_prefix(&format!("unable to execute QEMU command '{name}': "))
        .unwrap_or(message);
    match desc.strip_suffix(')').and_then(|d| d.rsplit_once(" (")) {
        Some((text, class)) if !class.is_empty() && !class.contains(' ') => (class, text),
        _ => ("GenericError", desc),
    }
}
