//! Host facts of rvirtd's QEMU driver through Debian's virsh: `version` (QEMU's version
//! from the probe), `capabilities` (x86_64 hvm guest with QEMU's machine types),
//! `domcapabilities` (libvirt's layout, default and q35 machine) and `nodeinfo`.

use rvirt_testkit::{
    Daemon, QemuReaper, TempDir, have_python_libvirt, have_qemu, have_virsh, python, text, virsh,
    virsh_ok,
};

#[test]
fn version_capabilities_domcapabilities_nodeinfo_cpu_models() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-facts");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();

    let qemu = std::process::Command::new("/usr/bin/qemu-system-x86_64")
        .arg("--version")
        .output()
        .unwrap();
    let qemu = String::from_utf8_lossy(&qemu.stdout);
    let want = qemu
        .split_whitespace()
        .nth(3)
        .unwrap()
        .split('.')
        .take(3)
        .collect::<Vec<_>>()
        .join(".");
    let out = virsh_ok(&uri, &["version"]);
    assert!(
        out.contains(&format!("Running hypervisor: QEMU {want}")),
        "{out}"
    );

    let caps = virsh_ok(&uri, &["capabilities"]);
    assert!(caps.contains("<os_type>hvm</os_type>"), "{caps}");
    assert!(caps.contains("<arch name='x86_64'>"), "{caps}");
    assert!(caps.contains("<domain type='qemu'/>"), "{caps}");
    assert!(caps.contains("maxCpus="), "{caps}");
    assert!(
        caps.contains(">pc</machine>") && caps.contains(">q35</machine>"),
        "{caps}"
    );

    let dc = virsh_ok(&uri, &["domcapabilities", "--virttype", "qemu"]);
    assert!(dc.starts_with("<domainCapabilities>"), "{dc}");
    assert!(dc.contains("<domain>qemu</domain>") && dc.contains("<arch>x86_64</arch>"));
    assert!(dc.contains("<value>vnc</value>"), "{dc}");
    let q35 = virsh_ok(
        &uri,
        &["domcapabilities", "--virttype", "qemu", "--machine", "q35"],
    );
    assert!(q35.contains("<machine>pc-q35-"), "{q35}");
    // UEFI from Debian's ovmf descriptors, custom CPU models, iothreads, memory backing.
    if std::path::Path::new("/usr/share/qemu/firmware/60-edk2-x86_64.json").exists() {
        assert!(q35.contains("<value>efi</value>"), "{q35}");
        assert!(
            q35.contains("<value>/usr/share/OVMF/OVMF_CODE_4M.fd</value>"),
            "{q35}"
        );
    }
    assert!(
        q35.contains("<model usable='yes' vendor='unknown'>qemu64</model>"),
        "{q35}"
    );
    assert!(q35.contains("<iothreads supported='yes'/>"), "{q35}");
    let file = root.join("domcaps.xml");
    std::fs::write(&file, &q35).unwrap();
    let v = std::process::Command::new("virt-xml-validate")
        .args([file.to_str().unwrap(), "domaincaps"])
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let bad = virsh(&uri, &["domcapabilities", "--machine", "no-such-machine"]);
    assert!(!bad.status.success());

    let ni = virsh_ok(&uri, &["nodeinfo"]);
    let field = |name: &str| -> u64 {
        ni.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {ni}"))
    };
    assert!(ni.contains("CPU model:           x86_64"), "{ni}");
    assert!(field("CPU(s):") >= 1 && field("Memory size:") > 0, "{ni}");

    // The host's SMBIOS tables as libvirt reads them (dmidecode); on hosts without
    // DMI tables libvirt's own refusal.
    let o = virsh(&uri, &["sysinfo"]);
    let (stdout, stderr) = text(&o);
    let dmi = std::process::Command::new("dmidecode")
        .args(["-q", "-t", "0,1,2,3,4,11,17"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if dmi.contains("Information") || dmi.contains("Memory Device") {
        assert!(o.status.success(), "{stderr}");
        assert!(stdout.starts_with("<sysinfo type='smbios'>"), "{stdout}");
    } else {
        assert!(
            !o.status.success()
                && stderr.contains(
                    "unsupported configuration: Host SMBIOS information is not available"
                ),
            "{stdout}{stderr}"
        );
    }

    // Most vCPUs (virConnectGetMaxVcpus, python3-libvirt: virsh asks the domain
    // capabilities first): 16 for TCG, KVM's own limit, unknown types refused.
    if have_python_libvirt() {
        let o = python(
            "import sys, libvirt\n\
             libvirt.registerErrorHandler(lambda *a: None, None)\n\
             c = libvirt.open(sys.argv[1])\n\
             print(c.getMaxVcpus(None), c.getMaxVcpus('qemu'))\n\
             try:\n    c.getMaxVcpus('bogus')\n\
             except libvirt.libvirtError as e:\n    print(e.get_error_code(), e)\n",
            &[&uri],
        );
        let (out, err) = text(&o);
        assert!(out.starts_with("16 16\n"), "{out}{err}");
        assert!(
            out.contains("8 invalid argument: unknown type 'bogus'"),
            "{out}{err}"
        );
    }

    // CPU models from libvirt's CPU map (virsh cpu-models).
    let models = virsh_ok(&uri, &["cpu-models", "x86_64"]);
    let models: Vec<&str> = models.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(models.len(), 58, "{models:?}");
    assert!(models.contains(&"Skylake-Client-IBRS"), "{models:?}");
    let bad = virsh(&uri, &["cpu-models", "bogus"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("cannot find architecture bogus"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}
