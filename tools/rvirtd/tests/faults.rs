//! Faults and load with real processes (issue 9): rvirtd killed with SIGKILL while
//! QEMU guests run, then restarted (every guest is found again, events resume);
//! clients that vanish in the middle of a call or of an event stream; 200 concurrent
//! clients doing lifecycle calls with no error, no leaked fd and stable memory.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Daemon, Raw, TempDir, have_virsh, text, virsh_ok};
use rvirt_rpc::{Header, Message, MessageStatus, procs, types};

const QEMU: &str = "/usr/bin/qemu-system-x86_64";

/// Kills any QEMU whose command line names `root`, however the test ends.
struct QemuReaper(PathBuf);

impl Drop for QemuReaper {
    fn drop(&mut self) {
        for pid in qemu_pids(&self.0) {
            // SAFETY: kill(2) on a QEMU started under this test's private root.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

fn qemu_pids(root: &Path) -> Vec<i32> {
    let needle = root.to_string_lossy().into_owned();
    let mut pids = Vec::new();
    for p in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = p.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let cmdline = std::fs::read(p.path().join("cmdline")).unwrap_or_default();
        if cmdline.starts_with(QEMU.as_bytes())
            && String::from_utf8_lossy(&cmdline).contains(&needle)
        {
            pids.push(pid);
        }
    }
    pids.sort();
    pids
}

fn looping_guest(root: &Path, name: &str) -> PathBuf {
    let mut img = vec![0xeb, 0xfe]; // jmp $
    img.resize(510, 0);
    img.extend_from_slice(&[0x55, 0xaa]);
    let disk = root.join(format!("{name}.img"));
    std::fs::write(&disk, img).unwrap();
    let xml = root.join(format!("{name}.xml"));
    std::fs::write(
        &xml,
        format!(
            "<domain type='qemu'><name>{name}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <devices><emulator>{QEMU}</emulator>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{}'/><target dev='hda' bus='ide'/></disk>
    <memballoon model='none'/></devices></domain>",
            disk.display()
        ),
    )
    .unwrap();
    xml
}

#[test]
fn a_killed_daemon_restarts_and_finds_every_running_guest() {
    if !have_virsh() || !Path::new(QEMU).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "virsh and QEMU are required in CI"
        );
        println!("SKIPPED: virsh or {QEMU} missing");
        return;
    }
    let root = TempDir::new("k9-root");
    let _reaper = QemuReaper(root.0.clone());
    let qemu_root = root.0.join("q");
    let args = ["--qemu-root", qemu_root.to_str().unwrap()];
    let mut first = Daemon::start_with("k9-a", &args);
    let uri = |d: &Daemon| format!("qemu+unix:///system?socket={}", d.rw_socket().display());
    let persistent = looping_guest(&root.0, "keeper");
    let transient = looping_guest(&root.0, "passer");
    virsh_ok(&uri(&first), &["define", persistent.to_str().unwrap()]);
    virsh_ok(&uri(&first), &["start", "keeper"]);
    virsh_ok(&uri(&first), &["create", transient.to_str().unwrap()]);
    let before = virsh_ok(&uri(&first), &["list"]);
    let pids = qemu_pids(&qemu_root);
    assert_eq!(pids.len(), 2, "{before}");

    // SIGKILL: no cleanup of any kind in the daemon.
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    assert_eq!(
        qemu_pids(&qemu_root),
        pids,
        "the guests died with the daemon"
    );

    let second = Daemon::start_with("k9-b", &args);
    let after = virsh_ok(&uri(&second), &["list"]);
    assert_eq!(
        after, before,
        "domains (ids, names, states) after the restart"
    );
    // Events resume: the monitors are watched again by the new daemon.
    let mut ev = Command::new("/usr/bin/virsh");
    ev.args([
        "-c",
        &uri(&second),
        "event",
        "--event",
        "lifecycle",
        "--loop",
    ])
    .args(["--timeout", "5"]);
    let events = std::thread::spawn(move || common::run(ev, 30));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !second.log().contains("lifecycle event callback") {
        assert!(
            Instant::now() < deadline,
            "no event client:\n{}",
            second.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // A guest crash is noticed through the reconnected monitor ...
    // SAFETY: SIGKILL to the transient guest's QEMU, started by this test.
    unsafe {
        libc::kill(pids[1], libc::SIGKILL);
    }
    // ... and an API call reaches the other one.
    virsh_ok(&uri(&second), &["destroy", "keeper"]);
    let o = events.join().unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    for want in [
        "event 'lifecycle' for domain 'keeper': Stopped Destroyed",
        "event 'lifecycle' for domain 'passer': Stopped Failed",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    assert!(qemu_pids(&qemu_root).is_empty());
    let list = virsh_ok(&uri(&second), &["list", "--all"]);
    assert!(
        list.contains("keeper") && list.contains("shut off"),
        "{list}"
    );
    assert!(!list.contains("passer"), "{list}");
    virsh_ok(&uri(&second), &["undefine", "keeper"]);
}

fn open_fds(pid: i32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}

fn rss_kib(pid: i32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn dom_call(c: &mut Raw, proc_: i32, dom: &rvirt_rpc::RemoteNonnullDomain) -> MessageStatus {
    c.call(proc_, &types::DomainArgs { dom: dom.clone() })
        .header
        .status
}

/// One client: define its own domain, `cycles` × create/suspend/resume/destroy,
/// undefine. Returns the number of failed calls.
fn lifecycle_client(sock: &Path, name: String, cycles: usize) -> usize {
    let mut c = Raw::connect(sock);
    c.open();
    let xml = format!(
        "<domain type='test'><name>{name}</name><memory unit='KiB'>8192</memory><os><type>hvm</type></os></domain>"
    );
    let m = c.call(
        procs::DOMAIN_DEFINE_XML,
        &types::DomainDefineXmlArgs { xml },
    );
    if m.header.status != MessageStatus::OK {
        return 1;
    }
    let dom = m.decode_payload::<types::DomainRet>().unwrap().dom;
    let mut failed = 0;
    for _ in 0..cycles {
        for p in [
            procs::DOMAIN_CREATE,
            procs::DOMAIN_SUSPEND,
            procs::DOMAIN_RESUME,
            procs::DOMAIN_DESTROY,
        ] {
            failed += usize::from(dom_call(&mut c, p, &dom) != MessageStatus::OK);
        }
    }
    failed += usize::from(dom_call(&mut c, procs::DOMAIN_UNDEFINE, &dom) != MessageStatus::OK);
    failed
}

fn load_round(sock: &Path, round: usize) -> usize {
    let handles: Vec<_> = (0..200)
        .map(|i| {
            let sock = sock.to_path_buf();
            std::thread::spawn(move || lifecycle_client(&sock, format!("load-{round}-{i}"), 5))
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).sum()
}

#[test]
fn two_hundred_clients_and_vanishing_clients_leave_no_trace() {
    let d = Daemon::start("load");
    let pid = d.pid();
    let sock = d.rw_socket();
    // The start-up probes' connections may still be closing: let the count settle.
    std::thread::sleep(Duration::from_millis(200));
    let fds_idle = open_fds(pid);

    // A subscriber that disappears while events are being pushed to it, and a client
    // that hangs up in the middle of sending a call.
    let mut sub = Raw::connect(&sock);
    sub.open();
    let m = sub.call(
        procs::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
        &types::ConnectDomainEventCallbackRegisterAnyArgs {
            event_id: 0,
            dom: None,
        },
    );
    assert_eq!(m.header.status, MessageStatus::OK);
    let mut half = Raw::connect(&sock);
    half.open();
    half.send_raw(&[0, 0, 0, 200, 0x20, 0, 0x80, 0x86, 0, 0, 0]); // 11 of 200 bytes
    drop(half);
    // A client that hangs up with calls in flight: eight pipelined calls (the daemon
    // queues them and runs them one by one on its workers) and no reply read.
    let mut gone = Raw::connect(&sock);
    gone.open();
    let lookup = Message::with_body(
        Header::call(0, 0, 0, 0),
        &types::DomainLookupByNameArgs {
            name: "test".into(),
        },
    )
    .unwrap()
    .payload;
    for _ in 0..8 {
        gone.call_raw(procs::DOMAIN_LOOKUP_BY_NAME, &lookup);
    }
    drop(gone);

    // Round 1 (also fills every pool and cache), with the subscriber dropped mid-way.
    let stream = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        drop(sub);
    });
    let t = Instant::now();
    assert_eq!(load_round(&sock, 1), 0, "failed calls in round 1");
    stream.join().unwrap();
    let rss_warm = rss_kib(pid);
    assert_eq!(load_round(&sock, 2), 0, "failed calls in round 2");
    eprintln!(
        "2 x 200 clients x 26 calls in {:?}; RSS after round 1: {rss_warm} KiB, after round 2: {} KiB",
        t.elapsed(),
        rss_kib(pid)
    );
    // Memory is stable: the second round adds (almost) nothing.
    assert!(
        rss_kib(pid) < rss_warm + 8 * 1024,
        "RSS grew from {rss_warm} to {} KiB",
        rss_kib(pid)
    );
    // Every client socket was closed again.
    let deadline = Instant::now() + Duration::from_secs(5);
    while open_fds(pid) > fds_idle {
        assert!(
            Instant::now() < deadline,
            "fds: {} idle, {} after the load",
            fds_idle,
            open_fds(pid)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // And the daemon still serves.
    let mut c = Raw::connect(&sock);
    c.open();
    let m = c.call(
        procs::DOMAIN_LOOKUP_BY_NAME,
        &types::DomainLookupByNameArgs {
            name: "test".into(),
        },
    );
    assert_eq!(m.header.status, MessageStatus::OK);
}
