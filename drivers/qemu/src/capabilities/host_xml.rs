//! The connection's `<capabilities>` document (`virConnectGetCapabilities`) from the
//! probed x86_64 binary: the host (CPU arch and topology, NUMA cells, no security
//! model) and one `hvm` guest with QEMU's machine types and the domain types usable
//! here (`qemu`, plus `kvm` when `/dev/kvm` opens).

use std::fmt::Write;

use rvirt_core::api::NodeInfo;

use super::QemuCaps;

pub(crate) use rvirt_core::host::capabilities::esc;

/// The `<machine>` lines of a guest arch: each canonical name, then each alias with
/// `canonical=`, as libvirt lists them.
fn push_machines(x: &mut String, caps: &QemuCaps, indent: &str) {
    for m in &caps.machines {
        if m.name == "none" {
            continue;
        }
        let _ = writeln!(
            x,
            "{indent}<machine maxCpus='{}'>{}</machine>",
            m.cpu_max,
            esc(&m.name)
        );
        if let Some(alias) = &m.alias {
            let _ = writeln!(
                x,
                "{indent}<machine canonical='{}' maxCpus='{}'>{}</machine>",
                esc(&m.name),
                m.cpu_max,
                esc(alias)
            );
        }
    }
}

/// `<capabilities>` for the host described by `node`, with guests run by `caps`'
/// binary (x86_64) and, if probed, `i686`'s (`qemu-system-i386`, listed first as
/// libvirt orders architectures); `kvm` adds the `kvm` domain type.
pub fn capabilities_xml(
    caps: &QemuCaps,
    i686: Option<&QemuCaps>,
    node: &NodeInfo,
    kvm: bool,
) -> String {
    let mut x = String::with_capacity(8192);
    x.push_str("<capabilities>\n\n");
    x.push_str(&rvirt_core::host::capabilities::host_xml(node, true));

    if let Some(i) = i686 {
        push_guest(&mut x, i, "i686", 32, kvm);
    }
    push_guest(&mut x, caps, "x86_64", 64, kvm);
    x.push_str("</capabilities>\n");
    x
}

/// One `<guest>`: `arch` run by `caps`' binary.
fn push_guest(x: &mut String, caps: &QemuCaps, arch: &str, wordsize: u32, kvm: bool) {
    x.push_str("  <guest>\n    <os_type>hvm</os_type>\n");
    let _ = writeln!(
        x,
        "    <arch name='{arch}'>\n      <wordsize>{wordsize}</wordsize>"
    );
    let _ = writeln!(
        x,
        "      <emulator>{}</emulator>",
        esc(&caps.binary.to_string_lossy())
    );
    push_machines(x, caps, "      ");
    x.push_str("      <domain type='qemu'/>\n");
    if kvm {
        x.push_str("      <domain type='kvm'/>\n");
    }
    x.push_str("    </arch>\n    <features>\n");
    if arch == "i686" {
        x.push_str("      <pae/>\n      <nonpae/>\n");
    }
    x.push_str("      <acpi default='on' toggle='yes'/>\n");
    x.push_str("      <apic default='on' toggle='no'/>\n");
    x.push_str("      <cpuselection/>\n      <deviceboot/>\n");
    x.push_str("      <disksnapshot default='on' toggle='no'/>\n");
    x.push_str("    </features>\n  </guest>\n\n");
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::capabilities::MachineType;
    use crate::qmp::QemuVersion;

    pub(crate) fn sample_caps() -> QemuCaps {
        QemuCaps {
            binary: "/usr/bin/qemu-system-x86_64".into(),
            binary_mtime: (0, 0),
            version: QemuVersion {
                major: 7,
                minor: 2,
                micro: 22,
            },
            package: String::new(),
            machines: vec![
                MachineType {
                    name: "pc-i440fx-7.2".into(),
                    alias: Some("pc".into()),
                    is_default: true,
                    cpu_max: 255,
                },
                MachineType {
                    name: "pc-q35-7.2".into(),
                    alias: Some("q35".into()),
                    is_default: false,
                    cpu_max: 288,
                },
                MachineType {
                    name: "none".into(),
                    alias: None,
                    is_default: false,
                    cpu_max: 1,
                },
            ],
            kvm_present: false,
            cpu_models: vec![crate::capabilities::CpuDefinition {
                name: "qemu64".into(),
                unavailable: Vec::new(),
                deprecated: false,
            }],
            host_model: Some(crate::capabilities::host_model::HostModel {
                name: "EPYC".into(),
                vendor: "AMD".into(),
                require: vec!["ss".into()],
                disable: vec!["xsavec".into()],
            }),
        }
    }

    fn node() -> NodeInfo {
        NodeInfo {
            model: "x86_64".into(),
            memory_kib: 4 << 20,
            cpus: 4,
            mhz: 2000,
            nodes: 1,
            sockets: 1,
            cores: 2,
            threads: 2,
        }
    }

    #[test]
    fn guest_lists_machines_aliases_and_domain_types() {
        let x = capabilities_xml(&sample_caps(), None, &node(), false);
        assert!(
            x.contains("<machine maxCpus='255'>pc-i440fx-7.2</machine>"),
            "{x}"
        );
        assert!(x.contains("<machine canonical='pc-q35-7.2' maxCpus='288'>q35</machine>"));
        assert!(!x.contains(">none</machine>"));
        assert!(x.contains("<domain type='qemu'/>") && !x.contains("<domain type='kvm'/>"));
        assert!(
            capabilities_xml(&sample_caps(), None, &node(), true).contains("<domain type='kvm'/>")
        );
        assert!(x.contains("<cpu id='3' socket_id='0' die_id='0' core_id='1' siblings='2-3'/>"));
    }

    #[test]
    fn i686_guest_comes_first_with_its_binary() {
        let mut i386 = sample_caps();
        i386.binary = "/usr/bin/qemu-system-i386".into();
        let x = capabilities_xml(&sample_caps(), Some(&i386), &node(), false);
        let i = x
            .find("<arch name='i686'>\n      <wordsize>32</wordsize>\n      <emulator>/usr/bin/qemu-system-i386</emulator>")
            .unwrap_or_else(|| panic!("{x}"));
        let x86 = x.find("<arch name='x86_64'>").unwrap();
        assert!(i < x86, "{x}");
        assert!(
            x.contains("<features>\n      <pae/>\n      <nonpae/>\n      <acpi"),
            "{x}"
        );
        assert_eq!(x.matches("<pae/>").count(), 1);
    }
}
