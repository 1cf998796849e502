//! `virsh vcpupin` and `virsh emulatorpin` through rvirtd (DOMAIN_PIN_VCPU_FLAGS,
//! DOMAIN_PIN_EMULATOR, DOMAIN_GET_VCPU_PIN_INFO, DOMAIN_GET_EMULATOR_PIN_INFO) on a
//! real TCG guest: `--config` pins land in the persistent `<cputune>` and are applied
//! when the guest starts; live pins move QEMU's threads (read back from the kernel,
//! `/proc/PID/task/TID/status`) and the live `<cputune>`; libvirt's refusals; the
//! read-only socket may look, not pin. I/O threads (`virsh iothreadadd/iothreadpin/
//! iothreaddel/iothreadinfo`) live as QEMU objects and in the persistent definition,
//! their pins applied at start; lifecycle actions (`virsh set-lifecycle-action`); perf
//! events (`virsh perf`, `domstats --perf`).

use rvirt_testkit::{
    Daemon, HALT, QemuReaper, TempDir, have_qemu, have_virsh, text, virsh, virsh_ok, write_guest,
};

/// The host CPUs thread `tid` of process `pid` may run on (`Cpus_allowed_list`).
fn allowed(pid: u32, tid: u32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .unwrap_or_else(|| panic!("no Cpus_allowed_list in:\n{status}"))
        .trim()
        .to_string()
}

/// The affinity virsh prints for vCPU (or `*` for the emulator) `which`.
fn affinity_of<'a>(out: &'a str, which: &str) -> &'a str {
    out.lines()
        .find_map(|l| {
            let (k, v) = l.trim().split_once(char::is_whitespace)?;
            (k.trim_end_matches(':') == which).then(|| v.trim())
        })
        .unwrap_or_else(|| panic!("no {which} in:\n{out}"))
}

fn online_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[test]
fn vcpupin_and_emulatorpin_move_qemus_threads() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    if online_cpus() < 2 {
        eprintln!("skipped: pinning needs two host CPUs");
        return;
    }
    let root = TempDir::new("qemu-pin");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let xml = write_guest(&root, "vpin", HALT);
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);

    // Shut off: pinned in the persistent definition only.
    virsh_ok(&uri, &["vcpupin", "vpin", "0", "1", "--config"]);
    let inactive = virsh_ok(&uri, &["dumpxml", "--inactive", "vpin"]);
    assert!(
        inactive.contains("<vcpupin vcpu='0' cpuset='1'/>"),
        "{inactive}"
    );
    let shown = virsh_ok(&uri, &["vcpupin", "vpin", "--config"]);
    assert_eq!(affinity_of(&shown, "0"), "1", "{shown}");
    let o = virsh(&uri, &["vcpupin", "vpin", "4", "0", "--config"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("vcpu 4 is out of range of persistent cpu count 1"),
        "{err}"
    );

    // Started: the configured pin is the vCPU thread's affinity.
    virsh_ok(&uri, &["start", "vpin"]);
    let pid: u32 = std::fs::read_to_string(root.join("run/qemu/vpin.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let cpus = virsh_ok(
        &uri,
        &[
            "qemu-monitor-command",
            "vpin",
            r#"{"execute":"query-cpus-fast"}"#,
        ],
    );
    let reply: serde_json::Value = serde_json::from_str(&cpus).unwrap();
    let tid = reply["return"][0]["thread-id"].as_u64().unwrap() as u32;
    assert_eq!(allowed(pid, tid), "1");
    let shown = virsh_ok(&uri, &["vcpupin", "vpin"]);
    assert_eq!(affinity_of(&shown, "0"), "1", "{shown}");

    // Live: the thread moves, the live <cputune> follows, the persistent one stays.
    virsh_ok(&uri, &["vcpupin", "vpin", "0", "0", "--live"]);
    assert_eq!(allowed(pid, tid), "0");
    assert_eq!(affinity_of(&virsh_ok(&uri, &["vcpupin", "vpin"]), "0"), "0");
    let live = virsh_ok(&uri, &["dumpxml", "vpin"]);
    assert!(live.contains("<vcpupin vcpu='0' cpuset='0'/>"), "{live}");
    let inactive = virsh_ok(&uri, &["dumpxml", "--inactive", "vpin"]);
    assert!(
        inactive.contains("<vcpupin vcpu='0' cpuset='1'/>"),
        "{inactive}"
    );
    let o = virsh(&uri, &["vcpupin", "vpin", "3", "0", "--live"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("vcpu 3 is out of range of live cpu count 1"),
        "{err}"
    );

    // The emulator: every QEMU thread but the vCPU's.
    virsh_ok(&uri, &["emulatorpin", "vpin", "1", "--live"]);
    assert_eq!(allowed(pid, pid), "1");
    assert_eq!(
        allowed(pid, tid),
        "0",
        "the vCPU thread is not the emulator's"
    );
    let shown = virsh_ok(&uri, &["emulatorpin", "vpin"]);
    assert_eq!(affinity_of(&shown, "*"), "1", "{shown}");
    let live = virsh_ok(&uri, &["dumpxml", "vpin"]);
    assert!(live.contains("<emulatorpin cpuset='1'/>"), "{live}");

    // Read-only clients may look, not pin.
    let ro = format!("qemu+unix:///system?socket={}", d.ro_socket().display());
    assert_eq!(affinity_of(&virsh_ok(&ro, &["vcpupin", "vpin"]), "0"), "0");
    let o = virsh(&ro, &["vcpupin", "vpin", "0", "1"]);
    assert!(!o.status.success());
    assert_eq!(allowed(pid, tid), "0");

    // I/O threads: added live as QEMU objects, pinned, removed.
    virsh_ok(&uri, &["iothreadadd", "vpin", "3", "--live"]);
    let tid3 = iothread_tid(&uri, "vpin", 3).expect("QEMU has iothread3");
    let info = virsh_ok(&uri, &["iothreadinfo", "vpin"]);
    assert_eq!(affinity_of(&info, "3"), allowed(pid, tid3), "{info}");
    virsh_ok(&uri, &["iothreadpin", "vpin", "3", "1", "--live"]);
    assert_eq!(allowed(pid, tid3), "1");
    assert_eq!(
        affinity_of(&virsh_ok(&uri, &["iothreadinfo", "vpin"]), "3"),
        "1"
    );
    let live = virsh_ok(&uri, &["dumpxml", "vpin"]);
    assert!(
        live.contains("<iothreadpin iothread='3' cpuset='1'/>"),
        "{live}"
    );
    let o = virsh(&uri, &["iothreadadd", "vpin", "3", "--live"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("an IOThread is already using iothread_id '3'"),
        "{err}"
    );
    let o = virsh(&uri, &["iothreadpin", "vpin", "9", "1", "--live"]);
    let (_, err) = text(&o);
    assert!(err.contains("iothreadid 9 not found"), "{err}");
    virsh_ok(&uri, &["iothreaddel", "vpin", "3", "--live"]);
    assert_eq!(iothread_tid(&uri, "vpin", 3), None);
    // Persistent: the pin applies at the next start.
    virsh_ok(&uri, &["iothreadadd", "vpin", "4", "--config"]);
    virsh_ok(&uri, &["iothreadpin", "vpin", "4", "1", "--config"]);
    let inactive = virsh_ok(&uri, &["dumpxml", "--inactive", "vpin"]);
    assert!(
        inactive.contains("<iothreadpin iothread='4' cpuset='1'/>"),
        "{inactive}"
    );

    // Lifecycle actions (virsh set-lifecycle-action), live and persistent apart.
    virsh_ok(
        &uri,
        &[
            "set-lifecycle-action",
            "vpin",
            "poweroff",
            "restart",
            "--live",
        ],
    );
    let live = virsh_ok(&uri, &["dumpxml", "vpin"]);
    assert!(
        live.contains("<on_poweroff>restart</on_poweroff>"),
        "{live}"
    );
    virsh_ok(
        &uri,
        &[
            "set-lifecycle-action",
            "vpin",
            "crash",
            "coredump-destroy",
            "--config",
        ],
    );
    let inactive = virsh_ok(&uri, &["dumpxml", "--inactive", "vpin"]);
    assert!(
        inactive.contains("<on_crash>coredump-destroy</on_crash>"),
        "{inactive}"
    );
    assert!(
        !inactive.contains("<on_poweroff>restart</on_poweroff>"),
        "{inactive}"
    );
    let o = virsh(
        &uri,
        &["set-lifecycle-action", "vpin", "reboot", "coredump-restart"],
    );
    let (_, err) = text(&o);
    assert!(
        err.contains("Lifecycle event 'reboot' doesn't support 'coredump-restart' action"),
        "{err}"
    );
    virsh_ok(
        &uri,
        &[
            "set-lifecycle-action",
            "vpin",
            "poweroff",
            "destroy",
            "--live",
        ],
    );

    virsh_ok(&uri, &["destroy", "vpin"]);
    virsh_ok(&uri, &["start", "vpin"]);
    let pid: u32 = std::fs::read_to_string(root.join("run/qemu/vpin.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let tid4 = iothread_tid(&uri, "vpin", 4).expect("QEMU started with iothread4");
    assert_eq!(allowed(pid, tid4), "1");
    assert_eq!(
        affinity_of(&virsh_ok(&uri, &["iothreadinfo", "vpin"]), "4"),
        "1"
    );

    // Perf events (virsh perf, domstats --perf): host counters on QEMU.
    virsh_ok(&uri, &["perf", "vpin", "--enable", "task_clock", "--live"]);
    let perf = virsh_ok(&uri, &["perf", "vpin"]);
    assert!(
        perf.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["task_clock", ":", "enabled"]),
        "{perf}"
    );
    let stats = virsh_ok(&uri, &["domstats", "vpin", "--perf"]);
    assert!(stats.contains("perf.task_clock="), "{stats}");
    let persistent = virsh_ok(&uri, &["perf", "vpin", "--config"]);
    assert!(
        !persistent.contains("task_clock   : enabled"),
        "{persistent}"
    );
    virsh_ok(&uri, &["perf", "vpin", "--disable", "task_clock", "--live"]);
    let stats = virsh_ok(&uri, &["domstats", "vpin", "--perf"]);
    assert!(!stats.contains("perf.task_clock"), "{stats}");
    virsh_ok(&uri, &["destroy", "vpin"]);
    virsh_ok(&uri, &["undefine", "vpin"]);
}

/// The host thread of QEMU's `iothreadN` in domain `dom`, if QEMU has it.
fn iothread_tid(uri: &str, dom: &str, n: u32) -> Option<u32> {
    let out = virsh_ok(
        uri,
        &[
            "qemu-monitor-command",
            dom,
            r#"{"execute":"query-iothreads"}"#,
        ],
    );
    let reply: serde_json::Value = serde_json::from_str(&out).unwrap();
    let name = format!("iothread{n}");
    reply["return"]
        .as_array()?
        .iter()
        .find(|t| t["id"] == name.as_str())
        .and_then(|t| t["thread-id"].as_u64())
        .map(|t| t as u32)
}
