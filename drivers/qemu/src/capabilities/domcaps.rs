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
    let descriptors = crate::firmware::descriptor::load(&crate::firmware::system_dirs());
    domain_capabilities_with(caps, query, kvm, &descriptors)
}

/// Whether libvirt's domain capabilities list QEMU's model `name`.
pub(crate) fn listed_model(name: &str) -> bool {
    let versioned = name
        .rsplit_once("-v")
        .is_some_and(|(_, v)| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()));
    !versioned && !matches!(name, "max" | "base" | "host")
}

/// The vendor libvirt's CPU map gives a QEMU model: AMD's and Hygon's families by
/// name, `unknown` for QEMU's generic and pre-Pentium-Pro ones, Intel otherwise
/// (checked against libvirt 9.0's list for Debian's QEMU 7.2).
fn cpu_vendor(model: &str) -> &'static str {
    let m = model.to_ascii_lowercase();
    if ["epyc", "opteron", "phenom", "athlon"]
        .iter()
        .any(|p| m.starts_with(p))
    {
        "AMD"
    } else if m.starts_with("dhyana") {
        "Hygon"
    } else if ["qemu", "kvm", "max", "base", "host", "pentium", "486"]
        .iter()
        .any(|p| m.starts_with(p))
    {
        "unknown"
    } else {
        "Intel"
    }
}

/// The UEFI firmwares of `descriptors` that run on `machine` of `arch` (descriptors
/// name i686 `i386`).
fn firmwares_for<'a>(
    descriptors: &'a [crate::firmware::Descriptor],
    machine: &str,
    arch: &str,
) -> Vec<&'a crate::firmware::Descriptor> {
    let arch = if arch == "i686" { "i386" } else { arch };
    descriptors
        .iter()
        .filter(|d| {
            d.interfaces.iter().any(|i| i == "uefi")
                && d.targets.iter().any(|t| {
                    t.architecture == arch
                        && t.machines
                            .iter()
                            .any(|g| crate::firmware::descriptor::glob_match(g, machine))
                })
        })
        .collect()
}

/// [`domain_capabilities_xml`] with the firmware `descriptors` given: the `<os>`
/// section lists `efi` and the loaders that run on the machine, as libvirt's does.
pub fn domain_capabilities_with(
    caps: &QemuCaps,
    query: &DomainCapsQuery,
    kvm: bool,
    descriptors: &[crate::firmware::Descriptor],
) -> Result<String> {
    let arch = match query.arch.as_deref() {
        None | Some("x86_64") => "x86_64",
        Some("i686") => "i686",
        Some(arch) => {
            return Err(unsupported(format!(
                "architecture '{arch}' is not supported by the QEMU driver"
            )));
        }
    };
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
    let _ = writeln!(x, "  <arch>{arch}</arch>");
    let _ = writeln!(x, "  <vcpu max='{}'/>", machine.cpu_max);
    x.push_str("  <iothreads supported='yes'/>\n");
    x.push_str("  <os supported='yes'>\n");
    let firmwares = firmwares_for(descriptors, &machine.name, arch);
    let efi: &[&str] = if firmwares.is_empty() { &[] } else { &["efi"] };
    push_enum(&mut x, "    ", "firmware", efi);
    x.push_str("    <loader supported='yes'>\n");
    let mut seen = Vec::new();
    for d in &firmwares {
        if !seen.contains(&&d.executable) {
            seen.push(&d.executable);
            let _ = writeln!(
                x,
                "      <value>{}</value>",
                esc(&d.executable.to_string_lossy())
            );
        }
    }
    push_enum(&mut x, "      ", "type", &["rom", "pflash"]);
    push_enum(&mut x, "      ", "readonly", &["yes", "no"]);
    let secure: &[&str] = if crate::command_line::machine::is_q35(&machine.name) {
        &["yes", "no"]
    } else {
        &["no"]
    };
    push_enum(&mut x, "      ", "secure", secure);
    x.push_str("    </loader>\n  </os>\n");
    x.push_str("  <cpu>\n");
    for mode in ["host-passthrough", "maximum"] {
        let _ = writeln!(x, "    <mode name='{mode}' supported='no'/>");
    }
    // TCG's host-model: what a host-model domain runs with (command_line::cpu).
    match caps.host_model.as_ref().filter(|_| virt_type == "qemu") {
        Some(h) => {
            x.push_str("    <mode name='host-model' supported='yes'>\n");
            let _ = writeln!(x, "      <model fallback='forbid'>{}</model>", esc(&h.name));
            let _ = writeln!(x, "      <vendor>{}</vendor>", esc(&h.vendor));
            for (policy, list) in [("require", &h.require), ("disable", &h.disable)] {
                for f in list {
                    let _ = writeln!(x, "      <feature policy='{policy}' name='{}'/>", esc(f));
                }
            }
            x.push_str("    </mode>\n");
        }
        None => x.push_str("    <mode name='host-model' supported='no'/>\n"),
    }
    if caps.cpu_models.is_empty() {
        x.push_str("    <mode name='custom' supported='no'/>\n");
    } else {
        x.push_str("    <mode name='custom' supported='yes'>\n");
        // As libvirt 9.0 lists them: named models, not QEMU's versions (`-vN`) or its
        // `max`/`base`/`host`.
        for m in caps.cpu_models.iter().filter(|m| listed_model(&m.name)) {
            let usable = if m.unavailable.is_empty() {
                "yes"
            } else {
                "no"
            };
            let _ = writeln!(
                x,
                "      <model usable='{usable}' vendor='{}'>{}</model>",
                cpu_vendor(&m.name),
                esc(&m.name)
            );
        }
        x.push_str("    </mode>\n");
    }
    x.push_str("  </cpu>\n  <memoryBacking supported='yes'>\n");
    push_enum(
        &mut x,
        "    ",
        "sourceType",
        &["file", "anonymous", "memfd"],
    );
    x.push_str("  </memoryBacking>\n  <devices>\n");
    x.push_str("    <disk supported='yes'>\n");
    push_enum(&mut x, "      ", "diskDevice", DISK_DEVICES);
    push_enum(&mut x, "      ", "bus", DISK_BUSES);
    push_enum(&mut x, "      ", "model", &[]);
    x.push_str("    </disk>\n    <graphics supported='yes'>\n");
    push_enum(&mut x, "      ", "type", GRAPHICS_TYPES);
    x.push_str("    </graphics>\n    <video supported='yes'>\n");
    push_enum(&mut x, "      ", "modelType", VIDEO_MODELS);
    x.push_str("    </video>\n");
    for absent in ["hostdev", "rng", "filesystem", "tpm", "redirdev", "channel"] {
        let _ = writeln!(x, "    <{absent} supported='no'/>");
    }
    x.push_str("  </devices>\n  <features>\n");
    for absent in [
        "gic",
        "vmcoreinfo",
        "genid",
        "backingStoreInput",
        "backup",
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
        assert!(
            x.contains(
                "<mode name='host-model' supported='yes'>\n      \
                 <model fallback='forbid'>EPYC</model>\n      <vendor>AMD</vendor>\n      \
                 <feature policy='require' name='ss'/>\n      \
                 <feature policy='disable' name='xsavec'/>\n    </mode>"
            ),
            "{x}"
        );
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

    /// `<os>` lists `efi` and the loaders for the machine; custom CPU models with
    /// their usability under TCG; iothreads and memory backing are supported.
    #[test]
    fn firmware_cpu_models_and_backing() {
        let descs = [
            crate::firmware::Descriptor::parse(
                std::path::Path::new("60.json"),
                r#"{"interface-types":["uefi"],"mapping":{"device":"flash",
                    "executable":{"filename":"/fw/CODE.fd"},"nvram-template":{"filename":"/fw/VARS.fd"}},
                    "targets":[{"architecture":"x86_64","machines":["pc-q35-*"]}],"features":[]}"#,
            )
            .unwrap(),
        ];
        let q35 = DomainCapsQuery {
            machine: Some("q35".into()),
            ..Default::default()
        };
        let x = domain_capabilities_with(&sample_caps(), &q35, false, &descs).unwrap();
        assert!(
            x.contains("<enum name='firmware'>\n      <value>efi</value>"),
            "{x}"
        );
        assert!(
            x.contains("<loader supported='yes'>\n      <value>/fw/CODE.fd</value>"),
            "{x}"
        );
        assert!(x.contains("<iothreads supported='yes'/>"));
        assert!(x.contains("<mode name='custom' supported='yes'>\n      <model usable='yes' vendor='unknown'>qemu64</model>"), "{x}");
        assert!(x.contains("<value>memfd</value>"));
        assert!(listed_model("Skylake-Client") && !listed_model("Skylake-Client-v4"));
        assert!(!listed_model("max") && listed_model("EPYC-Rome"));
        assert_eq!(
            [
                cpu_vendor("pentium3"),
                cpu_vendor("EPYC"),
                cpu_vendor("Nehalem")
            ],
            ["unknown", "AMD", "Intel"]
        );
        // i440FX has no firmware in these descriptors.
        let pc =
            domain_capabilities_with(&sample_caps(), &DomainCapsQuery::default(), false, &descs)
                .unwrap();
        assert!(pc.contains("<enum name='firmware'/>"), "{pc}");
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
