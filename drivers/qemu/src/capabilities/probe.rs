//! Running the binary and asking it over QMP.

use std::os::unix::fs::MetadataExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::Value;

use super::{MachineType, QemuCaps};
use crate::process::spawn_with_monitor;
use crate::qmp::{QemuVersion, QmpStream};

/// Bound on the whole probe conversation.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The binary's mtime as (seconds, nanoseconds).
pub(crate) fn mtime_of(binary: &Path) -> Result<(i64, u32)> {
    let md = std::fs::metadata(binary).map_err(|e| {
        Error::new(
            ErrorCode::SystemError,
            ErrorDomain::Qemu,
            format!("cannot stat '{}': {e}", binary.display()),
        )
    })?;
    Ok((md.mtime(), u32::try_from(md.mtime_nsec()).unwrap_or(0)))
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts `binary -S -no-user-config -nodefaults -display none -machine
/// none,accel=tcg` with a pre-created listening QMP socket passed by fd, runs
/// `qmp_capabilities`, `query-version`, `query-machines`, `query-kvm` and
/// `query-cpu-definitions` (TCG's view of each model), then kills
/// the process by pid and reaps it (also on every error path).
pub fn probe(binary: &Path) -> Result<QemuCaps> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let binary_mtime = mtime_of(binary)?;
    let dir = std::env::temp_dir().join(format!(
        "rvirt-qemu-probe-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir)?;
    let dir = TempDir(dir);
    let sock = dir.0.join("qmp.sock");
    let listener = UnixListener::bind(&sock)?;
    let fd = std::os::fd::AsRawFd::as_raw_fd(&listener);
    let args: Vec<String> = [
        "-S",
        "-no-user-config",
        "-nodefaults",
        "-display",
        "none",
        "-machine",
        "none,accel=tcg",
        "-chardev",
        &format!("socket,id=qmp,fd={fd},server=on,wait=off"),
        "-mon",
        "chardev=qmp,id=monitor,mode=control",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let log = dir.0.join("probe.log");
    let mut proc = spawn_with_monitor(binary, &args, &listener, Some(&log))?;
    // QEMU holds its own copy now; closing ours makes a dead QEMU show up as a
    // refused/reset connection instead of a hang.
    drop(listener);

    let result = (|| {
        let stream = UnixStream::connect(&sock)?;
        let mut qmp = QmpStream::new(stream, PROBE_TIMEOUT);
        qmp.handshake()?;
        let version = qmp.execute("query-version", None)?;
        let (version, package) =
            QemuVersion::from_qmp(&version).ok_or_else(|| bad_reply("query-version", &version))?;
        let machines = qmp.execute("query-machines", None)?;
        let machines =
            parse_machines(&machines).ok_or_else(|| bad_reply("query-machines", &machines))?;
        let kvm = qmp.execute("query-kvm", None)?;
        let kvm_present = kvm
            .get("present")
            .and_then(Value::as_bool)
            .ok_or_else(|| bad_reply("query-kvm", &kvm))?;
        let cpus = qmp.execute("query-cpu-definitions", None)?;
        let cpu_models = parse_cpu_definitions(&cpus)
            .ok_or_else(|| bad_reply("query-cpu-definitions", &cpus))?;
        let host_model = probe_host_model(&mut qmp, &cpu_models)?;
        Ok(QemuCaps {
            binary: binary.to_owned(),
            binary_mtime,
            version,
            package,
            machines,
            kvm_present,
            cpu_models,
            host_model,
        })
    })();
    proc.kill()?;
    result.map_err(|e: Error| {
        let log = std::fs::read_to_string(&log).unwrap_or_default();
        Error::new(
            e.code(),
            ErrorDomain::Qemu,
            format!(
                "failed to probe capabilities of '{}': {}{}{}",
                binary.display(),
                e.message(),
                if log.trim().is_empty() {
                    ""
                } else {
                    "; QEMU said: "
                },
                log.trim()
            ),
        )
    })
}

/// TCG's host-model CPU ([`super::host_model`]): the static expansions of `max` and
/// of each named model; `None` where QEMU expands no CPU models (not x86).
fn probe_host_model(
    qmp: &mut QmpStream,
    models: &[crate::capabilities::CpuDefinition],
) -> Result<Option<super::host_model::HostModel>> {
    use super::host_model::{Expansion, decode};
    let expand = |qmp: &mut QmpStream, name: &str| -> Result<Option<Expansion>> {
        let args = serde_json::json!({"type": "static", "model": {"name": name}});
        match qmp.execute("query-cpu-model-expansion", Some(args)) {
            Ok(v) => Ok(Expansion::from_reply(&v)),
            // Not supported for this target, or not for this model.
            Err(e) if e.code() == ErrorCode::InternalError => Ok(None),
            Err(e) => Err(e),
        }
    };
    let Some(max) = expand(qmp, "max")? else {
        return Ok(None);
    };
    let mut named = Vec::new();
    for m in models
        .iter()
        .filter(|m| super::domcaps::listed_model(&m.name))
    {
        if let Some(e) = expand(qmp, &m.name)? {
            named.push((m.name.clone(), e));
        }
    }
    Ok(decode(&max, &named))
}

fn bad_reply(cmd: &str, v: &Value) -> Error {
    Error::new(
        ErrorCode::InternalError,
        ErrorDomain::Qemu,
        format!("unexpected reply to '{cmd}': {v}"),
    )
}

/// The models of a `query-cpu-definitions` reply.
pub fn parse_cpu_definitions(v: &Value) -> Option<Vec<crate::capabilities::CpuDefinition>> {
    v.as_array()?
        .iter()
        .map(|c| {
            Some(crate::capabilities::CpuDefinition {
                name: c.get("name")?.as_str()?.to_owned(),
                unavailable: c
                    .get("unavailable-features")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
                deprecated: c
                    .get("deprecated")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            })
        })
        .collect()
}

fn parse_machines(v: &Value) -> Option<Vec<MachineType>> {
    v.as_array()?
        .iter()
        .map(|m| {
            Some(MachineType {
                name: m.get("name")?.as_str()?.to_owned(),
                alias: m.get("alias").and_then(Value::as_str).map(str::to_owned),
                is_default: m
                    .get("is-default")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                cpu_max: m
                    .get("cpu-max")
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok())
                    .unwrap_or(1),
            })
        })
        .collect()
}
