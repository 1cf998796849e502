//! `virsh dumpxml` against rvirtd prints what it prints against libvirt's own test
//! driver for the same definitions: the XML virt-install writes for common guests
//! (core/conf/tests/data/virt-install), defined in both.

mod common;

use std::path::{Path, PathBuf};

use common::{Daemon, have_virsh, text, virsh, virsh_ok};

/// Definitions whose dumpxml is known to differ, and why.
const KNOWN_DIFFERENT: &[(&str, &str)] = &[(
    "qemu-commandline",
    "libvirt's test driver drops the QEMU namespace; rvirt keeps every driver namespace",
)];

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../core/conf/tests/data/virt-install");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.ends_with(".xml") && !n.ends_with(".libvirt.xml")
        })
        .collect();
    v.sort();
    v
}

#[test]
fn dumpxml_matches_libvirtd_for_common_guests() {
    if !have_virsh() {
        return;
    }
    let d = Daemon::start("dumpxml");
    let mut compared = 0;
    let mut differ = Vec::new();
    for path in fixtures() {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let file = path.to_str().unwrap();
        // libvirt's test driver, in virsh's own process.
        let o = virsh(
            "test:///default",
            &["-q", &format!("define {file}; dumpxml {name}")],
        );
        let (libvirt, err) = text(&o);
        assert!(o.status.success(), "libvirt refused {name}: {err}");
        virsh_ok(&d.uri(), &["define", file]);
        let rvirt = virsh_ok(&d.uri(), &["dumpxml", &name]);
        virsh_ok(&d.uri(), &["undefine", &name]);
        compared += 1;
        // virsh ends a command list with an extra newline.
        let (libvirt, rvirt) = (libvirt.trim_end(), rvirt.trim_end());
        let known = KNOWN_DIFFERENT.iter().any(|(n, _)| *n == name);
        if (libvirt == rvirt) == known {
            differ.push(format!(
                "{name}: {}\n--- libvirtd\n{libvirt}\n--- rvirtd\n{rvirt}",
                if known {
                    "listed as different but identical now"
                } else {
                    "dumpxml differs"
                }
            ));
        }
    }
    assert!(compared >= 70, "only {compared} definitions compared");
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
