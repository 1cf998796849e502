//! Selection and filling against descriptors shaped like Debian's `ovmf` ones.

use std::path::Path;

use rvirt_core::ErrorCode;
use rvirt_core::conf::{DomainDef, OnOff, YesNo};

use super::*;

fn desc(file: &str, code: &str, machines: &[&str], features: &[&str]) -> Descriptor {
    Descriptor {
        file: file.into(),
        interfaces: vec!["uefi".into()],
        executable: code.into(),
        executable_format: "raw".into(),
        nvram_template: Some(format!("{code}.VARS").into()),
        nvram_format: "raw".into(),
        targets: vec![descriptor::Target {
            architecture: "x86_64".into(),
            machines: machines.iter().map(|m| m.to_string()).collect(),
        }],
        features: features.iter().map(|f| f.to_string()).collect(),
    }
}

/// Debian's three: enrolled secure boot, secure boot, plain (q35 and i440FX).
fn debian() -> Vec<Descriptor> {
    vec![
        desc(
            "40.json",
            "/fw/CODE.ms",
            &["pc-q35-*"],
            &["enrolled-keys", "requires-smm", "secure-boot"],
        ),
        desc(
            "50.json",
            "/fw/CODE.secboot",
            &["pc-q35-*"],
            &["requires-smm", "secure-boot"],
        ),
        desc("60.json", "/fw/CODE", &["pc-i440fx-*", "pc-q35-*"], &[]),
    ]
}

fn def(os: &str, features: &str) -> DomainDef {
    DomainDef::from_xml(&format!(
        "<domain type='qemu'><name>vm</name><memory>65536</memory>{os}{features}</domain>"
    ))
    .unwrap()
}

#[test]
fn plain_efi_on_q35_takes_the_first_descriptor_as_libvirt() {
    let d = def("<os firmware='efi'><type machine='q35'>hvm</type></os>", "");
    assert_eq!(
        select(&d, "q35", &debian()).unwrap().file,
        Path::new("40.json")
    );
}

#[test]
fn features_steer_the_choice() {
    let d = def(
        "<os firmware='efi'><type machine='pc-q35-7.2'>hvm</type><firmware>\
         <feature enabled='no' name='secure-boot'/></firmware></os>",
        "",
    );
    assert_eq!(
        select(&d, "pc-q35-7.2", &debian()).unwrap().file,
        Path::new("60.json")
    );
    let d = def(
        "<os firmware='efi'><type machine='q35'>hvm</type><firmware>\
         <feature enabled='yes' name='secure-boot'/><feature enabled='no' name='enrolled-keys'/>\
         </firmware></os>",
        "",
    );
    assert_eq!(
        select(&d, "q35", &debian()).unwrap().file,
        Path::new("50.json")
    );
    // libvirt 9.0 refuses `secure='no'` next to autoselection (the feature says it).
    let e = DomainDef::from_xml(
        "<domain type='qemu'><name>vm</name><memory>65536</memory>\
         <os firmware='efi'><type machine='q35'>hvm</type><loader secure='no'/></os></domain>",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "loader attribute 'secure' cannot be specified when firmware autoselection is enabled"
    );
    // SMM switched off rules out the firmwares that need it.
    let d = def(
        "<os firmware='efi'><type machine='q35'>hvm</type></os>",
        "<features><smm state='off'/></features>",
    );
    assert_eq!(
        select(&d, "q35", &debian()).unwrap().file,
        Path::new("60.json")
    );
    // i440FX has only the plain one.
    let d = def("<os firmware='efi'><type machine='pc'>hvm</type></os>", "");
    assert_eq!(
        select(&d, "pc", &debian()).unwrap().file,
        Path::new("60.json")
    );
}

#[test]
fn nothing_satisfies_secure_boot_on_i440fx() {
    let d = def(
        "<os firmware='efi'><type machine='pc'>hvm</type><loader secure='yes'/></os>",
        "",
    );
    let e = select(&d, "pc", &debian()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationFailed);
    assert_eq!(e.message(), "Unable to find any firmware to satisfy 'efi'");
    assert!(select(&d, "pc", &[]).is_err());
}

#[test]
fn fill_sets_loader_nvram_and_smm() {
    let mut d = def("<os firmware='efi'><type machine='q35'>hvm</type></os>", "");
    fill(&mut d, "q35", Path::new("/root/nvram"), &debian()).unwrap();
    let l = d.os.loader.as_ref().unwrap();
    assert_eq!(l.path.as_deref(), Some("/fw/CODE.ms"));
    assert_eq!(l.loader_type.as_deref(), Some("pflash"));
    assert_eq!((l.readonly, l.secure), (Some(YesNo::Yes), Some(YesNo::Yes)));
    let nv = d.os.nvram.as_ref().unwrap();
    assert_eq!(nv.path.as_deref(), Some("/root/nvram/vm_VARS.fd"));
    assert_eq!(nv.template.as_deref(), Some("/fw/CODE.ms.VARS"));
    let smm = d.features.as_ref().unwrap().smm.as_ref().unwrap();
    assert_eq!(smm.state, Some(OnOff::On));
    let xml = d.to_xml().unwrap();
    // As libvirt 9.0's live XML: the chosen loader, no firmware='efi' any more.
    assert!(xml.contains("<os>"), "{xml}");
    assert!(
        xml.contains("<loader readonly='yes' secure='yes' type='pflash'>/fw/CODE.ms</loader>"),
        "{xml}"
    );
    assert!(xml.contains("<nvram template='/fw/CODE.ms.VARS'>/root/nvram/vm_VARS.fd</nvram>"));
}

#[test]
fn explicit_pflash_gets_path_and_template_from_its_descriptor() {
    let mut d = def(
        "<os><type machine='q35'>hvm</type><loader readonly='yes' type='pflash'>/fw/CODE</loader></os>",
        "",
    );
    fill(&mut d, "q35", Path::new("/n"), &debian()).unwrap();
    let nv = d.os.nvram.as_ref().unwrap();
    assert_eq!(nv.path.as_deref(), Some("/n/vm_VARS.fd"));
    assert_eq!(nv.template.as_deref(), Some("/fw/CODE.VARS"));
}

#[test]
fn a_template_must_be_a_descriptors() {
    let mut d = def(
        "<os><type machine='q35'>hvm</type><loader readonly='yes' type='pflash'>/fw/CODE</loader>\
         <nvram template='/etc/shadow'/></os>",
        "",
    );
    let e = fill(&mut d, "q35", Path::new("/n"), &debian()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
}

#[test]
fn secure_boot_checks_as_libvirt() {
    let d = def(
        "<os><type machine='pc'>hvm</type><loader readonly='yes' secure='yes' type='pflash'>/fw/CODE.secboot</loader></os>",
        "",
    );
    let e = check_secure(&d, "pc").unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
    assert_eq!(
        e.message(),
        "Secure boot is supported with q35 machine types only"
    );
    let d = def(
        "<os><type machine='q35'>hvm</type><loader readonly='yes' secure='yes' type='pflash'>/fw/CODE.secboot</loader></os>",
        "",
    );
    assert_eq!(
        check_secure(&d, "q35").unwrap_err().message(),
        "Secure boot requires SMM feature enabled"
    );
    let d = def(
        "<os><type machine='q35'>hvm</type><loader readonly='yes' secure='yes' type='pflash'>/fw/CODE.secboot</loader></os>",
        "<features><smm state='on'/></features>",
    );
    check_secure(&d, "q35").unwrap();
}

#[test]
fn nvram_is_copied_once_and_undefine_follows_the_flags() {
    let root = std::env::temp_dir().join(format!("rvirt-nvram-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let tpl = root.join("VARS.fd");
    std::fs::write(&tpl, b"template").unwrap();
    let dir = root.join("nvram");
    let mut descs = debian();
    descs[2].nvram_template = Some(tpl.clone());
    let mut d = def("<os firmware='efi'><type machine='pc'>hvm</type></os>", "");
    fill(&mut d, "pc", &dir, &descs).unwrap();
    nvram::ensure(&d, &dir).unwrap();
    let store = dir.join("vm_VARS.fd");
    assert_eq!(std::fs::read(&store).unwrap(), b"template");
    // A store the guest changed is kept at the next start.
    std::fs::write(&store, b"guest wrote").unwrap();
    nvram::ensure(&d, &dir).unwrap();
    assert_eq!(std::fs::read(&store).unwrap(), b"guest wrote");
    let inactive = def("<os firmware='efi'><type machine='pc'>hvm</type></os>", "");
    let e = nvram::on_undefine(&inactive, &dir, 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationInvalid);
    assert_eq!(e.message(), "cannot undefine domain with nvram");
    nvram::on_undefine(&inactive, &dir, nvram::UNDEFINE_KEEP_NVRAM).unwrap();
    assert!(store.exists());
    nvram::on_undefine(&inactive, &dir, nvram::UNDEFINE_NVRAM).unwrap();
    assert!(!store.exists());
    nvram::on_undefine(&inactive, &dir, 0).unwrap();
    // Stores outside the driver's directory are refused, existing or not.
    for outside in ["/etc/passwd", "/tmp/elsewhere_VARS.fd"] {
        let mut d = def(
            &format!(
                "<os><type machine='pc'>hvm</type><loader readonly='yes' type='pflash'>/fw/CODE</loader>\
                 <nvram>{outside}</nvram></os>"
            ),
            "",
        );
        let e = fill(&mut d, "pc", &dir, &descs).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigUnsupported, "{outside}");
        // Nor does ensure() create one there.
        if !Path::new(outside).exists() {
            assert!(nvram::ensure(&d, &dir).is_err());
            assert!(!Path::new(outside).exists());
        }
    }
    std::fs::remove_dir_all(root).unwrap();
}
