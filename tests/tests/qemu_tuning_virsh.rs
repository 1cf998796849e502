//! Debian's `virsh memtune` through rvirtd's `qemu:///system` against a real TCG guest
//! (DOMAIN_GET/SET_MEMORY_PARAMETERS): the live limits are the guest's cgroup v1
//! memory controller files, `--config` is `<memtune>` of `dumpxml --inactive`,
//! libvirt's refusals and wording, and the read-only socket can read but not set.

use std::path::{Path, PathBuf};

use rvirt_testkit::{
    Daemon, HALT, QemuReaper, TempDir, have_qemu, have_virsh, text, virsh, virsh_ok, write_guest,
};

/// The value virsh prints for `key` (`key           : value`).
fn field<'a>(out: &'a str, key: &str) -> &'a str {
    out.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == key).then(|| v.trim())
        })
        .unwrap_or_else(|| panic!("no {key} in:\n{out}"))
}

/// The cgroup v1 directory of `controller` process `pid` is in.
fn cgroup_of(pid: &str, controller: &str) -> PathBuf {
    let text = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
    let line = text
        .lines()
        .find(|l| {
            l.split(':')
                .nth(1)
                .is_some_and(|c| c.split(',').any(|c| c == controller))
        })
        .unwrap_or_else(|| panic!("no {controller} line in:\n{text}"));
    let controllers = line.split(':').nth(1).unwrap();
    let rel = line.splitn(3, ':').nth(2).unwrap();
    PathBuf::from("/sys/fs/cgroup")
        .join(controllers)
        .join(rel.trim_start_matches('/'))
}

fn cgroup_v1(file: &str) -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let ok = root && Path::new("/sys/fs/cgroup").join(file).exists();
    if !ok {
        eprintln!("skipped: needs root and the cgroup v1 file {file}");
    }
    ok
}

fn failure(uri: &str, args: &[&str]) -> String {
    let o = virsh(uri, args);
    let (_, err) = text(&o);
    assert!(!o.status.success(), "{args:?} succeeded");
    err
}

#[test]
fn memtune_reads_and_writes_the_guests_memory_cgroup_and_memtune() {
    if !have_virsh() || !have_qemu() || !cgroup_v1("memory/memory.memsw.limit_in_bytes") {
        return;
    }
    let root = TempDir::new("qemu-memtune");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let xml = write_guest(&root, "vmem", HALT);
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);

    // Shut off: the persistent <memtune>, unlimited where unset.
    let off = virsh_ok(&uri, &["memtune", "vmem"]);
    assert_eq!(field(&off, "hard_limit"), "unlimited", "{off}");
    assert_eq!(field(&off, "soft_limit"), "unlimited", "{off}");
    assert_eq!(field(&off, "swap_hard_limit"), "unlimited", "{off}");
    let err = failure(&uri, &["memtune", "vmem", "--live", "--hard-limit", "1"]);
    assert!(err.contains("domain is not running"), "{err}");
    virsh_ok(
        &uri,
        &["memtune", "vmem", "--config", "--hard-limit", "2097152"],
    );
    let inactive = virsh_ok(&uri, &["dumpxml", "--inactive", "vmem"]);
    assert!(
        inactive
            .contains("<memtune>\n    <hard_limit unit='KiB'>2097152</hard_limit>\n  </memtune>"),
        "{inactive}"
    );

    // Started with it: QEMU's memory cgroup carries the limit.
    virsh_ok(&uri, &["start", "vmem"]);
    let pid = std::fs::read_to_string(root.join("run/qemu/vmem.pid")).unwrap();
    let cg = cgroup_of(pid.trim(), "memory");
    let file = |f: &str| {
        std::fs::read_to_string(cg.join(f))
            .unwrap()
            .trim()
            .to_owned()
    };
    assert_eq!(
        file("memory.limit_in_bytes"),
        (2097152u64 << 10).to_string()
    );
    let live = virsh_ok(&uri, &["memtune", "vmem"]);
    assert_eq!(field(&live, "hard_limit"), "2097152", "{live}");
    assert_eq!(field(&live, "soft_limit"), "unlimited", "{live}");

    // Live: into the cgroup (hard limit lowered before the swap limit), and the live
    // <memtune>.
    virsh_ok(
        &uri,
        &[
            "memtune",
            "vmem",
            "--live",
            "--hard-limit",
            "1048576",
            "--soft-limit",
            "524288",
            "--swap-hard-limit",
            "1572864",
        ],
    );
    assert_eq!(
        file("memory.limit_in_bytes"),
        (1048576u64 << 10).to_string()
    );
    assert_eq!(
        file("memory.soft_limit_in_bytes"),
        (524288u64 << 10).to_string()
    );
    assert_eq!(
        file("memory.memsw.limit_in_bytes"),
        (1572864u64 << 10).to_string()
    );
    let live = virsh_ok(&uri, &["memtune", "vmem"]);
    assert_eq!(field(&live, "hard_limit"), "1048576", "{live}");
    assert_eq!(field(&live, "soft_limit"), "524288", "{live}");
    assert_eq!(field(&live, "swap_hard_limit"), "1572864", "{live}");
    let dumped = virsh_ok(&uri, &["dumpxml", "vmem"]);
    assert!(
        dumped.contains(
            "<memtune>\n    <hard_limit unit='KiB'>1048576</hard_limit>\n    \
             <soft_limit unit='KiB'>524288</soft_limit>\n    \
             <swap_hard_limit unit='KiB'>1572864</swap_hard_limit>\n  </memtune>"
        ),
        "{dumped}"
    );
    // The persistent definition kept its own.
    let config = virsh_ok(&uri, &["memtune", "vmem", "--config"]);
    assert_eq!(field(&config, "hard_limit"), "2097152", "{config}");
    assert_eq!(field(&config, "swap_hard_limit"), "unlimited", "{config}");

    // libvirt's check: the hard limit may not pass the swap limit.
    let err = failure(&uri, &["memtune", "vmem", "--hard-limit", "2097152"]);
    assert!(
        err.contains(
            "memory hard_limit tunable value must be lower than or equal to swap_hard_limit"
        ),
        "{err}"
    );
    assert_eq!(
        file("memory.limit_in_bytes"),
        (1048576u64 << 10).to_string()
    );
    // -1 is unlimited: the kernel's maximum in the file.
    virsh_ok(&uri, &["memtune", "vmem", "--swap-hard-limit", "-1"]);
    let live = virsh_ok(&uri, &["memtune", "vmem"]);
    assert_eq!(field(&live, "swap_hard_limit"), "unlimited", "{live}");
    let unlimited = std::fs::read_to_string("/sys/fs/cgroup/memory/memory.limit_in_bytes")
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(file("memory.memsw.limit_in_bytes"), unlimited);
    // Raising the hard limit again now works (swap first, then hard).
    virsh_ok(&uri, &["memtune", "vmem", "--hard-limit", "3145728"]);
    assert_eq!(
        file("memory.limit_in_bytes"),
        (3145728u64 << 10).to_string()
    );

    // Read-only clients may look, not change.
    let ro = format!("qemu+unix:///system?socket={}", d.ro_socket().display());
    let looked = virsh_ok(&ro, &["memtune", "vmem"]);
    assert_eq!(field(&looked, "hard_limit"), "3145728", "{looked}");
    let err = failure(&ro, &["memtune", "vmem", "--soft-limit", "1"]);
    assert!(
        err.contains("read only access prevents virDomainSetMemoryParameters"),
        "{err}"
    );
    assert_eq!(
        file("memory.soft_limit_in_bytes"),
        (524288u64 << 10).to_string()
    );

    virsh_ok(&uri, &["destroy", "vmem"]);
    // The run's values are gone with it; the persistent ones stay.
    let after = virsh_ok(&uri, &["memtune", "vmem"]);
    assert_eq!(field(&after, "hard_limit"), "2097152", "{after}");
    assert_eq!(field(&after, "soft_limit"), "unlimited", "{after}");
    virsh_ok(&uri, &["undefine", "vmem"]);
}

/// `MAJ:MIN` of block device `path`.
fn dev_id(path: &str) -> String {
    use std::os::unix::fs::MetadataExt;
    let rdev = std::fs::metadata(path).unwrap().rdev();
    format!("{}:{}", libc::major(rdev), libc::minor(rdev))
}

#[test]
fn blkiotune_throttles_in_the_guests_blkio_cgroup_and_blkiotune() {
    let loop0 = "/dev/loop0";
    if !have_virsh()
        || !have_qemu()
        || !cgroup_v1("blkio/blkio.throttle.read_iops_device")
        || !Path::new(loop0).exists()
    {
        return;
    }
    // Hosts without CFQ or BFQ have no weight file: libvirt refuses weights there.
    let weights = ["blkio.weight", "blkio.bfq.weight"]
        .iter()
        .any(|f| Path::new("/sys/fs/cgroup/blkio").join(f).exists());
    let root = TempDir::new("qemu-blkiotune");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let xml = write_guest(&root, "vblk", HALT);
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);

    let off = virsh_ok(&uri, &["blkiotune", "vblk"]);
    assert_eq!(field(&off, "weight"), "0", "{off}");
    assert_eq!(field(&off, "device_read_iops_sec"), "", "{off}");
    virsh_ok(
        &uri,
        &[
            "blkiotune",
            "vblk",
            "--config",
            "--device-write-iops-sec",
            &format!("{loop0},300"),
        ],
    );
    let inactive = virsh_ok(&uri, &["dumpxml", "--inactive", "vblk"]);
    assert!(
        inactive.contains(
            "<blkiotune>\n    <device>\n      <path>/dev/loop0</path>\n      \
             <write_iops_sec>300</write_iops_sec>\n    </device>\n  </blkiotune>"
        ),
        "{inactive}"
    );
    let config = virsh_ok(&uri, &["blkiotune", "vblk", "--config"]);
    assert_eq!(
        field(&config, "device_write_iops_sec"),
        "/dev/loop0,300",
        "{config}"
    );

    virsh_ok(&uri, &["start", "vblk"]);
    let pid = std::fs::read_to_string(root.join("run/qemu/vblk.pid")).unwrap();
    let cg = cgroup_of(pid.trim(), "blkio");
    let file = |f: &str| std::fs::read_to_string(cg.join(f)).unwrap();
    let id = dev_id(loop0);
    // Started with the persistent throttle in its cgroup.
    assert!(
        file("blkio.throttle.write_iops_device").contains(&format!("{id} 300")),
        "{}",
        file("blkio.throttle.write_iops_device")
    );

    // Live throttles: into the cgroup, as the kernel keeps them, and the live XML.
    virsh_ok(
        &uri,
        &[
            "blkiotune",
            "vblk",
            "--live",
            "--device-read-iops-sec",
            &format!("{loop0},1000"),
            "--device-write-bytes-sec",
            &format!("{loop0},1048576"),
        ],
    );
    assert!(
        file("blkio.throttle.read_iops_device").contains(&format!("{id} 1000")),
        "{}",
        file("blkio.throttle.read_iops_device")
    );
    assert!(file("blkio.throttle.write_bps_device").contains(&format!("{id} 1048576")));
    let dumped = virsh_ok(&uri, &["dumpxml", "vblk"]);
    assert!(
        dumped.contains(
            "<device>\n      <path>/dev/loop0</path>\n      <read_iops_sec>1000</read_iops_sec>\n      \
             <write_iops_sec>300</write_iops_sec>\n      \
             <write_bytes_sec>1048576</write_bytes_sec>\n    </device>"
        ),
        "{dumped}"
    );
    // 0 removes a throttle.
    virsh_ok(
        &uri,
        &[
            "blkiotune",
            "vblk",
            "--live",
            "--device-read-iops-sec",
            &format!("{loop0},0"),
        ],
    );
    assert!(!file("blkio.throttle.read_iops_device").contains(&id));
    let dumped = virsh_ok(&uri, &["dumpxml", "vblk"]);
    assert!(!dumped.contains("<read_iops_sec>"), "{dumped}");

    // libvirt's refusals.
    let err = failure(
        &uri,
        &[
            "blkiotune",
            "vblk",
            "--live",
            "--device-read-iops-sec",
            "/etc/hostname,5",
        ],
    );
    assert!(
        err.contains("Path '/etc/hostname' must be a block device"),
        "{err}"
    );
    let err = failure(
        &uri,
        &[
            "blkiotune",
            "vblk",
            "--device-read-iops-sec",
            "/dev/loop0,1,/dev/loop1",
        ],
    );
    assert!(
        err.contains(
            "unable to parse blkio device 'device_read_iops_sec' '/dev/loop0,1,/dev/loop1'"
        ),
        "{err}"
    );
    if weights {
        let live = virsh_ok(&uri, &["blkiotune", "vblk"]);
        assert_eq!(
            field(&live, "device_write_bytes_sec"),
            "/dev/loop0,1048576",
            "{live}"
        );
    } else {
        let err = failure(&uri, &["blkiotune", "vblk"]);
        assert!(
            err.contains("blkio device weight is valid only for bfq or cfq scheduler"),
            "{err}"
        );
        let err = failure(&uri, &["blkiotune", "vblk", "--live", "--weight", "500"]);
        assert!(
            err.contains("blkio device weight is valid only for bfq or cfq scheduler"),
            "{err}"
        );
    }

    // Config while running: only the persistent definition.
    virsh_ok(&uri, &["blkiotune", "vblk", "--config", "--weight", "500"]);
    let inactive = virsh_ok(&uri, &["dumpxml", "--inactive", "vblk"]);
    assert!(inactive.contains("<weight>500</weight>"), "{inactive}");
    let dumped = virsh_ok(&uri, &["dumpxml", "vblk"]);
    assert!(!dumped.contains("<weight>500</weight>"), "{dumped}");

    // Read-only clients may look, not change.
    let ro = format!("qemu+unix:///system?socket={}", d.ro_socket().display());
    let looked = virsh_ok(&ro, &["blkiotune", "vblk", "--config"]);
    assert_eq!(field(&looked, "weight"), "500", "{looked}");
    let err = failure(
        &ro,
        &[
            "blkiotune",
            "vblk",
            "--device-read-iops-sec",
            &format!("{loop0},7"),
        ],
    );
    assert!(
        err.contains("read only access prevents virDomainSetBlkioParameters"),
        "{err}"
    );
    assert!(!file("blkio.throttle.read_iops_device").contains(&id));

    virsh_ok(&uri, &["destroy", "vblk"]);
    let after = virsh_ok(&uri, &["blkiotune", "vblk"]);
    assert_eq!(field(&after, "weight"), "500", "{after}");
    virsh_ok(&uri, &["undefine", "vblk"]);
}
