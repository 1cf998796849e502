//! Confinement of the QEMUs the driver starts (issue 23), with a real QEMU under TCG:
//! `qemu:///system` (rooted in a temp dir) runs QEMU as the configured user with its
//! disk chowned for the run and given back after (a live-attached disk too), under
//! seccomp; in a cgroup of its own (v2, or v1's per-controller hierarchies) holding its
//! cpu and memory limits, on v1 with its vCPU and emulator threads in sub-cgroups with
//! their quotas and a devices ACL of just its devices; its threads pinned; in a mount
//! namespace of its own whose `/dev` is a tmpfs holding only the default devices, the
//! host's `/dev/pts` (its pty serial port is the host's) and `/dev/shm`, and a
//! hot-plugged block device. `qemu:///embed` runs QEMU as the caller, sandboxed, in the
//! host's mount namespace, its threads pinned, and refuses tuning it has no cgroup
//! for.
//! The system tests need root and the `libvirt-qemu` user (tools/setup.sh); without
//! them they skip with a message.

mod support;

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::Duration;

use rvirt_core::Connect;
use rvirt_core::event::DefaultLoop;
use std::collections::BTreeSet;

use rvirt_driver_qemu::security::devices::DEFAULT_DEVICES;
use rvirt_driver_qemu::security::namespace::PRESERVED_MOUNTS;
use rvirt_driver_qemu::security::{RunAs, security_config};
use rvirt_testkit::{LOOP, TempDir, boot_disk, domain_xml};
use support::{Env, record_lifecycle};

/// A field of `/proc/PID/status` (e.g. `Uid`), its values split.
fn status_field(pid: u32, field: &str) -> Vec<String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

fn cmdline(pid: u32) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .unwrap()
        .split(|b| *b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

fn sandboxed(pid: u32) {
    let args = cmdline(pid);
    let at = args
        .iter()
        .position(|a| a == "-sandbox")
        .expect("-sandbox in argv");
    assert!(args[at + 1].starts_with("on,obsolete=deny,elevateprivileges=deny"));
    assert_eq!(status_field(pid, "Seccomp"), ["2"], "seccomp filter mode");
}

/// `qemu:///system` on a temp root, events recorded (the root removed on drop).
fn open_system(tag: &str) -> Env {
    let root = support::root_for(tag);
    rvirt_driver_qemu::driver::set_system_root(&root);
    rvirt_driver_qemu::register().unwrap();
    let l = DefaultLoop::new().unwrap();
    let conn = Connect::open_with_loop("qemu:///system", l.shared()).unwrap();
    let events = record_lifecycle(&conn);
    Env {
        root,
        l,
        conn: Some(conn),
        events,
    }
}

fn mnt_ns(pid: &str) -> std::path::PathBuf {
    std::fs::read_link(format!("/proc/{pid}/ns/mnt")).unwrap()
}

/// The names in QEMU's `/dev`, seen through `/proc/PID/root`.
fn dev_names(pid: u32) -> BTreeSet<String> {
    std::fs::read_dir(format!("/proc/{pid}/root/dev"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// QEMU `pid` runs in its own mount namespace, its `/dev` a tmpfs holding exactly the
/// default devices (copies of the host's nodes) and the host's `/dev/pts` and
/// `/dev/shm` mounts; its pty serial port is a host pty the test (as the daemon) opens.
fn private_dev(pid: u32, dom: &rvirt_core::Domain) {
    assert_ne!(
        mnt_ns(&pid.to_string()),
        mnt_ns("self"),
        "own mount namespace"
    );
    let info = std::fs::read_to_string(format!("/proc/{pid}/mountinfo")).unwrap();
    let dev = info
        .lines()
        .rev()
        .find(|l| l.split(' ').nth(4) == Some("/dev"))
        .expect("a /dev mount");
    let fstype = dev.split(" - ").nth(1).and_then(|t| t.split(' ').next());
    assert_eq!(fstype, Some("tmpfs"), "{dev}");
    let mut want: BTreeSet<String> = DEFAULT_DEVICES
        .iter()
        .map(|d| d.trim_start_matches("/dev/").to_owned())
        .collect();
    for m in PRESERVED_MOUNTS {
        let host_dev = std::fs::metadata("/dev").unwrap().dev();
        if std::fs::metadata(m).is_ok_and(|md| md.dev() != host_dev) {
            want.insert(m.trim_start_matches("/dev/").to_owned());
        }
    }
    assert_eq!(dev_names(pid), want);
    for d in ["null", "urandom", "ptmx"] {
        let host = std::fs::metadata(format!("/dev/{d}")).unwrap();
        let theirs = std::fs::metadata(format!("/proc/{pid}/root/dev/{d}")).unwrap();
        assert_eq!(
            (theirs.rdev(), theirs.mode()),
            (host.rdev(), host.mode()),
            "{d}"
        );
    }
    let xml = dom.xml_desc(0).unwrap();
    let pty = xml
        .split("<source path='")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .expect("the serial port's pty in the live XML");
    assert!(pty.starts_with("/dev/pts/"), "{pty}");
    let host_pty = std::fs::OpenOptions::new().read(true).write(true).open(pty);
    assert!(host_pty.is_ok(), "{pty} opens on the host: {host_pty:?}");
}

/// The `devices.list` of QEMU `pid`'s v1 devices cgroup (`None` on cgroup v2).
fn devices_list(pid: u32) -> Option<String> {
    if !v1_host() {
        return None;
    }
    let text = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
    let rel = text
        .lines()
        .find_map(|l| l.split_once(":devices:").map(|(_, p)| p.to_owned()))
        .expect("a devices line");
    let dir = Path::new("/sys/fs/cgroup/devices").join(rel.trim_start_matches('/'));
    Some(std::fs::read_to_string(dir.join("devices.list")).unwrap())
}

/// On cgroup v1 QEMU's devices cgroup allows the default devices and ptys, nothing
/// else (no `a *:* rwm`).
fn devices_checked(pid: u32) {
    let Some(list) = devices_list(pid) else {
        return;
    };
    let rules: BTreeSet<&str> = list.lines().collect();
    for want in ["c 1:3 rw", "c 1:9 rw", "c 136:* rw", "c 5:2 rw"] {
        assert!(rules.contains(want), "{want} in {list}");
    }
    assert!(!rules.contains("a *:* rwm"), "{list}");
}

/// A loop device over a 1 MiB file, detached when dropped; `None` (reported) where
/// the host has no loop devices.
struct Loop(String);

impl Loop {
    fn new(file: &Path) -> Option<Loop> {
        std::fs::write(file, vec![0u8; 1 << 20]).unwrap();
        let out = std::process::Command::new("losetup")
            .args(["-f", "--show"])
            .arg(file)
            .output()
            .ok()
            .filter(|o| o.status.success());
        match out {
            Some(o) => Some(Loop(String::from_utf8_lossy(&o.stdout).trim().to_owned())),
            None => {
                eprintln!("skipped: no loop device (hot-plugged block disk not checked)");
                None
            }
        }
    }
}

impl Drop for Loop {
    fn drop(&mut self) {
        let _ = std::process::Command::new("losetup")
            .args(["-d", &self.0])
            .status();
    }
}

fn system_ids() -> Option<RunAs> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: qemu:///system confinement needs root");
        return None;
    }
    match RunAs::resolve(&security_config().user, None) {
        Ok(ids) => Some(ids),
        Err(e) => {
            eprintln!("skipped: {e} (tools/setup.sh creates the user)");
            None
        }
    }
}

/// The tuning the system test's guest asks for: domain-wide limits, pinning (vCPU 0
/// on the last host CPU, the emulator threads on CPU 0) and, on cgroup v1 (where rvirt
/// makes per-thread cgroups), vCPU and emulator bandwidth.
fn tune_xml() -> String {
    let per_thread = if v1_host() {
        "<period>100000</period><quota>20000</quota>\
         <emulator_period>100000</emulator_period><emulator_quota>30000</emulator_quota>"
    } else {
        ""
    };
    format!(
        "<cputune><shares>512</shares><global_period>100000</global_period>\
         <global_quota>50000</global_quota>{per_thread}\
         <vcpupin vcpu='0' cpuset='{}'/><emulatorpin cpuset='0'/></cputune>\
         <memtune><hard_limit unit='MiB'>512</hard_limit>\
         <soft_limit unit='MiB'>256</soft_limit></memtune>",
        last_cpu()
    )
}

fn v1_host() -> bool {
    !Path::new("/sys/fs/cgroup/cgroup.controllers").exists()
}

fn last_cpu() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()) - 1
}

/// A `/proc/PID/task/TID/status` field.
fn task_field(pid: u32, tid: u32, field: &str) -> String {
    let text = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/status")).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} for thread {tid}"))
        .trim()
        .to_owned()
}

/// [`tune_xml`]'s per-thread part: vCPU 0's thread (`CPU 0/TCG`, QEMU names its
/// threads) runs on the last host CPU and QEMU's main thread on CPU 0; on cgroup v1
/// they sit in `vcpu0` and `emulator` below the guest's cpu cgroup (`cpu_dir`) with
/// their quotas.
fn threads_checked(pid: u32, cpu_dir: Option<&Path>) {
    let vcpu = std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .find(|tid| {
            std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/comm"))
                .is_ok_and(|c| c.starts_with("CPU 0/"))
        })
        .expect("vCPU 0's thread");
    assert_eq!(
        task_field(pid, vcpu, "Cpus_allowed_list"),
        last_cpu().to_string()
    );
    assert_eq!(task_field(pid, pid, "Cpus_allowed_list"), "0");
    let Some(cpu) = cpu_dir.filter(|_| v1_host()) else {
        return;
    };
    let tasks = |d: &str| read_trimmed(&cpu.join(d), "tasks");
    assert_eq!(tasks("vcpu0"), vcpu.to_string());
    assert!(tasks("emulator").lines().any(|t| t == pid.to_string()));
    assert_eq!(
        read_trimmed(&cpu.join("vcpu0"), "cpu.cfs_quota_us"),
        "20000"
    );
    assert_eq!(
        read_trimmed(&cpu.join("emulator"), "cpu.cfs_quota_us"),
        "30000"
    );
}

fn read_trimmed(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file))
        .unwrap_or_else(|e| panic!("{}/{file}: {e}", dir.display()))
        .trim()
        .to_owned()
}

/// The guest's cgroup directories, named in /proc/PID/cgroup as libvirt's scope and
/// holding [`tune_xml`]'s limits: on cgroup v2 one directory, on v1 one per hierarchy
/// (cpu, cpuacct, memory, blkio), each below the test's own cgroup there.
fn cgroup_of(pid: u32, name: &str) -> Vec<std::path::PathBuf> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
    let base = Path::new("/sys/fs/cgroup");
    let ours = std::fs::read_to_string("/proc/self/cgroup").unwrap();
    let scope = format!("\\x2d{name}.scope");
    if base.join("cgroup.controllers").exists() {
        let rel = text
            .lines()
            .find_map(|l| l.strip_prefix("0::"))
            .expect("a cgroup v2 line");
        assert!(rel.starts_with("/machine.slice/machine-qemu\\x2d"), "{rel}");
        assert!(rel.ends_with(&scope), "{rel}");
        let dir = base.join(rel.trim_start_matches('/'));
        assert_eq!(read_trimmed(&dir, "cpu.weight"), "20");
        assert_eq!(read_trimmed(&dir, "cpu.max"), "50000 100000");
        assert_eq!(read_trimmed(&dir, "memory.max"), (512u64 << 20).to_string());
        assert_eq!(
            read_trimmed(&dir, "memory.high"),
            (256u64 << 20).to_string()
        );
        return vec![dir];
    }
    let line_of = |t: &str, c: &str| {
        t.lines()
            .find_map(|l| {
                let mut p = l.splitn(3, ':');
                let (_, list, path) = (p.next()?, p.next()?, p.next()?);
                list.split(',').any(|x| x == c).then(|| path.to_owned())
            })
            .unwrap_or_else(|| panic!("no {c} line in {t}"))
    };
    let mut dirs = Vec::new();
    for c in ["cpu", "memory"] {
        // On v1 QEMU's main thread sits in the scope's `emulator` (threads_checked).
        let rel = line_of(&text, c);
        let rel = rel.strip_suffix("/emulator").unwrap_or(&rel).to_owned();
        let own = line_of(&ours, c);
        let want = Path::new(&own).join("machine.slice");
        assert!(
            Path::new(&rel).starts_with(&want),
            "{c}: {rel} below {}",
            want.display()
        );
        assert!(rel.ends_with(&scope), "{c}: {rel}");
        let mount = std::fs::read_dir(base)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().split(',').any(|x| x == c))
            })
            .expect("the controller's mount");
        dirs.push(mount.join(rel.trim_start_matches('/')));
    }
    assert_eq!(read_trimmed(&dirs[0], "cpu.shares"), "512");
    assert_eq!(read_trimmed(&dirs[0], "cpu.cfs_period_us"), "100000");
    assert_eq!(read_trimmed(&dirs[0], "cpu.cfs_quota_us"), "50000");
    assert_eq!(
        read_trimmed(&dirs[1], "memory.limit_in_bytes"),
        (512u64 << 20).to_string()
    );
    assert_eq!(
        read_trimmed(&dirs[1], "memory.soft_limit_in_bytes"),
        (256u64 << 20).to_string()
    );
    let procs = read_trimmed(&dirs[1], "cgroup.procs");
    assert_eq!(procs, pid.to_string(), "QEMU alone in its memory cgroup");
    dirs
}

#[test]
fn system_guest_runs_as_its_user_with_disk_chowned_then_restored() {
    let Some(ids) = system_ids() else { return };
    let env = open_system("conf-dac");
    let images = TempDir::new("conf-images");
    // A disk only its owner may read: chown must make it reachable for QEMU.
    let disk = boot_disk(&images.join("boot.img"), LOOP);
    std::fs::set_permissions(&disk, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::chown(&disk, Some(12), Some(34)).unwrap();

    let xml = domain_xml("dacguest", &disk)
        .replace(
            "<memballoon",
            "<serial type='pty'><target port='0'/></serial><memballoon",
        )
        .replace("<devices>", &format!("{}<devices>", tune_xml()));
    let dom = env.conn().create_xml(&xml, 0).unwrap();
    let pid = env.pid("dacguest");
    private_dev(pid, &dom);
    let uid = ids.uid.to_string();
    let gid = ids.gid.to_string();
    assert_eq!(status_field(pid, "Uid"), [uid.as_str(); 4]);
    assert_eq!(status_field(pid, "Gid"), [gid.as_str(); 4]);
    sandboxed(pid);
    let m = std::fs::metadata(&disk).unwrap();
    assert_eq!(
        (m.uid(), m.gid()),
        (ids.uid, ids.gid),
        "disk owned by QEMU's user"
    );
    let priv_dir = std::fs::read_dir(env.root.join("lib/qemu"))
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with("-dacguest"))
        .expect("private dir")
        .path();
    let pm = std::fs::metadata(&priv_dir).unwrap();
    assert_eq!((pm.uid(), pm.mode() & 0o777), (ids.uid, 0o700));
    // The remembered owners live in root's run/qemu, out of QEMU's reach.
    let record = env.root.join("run/qemu/dacguest.owners");
    assert!(record.exists());
    assert_eq!(std::fs::metadata(&record).unwrap().uid(), 0);
    let cgroup = cgroup_of(pid, "dacguest");
    threads_checked(pid, cgroup.first().map(|p| p.as_path()));
    devices_checked(pid);

    // A live-attached disk is given to QEMU's user as well, and back at the stop.
    let extra = images.join("extra.img");
    std::fs::write(&extra, vec![0u8; 1 << 20]).unwrap();
    std::fs::set_permissions(&extra, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::chown(&extra, Some(56), Some(78)).unwrap();
    let vdb = format!(
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/>\
         <source file='{}'/><target dev='vdb' bus='virtio'/></disk>",
        extra.display()
    );
    dom.attach_device_flags(&vdb, 1 /* VIR_DOMAIN_AFFECT_LIVE */)
        .unwrap();
    assert_eq!(std::fs::metadata(&extra).unwrap().uid(), ids.uid);
    // A hot-plugged block device gets its node in QEMU's /dev, owned by its user.
    let lo = Loop::new(&images.join("loop.img"));
    if let Some(lo) = &lo {
        let vdc = format!(
            "<disk type='block' device='disk'><driver name='qemu' type='raw'/>\
             <source dev='{}'/><target dev='vdc' bus='virtio'/></disk>",
            lo.0
        );
        dom.attach_device_flags(&vdc, 1).unwrap();
        let host = std::fs::metadata(&lo.0).unwrap();
        let node = std::fs::metadata(format!("/proc/{pid}/root{}", lo.0)).unwrap();
        assert!(node.file_type().is_block_device());
        assert_eq!(
            (node.rdev(), node.uid()),
            (host.rdev(), ids.uid),
            "{} in QEMU's /dev",
            lo.0
        );
        if let Some(list) = devices_list(pid) {
            let rule = format!(
                "b {}:{} rw",
                libc::major(host.rdev()),
                libc::minor(host.rdev())
            );
            assert!(list.lines().any(|l| l == rule), "{rule} in {list}");
        }
    }

    dom.destroy().unwrap();
    env.run_until_gone(pid);
    drop(lo);
    let m = std::fs::metadata(&disk).unwrap();
    assert_eq!((m.uid(), m.gid()), (12, 34), "original owner restored");
    let m = std::fs::metadata(&extra).unwrap();
    assert_eq!(
        (m.uid(), m.gid()),
        (56, 78),
        "hotplugged disk's owner restored"
    );
    assert!(!priv_dir.exists());
    assert!(!record.exists());
    for cg in cgroup {
        let t = std::time::Instant::now();
        while cg.exists() && t.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!cg.exists(), "{} removed", cg.display());
    }
    // One test: qemu:///system's root is one per process.
    closed_directory_fails_as_libvirt(&env, &ids);
}

/// A disk below a directory QEMU's user cannot search: the start fails with
/// libvirt's error and chowns nothing.
fn closed_directory_fails_as_libvirt(env: &Env, ids: &RunAs) {
    let images = TempDir::new("conf-closed");
    let closed = images.join("closed");
    std::fs::create_dir(&closed).unwrap();
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o700)).unwrap();
    let disk = boot_disk(&closed.join("boot.img"), LOOP);

    let e = env
        .conn()
        .create_xml(&domain_xml("closedguest", &disk), 0)
        .unwrap_err();
    assert_eq!(
        e.message(),
        format!(
            "Cannot access storage file '{}' (as uid:{}, gid:{}): Permission denied",
            disk.display(),
            ids.uid,
            ids.gid
        )
    );
    assert_eq!(
        std::fs::metadata(&disk).unwrap().uid(),
        0,
        "nothing chowned"
    );
    assert!(rvirt_testkit::qemu_pids(&closed).is_empty());
}

#[test]
fn embedded_guest_runs_as_the_caller_under_seccomp() {
    let env = support::setup("conf-embed");
    // Pinning needs no privilege: the caller's own QEMU threads are pinned too.
    let xml = env.guest_xml("embedguest", LOOP).replace(
        "<devices>",
        &format!(
            "<cputune><vcpupin vcpu='0' cpuset='{}'/><emulatorpin cpuset='0'/></cputune><devices>",
            last_cpu()
        ),
    );
    let dom = env.conn().create_xml(&xml, 0).unwrap();
    let pid = env.pid("embedguest");
    threads_checked(pid, None);
    // SAFETY: getuid has no preconditions.
    let me = unsafe { libc::getuid() }.to_string();
    assert_eq!(status_field(pid, "Uid")[0], me);
    sandboxed(pid);
    assert_eq!(
        mnt_ns(&pid.to_string()),
        mnt_ns("self"),
        "embed: the host's /dev"
    );
    dom.destroy().unwrap();
    env.run_until_gone(pid);
    // No cgroup of its own: memory limits are refused, not ignored.
    let xml = env.guest_xml("tuned", LOOP).replace(
        "<devices>",
        "<memtune><hard_limit unit='MiB'>512</hard_limit></memtune><devices>",
    );
    let e = env.conn().create_xml(&xml, 0).unwrap_err();
    assert_eq!(e.code(), rvirt_core::ErrorCode::ConfigUnsupported);
    assert!(
        e.message().contains("need a cgroup of the guest's own"),
        "{}",
        e.message()
    );
}
