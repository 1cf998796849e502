//! Confining the QEMUs of `qemu:///system` as libvirt's security drivers do.
//!
//! * DAC ([`ids`], [`owners`]): QEMU runs as the configured user and group
//!   ([`SecurityConfig`], default `libvirt-qemu`), the files it needs are chowned to
//!   them at start and given back at stop. `qemu:///embed` and `qemu:///session` run
//!   QEMU as the caller, as libvirt does; a daemon not running as root cannot switch
//!   users and says so once.
//! * seccomp: `-sandbox on,obsolete=deny,…` ([`SANDBOX`]) for every QEMU unless
//!   configured off (libvirt's `seccomp_sandbox`).
//! * cgroups: [`cgroup`], one per guest (v2, or v1's per-controller hierarchies);
//!   on v1 per-thread ones for vCPU and emulator bandwidth; threads pinned
//!   ([`affinity`]).
//! * mount namespace ([`namespace`]): each QEMU of a root `qemu:///system` sees a
//!   private `/dev` holding only the devices its guest uses ([`devices`]).

pub mod affinity;
pub mod cgroup;
pub mod child;
pub mod devices;
pub mod ids;
pub mod namespace;
pub mod owners;
pub mod prepare;

use std::sync::{Mutex, Once};

use rvirt_core::conf::DomainDef;
use rvirt_core::{ErrorDomain, Result, log};

pub use ids::RunAs;

/// libvirt's `seccomp_sandbox = 1` argument.
pub const SANDBOX: &str = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";

/// The user libvirt's Debian packages run QEMU as; `tools/setup.sh` creates it.
pub const DEFAULT_USER: &str = "libvirt-qemu";

/// The QEMU driver's security settings (libvirt's `qemu.conf` `user`, `group`,
/// `seccomp_sandbox`), for `qemu:///system`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityConfig {
    /// User QEMU runs as (a name or `+UID`; `root` or `+0` for no switch).
    pub user: String,
    /// Its group (a name or `+GID`); the user's primary group when `None`.
    pub group: Option<String>,
    /// Whether QEMU gets `-sandbox` (all root kinds).
    pub seccomp_sandbox: bool,
    /// Whether each QEMU of `qemu:///system` runs in a mount namespace of its own
    /// with a private `/dev` (qemu.conf's `namespaces = ["mount"]`).
    pub mount_namespace: bool,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            user: DEFAULT_USER.to_owned(),
            group: None,
            seccomp_sandbox: true,
            mount_namespace: true,
        }
    }
}

static CONFIG: Mutex<Option<SecurityConfig>> = Mutex::new(None);

/// Sets the driver's security settings for the rest of the process (a daemon's
/// `--qemu-user`/`--qemu-group`/`--qemu-sandbox`). Guests already running keep theirs.
pub fn set_security_config(config: SecurityConfig) {
    *CONFIG.lock().unwrap_or_else(|e| e.into_inner()) = Some(config);
}

/// The settings in force: [`set_security_config`]'s, else the defaults.
pub fn security_config() -> SecurityConfig {
    CONFIG
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .unwrap_or_default()
}

/// How one guest is confined by DAC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DacPlan {
    /// The ids QEMU runs as.
    pub ids: RunAs,
    /// Whether its files are chowned (`relabel='no'` and `type='none'` say no).
    pub relabel: bool,
}

fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() }
}

/// The DAC confinement of `def` on a root of kind `system` (`false`: embed or
/// session, QEMU runs as the caller). `None` when QEMU runs as the caller or as root.
///
/// Honours `<seclabel model='dac'>`: `static` runs as its `<label>`, `none` does not
/// relabel, `relabel='no'` neither.
pub fn dac_plan(def: &DomainDef, system: bool, config: &SecurityConfig) -> Result<Option<DacPlan>> {
    if !system {
        return Ok(None);
    }
    if euid() != 0 {
        static ONCE: Once = Once::new();
        ONCE.call_once(|| {
            log::info(
                ErrorDomain::Qemu,
                format_args!(
                    "not running as root: QEMU runs as this daemon's user, not '{}'",
                    config.user
                ),
            );
        });
        return Ok(None);
    }
    let label = def
        .seclabels
        .iter()
        .find(|s| s.model.as_deref().is_none_or(|m| m == "dac"));
    let kind = label
        .and_then(|l| l.seclabel_type.as_deref())
        .unwrap_or("dynamic");
    let ids = match (kind, label.and_then(|l| l.label.as_deref())) {
        ("static", Some(text)) => RunAs::from_label(text)?,
        _ => RunAs::resolve(&config.user, config.group.as_deref())?,
    };
    if ids.is_root() {
        return Ok(None);
    }
    let relabel =
        kind != "none" && label.and_then(|l| l.relabel) != Some(rvirt_core::conf::YesNo::No);
    Ok(Some(DacPlan { ids, relabel }))
}

/// Whether QEMU may use KVM (`/dev/kvm` read-write) on a root of kind `system`: the
/// daemon's own access, and on a confined root also that of the user QEMU runs as
/// (libvirt checks `/dev/kvm` as the QEMU user before it offers the `kvm` type).
pub fn kvm_usable_for_qemu(system: bool, config: &SecurityConfig) -> bool {
    device_usable_for_qemu(
        std::path::Path::new(crate::command_line::KVM_DEVICE),
        system,
        config,
    )
}

/// [`kvm_usable_for_qemu`] for the device at `path`.
fn device_usable_for_qemu(path: &std::path::Path, system: bool, config: &SecurityConfig) -> bool {
    if !crate::command_line::kvm_usable(path) {
        return false;
    }
    if !system || euid() != 0 {
        return true;
    }
    match (
        RunAs::resolve(&config.user, config.group.as_deref()),
        std::fs::metadata(path),
    ) {
        (Ok(ids), Ok(meta)) => ids.is_root() || ids.may(&meta, 6),
        _ => false,
    }
}

/// The host files QEMU opens itself for `def`: `(path, create)` — disk images,
/// kernel and initrd (`create` false), and chardev output files (`create` true).
pub fn guest_files(def: &DomainDef) -> Vec<(std::path::PathBuf, bool)> {
    let mut out: Vec<_> = def.devices().iter().flat_map(device_files).collect();
    for p in [&def.os.kernel, &def.os.initrd].into_iter().flatten() {
        out.push((p.into(), false));
    }
    // The UEFI variable store QEMU writes (libvirt relabels it as it does disks).
    if let Some(p) = def.os.nvram.as_ref().and_then(|n| n.path.as_ref()) {
        out.push((p.into(), false));
    }
    out
}

/// [`guest_files`] of one device (a disk's image, a chardev's output files).
pub fn device_files(dev: &rvirt_core::conf::Device) -> Vec<(std::path::PathBuf, bool)> {
    use rvirt_core::conf::{CharDeviceType, Device, DiskType};
    let mut out = Vec::new();
    match dev {
        Device::Disk(disk) => {
            let src = disk.source.as_ref();
            let path = match disk.disk_type {
                DiskType::File => src.and_then(|s| s.file.clone()),
                DiskType::Block => src.and_then(|s| s.dev.clone()),
                _ => None,
            };
            out.extend(path.map(|p| (p.into(), false)));
        }
        Device::Serial(c) | Device::Console(c) => {
            if c.char_type == CharDeviceType::File {
                out.extend(
                    c.sources
                        .iter()
                        .filter_map(|s| s.path.clone())
                        .map(|p| (p.into(), true)),
                );
            }
            out.extend(c.log.iter().map(|l| (l.file.clone().into(), true)));
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod kvm_tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A root-only device is the daemon's, not QEMU's user's; opened to its group, it
    /// is both (libvirt offers `kvm` only when the QEMU user can open /dev/kvm).
    #[test]
    fn kvm_counts_only_when_qemus_user_can_open_it() {
        if euid() != 0 || RunAs::resolve(DEFAULT_USER, None).is_err() {
            println!("SKIPPED: needs root and the {DEFAULT_USER} user (tools/setup.sh)");
            return;
        }
        let dir = rvirt_testkit::TempDir::new("kvm-as-qemu");
        let dev = dir.0.join("kvm");
        std::fs::write(&dev, b"").unwrap();
        std::fs::set_permissions(&dev, std::fs::Permissions::from_mode(0o600)).unwrap();
        let config = SecurityConfig::default();
        assert!(
            device_usable_for_qemu(&dev, false, &config),
            "embed: as the caller"
        );
        assert!(
            !device_usable_for_qemu(&dev, true, &config),
            "system: as {DEFAULT_USER}"
        );
        std::fs::set_permissions(&dev, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert!(device_usable_for_qemu(&dev, true, &config));
        let root = SecurityConfig {
            user: "root".into(),
            ..SecurityConfig::default()
        };
        std::fs::set_permissions(&dev, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(device_usable_for_qemu(&dev, true, &root));
    }
}
