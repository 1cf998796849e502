//! UEFI through rvirtd's QEMU driver (`qemu:///system`, QEMU as its own user) with
//! Debian's virsh: `<os firmware='efi'>` picks Debian's OVMF from its descriptors, the
//! guest's variable store is made from the template under the driver's root and QEMU's
//! user can use it, OVMF runs (its console on a file), `virsh dumpxml` shows the loader
//! and store as libvirt does, and `virsh undefine` keeps libvirt's rule: refused
//! while the store exists, done with `--nvram` (store removed) or `--keep-nvram`;
//! python3-libvirt sees the same through `getDomainCapabilities` and `undefineFlags`.

use std::path::Path;
use std::time::{Duration, Instant};

use rvirt_testkit::{
    Daemon, QemuReaper, TempDir, have_python_libvirt, have_qemu, have_virsh, linux_guest, python,
    text, virsh, virsh_ok,
};

/// python3-libvirt on the same guest: the domain capabilities' firmware, the refused
/// plain `undefineFlags(0)` (its libvirt error code) and `VIR_DOMAIN_UNDEFINE_NVRAM`.
const PY_UNDEFINE: &str = r#"
import os, sys, libvirt
conn = libvirt.open(sys.argv[1])
caps = conn.getDomainCapabilities(None, "x86_64", "q35", "qemu", 0)
print("efi=%s" % ("<value>efi</value>" in caps))
dom = conn.lookupByName(sys.argv[2])
try:
    dom.undefineFlags(0)
    print("plain=undefined")
except libvirt.libvirtError as e:
    print("plain=%d:%s" % (e.get_error_code(), e.get_error_message()))
dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
print("nvram_left=%s" % os.path.exists(sys.argv[3]))
"#;

const PLAIN_CODE: &str = "/usr/share/OVMF/OVMF_CODE_4M.fd";
const PLAIN_VARS: &str = "/usr/share/OVMF/OVMF_VARS_4M.fd";

fn have_ovmf() -> bool {
    if Path::new(PLAIN_CODE).exists() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{PLAIN_CODE} is required in CI (Debian's ovmf, installed by tools/setup.sh)");
    }
    println!("SKIPPED: Debian's ovmf is not installed (and CI is unset)");
    false
}

fn efi_xml(name: &str, guest: &rvirt_testkit::linux_guest::LinuxGuest, serial: &Path) -> String {
    format!(
        "<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os firmware='efi'>
    <type arch='x86_64' machine='q35'>hvm</type>
    <firmware><feature enabled='no' name='secure-boot'/></firmware>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>console=ttyS0 panic=-1</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='file'><source path='{serial}'/><target port='0'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>",
        kernel = guest.kernel.display(),
        initrd = guest.initrd.display(),
        serial = serial.display(),
    )
}

#[test]
fn uefi_guest_through_virsh() {
    if !have_virsh() || !have_qemu() || !have_ovmf() {
        return;
    }
    let root = TempDir::new("qemu-uefi");
    let Some(guest) = linux_guest(&root) else {
        return;
    };
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("uefi", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let serial = root.join("efi-console.log");
    let xml = root.join("efi.xml");
    std::fs::write(&xml, efi_xml("efi", &guest, &serial)).unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "efi"]);

    // OVMF runs from flash and reaches its console: its terminal clears the screen
    // (the kernel it then starts is checked by drivers/qemu/tests/firmware.rs).
    let t = Instant::now();
    loop {
        let text = std::fs::read_to_string(&serial).unwrap_or_default();
        if text.contains("\x1b[2J") {
            println!("OVMF's console after {:?}", t.elapsed());
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(30), "console: {text:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let store = root.join("lib/qemu/nvram/efi_VARS.fd");
    let live = virsh_ok(&uri, &["dumpxml", "efi"]);
    assert!(
        live.contains(&format!(
            "<loader readonly='yes' type='pflash'>{PLAIN_CODE}</loader>"
        )),
        "{live}"
    );
    assert!(
        live.contains(&format!(
            "<nvram template='{PLAIN_VARS}'>{}</nvram>",
            store.display()
        )),
        "{live}"
    );
    let inactive = virsh_ok(&uri, &["dumpxml", "--inactive", "efi"]);
    assert!(!inactive.contains("<loader"), "{inactive}");
    assert!(store.exists());

    virsh_ok(&uri, &["destroy", "efi"]);
    let o = virsh(&uri, &["undefine", "efi"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("Requested operation is not valid: cannot undefine domain with nvram"),
        "{err}"
    );
    assert!(store.exists());
    let said = virsh_ok(&uri, &["undefine", "--nvram", "efi"]);
    assert!(said.contains("Domain 'efi' has been undefined"), "{said}");
    assert!(!store.exists());

    // --keep-nvram leaves the store.
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "--paused", "efi"]);
    virsh_ok(&uri, &["destroy", "efi"]);
    assert!(store.exists());
    virsh_ok(&uri, &["undefine", "--keep-nvram", "efi"]);
    assert!(store.exists());

    if have_python_libvirt() {
        virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
        let o = python(PY_UNDEFINE, &[&uri, "efi", store.to_str().unwrap()]);
        let (out, err) = text(&o);
        assert!(o.status.success(), "{out}\n{err}");
        assert!(out.contains("efi=True"), "{out}");
        // VIR_ERR_OPERATION_INVALID (55), libvirt's wording.
        assert!(
            out.contains(
                "plain=55:Requested operation is not valid: cannot undefine domain with nvram"
            ),
            "{out}"
        );
        assert!(out.contains("nvram_left=False"), "{out}");
    }
}
