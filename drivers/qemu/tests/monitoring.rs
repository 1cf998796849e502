//! The QEMU driver's monitoring answers on real guests (TCG): statistics from `/proc`
//! and QMP make sense and move (disk reads, CPU time of QEMU's own vCPU threads),
//! balloon figures with and without a balloon, errors are libvirt's, the monitor's
//! state shows a command in flight, NOWAIT does not wait for a busy domain (without it
//! a stopped QEMU costs the call the monitor's bound, and its stats lack only what
//! QEMU tells), image sizes read on the host are QEMU's, a settled dirty-rate reply is
//! reused until a passthrough command may have changed it, and live
//! metadata survives a reconnect. Every QEMU is killed by pid when a test ends ([`Env`]).

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rvirt_core::api::{MemoryStatTag, MetadataType, StatsGroups, TypedValue, stats_flags};
use rvirt_core::{Domain, ErrorCode};
use rvirt_testkit::{boot_disk, have_qemu};
use support::{DEADLINE, Env, reopen, setup};

/// A boot sector reading itself (BIOS `int 13h`, 1 sector of drive 0x80 to 0:8000)
/// over and over: the disk's read counters keep growing, and vCPU 0 keeps busy.
const READER: &[u8] = &[
    0xB8, 0x01, 0x02, // mov ax, 0x0201
    0xB9, 0x01, 0x00, // mov cx, 0x0001
    0xBA, 0x80, 0x00, // mov dx, 0x0080
    0x31, 0xDB, // xor bx, bx
    0x8E, 0xC3, // mov es, bx
    0xBB, 0x00, 0x80, // mov bx, 0x8000
    0xCD, 0x13, // int 0x13
    0xEB, 0xEC, // jmp 0
];

/// A guest busy on one of its 2 vCPUs: 64 MiB, a virtio balloon polled every second,
/// an IDE disk booting [`READER`] and an empty IDE CD-ROM.
fn guest_xml(env: &Env, name: &str) -> String {
    guest_xml_with(
        env,
        name,
        "<memballoon model='virtio'><stats period='1'/></memballoon>",
    )
}

/// [`guest_xml`] with `balloon` as its `<memballoon>`.
fn guest_xml_with(env: &Env, name: &str, balloon: &str) -> String {
    let disk = boot_disk(&env.root.join(format!("{name}.img")), READER);
    format!(
        "<domain type='qemu'>
           <name>{name}</name>
           <memory unit='KiB'>65536</memory>
           <currentMemory unit='KiB'>65536</currentMemory>
           <vcpu>2</vcpu>
           <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
           <devices>
             <disk type='file' device='disk'>
               <driver name='qemu' type='raw'/>
               <source file='{}'/>
               <target dev='hda' bus='ide'/>
             </disk>
             <disk type='file' device='cdrom'>
               <target dev='hdc' bus='ide'/>
             </disk>
             {balloon}
           </devices>
         </domain>",
        disk.display()
    )
}

/// One domain's statistics by name.
fn stats(env: &Env, flags: u32) -> HashMap<String, TypedValue> {
    let recs = env
        .conn()
        .all_domain_stats(StatsGroups::default(), flags)
        .unwrap();
    assert_eq!(recs.len(), 1, "{recs:?}");
    recs[0]
        .params
        .iter()
        .map(|p| (p.field.clone(), p.value.clone()))
        .collect()
}

fn ull(s: &HashMap<String, TypedValue>, k: &str) -> u64 {
    match s.get(k) {
        Some(TypedValue::ULLong(v)) => *v,
        other => panic!("{k}: {other:?} in {s:?}"),
    }
}

fn int(s: &HashMap<String, TypedValue>, k: &str) -> i64 {
    match s.get(k) {
        Some(TypedValue::Int(v)) => i64::from(*v),
        Some(TypedValue::UInt(v)) => i64::from(*v),
        Some(TypedValue::LLong(v)) => *v,
        other => panic!("{k}: {other:?} in {s:?}"),
    }
}

fn string<'a>(s: &'a HashMap<String, TypedValue>, k: &str) -> &'a str {
    match s.get(k) {
        Some(TypedValue::String(v)) => v,
        other => panic!("{k}: {other:?} in {s:?}"),
    }
}

/// Polls `stats` until `pred` holds (bounded by [`DEADLINE`]).
fn stats_until(
    env: &Env,
    what: &str,
    pred: impl Fn(&HashMap<String, TypedValue>) -> bool,
) -> HashMap<String, TypedValue> {
    let t = Instant::now();
    loop {
        let s = stats(env, 0);
        if pred(&s) {
            return s;
        }
        assert!(t.elapsed() < DEADLINE, "{what}: {s:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn not_running(e: &rvirt_core::Error) {
    assert_eq!(e.code(), ErrorCode::OperationInvalid, "{e}");
    assert_eq!(
        e.to_string(),
        "Requested operation is not valid: domain is not running"
    );
}

fn signal(pid: u32, sig: libc::c_int) {
    // SAFETY: kill(2) on the QEMU this test started.
    unsafe {
        libc::kill(pid as libc::pid_t, sig);
    }
}

#[test]
fn a_running_guest_reports_libvirts_statistics() {
    if !have_qemu() {
        return;
    }
    let env = setup("mon");
    let mut dom = env.conn().define_xml(&guest_xml(&env, "mon")).unwrap();
    dom.create().unwrap();

    // The BIOS reads the boot sector; the looping guest burns CPU.
    let first = stats_until(
        &env,
        "boot sector read",
        |s| matches!(s.get("block.0.rd.reqs"), Some(TypedValue::ULLong(n)) if *n > 0),
    );
    assert_eq!(int(&first, "state.state"), 1);
    assert_eq!(int(&first, "state.reason"), 1);
    assert_eq!(ull(&first, "balloon.current"), 65536);
    assert_eq!(ull(&first, "balloon.maximum"), 65536);
    assert!(ull(&first, "balloon.rss") > 1024);
    assert!(first.contains_key("balloon.last-update"));
    assert_eq!(int(&first, "vcpu.current"), 2);
    assert_eq!(int(&first, "vcpu.maximum"), 2);
    assert_eq!(first.get("vcpu.0.state"), Some(&TypedValue::Int(1)));
    assert_eq!(first.get("vcpu.1.state"), Some(&TypedValue::Int(1)));
    assert_eq!(int(&first, "net.count"), 0);
    assert_eq!(int(&first, "block.count"), 2);
    assert_eq!(string(&first, "block.0.name"), "hda");
    assert!(string(&first, "block.0.path").ends_with("mon.img"));
    assert_eq!(int(&first, "block.0.backingIndex"), 1);
    assert_eq!(ull(&first, "block.0.rd.bytes") % 512, 0);
    assert_eq!(ull(&first, "block.0.wr.reqs"), 0);
    assert_eq!(ull(&first, "block.0.capacity"), 512);
    assert!(ull(&first, "block.0.physical") >= 512);
    assert_eq!(string(&first, "block.1.name"), "hdc");
    assert!(!first.contains_key("block.1.path"), "an empty CD-ROM");
    assert_eq!(int(&first, "dirtyrate.calc_status"), 0);
    assert_eq!(string(&first, "dirtyrate.calc_mode"), "page-sampling");
    let cpu0 = ull(&first, "cpu.time");
    assert_eq!(
        cpu0,
        ull(&first, "cpu.user") + ull(&first, "cpu.system"),
        "{first:?}"
    );
    // The guest keeps reading its disk and burning CPU time.
    let later = stats_until(&env, "reads and CPU time grow", |s| {
        ull(s, "cpu.time") > cpu0
            && ull(s, "vcpu.0.time") > ull(&first, "vcpu.0.time")
            && ull(s, "block.0.rd.bytes") > ull(&first, "block.0.rd.bytes")
    });
    assert!(ull(&later, "block.0.rd.reqs") > ull(&first, "block.0.rd.reqs"));
    assert_eq!(ull(&later, "block.0.rd.bytes") % 512, 0);
    assert_eq!(ull(&later, "block.0.wr.bytes"), 0);
    // vcpu.N.time is the CPU time of QEMU's thread "CPU N/TCG".
    let pid = env.pid("mon");
    let before = thread_cpu_ns(pid, vcpu_thread(pid, 0));
    let s = stats(&env, 0);
    let after = thread_cpu_ns(pid, vcpu_thread(pid, 0));
    assert!(
        (before..=after).contains(&ull(&s, "vcpu.0.time")),
        "{before} {after} {s:?}"
    );

    // Only some groups.
    let recs = env
        .conn()
        .all_domain_stats(StatsGroups::STATE | StatsGroups::VCPU, 0)
        .unwrap();
    let names: Vec<&str> = recs[0].params.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        &names[..4],
        [
            "state.state",
            "state.reason",
            "vcpu.current",
            "vcpu.maximum"
        ]
    );
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("state.") || n.starts_with("vcpu."))
    );
    let e = env
        .conn()
        .all_domain_stats(StatsGroups(1024), stats_flags::ENFORCE_STATS)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ArgumentUnsupported, "{e}");

    per_domain_calls(&dom, env.pid("mon"));

    // The image sizes the driver reads on the host are QEMU's own figures for the
    // disk's format node.
    let nodes: serde_json::Value = serde_json::from_str(
        &dom.qemu_monitor_command(
            r#"{"execute":"query-named-block-nodes","arguments":{"flat":true}}"#,
            0,
        )
        .unwrap(),
    )
    .unwrap();
    let image = &nodes["return"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node-name"] == "libvirt-1-format")
        .unwrap_or_else(|| panic!("{nodes}"))["image"];
    let s = stats(&env, 0);
    assert_eq!(
        Some(ull(&s, "block.0.capacity")),
        image["virtual-size"].as_u64()
    );
    assert_eq!(
        Some(ull(&s, "block.0.physical")),
        image["actual-size"].as_u64()
    );
    // A dirty-rate measurement started through the monitor passthrough: the settled
    // "unstarted" answer kept so far gives way to the measurement's.
    assert_eq!(int(&s, "dirtyrate.calc_status"), 0);
    dom.qemu_monitor_command(
        r#"{"execute":"calc-dirty-rate","arguments":{"calc-time":1}}"#,
        0,
    )
    .unwrap();
    let measured = stats_until(&env, "dirty rate measured", |s| {
        matches!(s.get("dirtyrate.calc_status"), Some(TypedValue::Int(2)))
    });
    assert_eq!(int(&measured, "dirtyrate.calc_period"), 1);
    assert!(
        measured.contains_key("dirtyrate.megabytes_per_second"),
        "{measured:?}"
    );
    let again = stats(&env, 0);
    assert_eq!(
        again.get("dirtyrate.calc_start_time"),
        measured.get("dirtyrate.calc_start_time")
    );

    dom.destroy().unwrap();
    let off = stats(&env, 0);
    assert_eq!(int(&off, "state.state"), 5);
    assert_eq!(ull(&off, "balloon.current"), 65536);
    assert_eq!(int(&off, "vcpu.maximum"), 2);
    assert_eq!(ull(&off, "block.0.capacity"), 512);
    assert_eq!(ull(&off, "block.0.physical"), 512);
    assert!(!off.contains_key("cpu.time") && !off.contains_key("net.count"));
    assert!(!off.contains_key("block.0.rd.reqs") && !off.contains_key("vcpu.0.state"));
    not_running(&dom.memory_stats(16, 0).unwrap_err());
    not_running(&dom.control_info(0).unwrap_err());
    not_running(&dom.max_vcpus().unwrap_err());
    not_running(&dom.cpu_stats(-1, 1, 0).unwrap_err());
    assert_eq!(
        dom.vcpus().unwrap_err().to_string(),
        "Requested operation is not valid: cannot retrieve vcpu information for inactive domain"
    );
    assert_eq!(dom.vcpus_flags(0).unwrap(), 2);
    assert_eq!(dom.vcpu_pin_info(0).unwrap().len(), 2);
    assert_eq!(dom.block_info("hda", 0).unwrap().capacity, 512);
}

/// The per-domain calls on the running guest of QEMU `pid`.
fn per_domain_calls(dom: &Domain, pid: u32) {
    let mem = dom.memory_stats(16, 0).unwrap();
    let tags: Vec<MemoryStatTag> = mem.iter().map(|s| s.tag).collect();
    assert_eq!(
        tags,
        [
            MemoryStatTag::ActualBalloon,
            MemoryStatTag::LastUpdate,
            MemoryStatTag::Rss
        ],
        "no balloon driver in the guest: {mem:?}"
    );
    assert_eq!(mem[0].value, 65536);
    assert_eq!(dom.memory_stats(1, 0).unwrap().len(), 1);

    let bs = dom.block_stats("hda").unwrap();
    assert!(
        bs.rd_req > 0 && bs.rd_bytes >= 512 && bs.errs == -1,
        "{bs:?}"
    );
    assert_eq!((bs.wr_req, bs.wr_bytes), (0, 0));
    let t = Instant::now();
    while dom.block_stats("hda").unwrap().rd_bytes <= bs.rd_bytes {
        assert!(t.elapsed() < DEADLINE, "rd_bytes stays {}", bs.rd_bytes);
        std::thread::sleep(Duration::from_millis(20));
    }
    let path = dom.connect().lookup_domain_by_name("mon").unwrap();
    let by_path = path
        .block_stats(&format!("{}/mon.img", env_root(pid)))
        .unwrap();
    // By source path: the same (still growing) counters.
    assert!(by_path.rd_req > bs.rd_req, "{by_path:?} {bs:?}");
    assert_eq!(
        dom.block_stats("vdz").unwrap_err().to_string(),
        "invalid argument: invalid path: vdz"
    );
    let bi = dom.block_info("hda", 0).unwrap();
    assert_eq!((bi.capacity, bi.physical), (512, 512));
    assert!(bi.allocation >= 512, "{bi:?}");
    assert_eq!(
        dom.block_info("hda", 1).unwrap_err().to_string(),
        "unsupported flags (0x1) in function qemuDomainGetBlockInfo"
    );
    assert_eq!(
        dom.block_info("vdz", 0).unwrap_err().to_string(),
        "invalid argument: invalid path vdz not assigned to domain"
    );
    assert!(dom.disk_errors(0).unwrap().is_empty());

    // Each vCPU's figures are those of QEMU's thread for it: CPU time between two
    // reads of the thread's /proc stat, and the thread's own affinity.
    let tids = [vcpu_thread(pid, 0), vcpu_thread(pid, 1)];
    let before: Vec<u64> = tids.iter().map(|&t| thread_cpu_ns(pid, t)).collect();
    let vcpus = dom.vcpus().unwrap();
    let after: Vec<u64> = tids.iter().map(|&t| thread_cpu_ns(pid, t)).collect();
    assert_eq!(vcpus.len(), 2);
    for (n, (info, map)) in vcpus.iter().enumerate() {
        assert_eq!((info.number as usize, info.state), (n, 1));
        assert!(
            (before[n]..=after[n]).contains(&info.cpu_time),
            "vCPU {n}: {} not in {}..={}",
            info.cpu_time,
            before[n],
            after[n]
        );
        assert!(info.cpu >= 0);
        assert_eq!(*map, thread_affinity(tids[n]));
    }
    assert!(
        vcpus[0].0.cpu_time > vcpus[1].0.cpu_time,
        "vCPU 0 is the busy one"
    );
    assert_eq!(dom.vcpu_pin_info(0).unwrap().len(), 2);
    assert_eq!(
        dom.vcpu_pin_info(1).unwrap(),
        vec![vcpus[0].1.clone(), vcpus[1].1.clone()]
    );
    assert!(dom.emulator_pin_info(0).unwrap().0.iter().any(|&b| b != 0));
    assert_eq!(
        dom.vcpu_pin_info(3).unwrap_err().to_string(),
        "invalid argument: Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive"
    );
    assert!(dom.iothread_info(0).unwrap().is_empty());

    let total = dom.cpu_stats(-1, 1, 0).unwrap();
    let names: Vec<&str> = total[0].iter().map(|p| p.field.as_str()).collect();
    assert_eq!(names, ["cpu_time", "user_time", "system_time"]);
    let TypedValue::ULLong(total_ns) = total[0][0].value else {
        panic!("{total:?}")
    };
    assert!(total_ns > 0 && total_ns <= proc_cpu_ns(pid), "{total:?}");
    let e = dom.cpu_stats(0, 1, 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoSupport, "{e}");
    assert_eq!(
        e.to_string(),
        "this function is not supported by the connection driver: virDomainGetCPUStats"
    );

    assert_eq!(dom.os_type().unwrap(), "hvm");
    assert_eq!(dom.max_memory().unwrap(), 65536);
    assert_eq!(dom.max_vcpus().unwrap(), 2);
    assert_eq!(dom.vcpus_flags(2).unwrap(), 2);
    let label = dom.security_label().unwrap();
    assert_eq!((label.label.as_str(), label.enforcing), ("", false));
    let model = dom.connect().security_model().unwrap();
    assert_eq!((model.model.as_str(), model.doi.as_str()), ("none", "0"));
    assert!(dom.connect().node_free_memory().unwrap() > 0);
    assert!(!dom.connect().cells_free_memory(0, 8).unwrap().is_empty());
    let map = dom.connect().node_cpu_map(0).unwrap();
    assert!(map.cpus >= 1 && map.online.0.iter().any(|&b| b != 0));

    // A command in flight: QEMU stopped (SIGSTOP) cannot answer.
    assert_eq!(dom.control_info(0).unwrap().state, 0);
    signal(pid, libc::SIGSTOP);
    let waiting = {
        let dom = dom.clone();
        std::thread::spawn(move || dom.memory_stats(16, 0))
    };
    let t = Instant::now();
    let occupied = loop {
        let c = dom.control_info(0).unwrap();
        if c.state == 2 && c.state_time_ms >= 100 {
            break c;
        }
        assert!(t.elapsed() < Duration::from_secs(5), "{c:?}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(occupied.details, 0);
    signal(pid, libc::SIGCONT);
    assert!(waiting.join().unwrap().is_ok());
    assert_eq!(dom.control_info(0).unwrap().state, 0);
}

/// The thread of QEMU `pid` that runs vCPU `n` (QEMU names it "CPU N/TCG").
fn vcpu_thread(pid: u32, n: u32) -> u32 {
    let want = format!("CPU {n}/TCG");
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .flatten()
        .find_map(|t| {
            let comm = std::fs::read_to_string(t.path().join("comm")).ok()?;
            (comm.trim() == want).then(|| t.file_name().to_string_lossy().parse().ok())?
        })
        .unwrap_or_else(|| panic!("no thread {want} in QEMU {pid}"))
}

/// utime + stime of a `/proc` stat file's text, ns.
fn stat_cpu_ns(text: &str) -> u64 {
    let f: Vec<&str> = text[text.rfind(')').unwrap() + 1..]
        .split_whitespace()
        .collect();
    // SAFETY: sysconf has no memory-safety preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
    (f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()) * (1_000_000_000 / hz)
}

/// The CPU time of thread `tid` of `pid`, ns.
fn thread_cpu_ns(pid: u32, tid: u32) -> u64 {
    stat_cpu_ns(&std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/stat")).unwrap())
}

/// The CPU time of process `pid`, ns.
fn proc_cpu_ns(pid: u32) -> u64 {
    stat_cpu_ns(&std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap())
}

/// The affinity of thread `tid` as libvirt's CPU map.
fn thread_affinity(tid: u32) -> rvirt_core::api::CpuMap {
    // SAFETY: an all-zero cpu_set_t is a valid empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a live cpu_set_t of the size passed.
    let rc = unsafe {
        libc::sched_getaffinity(tid as libc::pid_t, std::mem::size_of_val(&set), &mut set)
    };
    assert_eq!(rc, 0);
    let mut map = rvirt_core::api::CpuMap::default();
    for cpu in 0..libc::CPU_SETSIZE as usize {
        // SAFETY: cpu is below CPU_SETSIZE.
        if unsafe { libc::CPU_ISSET(cpu, &set) } {
            map.set(cpu as u32);
        }
    }
    map
}

/// The driver root of the test whose QEMU is `pid`, from its disk on the command line.
fn env_root(pid: u32) -> String {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    let text = String::from_utf8_lossy(&cmdline);
    let at = text.find("mon.img").unwrap();
    let start = text[..at].rfind('"').unwrap() + 1;
    text[start..at].trim_end_matches('/').to_string()
}

#[test]
fn nowait_does_not_wait_for_a_busy_domain() {
    if !have_qemu() {
        return;
    }
    let env = setup("nowait");
    let dom = env
        .conn()
        .create_xml(&guest_xml(&env, "nowait"), 0)
        .unwrap();
    let pid = env.pid("nowait");
    stats_until(&env, "monitor answers", |s| {
        s.contains_key("block.0.rd.reqs")
    });
    // QEMU stopped, and a suspend holding the domain's job waits for it.
    signal(pid, libc::SIGSTOP);
    let suspend = {
        let dom = dom.clone();
        std::thread::spawn(move || dom.suspend())
    };
    let t = Instant::now();
    while dom.control_info(0).unwrap().state != 2 {
        assert!(t.elapsed() < Duration::from_secs(5));
        std::thread::sleep(Duration::from_millis(10));
    }
    let t = Instant::now();
    let s = stats(&env, stats_flags::NOWAIT);
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert_eq!(int(&s, "state.state"), 1);
    assert!(
        s.contains_key("cpu.time") && s.contains_key("vcpu.0.time"),
        "{s:?}"
    );
    assert!(
        !s.contains_key("block.0.rd.reqs"),
        "asked the busy monitor: {s:?}"
    );
    signal(pid, libc::SIGCONT);
    suspend.join().unwrap().unwrap();
    assert_eq!(int(&stats(&env, 0), "state.state"), 3);

    // Stopped again, no job held: without NOWAIT the call waits for the monitor no
    // longer than its bound (10 s) and leaves out what QEMU did not answer; what the
    // host knows (CPU time, the image's sizes) is there.
    signal(pid, libc::SIGSTOP);
    let t = Instant::now();
    let s = stats(&env, 0);
    let took = t.elapsed();
    signal(pid, libc::SIGCONT);
    assert!(
        took >= Duration::from_secs(9) && took < Duration::from_secs(14),
        "{took:?}"
    );
    assert_eq!(int(&s, "state.state"), 3);
    for key in [
        "cpu.time",
        "vcpu.0.time",
        "block.0.capacity",
        "block.0.physical",
    ] {
        assert!(s.contains_key(key), "{key}: {s:?}");
    }
    assert!(!s.contains_key("block.0.rd.reqs"), "{s:?}");
    // The monitor answers the next call.
    let t = Instant::now();
    let s = stats(&env, 0);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert!(s.contains_key("block.0.rd.reqs"), "{s:?}");
}

#[test]
fn live_metadata_survives_a_reconnect() {
    if !have_qemu() {
        return;
    }
    let mut env = setup("meta");
    let mut dom = env.conn().define_xml(&guest_xml(&env, "meta")).unwrap();
    dom.create().unwrap();
    let uri = "http://example.org/rvirt";
    dom.set_metadata(MetadataType::Title, Some("live title"), None, None, 1)
        .unwrap();
    dom.set_metadata(
        MetadataType::Element,
        Some("<k v='1'/>"),
        Some("r"),
        Some(uri),
        1,
    )
    .unwrap();
    let status = std::fs::read_to_string(env.root.join("run/qemu/meta.xml")).unwrap();
    assert!(status.contains("live title"), "{status}");

    env.conn.take().unwrap().close().unwrap();
    let root = std::mem::take(&mut env.root);
    drop(env);
    let again = reopen(&root);
    let dom = again.conn().lookup_domain_by_name("meta").unwrap();
    assert_eq!(
        dom.metadata(MetadataType::Title, None, 1).unwrap(),
        "live title"
    );
    let element = dom.metadata(MetadataType::Element, Some(uri), 1).unwrap();
    assert!(
        element.starts_with("<k ") && element.contains("v=\"1\""),
        "{element}"
    );
    // The persistent definition did not change.
    let e = dom.metadata(MetadataType::Title, None, 2).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoDomainMetadata, "{e}");
}

#[test]
fn without_a_balloon_memory_stats_are_qemus_own() {
    if !have_qemu() {
        return;
    }
    let env = setup("nobal");
    let xml = guest_xml_with(&env, "nobal", "<memballoon model='none'/>");
    let dom = env.conn().create_xml(&xml, 0).unwrap();
    let pid = env.pid("nobal");
    // Only QEMU's resident size, as /proc tells it.
    let mem = dom.memory_stats(16, 0).unwrap();
    assert_eq!(mem.len(), 1, "{mem:?}");
    assert_eq!(mem[0].tag, MemoryStatTag::Rss);
    let rss_kib = |pid: u32| -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    let rss = rss_kib(pid);
    assert!(
        mem[0].value > rss / 2 && mem[0].value < rss * 2,
        "{} vs VmRSS {rss}",
        mem[0].value
    );
    let s = stats_until(&env, "disk read", |s| s.contains_key("block.0.rd.reqs"));
    assert_eq!(ull(&s, "balloon.current"), 65536);
    assert_eq!(ull(&s, "balloon.maximum"), 65536);
    assert!(ull(&s, "balloon.rss") > 1024);
    assert!(!s.contains_key("balloon.last-update"), "{s:?}");
    dom.destroy().unwrap();
}

#[test]
fn a_guest_below_its_maximum_memory_starts_with_a_balloon_target() {
    if !have_qemu() {
        return;
    }
    let env = setup("target");
    let xml = guest_xml(&env, "target").replace(
        "<currentMemory unit='KiB'>65536</currentMemory>",
        "<currentMemory unit='KiB'>32768</currentMemory>",
    );
    // QEMU accepted the balloon target and the stats polling period before `cont`.
    let dom = env.conn().create_xml(&xml, 0).unwrap();
    let s = stats_until(&env, "disk read", |s| s.contains_key("block.0.rd.reqs"));
    assert_eq!(int(&s, "state.state"), 1);
    assert_eq!(ull(&s, "balloon.maximum"), 65536);
    // No balloon driver in the guest gives memory back: QEMU's figure stays the full
    // size, and libvirt reports QEMU's figure.
    assert_eq!(ull(&s, "balloon.current"), 65536);
    let mem = dom.memory_stats(16, 0).unwrap();
    assert_eq!(mem[0].tag, MemoryStatTag::ActualBalloon);
    assert_eq!(dom.max_memory().unwrap(), 65536);
    dom.destroy().unwrap();
}

/// `virDomainMemoryPeek` reads the guest's RAM through QEMU: the boot sector the BIOS
/// loaded at 0x7c00 (and the copy it reads to 0x8000) is [`READER`], by physical
/// address and by virtual one (real mode: the same); the flags are checked as
/// libvirt's, a stopped domain is refused, and QEMU's dump file does not stay.
#[test]
fn memory_peek_reads_the_guests_ram() {
    if !have_qemu() {
        return;
    }
    let env = setup("peek");
    let xml = guest_xml_with(&env, "peek", "<memballoon model='none'/>");
    let mut dom = env.conn().define_xml(&xml).unwrap();
    dom.create().unwrap();
    let len = READER.len() as u32;
    let t = Instant::now();
    while dom.memory_peek(0x8000, len, 2).unwrap() != READER {
        assert!(
            t.elapsed() < DEADLINE,
            "the guest never read its boot sector"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(dom.memory_peek(0x7c00, len, 2).unwrap(), READER);
    assert_eq!(dom.memory_peek(0x7c00, len, 1).unwrap(), READER);
    let boot_signature = dom.memory_peek(0x7dfe, 2, 2).unwrap();
    assert_eq!(boot_signature, [0x55, 0xAA]);
    let e = dom.memory_peek(0x7c00, len, 3).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg, "{e}");
    assert!(e.message().contains("mutually exclusive"), "{e}");
    let e = dom.memory_peek(0x7c00, len, 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg, "{e}");
    assert!(
        e.message()
            .contains("must be VIR_MEMORY_VIRTUAL or VIR_MEMORY_PHYSICAL"),
        "{e}"
    );
    let leftovers = |dir: &std::path::Path| -> Vec<String> {
        walk(dir)
            .into_iter()
            .filter(|n| n.contains("qemu.mem."))
            .collect()
    };
    assert!(
        leftovers(&env.root).is_empty(),
        "{:?}",
        leftovers(&env.root)
    );
    dom.destroy().unwrap();
    not_running(&dom.memory_peek(0x7c00, len, 2).unwrap_err());
}

/// Every path under `dir`.
fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        out.push(p.display().to_string());
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            out.extend(walk(&p));
        }
    }
    out
}

/// `<perf>` events are host counters on QEMU: a software event enabled in the
/// definition counts from the start and shows in the `perf` group, a live set opens
/// and closes counters (and changes the definition), a reconnecting instance opens
/// them again, and a hardware event on a host without a PMU is refused naming it — at
/// a live set and at start.
#[test]
fn perf_events_count_qemus_work() {
    use rvirt_core::api::{Tunable, TypedParam};
    if !have_qemu() {
        return;
    }
    let mut env = setup("perf");
    let xml = guest_xml_with(&env, "perf", "<memballoon model='none'/>").replace(
        "<devices>",
        "<perf><event name='cpu_clock' enabled='yes'/><event name='page_faults' enabled='no'/>\
         </perf><devices>",
    );
    let mut dom = env.conn().define_xml(&xml).unwrap();
    if let Err(e) = dom.create() {
        assert!(e.message().contains("perf event"), "{e}");
        println!("SKIPPED: this host cannot count software perf events: {e}");
        return;
    }
    let perf = |env: &Env| -> HashMap<String, TypedValue> {
        let recs = env.conn().all_domain_stats(StatsGroups::PERF, 0).unwrap();
        recs[0]
            .params
            .iter()
            .map(|p| (p.field.clone(), p.value.clone()))
            .collect()
    };
    let first = ull(&perf(&env), "perf.cpu_clock");
    let s = stats_until(
        &env,
        "cpu_clock to move",
        |s| matches!(s.get("perf.cpu_clock"), Some(TypedValue::ULLong(n)) if *n > first),
    );
    assert!(!s.contains_key("perf.page_faults"), "{s:?}");
    let enabled = |dom: &Domain, flags: u32| -> Vec<String> {
        dom.tuning_parameters(&Tunable::Perf, flags)
            .unwrap()
            .into_iter()
            .filter(|p| p.value == TypedValue::Boolean(true))
            .map(|p| p.field)
            .collect()
    };
    assert_eq!(enabled(&dom, 0), ["cpu_clock"]);

    let on = |name: &str, v: bool| TypedParam::new(name, TypedValue::Boolean(v));
    dom.set_tuning_parameters(
        &Tunable::Perf,
        &[on("page_faults", true), on("cpu_clock", false)],
        1,
    )
    .unwrap();
    let now = perf(&env);
    assert!(
        now.contains_key("perf.page_faults") && !now.contains_key("perf.cpu_clock"),
        "{now:?}"
    );
    assert_eq!(enabled(&dom, 1), ["page_faults"]);
    assert_eq!(
        enabled(&dom, 2),
        ["cpu_clock"],
        "the persistent definition stays"
    );

    // An instance reconnecting to the running QEMU counts the live events again.
    env.conn.take().unwrap().close().unwrap();
    let root = std::mem::take(&mut env.root);
    drop(env);
    let env = reopen(&root);
    let mut dom = env.conn().lookup_domain_by_name("perf").unwrap();
    let again = perf(&env);
    assert!(again.contains_key("perf.page_faults"), "{again:?}");

    let pmu = std::path::Path::new("/sys/bus/event_source/devices/cpu").exists();
    let hw = dom.set_tuning_parameters(&Tunable::Perf, &[on("cpu_cycles", true)], 1);
    if pmu {
        hw.unwrap();
        assert!(perf(&env).contains_key("perf.cpu_cycles"));
    } else {
        let e = hw.unwrap_err();
        assert_eq!(e.code(), ErrorCode::SystemError, "{e}");
        assert!(
            e.message()
                .contains("unable to open host cpu perf event for cpu_cycles"),
            "{e}"
        );
        assert_eq!(
            enabled(&dom, 1),
            ["page_faults"],
            "a refusal changes nothing"
        );
    }
    dom.destroy().unwrap();

    if !pmu {
        dom.set_tuning_parameters(&Tunable::Perf, &[on("cpu_cycles", true)], 2)
            .unwrap();
        let e = dom.create().unwrap_err();
        assert!(e.message().contains("perf event for cpu_cycles"), "{e}");
        assert!(!dom.is_active().unwrap());
    }
}
