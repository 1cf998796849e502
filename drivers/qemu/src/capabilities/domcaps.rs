//! The `<domainCapabilities>` document (`virConnectGetDomainCapabilities`): for one
//! binary, machine type and virtualization type, what this driver can start — the
//! enums list only values the command-line builder carries out.

use std::fmt::Write;

use rvirt_core::Result;
use rvirt_core::driver::DomainCapsQuery;

use super::QemuCaps;
use super::host_xml::esc;
use crate::command_line::unsupported;

/// Disk devices the driver starts.
pub const DISK_DEVICES: &[&str] = &["disk", "cdrom"];
/// Disk buses the driver starts.
pub const DISK_BUSES: &[&str] = &["ide", "virtio"];
/// `<graphics type=…>` the driver starts.
pub const GRAPHICS_TYPES: &[&str] = &["vnc"];
/// `<video><model type=…>` the driver starts.
pub const VIDEO_MODELS: &[&str] = &["vga", "cirrus", "virtio", "qxl", "bochs", "none"];
/// `<interface type=…>` the driver starts.
pub const INTERFACE_TYPES: &[&str] = &["user"];

fn push_enum(x: &mut String, indent: &str, name: &str, values: &[&str]) {
    if values.is_empty() {
        let _ = writeln!(x, "{indent}<enum name='{name}'/>");
        return;
    }
    let _ = writeln!(x, "{indent}<enum name='{name}'>");
    for v in values {
        let _ = writeln!(x, "{indent}  <value>{v}</value>");
    }
    let _ = writeln!(x, "{indent}</enum>");
}

/// The domain capabilities of `caps`' binary for `query`; `kvm` says whether KVM is
/// usable here (the default virtualization type then, else `qemu`).
///
/// Errors (`VIR_ERR_CONFIG_UNSUPPORTED`): an architecture other than x86_64, an
/// emulator other than the probed one, an unknown machine type, `kvm` without KVM, or
/// another virtualization type.
pub fn domain_capabilities_xml(
    caps: &QemuCaps,
    query: &DomainCapsQuery,
    kvm: bool,
) -> Result<String> {
    if let Some(arch) = query.arch.as_deref().filter(|a| *a != "x86_64") {
        return Err(unsupported(format!(
            "architecture '{arch}' is not supported by the QEMU driver"
        )));
    }
    if let Some(bin) = query
        .emulator
        .as_deref()
        .filter(|b| *b != caps.binary.to_string_lossy())
    {
        return Err(unsupported(format!(
            "emulator '{bin}' is not supported; this host's is '{}'",
            caps.binary.display()
        )));
    }
    let virt_type = match query.virt_type.as_deref() {
        None if kvm => "kvm",
        None | Some("qemu") => "qemu",
        Some("kvm") if kvm => "kvm",
        Some("kvm") => {
            return Err(unsupported(
                "KVM is not usable on this host (cannot open /dev/kvm)",
            ));
        }
        Some(other) => {
            return Err(unsupported(format!(
                "virtualization type '{other}' is not supported by the QEMU driver"
            )));
        }
    };
    let machine = match query.machine.as_deref() {
        Some(m) => caps
            .machines
            .iter()
            .find(|t| t.name == m || t.alias.as_deref() == Some(m))
            .ok_or_else(|| {
                unsupported(format!(
                    "the machine '{m}' is not supported by emulator '{}'",
                    caps.binary.display()
                ))
            })?,
        None => caps
            .machines
            .iter()
            .find(|t| t.is_default)
            .or_else(|| caps.machines.first())
            .ok_or_else(|| unsupported("the emulator reports no machine types"))?,
    };
    let mut x = String::with_capacity(4096);
    x.push_str("<domainCapabilities>\n");
    let _ = writeln!(x, "  <path>{}</path>", esc(&caps.binary.to_string_lossy()));
    let _ = writeln!(x, "  <domain>{virt_type}</domain>");
    let _ = writeln!(x, "  <machine>{}</machine>", esc(&machine.name));
    x.push_str("  <arch>x86_64</arch>\n");
    let _ = writeln!(x, "  <vcpu max='{}'/>", machine.cpu_max);
    x.push_str("  <iothreads supported='no'/>\n");
    x.push_str("  <os supported='yes'>\n");
    push_enum(&mut x, "    ", "firmware", &[]);
    x.push_str("    <loader supported='no'/>\n  </os>\n");
    x.push_str("  <cpu>\n");
    for mode in ["host-passthrough", "maximum", "host-model", "custom"] {
        let _ = writeln!(x, "    <mode name='{mode}' supported='no'/>");
    }
    x.push_str("  </cpu>\n  <memoryBacking supported='no'/>\n  <devices>\n");
    x.push_str("    <disk supported='yes'>\n");
    push_enum(&mut x, "      ", "diskDevice", DISK_DEVICES);
    push_enum(&mut x, "      ", "bus", DISK_BUSES);
    push_enum(&mut x, "      ", "model", &[]);
    x.push_str("    </disk>\n    <graphics supported='yes'>\n");
    push_enum(&mut x, "      ", "type", GRAPHICS_TYPES);
    x.push_str("    </graphics>\n    <video supported='yes'>\n");
    push_enum(&mut x, "      ", "modelType", VIDEO_MODELS);
    x.push_str("    </video>\n");
    for absent in [
        "hostdev",
        "rng",
        "filesystem",
        "tpm",
        "redirdev",
        "channel",
        "crypto",
    ] {
        let _ = writeln!(x, "    <{absent} supported='no'/>");
    }
    x.push_str("  </devices>\n  <features>\n");
    for absent in [
        "gic",
        "vmcoreinfo",
        "genid",
        "backingStoreInput",
        "backup",
        "async-teardown",
        "sev",
        "sgx",
    ] {
        let _ = writeln!(x, "    <{absent} supported='no'/>");
    }
    x.push_str("  </features>\n</domainCapabilities>\n");
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capabilities::host_xml::tests::sample_caps;

    #[test]
    fn defaults_and_aliases() {
        let q = DomainCapsQuery::default();
        let x = domain_capabilities_xml(&sample_caps(), &q, false).unwrap();
        assert!(x.contains("<domain>qemu</domain>"), "{x}");
        assert!(x.contains("<machine>pc-i440fx-7.2</machine>"));
        assert!(x.contains("<vcpu max='255'/>"));
        assert!(x.contains("<value>vnc</value>"));
        let q35 = DomainCapsQuery {
            machine: Some("q35".into()),
            ..q.clone()
        };
        let x = domain_capabilities_xml(&sample_caps(), &q35, true).unwrap();
        assert!(x.contains("<machine>pc-q35-7.2</machine>") && x.contains("<domain>kvm</domain>"));
    }

    #[test]
    fn refusals() {
        let caps = sample_caps();
        for q in [
            DomainCapsQuery {
                arch: Some("aarch64".into()),
                ..Default::default()
            },
            DomainCapsQuery {
                machine: Some("virt".into()),
                ..Default::default()
            },
            DomainCapsQuery {
                virt_type: Some("kvm".into()),
                ..Default::default()
            },
            DomainCapsQuery {
                emulator: Some("/usr/bin/qemu-system-arm".into()),
                ..Default::default()
            },
        ] {
            let e = domain_capabilities_xml(&caps, &q, false).unwrap_err();
            assert_eq!(e.code(), rvirt_core::ErrorCode::ConfigUnsupported, "{q:?}");
        }
    }
}
