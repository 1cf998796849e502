//! Checks on a device's raw element that come before the typed model, for libvirt's
//! specific error codes and messages.

use crate::xml::Element;
use crate::{ConfError, codes, domains};

fn err(code: i32, message: String) -> ConfError {
    ConfError::Invalid {
        code,
        domain: domains::DOMAIN,
        message,
    }
}

/// The source path libvirt names in its disk messages.
fn disk_source_name(source: Option<&Element>) -> String {
    let Some(s) = source else {
        return String::new();
    };
    for a in ["file", "dev", "dir", "name", "volume"] {
        if let Some(v) = s.attr(a) {
            return v.to_owned();
        }
    }
    String::new()
}

/// Checks one child of `<devices>`.
pub(crate) fn precheck(dev: &Element) -> Result<(), ConfError> {
    match dev.name.as_str() {
        "disk" => {
            let source = dev.child("source");
            let target = dev.child("target").and_then(|t| t.attr("dev"));
            let Some(target) = target else {
                return Err(err(
                    codes::NO_TARGET,
                    format!(
                        "missing target information for device {}",
                        disk_source_name(source)
                    ),
                ));
            };
            let device = dev.attr("device").unwrap_or("disk");
            let local = matches!(dev.attr("type").unwrap_or("file"), "file" | "block" | "dir");
            let removable = device != "disk";
            let has_path = source.is_some_and(|s| {
                s.attr("file").is_some() || s.attr("dev").is_some() || s.attr("dir").is_some()
            });
            if local && !removable && !has_path && dev.attr("type").is_none_or(|t| t != "volume") {
                return Err(err(
                    codes::NO_SOURCE,
                    format!("missing source information for device {target}"),
                ));
            }
        }
        "filesystem" if dev.child("target").and_then(|t| t.attr("dir")).is_none() => {
            let source = dev
                .child("source")
                .and_then(|s| {
                    ["dir", "file", "dev", "name", "socket"]
                        .iter()
                        .find_map(|a| s.attr(a))
                })
                .unwrap_or_default();
            return Err(err(
                codes::NO_TARGET,
                format!("missing target information for device {source}"),
            ));
        }
        "rng" if dev.attr("model").is_none() => {
            return Err(err(codes::XML_ERROR, "missing RNG device model".into()));
        }
        "input" if dev.attr("type").is_none() => {
            return Err(err(
                codes::INTERNAL_ERROR,
                "missing input device type".into(),
            ));
        }
        "watchdog" if dev.attr("model").is_none() => {
            return Err(err(
                codes::INTERNAL_ERROR,
                "watchdog must contain model name".into(),
            ));
        }
        _ => {}
    }
    Ok(())
}
