//! `<serial>`/`<console>` → `-chardev` + `isa-serial` `-device`.

use rvirt_core::Result;
use rvirt_core::conf::{CharDevice, CharDeviceType, Device, DomainDef, OnOff};
use serde_json::json;

use super::{escape_opt, unsupported};

pub(super) fn push_serials(def: &DomainDef, args: &mut Vec<String>) -> Result<()> {
    let serials: Vec<&CharDevice> = def
        .devices()
        .iter()
        .filter_map(|d| match d {
            Device::Serial(s) => Some(s),
            _ => None,
        })
        .collect();
    let consoles: Vec<&CharDevice> = def
        .devices()
        .iter()
        .filter_map(|d| match d {
            Device::Console(c) => Some(c),
            _ => None,
        })
        .collect();
    for (i, c) in consoles.iter().enumerate() {
        let target = c.target.as_ref().and_then(|t| t.target_type.as_deref());
        // libvirt: the first console with a serial target is an alias of serial0.
        if i > 0 || !matches!(target, None | Some("serial")) {
            return Err(unsupported(format!(
                "console target type '{}' is not supported yet",
                target.unwrap_or("serial")
            )));
        }
    }
    let chardevs: Vec<&CharDevice> = if serials.is_empty() {
        consoles.into_iter().take(1).collect()
    } else {
        serials
    };
    for (i, chr) in chardevs.into_iter().enumerate() {
        push_serial(chr, i as u32, args)?;
    }
    Ok(())
}

fn push_serial(chr: &CharDevice, i: u32, args: &mut Vec<String>) -> Result<()> {
    let id = format!("charserial{i}");
    let path = || {
        chr.sources
            .iter()
            .find_map(|s| s.path.as_deref())
            .ok_or_else(|| {
                unsupported(format!(
                    "serial {i} of type '{}' needs a source path",
                    chr.char_type
                ))
            })
    };
    let mut spec = match chr.char_type {
        CharDeviceType::Pty => format!("pty,id={id}"),
        CharDeviceType::Null => format!("null,id={id}"),
        CharDeviceType::File => {
            let mut s = format!("file,id={id},path={}", escape_opt(path()?));
            if chr.sources.iter().any(|s| s.append == Some(OnOff::On)) {
                s.push_str(",append=on");
            }
            s
        }
        other => {
            return Err(unsupported(format!(
                "serial type '{other}' is not supported yet"
            )));
        }
    };
    if let Some(log) = &chr.log {
        spec.push_str(&format!(",logfile={}", escape_opt(&log.file)));
        if let Some(a) = log.append {
            spec.push_str(&format!(",logappend={a}"));
        }
    }
    let target = chr.target.as_ref();
    match target.and_then(|t| t.target_type.as_deref()) {
        None | Some("isa-serial") => {}
        Some(other) => {
            return Err(unsupported(format!(
                "serial target type '{other}' is not supported yet"
            )));
        }
    }
    if target
        .and_then(|t| t.model.as_ref())
        .is_some_and(|m| m.name != "isa-serial")
    {
        return Err(unsupported("serial target model other than isa-serial"));
    }
    let index = target.and_then(|t| t.port).unwrap_or(i);
    args.push("-chardev".into());
    args.push(spec);
    args.push("-device".into());
    args.push(
        json!({"driver": "isa-serial", "chardev": id, "id": format!("serial{i}"), "index": index})
            .to_string(),
    );
    Ok(())
}
