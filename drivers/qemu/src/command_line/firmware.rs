//! `<os><loader>`/`<nvram>` → `-blockdev` pflash nodes and `-machine
//! pflash0=…,pflash1=…` (libvirt's `qemuBuildPflashBlockdevCommandLine`), `-bios`
//! for a ROM loader, and `<features><smm>` → `-machine smm=…`.

use rvirt_core::Result;
use rvirt_core::conf::{DomainDef, Firmware, OnOff, YesNo};
use serde_json::json;

use super::unsupported;

/// What the firmware adds to the argv.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct FirmwareArgs {
    /// `-blockdev` values, before `-machine`.
    pub blockdevs: Vec<String>,
    /// `,smm=on|off` for `-machine`, or empty.
    pub smm: String,
    /// `,pflash0=…[,pflash1=…]` for `-machine`, or empty.
    pub pflash: String,
    /// `-global` values (the secure flash).
    pub globals: Vec<String>,
    /// `-bios PATH` for a ROM loader.
    pub bios: Option<String>,
}

fn storage(n: u32, path: &str, read_only: bool) -> [String; 2] {
    [
        json!({
            "driver": "file",
            "filename": path,
            "node-name": format!("libvirt-pflash{n}-storage"),
            "auto-read-only": true,
            "discard": "unmap",
        })
        .to_string(),
        json!({
            "node-name": format!("libvirt-pflash{n}-format"),
            "read-only": read_only,
            "driver": "raw",
            "file": format!("libvirt-pflash{n}-storage"),
        })
        .to_string(),
    ]
}

/// The firmware arguments of `def` (whose `firmware='efi'`, if any, was filled by
/// [`crate::firmware::fill`]).
///
/// Errors: `VIR_ERR_CONFIG_UNSUPPORTED` for a loader or store format other than
/// `raw`, a network-backed store, a stateless or unknown loader type, and the secure
/// boot checks of [`crate::firmware::check_secure`]; `VIR_ERR_INTERNAL_ERROR` when
/// autoselection has not run.
pub(super) fn firmware_args(def: &DomainDef, machine: &str) -> Result<FirmwareArgs> {
    let mut out = FirmwareArgs::default();
    if let Some(smm) = def.features.as_ref().and_then(|f| f.smm.as_ref()) {
        if smm.tseg.is_some() {
            return Err(unsupported("<smm><tseg> is not supported yet"));
        }
        let on = smm.state != Some(OnOff::Off);
        out.smm = format!(",smm={}", if on { "on" } else { "off" });
    }
    crate::firmware::check_secure(def, machine)?;
    let loader = def.os.loader.as_ref().filter(|l| l.path.is_some());
    let Some(loader) = loader else {
        if def.os.firmware == Some(Firmware::Efi) {
            return Err(rvirt_core::Error::new(
                rvirt_core::ErrorCode::InternalError,
                rvirt_core::ErrorDomain::Qemu,
                "firmware autoselection did not run",
            ));
        }
        if def.os.nvram.is_some() {
            return Err(unsupported("<nvram> needs a pflash <loader>"));
        }
        return Ok(out);
    };
    let path = loader.path.as_deref().unwrap_or_default();
    if loader.format.as_deref().is_some_and(|f| f != "raw") {
        return Err(unsupported(format!(
            "loader format '{}' is not supported yet",
            loader.format.as_deref().unwrap_or_default()
        )));
    }
    if loader.stateless == Some(YesNo::Yes) {
        return Err(unsupported("stateless loader is not supported yet"));
    }
    match loader.loader_type.as_deref() {
        None | Some("rom") => {
            if def.os.nvram.is_some() {
                return Err(unsupported("<nvram> needs a pflash <loader>"));
            }
            out.bios = Some(path.to_owned());
            return Ok(out);
        }
        Some("pflash") => {}
        Some(other) => {
            return Err(unsupported(format!(
                "loader type '{other}' is not supported"
            )));
        }
    }
    let readonly = loader.readonly == Some(YesNo::Yes);
    out.blockdevs.extend(storage(0, path, readonly));
    out.pflash = ",pflash0=libvirt-pflash0-format".into();
    if let Some(nv) = &def.os.nvram {
        if nv.nvram_type.is_some() || nv.source.is_some() {
            return Err(unsupported("network-backed nvram is not supported yet"));
        }
        if nv.format.as_deref().is_some_and(|f| f != "raw") {
            return Err(unsupported(format!(
                "nvram format '{}' is not supported yet",
                nv.format.as_deref().unwrap_or_default()
            )));
        }
        if let Some(p) = &nv.path {
            if !readonly {
                return Err(unsupported(
                    "<nvram> needs a read-only pflash <loader readonly='yes'>",
                ));
            }
            out.blockdevs.extend(storage(1, p, false));
            out.pflash.push_str(",pflash1=libvirt-pflash1-format");
        }
    }
    if loader.secure == Some(YesNo::Yes) {
        out.globals
            .push("driver=cfi.pflash01,property=secure,value=on".into());
    }
    Ok(out)
}
