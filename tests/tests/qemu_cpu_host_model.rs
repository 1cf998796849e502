//! `<cpu mode='host-model'/>` on a TCG domain, as libvirt 9.0 runs it: Debian's virsh
//! reads rvirtd's `domcapabilities --virttype qemu`, whose host-model section is the
//! probed description of TCG's CPU (a named model, its vendor, features required and
//! disabled), and a real QEMU guest started with that mode runs with exactly that
//! description on its command line (not `-cpu max`), which QEMU accepted.

use rvirt_testkit::{
    HALT, QemuReaper, TempDir, boot_disk, domain_xml, have_qemu, have_virsh, qemu_pids, virsh_ok,
};

#[test]
fn host_model_under_tcg_is_the_domcapabilities_description() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("hostmodel-q");
    let _reaper = QemuReaper(root.0.clone());
    let d =
        rvirt_testkit::Daemon::start_with("hostmodel", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();

    let dc = virsh_ok(&uri, &["domcapabilities", "--virttype", "qemu"]);
    let section = dc
        .split("<mode name='host-model' supported='yes'>")
        .nth(1)
        .and_then(|s| s.split("</mode>").next())
        .unwrap_or_else(|| panic!("no host-model: {dc}"));
    let tag = |t: &str| {
        section
            .split(&format!("{t}>"))
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap_or_else(|| panic!("no {t} in {section}"))
            .to_owned()
    };
    let model = section
        .split("<model fallback='forbid'>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_else(|| panic!("{section}"))
        .to_owned();
    let vendor = tag("<vendor");
    assert!(vendor == "AMD" || vendor == "Intel", "{section}");
    let features = |policy: &str| -> Vec<String> {
        section
            .split(&format!("<feature policy='{policy}' name='"))
            .skip(1)
            .filter_map(|s| s.split('\'').next())
            .map(str::to_owned)
            .collect()
    };
    let (require, disable) = (features("require"), features("disable"));
    // TCG emulates features no named model has (libvirt's says the same of 9.0).
    assert!(!require.is_empty(), "{section}");
    // libvirt 9.0's own answer (its embedded QEMU driver on a private root): the same
    // model and vendor; its features come from its CPU map, not QEMU's models, and may
    // differ by a few.
    let embed = root.0.join("libvirt-embed");
    let o = std::process::Command::new("virsh")
        .arg("-c")
        .arg(format!("qemu:///embed?root={}", embed.display()))
        .args(["domcapabilities", "--virttype", "qemu"])
        .output()
        .unwrap();
    let theirs = String::from_utf8_lossy(&o.stdout);
    if let Some(lv) = theirs
        .split("<mode name='host-model' supported='yes'>")
        .nth(1)
    {
        assert!(
            lv.contains(&format!("<model fallback='forbid'>{model}</model>"))
                && lv.contains(&format!("<vendor>{vendor}</vendor>")),
            "libvirt: {lv}\nrvirt: {section}"
        );
    } else {
        eprintln!("libvirt's embedded driver gave no host-model: {theirs}");
    }

    let disk = boot_disk(&root.0.join("g.img"), HALT);
    let xml = domain_xml("hm", &disk).replace(
        "<features><acpi/></features>",
        "<features><acpi/></features><cpu mode='host-model'/>",
    );
    let path = root.0.join("hm.xml");
    std::fs::write(&path, xml).unwrap();
    virsh_ok(&uri, &["define", path.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "hm"]);
    let pids = qemu_pids(&root.0);
    assert_eq!(pids.len(), 1, "{pids:?}");
    let argv: Vec<String> = std::fs::read(format!("/proc/{}/cmdline", pids[0]))
        .unwrap()
        .split(|b| *b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let cpu = argv
        .iter()
        .position(|a| a == "-cpu")
        .map(|i| argv[i + 1].clone())
        .unwrap_or_else(|| panic!("no -cpu in {argv:?}"));
    let mut want = model.clone();
    for f in &require {
        want.push_str(&format!(",{f}=on"));
    }
    for f in &disable {
        want.push_str(&format!(",{f}=off"));
    }
    assert_eq!(cpu, want);
    let state = virsh_ok(&uri, &["domstate", "hm"]);
    assert_eq!(state.trim(), "running");
    virsh_ok(&uri, &["destroy", "hm"]);
    virsh_ok(&uri, &["undefine", "hm"]);
    println!("host-model: {model} ({vendor}), require {require:?}, disable {disable:?}");
}
