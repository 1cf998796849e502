//! `virsh schedinfo` through rvirtd (DOMAIN_GET_SCHEDULER_TYPE, DOMAIN_GET/SET_SCHEDULER_
//! PARAMETERS[_FLAGS]): on the QEMU driver the guest's cgroup CPU controls, read from
//! and written to the cgroup QEMU runs in, and `<cputune>` of the persistent
//! definition; on the test driver libvirt's fixed `weight` of 50.

use std::path::PathBuf;

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

/// The cgroup v1 cpu directory process `pid` is in.
fn cpu_cgroup(pid: &str) -> PathBuf {
    let text = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
    let line = text
        .lines()
        .find(|l| {
            l.split(':')
                .nth(1)
                .is_some_and(|c| c.split(',').any(|c| c == "cpu"))
        })
        .unwrap_or_else(|| panic!("no cpu controller line in:\n{text}"));
    let controllers = line.split(':').nth(1).unwrap();
    let rel = line.splitn(3, ':').nth(2).unwrap();
    PathBuf::from("/sys/fs/cgroup")
        .join(controllers)
        .join(rel.trim_start_matches('/'))
}

fn cgroup_v1_cpu() -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let ok = root
        && ["cpu", "cpu,cpuacct"].iter().any(|m| {
            std::path::Path::new("/sys/fs/cgroup")
                .join(m)
                .join("cpu.shares")
                .exists()
        });
    if !ok {
        eprintln!("skipped: needs root and the cgroup v1 cpu controller");
    }
    ok
}

#[test]
fn schedinfo_reads_and_writes_the_guests_cgroup_and_cputune() {
    if !have_virsh() || !have_qemu() || !cgroup_v1_cpu() {
        return;
    }
    let root = TempDir::new("qemu-sched");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let xml = write_guest(&root, "vsched", HALT);
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);

    // Shut off: the persistent <cputune>, 0 where unset.
    let off = virsh_ok(&uri, &["schedinfo", "vsched"]);
    assert_eq!(field(&off, "Scheduler"), "posix", "{off}");
    assert_eq!(field(&off, "cpu_shares"), "0", "{off}");

    virsh_ok(&uri, &["start", "vsched"]);
    let pid = std::fs::read_to_string(root.join("run/qemu/vsched.pid")).unwrap();
    let cg = cpu_cgroup(pid.trim());
    let file = |f: &str| {
        std::fs::read_to_string(cg.join(f))
            .unwrap()
            .trim()
            .to_owned()
    };

    let live = virsh_ok(&uri, &["schedinfo", "vsched"]);
    assert_eq!(field(&live, "Scheduler"), "posix");
    assert_eq!(field(&live, "cpu_shares"), file("cpu.shares"), "{live}");
    assert_eq!(field(&live, "global_period"), file("cpu.cfs_period_us"));
    assert_eq!(field(&live, "global_quota"), file("cpu.cfs_quota_us"));
    assert_eq!(field(&live, "vcpu_quota"), "-1", "{live}");

    // Live: into QEMU's cgroup and the live <cputune>.
    let set = virsh_ok(
        &uri,
        &[
            "schedinfo",
            "vsched",
            "--live",
            "--set",
            "cpu_shares=512",
            "--set",
            "global_quota=50000",
        ],
    );
    assert_eq!(field(&set, "cpu_shares"), "512", "{set}");
    assert_eq!(file("cpu.shares"), "512");
    assert_eq!(file("cpu.cfs_quota_us"), "50000");
    let dumped = virsh_ok(&uri, &["dumpxml", "vsched"]);
    assert!(dumped.contains("<shares>512</shares>"), "{dumped}");
    assert!(
        dumped.contains("<global_quota>50000</global_quota>"),
        "{dumped}"
    );

    // Config: only the persistent definition.
    virsh_ok(
        &uri,
        &[
            "schedinfo",
            "vsched",
            "--config",
            "--set",
            "cpu_shares=2048",
        ],
    );
    let inactive = virsh_ok(&uri, &["dumpxml", "--inactive", "vsched"]);
    assert!(inactive.contains("<shares>2048</shares>"), "{inactive}");
    assert_eq!(file("cpu.shares"), "512");
    let config = virsh_ok(&uri, &["schedinfo", "vsched", "--config"]);
    assert_eq!(field(&config, "cpu_shares"), "2048");

    // libvirt's range checks and per-thread limits.
    let o = virsh(
        &uri,
        &[
            "schedinfo",
            "vsched",
            "--live",
            "--set",
            "global_period=500",
        ],
    );
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("value of 'global_period' is out of range [1000, 1000000]"),
        "{err}"
    );
    let o = virsh(
        &uri,
        &["schedinfo", "vsched", "--live", "--set", "vcpu_quota=20000"],
    );
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("per-thread cgroups"), "{err}");

    // Read-only clients may look, not change.
    let ro = format!("qemu+unix:///system?socket={}", d.ro_socket().display());
    let looked = virsh_ok(&ro, &["schedinfo", "vsched"]);
    assert_eq!(field(&looked, "cpu_shares"), "512");
    let o = virsh(&ro, &["schedinfo", "vsched", "--set", "cpu_shares=100"]);
    assert!(!o.status.success());

    virsh_ok(&uri, &["destroy", "vsched"]);
    // The run's values are gone with it; the persistent ones stay.
    let after = virsh_ok(&uri, &["schedinfo", "vsched"]);
    assert_eq!(field(&after, "cpu_shares"), "2048");
    virsh_ok(&uri, &["undefine", "vsched"]);
}

#[test]
fn test_driver_schedinfo_is_libvirts_fixed_weight() {
    if !have_virsh() {
        return;
    }
    let d = Daemon::start("sched-test");
    let out = virsh_ok(&d.uri(), &["schedinfo", "test"]);
    assert_eq!(field(&out, "Scheduler"), "fair", "{out}");
    assert_eq!(field(&out, "weight"), "50", "{out}");
    // Accepted, not kept (as libvirt's test driver).
    virsh_ok(&d.uri(), &["schedinfo", "test", "--set", "weight=10"]);
    let o = virsh(
        &d.uri(),
        &["schedinfo", "test", "--live", "--set", "weight=10"],
    );
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("unsupported flags"), "{err}");
}
