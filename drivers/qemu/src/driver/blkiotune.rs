//! The blkio parameters (`virsh blkiotune`), as libvirt's QEMU driver has them on
//! cgroup v1: the weight (CFQ's `blkio.weight` or BFQ's `blkio.bfq.weight`; hosts
//! without either scheduler refuse it, live reads included, as libvirt does) and per
//! host block device the weight and the throttles (`blkio.throttle.*_device`, one
//! `MAJ:MIN VALUE` line per device); persistent values in `<blkiotune>`, live device
//! values in the live definition after the kernel has taken them.

use std::path::{Path, PathBuf};

use rvirt_core::api::TypedParam;
use rvirt_core::api::TypedValue;
use rvirt_core::objects::{
    BLKIO_WEIGHT, BlkioDevice, apply_blkio_to_def, blkio_devices, blkio_kind_of, blkio_params,
    blkio_weight, impact, merge_devices, parse_device_str, store_blkiotune, validate_blkio,
};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::configuration::{persistent_mut, save_config, touch_status};
use super::instance::{Entry, Shared, not_running};
use super::running::Vm;
use crate::security::cgroup::recorded_dir_with;
use crate::security::cgroup::v1::{blkio_device_file, block_dev_id};

/// A file every cgroup v1 blkio directory has.
const PROBE: &str = "blkio.throttle.read_iops_device";

fn no_blkio() -> Error {
    Error::operation_invalid(ErrorDomain::Qemu, "blkio cgroup isn't mounted")
}

fn cgroup_error(code: ErrorCode, message: String) -> Error {
    Error::new(code, ErrorDomain::Cgroup, message)
}

fn sys(what: String, e: &std::io::Error) -> Error {
    cgroup_error(ErrorCode::SystemError, format!("{what}: {e}"))
}

/// The blkio-controller directory of a running `vm`.
fn live_dir(vm: &Vm) -> Result<PathBuf> {
    let run = vm.run.as_ref().ok_or_else(not_running)?;
    recorded_dir_with(&run.status, PROBE).ok_or_else(no_blkio)
}

/// The weight file of `dir` (BFQ's, else CFQ's), as libvirt looks for it.
fn weight_file(dir: &Path, device: bool) -> Result<PathBuf> {
    let names: &[&str] = if device {
        &["blkio.bfq.weight_device", "blkio.weight_device"]
    } else {
        &["blkio.bfq.weight", "blkio.weight"]
    };
    names
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.exists())
        .ok_or_else(|| {
            // libvirt 9.0's words for either file.
            cgroup_error(
                ErrorCode::OperationInvalid,
                "blkio device weight is valid only for bfq or cfq scheduler".to_string(),
            )
        })
}

/// `MAJ:MIN` of host block device `path` (only looked at, never opened).
fn block_dev(path: &str) -> Result<String> {
    block_dev_id(path).map_err(|e| {
        if e.ends_with("must be a block device") {
            Error::invalid_arg(ErrorDomain::Cgroup, e)
        } else {
            cgroup_error(ErrorCode::SystemError, e)
        }
    })
}

fn read_file(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| sys(format!("Unable to read '{}'", path.display()), &e))
}

fn write_file(path: &Path, value: &str) -> Result<()> {
    std::fs::write(path, value)
        .map_err(|e| sys(format!("Unable to write to '{}'", path.display()), &e))
}

/// The live weight of `dir`.
fn live_weight(dir: &Path) -> Result<u32> {
    let path = weight_file(dir, false)?;
    let text = read_file(&path)?;
    text.trim().parse().map_err(|_| {
        Error::internal(
            ErrorDomain::Cgroup,
            format!("Unable to parse '{}' as an integer", text.trim()),
        )
    })
}

/// The file of per-device parameter `kind` in `dir`.
fn device_file(dir: &Path, kind: usize) -> Result<PathBuf> {
    blkio_device_file(dir, kind)
        .map(|f| dir.join(f))
        .map_err(|e| cgroup_error(ErrorCode::OperationInvalid, e))
}

/// Writes `dev`'s value of `kind` and returns what the kernel kept (0: none), as
/// libvirt reads it back.
fn write_device(dir: &Path, kind: usize, dev: &BlkioDevice) -> Result<u64> {
    let file = device_file(dir, kind)?;
    let id = block_dev(&dev.path)?;
    write_file(&file, &format!("{id} {}", dev.values[kind]))?;
    let text = read_file(&file)?;
    Ok(text
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(' ')?;
            (k == id).then(|| v.trim().parse().ok()).flatten()
        })
        .unwrap_or(0))
}

/// Applies `params` to the guest's cgroup `dir` and the live definition `def`.
fn apply_live(
    dir: &Path,
    def: &mut rvirt_core::conf::DomainDef,
    params: &[TypedParam],
) -> Result<()> {
    let mut weight = blkio_weight(def);
    let mut devices = blkio_devices(def);
    let mut outcome = Ok(());
    for p in params {
        let step = match (&p.value, blkio_kind_of(&p.field)) {
            (TypedValue::UInt(w), _) if p.field == BLKIO_WEIGHT => weight_file(dir, false)
                .and_then(|f| write_file(&f, &w.to_string()))
                .map(|()| weight = *w),
            (TypedValue::String(s), Some(kind)) => parse_device_str(s, kind).and_then(|new| {
                let mut kept = Vec::with_capacity(new.len());
                for d in &new {
                    let mut d = d.clone();
                    d.values[kind] = write_device(dir, kind, &d)?;
                    kept.push(d);
                }
                merge_devices(&mut devices, &kept, kind);
                Ok(())
            }),
            _ => Ok(()),
        };
        if let Err(e) = step {
            outcome = Err(e);
            break;
        }
    }
    store_blkiotune(def, weight, &devices);
    outcome
}

impl Shared {
    /// `virDomainGetBlkioParameters`: the live weight from the guest's cgroup and the
    /// live definition's devices, or the persistent `<blkiotune>`.
    pub(crate) fn blkio_parameters(&self, entry: &Entry, flags: u32) -> Result<Vec<TypedParam>> {
        let vm = entry.lock();
        let (live, _) = impact(&vm, flags)?;
        if live {
            let weight = live_weight(&live_dir(&vm)?)?;
            Ok(blkio_params(&vm.def, weight))
        } else {
            let def = vm.next_def.as_ref().unwrap_or(&vm.def);
            Ok(blkio_params(def, blkio_weight(def)))
        }
    }

    /// `virDomainSetBlkioParameters`: the running guest's cgroup and its live
    /// `<blkiotune>`, and/or the persistent one.
    pub(crate) fn set_blkio_parameters(
        &self,
        entry: &Entry,
        params: &[TypedParam],
        flags: u32,
    ) -> Result<()> {
        validate_blkio(params, ErrorDomain::Qemu)?;
        let job = entry.begin_job("virDomainSetBlkioParameters")?;
        let mut vm = job.lock();
        let (live, config) = impact(&vm, flags)?;
        let mut outcome = Ok(());
        if live {
            let dir = live_dir(&vm)?;
            outcome = apply_live(&dir, &mut vm.def, params);
            touch_status(&mut vm);
        }
        if config {
            let mut def = persistent_mut(&mut vm).clone();
            let applied = apply_blkio_to_def(&mut def, params);
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
            outcome = outcome.and(applied);
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_need_cfq_or_bfq_and_devices_must_be_block_devices() {
        let dir = std::env::temp_dir().join(format!("rvirt-blkio-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let e = live_weight(&dir).unwrap_err();
        assert_eq!(e.code(), ErrorCode::OperationInvalid);
        assert!(
            e.to_string()
                .contains("blkio device weight is valid only for bfq or cfq scheduler")
        );
        std::fs::write(dir.join("blkio.weight"), "500\n").unwrap();
        assert_eq!(live_weight(&dir).unwrap(), 500);
        let e = block_dev("/etc/hostname").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid argument: Path '/etc/hostname' must be a block device"
        );
        let e = block_dev("/nonexistent/x").unwrap_err();
        assert_eq!(e.code(), ErrorCode::SystemError);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
