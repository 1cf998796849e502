//! UEFI firmware for QEMU guests, as libvirt 9.0 does it (`qemu_firmware.c`):
//! `<os firmware='efi'>` picks a firmware from QEMU's descriptors ([`descriptor`]),
//! honouring `<os><firmware><feature>` and `<loader secure=…>`; an explicit
//! `<loader type='pflash'>` gets its variable store from the descriptor of its code;
//! the store ([`nvram`]) is made per domain from the template under the driver's
//! `lib/qemu/nvram` and kept until `virDomainUndefineFlags(…NVRAM)`.

pub mod descriptor;
pub mod nvram;

use std::path::{Path, PathBuf};

use rvirt_core::conf::{DomainDef, Firmware, Loader, Nvram, OnOff, Smm, YesNo};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

pub use descriptor::{DESCRIPTOR_DIRS, Descriptor};

use crate::command_line::machine::is_q35;

/// The system's descriptor directories ([`DESCRIPTOR_DIRS`]).
pub fn system_dirs() -> Vec<PathBuf> {
    DESCRIPTOR_DIRS.iter().map(PathBuf::from).collect()
}

/// A feature `<os><firmware><feature enabled=… name=…/>` asks for (`Some(true)`),
/// excludes (`Some(false)`), or leaves open (`None`).
fn requested(def: &DomainDef, name: &str) -> Option<bool> {
    def.os
        .firmware_features
        .as_ref()?
        .elements()
        .filter(|e| e.name == "feature" && e.attr("name") == Some(name))
        .find_map(|e| match e.attr("enabled") {
            Some("yes") => Some(true),
            Some("no") => Some(false),
            _ => None,
        })
}

/// A canonical-looking machine name for matching descriptors' globs: the `q35` and
/// `pc` aliases stand for their newest versioned machine.
fn machine_for_match(machine: &str) -> String {
    match machine {
        "q35" => "pc-q35-latest".into(),
        "pc" => "pc-i440fx-latest".into(),
        m => m.into(),
    }
}

/// Whether `d` satisfies what `def` asks of a UEFI firmware on `machine`.
fn satisfies(def: &DomainDef, machine: &str, d: &Descriptor) -> bool {
    let arch = def.os.os_type.arch.as_deref().unwrap_or("x86_64");
    let m = machine_for_match(machine);
    if !d.interfaces.iter().any(|i| i == "uefi") {
        return false;
    }
    if !d
        .targets
        .iter()
        .any(|t| t.architecture == arch && t.machines.iter().any(|g| descriptor::glob_match(g, &m)))
    {
        return false;
    }
    for feature in ["secure-boot", "enrolled-keys"] {
        if let Some(want) = requested(def, feature)
            && want != d.has(feature)
        {
            return false;
        }
    }
    let loader_secure = def.os.loader.as_ref().and_then(|l| l.secure);
    if let Some(s) = loader_secure
        && (s == YesNo::Yes) != d.has("secure-boot")
    {
        return false;
    }
    let smm_off = def
        .features
        .as_ref()
        .and_then(|f| f.smm.as_ref())
        .is_some_and(|s| s.state == Some(OnOff::Off));
    if smm_off && d.has("requires-smm") {
        return false;
    }
    d.nvram_template.is_some()
}

/// The first descriptor (by file name) that satisfies `def` on `machine`.
///
/// Errors: libvirt's `VIR_ERR_OPERATION_FAILED` "Unable to find any firmware to
/// satisfy 'efi'".
pub fn select<'a>(
    def: &DomainDef,
    machine: &str,
    descs: &'a [Descriptor],
) -> Result<&'a Descriptor> {
    descs
        .iter()
        .find(|d| satisfies(def, machine, d))
        .ok_or_else(|| {
            Error::new(
                ErrorCode::OperationFailed,
                ErrorDomain::Qemu,
                "Unable to find any firmware to satisfy 'efi'",
            )
        })
}

/// The checks libvirt's validation makes of `<loader secure='yes'>`.
///
/// Errors: `VIR_ERR_CONFIG_UNSUPPORTED` "Secure boot is supported with q35 machine
/// types only", and "Secure boot requires SMM feature enabled" for an explicit loader
/// (autoselection turns SMM on itself).
pub fn check_secure(def: &DomainDef, machine: &str) -> Result<()> {
    let secure = def
        .os
        .loader
        .as_ref()
        .is_some_and(|l| l.secure == Some(YesNo::Yes));
    if !secure {
        return Ok(());
    }
    if !is_q35(machine) {
        return Err(crate::command_line::unsupported(
            "Secure boot is supported with q35 machine types only",
        ));
    }
    let smm_on = def
        .features
        .as_ref()
        .and_then(|f| f.smm.as_ref())
        .is_some_and(|s| s.state != Some(OnOff::Off));
    if def.os.firmware.is_none() && !smm_on {
        return Err(crate::command_line::unsupported(
            "Secure boot requires SMM feature enabled",
        ));
    }
    Ok(())
}

/// Completes the firmware of a definition about to start on `machine`:
/// `firmware='efi'` gets the selected loader, its template and SMM when the firmware
/// requires it; a read-only pflash loader gets a variable store path under
/// `nvram_dir` (`NAME_VARS.fd`) and, from its descriptor, a template. The live XML
/// then shows them as libvirt's does. BIOS definitions are left alone.
///
/// Errors: those of [`select`]; `VIR_ERR_CONFIG_UNSUPPORTED` for a template that
/// is not one of the descriptors' (a client may not have the driver copy an arbitrary
/// host file into its guest) and for a store outside `nvram_dir` (libvirt takes any
/// path; this driver gives QEMU's user no host file a client names).
pub fn fill(
    def: &mut DomainDef,
    machine: &str,
    nvram_dir: &Path,
    descs: &[Descriptor],
) -> Result<()> {
    if def.os.firmware == Some(Firmware::Efi)
        && def
            .os
            .loader
            .as_ref()
            .and_then(|l| l.path.as_ref())
            .is_none()
    {
        let d = select(def, machine, descs)?.clone();
        let mut loader = def.os.loader.take().unwrap_or_default();
        loader.readonly = Some(YesNo::Yes);
        loader.loader_type = Some("pflash".into());
        loader.path = Some(d.executable.to_string_lossy().into_owned());
        if d.has("secure-boot") {
            loader.secure = Some(YesNo::Yes);
        }
        def.os.loader = Some(loader);
        let nv = def.os.nvram.get_or_insert_with(Nvram::default);
        if nv.template.is_none() {
            nv.template = d
                .nvram_template
                .as_ref()
                .map(|t| t.to_string_lossy().into_owned());
        }
        if d.has("requires-smm") {
            let features = def.features.get_or_insert_with(Default::default);
            features.smm.get_or_insert_with(Smm::default).state = Some(OnOff::On);
        }
        // libvirt 9.0's live definition names the chosen firmware the old way: the
        // loader and store, no `firmware='efi'` (and no `<firmware>` request).
        def.os.firmware = None;
        def.os.firmware_features = None;
    }
    let pflash_rw = def.os.loader.as_ref().is_some_and(is_pflash_readonly);
    if !pflash_rw {
        return Ok(());
    }
    let code = def
        .os
        .loader
        .as_ref()
        .and_then(|l| l.path.clone())
        .unwrap_or_default();
    let nv = def.os.nvram.get_or_insert_with(Nvram::default);
    if nv.path.is_none() {
        nv.path = Some(
            nvram::path_for(nvram_dir, &def.name)?
                .to_string_lossy()
                .into_owned(),
        );
    } // The driver hands QEMU (and chowns for it) only stores of its own: a client
    // may not name a host file to be given to QEMU's user as its variable store.
    let path = PathBuf::from(nv.path.as_deref().unwrap_or_default());
    if path.parent() != Some(nvram_dir)
        || path
            .file_name()
            .is_none_or(|f| f.to_string_lossy().starts_with('.'))
    {
        return Err(crate::command_line::unsupported(format!(
            "nvram '{}' is outside the driver's nvram directory '{}'",
            path.display(),
            nvram_dir.display()
        )));
    }

    match &nv.template {
        None => {
            nv.template = descs
                .iter()
                .find(|d| d.executable == Path::new(&code))
                .and_then(|d| d.nvram_template.as_ref())
                .map(|t| t.to_string_lossy().into_owned());
        }
        Some(t) => {
            if !descs
                .iter()
                .any(|d| d.nvram_template.as_deref() == Some(Path::new(t)))
            {
                return Err(crate::command_line::unsupported(format!(
                    "nvram template '{t}' is not the template of any firmware descriptor of this host"
                )));
            }
        }
    }
    Ok(())
}

/// Stands in for the selection of a `firmware='efi'` definition checked at define
/// (libvirt selects at start, where a missing firmware fails): a pflash loader and
/// store, so that the rest of the definition can be checked.
pub fn placeholder(def: &mut DomainDef) {
    if def.os.firmware == Some(Firmware::Efi)
        && def
            .os
            .loader
            .as_ref()
            .and_then(|l| l.path.as_ref())
            .is_none()
    {
        let loader = def.os.loader.get_or_insert_with(Loader::default);
        loader.path = Some("efi-code".into());
        loader.loader_type = Some("pflash".into());
        loader.readonly = Some(YesNo::Yes);
        if loader.secure == Some(YesNo::Yes) {
            let features = def.features.get_or_insert_with(Default::default);
            features.smm.get_or_insert_with(Smm::default).state = Some(OnOff::On);
        }
        def.os.nvram.get_or_insert_with(Nvram::default).path = Some("efi-vars".into());
    }
}

/// A `<loader readonly='yes' type='pflash'>`: code on pflash0, variables on pflash1.
pub fn is_pflash_readonly(l: &Loader) -> bool {
    l.loader_type.as_deref() == Some("pflash") && l.readonly == Some(YesNo::Yes)
}

#[cfg(test)]
mod tests;
