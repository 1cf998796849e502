//! `<sysinfo>` → the guest's firmware tables (libvirt's `qemuBuildSmbiosCommandLine`
//! and `qemuBuildSysinfoCommandLine`): with `<os><smbios mode='sysinfo'/>`, the
//! `type='smbios'` sysinfo's `<bios>`, `<system>`, `<baseBoard>`, `<chassis>` and
//! `<oemStrings>` become `-smbios type=0/1/2/3/11`; a `type='fwcfg'` sysinfo's
//! entries become `-fw_cfg` items whatever the mode. Mode `emulate` (or none) leaves
//! QEMU's own tables; `host` is refused.

use rvirt_core::Result;
use rvirt_core::conf::xml::Element;
use rvirt_core::conf::{DomainDef, Sysinfo};

use super::{escape_opt, unsupported};

/// The `name='…'` entries of `el` this SMBIOS type has, as `,key=value` pairs.
fn entries(el: &Element, allowed: &[(&str, &str)]) -> Result<String> {
    let mut out = String::new();
    for e in el.elements() {
        let name = e.attr("name").unwrap_or_default();
        let Some((_, key)) = allowed.iter().find(|(n, _)| *n == name) else {
            return Err(unsupported(format!(
                "sysinfo <{}> entry '{name}' is not supported",
                el.name
            )));
        };
        out.push_str(&format!(",{key}={}", escape_opt(e.text().trim())));
    }
    Ok(out)
}

fn push(args: &mut Vec<String>, opt: &str, value: String) {
    args.push(opt.to_owned());
    args.push(value);
}

fn smbios(s: &Sysinfo, def: &DomainDef, args: &mut Vec<String>) -> Result<()> {
    if let Some(bios) = &s.bios {
        let e = entries(
            bios,
            &[
                ("vendor", "vendor"),
                ("version", "version"),
                ("date", "date"),
                ("release", "release"),
            ],
        )?;
        push(args, "-smbios", format!("type=0{e}"));
    }
    if let Some(system) = &s.system {
        if let (Some(uuid), Some(own)) = (
            system
                .elements()
                .find(|e| e.attr("name") == Some("uuid"))
                .map(|e| e.text().trim().to_lowercase()),
            def.uuid,
        ) && uuid != own.hyphenated().to_string()
        {
            return Err(unsupported("UUID mismatch between <uuid> and <sysinfo>"));
        }
        let e = entries(
            system,
            &[
                ("manufacturer", "manufacturer"),
                ("product", "product"),
                ("version", "version"),
                ("serial", "serial"),
                ("uuid", "uuid"),
                ("sku", "sku"),
                ("family", "family"),
            ],
        )?;
        push(args, "-smbios", format!("type=1{e}"));
    }
    for board in &s.base_boards {
        let e = entries(
            board,
            &[
                ("manufacturer", "manufacturer"),
                ("product", "product"),
                ("version", "version"),
                ("serial", "serial"),
                ("asset", "asset"),
                ("location", "location"),
            ],
        )?;
        push(args, "-smbios", format!("type=2{e}"));
    }
    if let Some(chassis) = &s.chassis {
        let e = entries(
            chassis,
            &[
                ("manufacturer", "manufacturer"),
                ("version", "version"),
                ("serial", "serial"),
                ("asset", "asset"),
                ("sku", "sku"),
            ],
        )?;
        push(args, "-smbios", format!("type=3{e}"));
    }
    if let Some(oem) = &s.oem_strings {
        let values: Vec<String> = oem
            .elements()
            .map(|e| format!(",value={}", escape_opt(e.text().trim())))
            .collect();
        if !values.is_empty() {
            push(args, "-smbios", format!("type=11{}", values.concat()));
        }
    }
    Ok(())
}

fn fwcfg(s: &Sysinfo, args: &mut Vec<String>) -> Result<()> {
    for e in &s.entries {
        let name = e
            .attr("name")
            .ok_or_else(|| unsupported("a fwcfg <entry> needs a name"))?;
        let value = match e.attr("file") {
            Some(file) => format!("file={}", escape_opt(file)),
            None => format!("string={}", escape_opt(&e.text())),
        };
        push(
            args,
            "-fw_cfg",
            format!("name={},{value}", escape_opt(name)),
        );
    }
    Ok(())
}

/// Pushes the `-smbios` and `-fw_cfg` arguments of `def`.
pub(super) fn push_sysinfo(def: &DomainDef, args: &mut Vec<String>) -> Result<()> {
    let mode = def.os.smbios.as_ref().map(|s| s.mode.as_str());
    match mode {
        None | Some("emulate" | "sysinfo") => {}
        Some(other) => {
            return Err(unsupported(format!(
                "smbios mode '{other}' is not supported"
            )));
        }
    }
    for s in &def.sysinfo {
        match s.sysinfo_type.as_str() {
            "smbios" if mode == Some("sysinfo") => smbios(s, def, args)?,
            "smbios" => {}
            "fwcfg" => fwcfg(s, args)?,
            other => {
                return Err(unsupported(format!(
                    "sysinfo type '{other}' is not supported"
                )));
            }
        }
    }
    if mode == Some("sysinfo") && !def.sysinfo.iter().any(|s| s.sysinfo_type == "smbios") {
        return Err(unsupported(
            "Domain requires SMBIOS, but no SMBIOS info is available",
        ));
    }
    Ok(())
}
