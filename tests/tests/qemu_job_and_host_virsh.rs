//! A running guest's job, security labels, managed-save image, NUMA tuning and the
//! host's memory tunables through rvirtd's QEMU driver (DOMAIN_GET_JOB_STATS,
//! DOMAIN_ABORT_JOB_FLAGS, DOMAIN_MIGRATE_GET_MAX_SPEED, DOMAIN_GET_SECURITY_LABEL_LIST,
//! DOMAIN_MANAGED_SAVE_GET_XML_DESC, DOMAIN_{GET,SET}_NUMA_PARAMETERS,
//! NODE_GET_MEMORY_PARAMETERS, NODE_GET_SEV_INFO, DOMAIN_BLOCK_STATS_FLAGS,
//! DOMAIN_GET_BLOCK_JOB_INFO, NODE_GET_FREE_PAGES, DOMAIN_START_DIRTY_RATE_CALC,
//! DOMAIN_DETACH_DEVICE_ALIAS, CONNECT_DOMAIN_XML_TO_NATIVE, DOMAIN_BLOCK_PEEK), with python3-libvirt
//! (`tests/scripts/qemu_job_and_host_calls.py`; the answers are libvirtd 9.0's QEMU
//! driver's on the same guest, its DAC label aside: libvirtd's QEMU ran as root) and
//! Debian's virsh (`node-memory-tune`, `domjobinfo`, `migrate-getspeed`, `numatune`,
//! `managedsave-dumpxml`, `domblkstat`, `domdirtyrate-calc` results in `domstats`,
//! `domxml-to-native`, `detach-device-alias`).

use rvirt_testkit::{
    Daemon, HALT, QemuReaper, TempDir, have_python_libvirt, have_qemu, have_virsh, python, text,
    virsh, virsh_ok, write_guest,
};

const SCRIPT: &str = include_str!("../scripts/qemu_job_and_host_calls.py");

/// The uid and gid `user` has (`id -u`, `id -g`).
fn ids_of(user: &str) -> (String, String) {
    let id = |flag: &str| {
        let o = std::process::Command::new("id")
            .args([flag, user])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    (id("-u"), id("-g"))
}

#[test]
fn jobs_labels_managed_save_numa_and_host_memory() {
    if !have_virsh() || !have_qemu() || !have_python_libvirt() {
        return;
    }
    let root = TempDir::new("qemu-jobs");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let ro_uri = uri.replace("libvirt-sock", "libvirt-sock-ro");
    let xml = write_guest(&root, "jobs", HALT);
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "jobs"]);

    let o = python(SCRIPT, &[&uri, &ro_uri, "jobs"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    let line = |name: &str| -> String {
        out.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("no {name} in:\n{out}"))
            .to_string()
    };
    let ksm_keys = "['shm_full_scans', 'shm_merge_across_nodes', 'shm_pages_shared', \
                    'shm_pages_sharing', 'shm_pages_to_scan', 'shm_pages_unshared', \
                    'shm_pages_volatile', 'shm_sleep_millisecs']";
    if std::path::Path::new("/sys/kernel/mm/ksm/merge_across_nodes").exists() {
        assert_eq!(line("getMemoryParameters"), ksm_keys);
    }
    assert_eq!(
        line("getSEVInfo"),
        "ERR 84 10 Operation not supported: QEMU does not support SEV guest"
    );
    assert_eq!(line("jobStats"), "{'type': 0}");
    assert_eq!(line("jobStats completed"), "{'type': 0}");
    assert_eq!(
        line("abortJobFlags"),
        "ERR 55 10 Requested operation is not valid: no job is active on the domain"
    );
    assert_eq!(line("migrateGetMaxSpeed"), "8796093022207");
    let (uid, gid) = ids_of("libvirt-qemu");
    assert_eq!(
        line("securityLabelList"),
        format!("[['', False], ['+{uid}:+{gid}', False]]")
    );
    assert_eq!(line("isUpdated"), "0");
    assert_eq!(line("launchSecurityInfo"), "{}");
    assert_eq!(
        line("numaParameters"),
        "{'numa_mode': 0, 'numa_nodeset': ''}"
    );
    assert_eq!(
        line("setNumaParameters live"),
        "ERR 55 10 Requested operation is not valid: Cgroup cpuset controller is not mounted"
    );
    assert_eq!(line("setNumaParameters config"), "0");
    assert_eq!(
        line("numaParameters config"),
        "{'numa_mode': 0, 'numa_nodeset': '0'}"
    );
    assert_eq!(
        line("managedSaveGetXMLDesc"),
        "ERR 55 10 Requested operation is not valid: domain does not have managed save image"
    );
    assert_eq!(
        line("blockStatsFlags"),
        "['flush_operations', 'flush_total_times', 'rd_bytes', 'rd_operations', \
         'rd_total_times', 'wr_bytes', 'wr_operations', 'wr_total_times']"
    );
    assert_eq!(line("blockJobInfo"), "{}");
    // The boot sector's signature, read from the image on the host.
    assert_eq!(line("blockPeek"), "'55aa'");
    assert_eq!(
        line("blockPeek beyond"),
        "ERR 8 10 invalid argument: 'hda' starts beyond the end of the disk"
    );
    assert_eq!(line("freePages"), "{0: [4, 2048]}");
    assert_eq!(
        line("freePages bad size"),
        "ERR 9 10 operation failed: page size 3 is not available on node 0"
    );
    assert_eq!(
        line("zeroDirtyRateCalc"),
        "ERR 8 10 invalid argument: seconds=0 is invalid, please choose value within [1, 60]."
    );
    assert_eq!(line("startDirtyRateCalc"), "0");
    assert_eq!(
        line("detachDeviceAlias missing"),
        "ERR 99 10 device not found: no device found with alias nosuch"
    );
    assert!(
        line("ro migrateGetMaxSpeed").starts_with("ERR 29 "),
        "{}",
        line("ro migrateGetMaxSpeed")
    );
    assert_eq!(line("ro jobStats"), "{'type': 0}");
    assert!(line("ro getSEVInfo").starts_with("ERR 29 "), "{out}");

    // The same through virsh.
    let tune = virsh_ok(&uri, &["node-memory-tune"]);
    assert!(tune.contains("shm_pages_to_scan"), "{tune}");
    let job = virsh_ok(&uri, &["domjobinfo", "jobs"]);
    assert!(job.contains("Job type:         None"), "{job}");
    let speed = virsh_ok(&uri, &["migrate-getspeed", "jobs"]);
    assert_eq!(speed.trim(), "8796093022207");
    let numa = virsh_ok(&uri, &["numatune", "jobs", "--config"]);
    assert!(numa.contains("numa_nodeset   : 0"), "{numa}");
    let o = virsh(&uri, &["numatune", "jobs", "--nodeset", "0", "--live"]);
    let (_, err) = text(&o);
    assert!(
        err.contains("Cgroup cpuset controller is not mounted"),
        "{err}"
    );

    // The dirty rate measured above (1 s) shows in the statistics.
    let t = std::time::Instant::now();
    loop {
        let stats = virsh_ok(&uri, &["domstats", "jobs", "--dirtyrate"]);
        if stats.contains("dirtyrate.calc_status=2") {
            assert!(stats.contains("dirtyrate.megabytes_per_second="), "{stats}");
            break;
        }
        assert!(t.elapsed().as_secs() < 30, "{stats}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let blk = virsh_ok(&uri, &["domblkstat", "jobs", "hda", "--human"]);
    assert!(blk.contains("number of read operations"), "{blk}");
    let native = virsh_ok(
        &uri,
        &["domxml-to-native", "qemu-argv", xml.to_str().unwrap()],
    );
    assert!(
        native.starts_with("LC_ALL=C") && native.contains("/usr/bin/qemu-system-x86_64 \\\n"),
        "{native}"
    );
    assert!(native.contains("-name guest=jobs"), "{native}");
    // A user alias names a device of the persistent definition.
    let nic = root.join("nic.xml");
    std::fs::write(
        &nic,
        "<interface type='user'><mac address='52:54:00:12:34:99'/><model type='virtio'/>\
         <alias name='ua-extra'/></interface>",
    )
    .unwrap();
    virsh_ok(
        &uri,
        &["attach-device", "jobs", nic.to_str().unwrap(), "--config"],
    );
    assert!(virsh_ok(&uri, &["dumpxml", "--inactive", "jobs"]).contains("52:54:00:12:34:99"));
    virsh_ok(
        &uri,
        &["detach-device-alias", "jobs", "ua-extra", "--config"],
    );
    assert!(!virsh_ok(&uri, &["dumpxml", "--inactive", "jobs"]).contains("52:54:00:12:34:99"));

    // A managed save image's XML, then the guest resumes from it.
    virsh_ok(&uri, &["managedsave", "jobs"]);
    let saved = virsh_ok(&uri, &["managedsave-dumpxml", "jobs"]);
    assert!(saved.contains("<name>jobs</name>"), "{saved}");
    virsh_ok(&uri, &["start", "jobs"]);
    assert_eq!(virsh_ok(&uri, &["domstate", "jobs"]).trim(), "running");
    let o = virsh(&uri, &["managedsave-dumpxml", "jobs"]);
    assert!(!o.status.success());
    virsh_ok(&uri, &["destroy", "jobs"]);
    virsh_ok(&uri, &["undefine", "jobs"]);
}
