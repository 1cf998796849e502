//! Probing a QEMU binary over QMP, and caching the result on disk.
//!
//! Like libvirt (`qemuProcessQMPLaunch`, `virfilecache.c`), the binary is started
//! once with `-machine none` and queried; the answers are cached in
//! `<cache dir>/<hash of binary path>.json` and reused while the binary's path and
//! mtime and rvirt's own version are unchanged. A valid cache entry never spawns
//! QEMU.

mod cache;
pub mod domcaps;
pub mod host_model;
pub mod host_xml;
mod probe;

pub use cache::{CACHE_FORMAT, CapsCache, cache_file_name};
pub use probe::{PROBE_TIMEOUT, parse_cpu_definitions, probe};

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::qmp::QemuVersion;

/// One machine type from `query-machines`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineType {
    /// Canonical name, e.g. `pc-i440fx-7.2`.
    pub name: String,
    /// Alias, e.g. `pc`.
    pub alias: Option<String>,
    /// QEMU's default machine for this binary.
    pub is_default: bool,
    /// Maximum vCPUs.
    pub cpu_max: u32,
}

/// One CPU model from `query-cpu-definitions` (probed under TCG).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpuDefinition {
    /// Model name (`Skylake-Client`, `qemu64`, …).
    pub name: String,
    /// Features the model has that TCG cannot give (`unavailable-features`).
    pub unavailable: Vec<String>,
    /// `deprecated`.
    pub deprecated: bool,
}

/// What the probe learned about one QEMU binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QemuCaps {
    /// The probed binary.
    pub binary: PathBuf,
    /// Its modification time when probed: seconds and nanoseconds since the epoch.
    pub binary_mtime: (i64, u32),
    /// `query-version`.
    pub version: QemuVersion,
    /// `query-version`'s package string.
    pub package: String,
    /// `query-machines`, in QEMU's order.
    pub machines: Vec<MachineType>,
    /// `query-kvm` `present`: the binary supports KVM and the host has it.
    pub kvm_present: bool,
    /// `query-cpu-definitions` under TCG.
    pub cpu_models: Vec<CpuDefinition>,
    /// TCG's host-model CPU, where QEMU expands CPU models.
    pub host_model: Option<host_model::HostModel>,
}

impl QemuCaps {
    /// The default machine type's canonical name (`query-machines` `is-default`).
    pub fn default_machine(&self) -> Option<&str> {
        self.machines
            .iter()
            .find(|m| m.is_default)
            .map(|m| m.name.as_str())
    }

    /// Resolves a machine name or alias to its canonical name.
    pub fn canonical_machine(&self, name: &str) -> Option<&str> {
        self.machines
            .iter()
            .find(|m| m.name == name || m.alias.as_deref() == Some(name))
            .map(|m| m.name.as_str())
    }

    /// The cache's JSON form.
    pub fn to_json(&self) -> Value {
        json!({
            "format": CACHE_FORMAT,
            "rvirt_version": env!("CARGO_PKG_VERSION"),
            "binary": self.binary.to_string_lossy(),
            "binary_mtime": {"seconds": self.binary_mtime.0, "nanoseconds": self.binary_mtime.1},
            "version": {"major": self.version.major, "minor": self.version.minor,
                        "micro": self.version.micro},
            "package": self.package,
            "kvm_present": self.kvm_present,
            "machines": self.machines.iter().map(|m| json!({
                "name": m.name, "alias": m.alias, "is_default": m.is_default,
                "cpu_max": m.cpu_max,
            })).collect::<Vec<_>>(),
            "cpu_models": self.cpu_models.iter().map(|c| json!({
                "name": c.name, "unavailable": c.unavailable, "deprecated": c.deprecated,
            })).collect::<Vec<_>>(),
            "host_model": self.host_model.as_ref().map(host_model::HostModel::to_json),
        })
    }

    /// Reads the cache's JSON form; `None` if it is malformed or was written by a
    /// different cache format or rvirt version.
    pub fn from_json(v: &Value) -> Option<QemuCaps> {
        if v.get("format")?.as_u64()? != u64::from(CACHE_FORMAT)
            || v.get("rvirt_version")?.as_str()? != env!("CARGO_PKG_VERSION")
        {
            return None;
        }
        let u32_of = |v: &Value, k: &str| v.get(k)?.as_u64().and_then(|n| u32::try_from(n).ok());
        let mtime = v.get("binary_mtime")?;
        let ver = v.get("version")?;
        let machines = v
            .get("machines")?
            .as_array()?
            .iter()
            .map(|m| {
                Some(MachineType {
                    name: m.get("name")?.as_str()?.to_owned(),
                    alias: m.get("alias").and_then(Value::as_str).map(str::to_owned),
                    is_default: m.get("is_default")?.as_bool()?,
                    cpu_max: u32_of(m, "cpu_max")?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let cpu_models = v
            .get("cpu_models")?
            .as_array()?
            .iter()
            .map(|c| {
                Some(CpuDefinition {
                    name: c.get("name")?.as_str()?.to_owned(),
                    unavailable: c
                        .get("unavailable")?
                        .as_array()?
                        .iter()
                        .map(|f| f.as_str().map(str::to_owned))
                        .collect::<Option<Vec<_>>>()?,
                    deprecated: c.get("deprecated")?.as_bool()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(QemuCaps {
            binary: PathBuf::from(v.get("binary")?.as_str()?),
            binary_mtime: (
                mtime.get("seconds")?.as_i64()?,
                u32_of(mtime, "nanoseconds")?,
            ),
            version: QemuVersion {
                major: u32_of(ver, "major")?,
                minor: u32_of(ver, "minor")?,
                micro: u32_of(ver, "micro")?,
            },
            package: v.get("package")?.as_str()?.to_owned(),
            machines,
            kvm_present: v.get("kvm_present")?.as_bool()?,
            cpu_models,
            host_model: match v.get("host_model")? {
                Value::Null => None,
                h => Some(host_model::HostModel::from_json(h)?),
            },
        })
    }
}
