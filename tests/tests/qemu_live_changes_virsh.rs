//! CD-ROM media, the balloon's statistics period and the vCPU count of a running QEMU
//! guest through rvirtd and Debian's virsh: `change-media --insert/--eject` (DOMAIN_UPDATE_DEVICE_FLAGS:
//! QEMU's tray opened, medium swapped, tray closed — read back with `query-block`),
//! `--config` in the persistent definition, a plain disk refused; `dommemstat
//! --period` (DOMAIN_SET_MEMORY_STATS_PERIOD) live through QEMU's balloon property and
//! in `<memballoon><stats period/>`; `setvcpus` (DOMAIN_SET_VCPUS_FLAGS): a vCPU
//! hot-plugged into QEMU's free slot, its removal failing when QEMU or the guest
//! refuses it, `--config` and `--maximum --config` in the persistent `<vcpu>`; `dump`
//! (DOMAIN_CORE_DUMP{,_WITH_FORMAT}): an ELF or kdump core of the memory, the migration
//! stream, and `--crash`.

use rvirt_testkit::{
    Daemon, HALT, QemuReaper, TempDir, have_python_libvirt, have_qemu, have_virsh, python,
    qmp_return, text, virsh, virsh_ok, write_guest,
};

/// What QEMU's drive `hdc` holds (`query-block`'s inserted file), if anything.
fn medium(uri: &str, dom: &str) -> Option<String> {
    qmp_return(uri, dom, "query-block")
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["qdev"].as_str().is_some_and(|q| q.contains("ide0-1-0")))
        .and_then(|b| b["inserted"]["file"].as_str().map(str::to_owned))
}

#[test]
fn change_media_and_memory_stats_period() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-media");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let xml = write_guest(&root, "media", HALT);
    let with_cdrom = std::fs::read_to_string(&xml).unwrap().replace(
        "<memballoon model='none'/>",
        "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>\
         <target dev='hdc' bus='ide'/><readonly/></disk>\
         <memballoon model='virtio'/>",
    );
    std::fs::write(&xml, with_cdrom).unwrap();
    let iso = |name: &str| {
        let p = root.join(name);
        std::fs::write(&p, vec![0u8; 1 << 20]).unwrap();
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
        p.to_str().unwrap().to_owned()
    };
    let (a, b) = (iso("a.iso"), iso("b.iso"));
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "media"]);
    assert_eq!(medium(&uri, "media"), None);

    virsh_ok(
        &uri,
        &["change-media", "media", "hdc", &a, "--insert", "--live"],
    );
    assert_eq!(medium(&uri, "media").as_deref(), Some(a.as_str()));
    let live = virsh_ok(&uri, &["dumpxml", "media"]);
    assert!(live.contains(&format!("<source file='{a}'")), "{live}");
    virsh_ok(
        &uri,
        &["change-media", "media", "hdc", &b, "--update", "--live"],
    );
    assert_eq!(medium(&uri, "media").as_deref(), Some(b.as_str()));
    virsh_ok(&uri, &["change-media", "media", "hdc", "--eject", "--live"]);
    assert_eq!(medium(&uri, "media"), None);
    let live = virsh_ok(&uri, &["dumpxml", "media"]);
    assert!(!live.contains("b.iso"), "{live}");
    // Persistent only: the running drive stays empty.
    virsh_ok(
        &uri,
        &["change-media", "media", "hdc", &a, "--insert", "--config"],
    );
    let inactive = virsh_ok(&uri, &["dumpxml", "--inactive", "media"]);
    assert!(
        inactive.contains(&format!("<source file='{a}'")),
        "{inactive}"
    );
    assert_eq!(medium(&uri, "media"), None);
    // `virsh update-device --live` of a `<disk>` with `b` as its medium: its stderr.
    let update_live = |device: &str, target: &str| {
        let xml = root.join(format!("{target}.xml"));
        std::fs::write(
            &xml,
            format!(
                "<disk type='file' device='{device}'><source file='{b}'/>\
                 <target dev='{target}' bus='ide'/></disk>"
            ),
        )
        .unwrap();
        let o = virsh(
            &uri,
            &["update-device", "media", xml.to_str().unwrap(), "--live"],
        );
        assert!(!o.status.success());
        text(&o).1
    };
    // A plain disk's media cannot change (virsh change-media would not even try).
    let err = update_live("disk", "hda");
    assert!(err.contains("cannot be updated"), "{err}");
    // A drive the guest does not have: libvirt's internal error.
    let err = update_live("cdrom", "hdd");
    assert!(
        err.contains("internal error: disk 'hdd' not found"),
        "{err}"
    );

    // The balloon's statistics period, live and persistent.
    virsh_ok(&uri, &["dommemstat", "media", "--period", "3", "--live"]);
    let out = virsh_ok(
        &uri,
        &[
            "qemu-monitor-command",
            "media",
            r#"{"execute":"qom-get","arguments":{"path":"/machine/peripheral/balloon0","property":"guest-stats-polling-interval"}}"#,
        ],
    );
    assert!(out.contains(r#""return":3"#), "{out}");
    assert!(virsh_ok(&uri, &["dumpxml", "media"]).contains("<stats period='3'/>"));
    virsh_ok(&uri, &["dommemstat", "media", "--period", "5", "--config"]);
    let inactive = virsh_ok(&uri, &["dumpxml", "--inactive", "media"]);
    assert!(inactive.contains("<stats period='5'/>"), "{inactive}");
    virsh_ok(&uri, &["destroy", "media"]);
    virsh_ok(&uri, &["undefine", "media"]);
}

/// The vCPUs QEMU runs (`query-cpus-fast`).
fn qemu_vcpus(uri: &str, dom: &str) -> usize {
    let out = virsh_ok(
        uri,
        &[
            "qemu-monitor-command",
            dom,
            r#"{"execute":"query-cpus-fast"}"#,
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["return"].as_array().unwrap().len()
}

#[test]
fn setvcpus_hotplugs_and_edits_the_definition() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-vcpus");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let xml = write_guest(&root, "cpus", HALT);
    let two = std::fs::read_to_string(&xml)
        .unwrap()
        .replace("<vcpu>1</vcpu>", "<vcpu current='1'>2</vcpu>");
    assert!(two.contains("current='1'"), "{two}");
    std::fs::write(&xml, two).unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "cpus"]);
    assert_eq!(qemu_vcpus(&uri, "cpus"), 1);

    virsh_ok(&uri, &["setvcpus", "cpus", "2", "--live"]);
    assert_eq!(qemu_vcpus(&uri, "cpus"), 2);
    let count = virsh_ok(&uri, &["vcpucount", "cpus", "--live", "--active"]);
    assert_eq!(count.trim(), "2");
    let o = virsh(&uri, &["setvcpus", "cpus", "3", "--live"]);
    let (_, err) = text(&o);
    assert!(err.contains("greater than max allowable vcpus"), "{err}");
    // Unplugging needs the guest's (ACPI) cooperation; QEMU refuses it on this legacy
    // i440fx CPU hotplug, or the guest does not answer in time: the call fails either
    // way and the vCPU stays.
    let o = virsh(&uri, &["setvcpus", "cpus", "1", "--live"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("device_del") || err.contains("vcpu unplug request timed out"),
        "{err}"
    );
    assert_eq!(qemu_vcpus(&uri, "cpus"), 2);

    virsh_ok(&uri, &["setvcpus", "cpus", "4", "--maximum", "--config"]);
    virsh_ok(&uri, &["setvcpus", "cpus", "3", "--config"]);
    let inactive = virsh_ok(&uri, &["dumpxml", "--inactive", "cpus"]);
    assert!(inactive.contains("current='3'>4</vcpu>"), "{inactive}");
    virsh_ok(&uri, &["destroy", "cpus"]);
    virsh_ok(&uri, &["start", "cpus"]);
    assert_eq!(qemu_vcpus(&uri, "cpus"), 3);
    virsh_ok(&uri, &["destroy", "cpus"]);
    virsh_ok(&uri, &["undefine", "cpus"]);
}

/// The first bytes of `path`.
fn magic(path: &std::path::Path, n: usize) -> Vec<u8> {
    std::fs::read(path).unwrap().into_iter().take(n).collect()
}

#[test]
fn dump_writes_cores_and_migration_streams() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-dump");
    let out = TempDir::new("qemu-dump-out");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let xml = write_guest(&root, "dumped", HALT);
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "dumped"]);

    let elf = out.join("mem.elf");
    virsh_ok(
        &uri,
        &["dump", "dumped", elf.to_str().unwrap(), "--memory-only"],
    );
    assert_eq!(magic(&elf, 4), b"\x7fELF");
    assert!(
        std::fs::metadata(&elf).unwrap().len() > 64 << 20,
        "the guest's 64 MiB"
    );
    assert_eq!(virsh_ok(&uri, &["domstate", "dumped"]).trim(), "running");
    let kdump = out.join("mem.kdump");
    virsh_ok(
        &uri,
        &[
            "dump",
            "dumped",
            kdump.to_str().unwrap(),
            "--memory-only",
            "--format",
            "kdump-zlib",
        ],
    );
    // kdump, or its flattened form (makedumpfile's), as QEMU writes it to a file.
    let head = magic(&kdump, 8);
    assert!(head == b"KDUMP   " || head == b"makedump", "{head:?}");
    // (virsh refuses this itself; python3-libvirt asks the daemon.)
    if have_python_libvirt() {
        let o = python(
            "import libvirt, sys\n\
             d = libvirt.open(sys.argv[1]).lookupByName('dumped')\n\
             try:\n    d.coreDumpWithFormat(sys.argv[2], 1, 0)\n\
             except libvirt.libvirtError as e:\n    print(e.get_error_code(), e)\n",
            &[&uri, kdump.to_str().unwrap()],
        );
        let (out, err) = text(&o);
        assert!(
            out.contains("84 Operation not supported: kdump-compressed format is only supported with memory-only dump"),
            "{out}{err}"
        );
    }
    let stream = out.join("all.dump");
    virsh_ok(
        &uri,
        &["dump", "dumped", stream.to_str().unwrap(), "--live"],
    );
    assert_eq!(magic(&stream, 4), b"QEVM");
    // Dumped, then stopped as crashed.
    virsh_ok(
        &uri,
        &[
            "dump",
            "dumped",
            stream.to_str().unwrap(),
            "--crash",
            "--memory-only",
        ],
    );
    assert_eq!(
        virsh_ok(&uri, &["domstate", "dumped", "--reason"]).trim(),
        "shut off (crashed)"
    );
    virsh_ok(&uri, &["undefine", "dumped"]);
}
