//! The controller process and its monitor protocol, driven by hand (no driver): the
//! EXIT event outlives the controller's main loop until the client hung up.

mod common;

use std::io::Read;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

use rvirt_testkit::TempDir;
use std::time::{Duration, Instant};

use common::{alive, namespaces_available, wait_gone};
use rvirt_driver_lxc::process::{reap, spawn_controller};
use rvirt_driver_lxc::protocol::{ExitStatus, MonitorDecoder, MonitorEvent};
use rvirt_driver_lxc::xml::ContainerSpec;

fn spawn(dir: &Path, init_args: &[&str]) -> (u32, PathBuf) {
    let spec = ContainerSpec {
        hostname: "ctl".into(),
        root: "/".into(),
        read_only: true,
        private_net: true,
        init: "/bin/sh".into(),
        init_args: init_args.iter().map(|s| s.to_string()).collect(),
        init_dir: "/".into(),
        uuid: String::new(),
    };
    let sock = dir.join("ctl.sock");
    let listener = UnixListener::bind(&sock).unwrap();
    let mut args = vec![
        "--name".into(),
        "ctl".into(),
        "--staging".into(),
        dir.join("ctl.rootfs").into_os_string(),
    ];
    args.extend(spec.to_args());
    let pid = spawn_controller(
        Path::new(env!("CARGO_BIN_EXE_rvirt-lxc-controller")),
        &args,
        &listener,
        &dir.join("ctl.log"),
    )
    .unwrap();
    (pid, sock)
}

/// Reads events until `n` arrived or the stream ended (bounded).
fn read_events(s: &mut UnixStream, n: usize) -> Vec<MonitorEvent> {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut dec = MonitorDecoder::new();
    let mut out = Vec::new();
    let mut buf = [0u8; 256];
    while out.len() < n {
        let got = s.read(&mut buf).unwrap();
        if got == 0 {
            break;
        }
        dec.feed(&buf[..got]).unwrap();
        while let Some(ev) = dec.next_event() {
            out.push(ev.unwrap());
        }
    }
    out
}

#[test]
fn exit_reaches_a_late_client_and_the_controller_waits_for_its_hangup() {
    if !namespaces_available() {
        return;
    }
    let dir = TempDir::short("rvl", "ctl");
    let (pid, sock) = spawn(
        &dir.0,
        &["-c", "echo ifaces=$(grep -c : /proc/net/dev); exit 0"],
    );
    // Connect only after init is long gone: the controller waits for a client.
    std::thread::sleep(Duration::from_millis(300));
    let mut s = UnixStream::connect(&sock).unwrap();
    let evs = read_events(&mut s, 2);
    assert!(
        matches!(evs[0], MonitorEvent::Init { pid } if pid > 1),
        "{evs:?}"
    );
    assert_eq!(evs[1], MonitorEvent::Exit(ExitStatus::Shutdown));
    // Still there until we hang up.
    std::thread::sleep(Duration::from_millis(200));
    assert!(alive(pid), "controller left before the client hung up");
    drop(s);
    let t = Instant::now();
    assert!(reap(pid, Duration::from_secs(5)), "controller did not exit");
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(!dir.0.join("ctl.rootfs").exists());
    let log = std::fs::read_to_string(dir.0.join("ctl.log")).unwrap();
    assert!(log.contains("exiting: Shutdown"), "{log}");
    // Its own network namespace: loopback only.
    assert!(log.contains("ifaces=1\n"), "{log}");
}

#[test]
fn sigterm_kills_init_and_reports_an_error_exit() {
    if !namespaces_available() {
        return;
    }
    let dir = TempDir::short("rvl", "ctl2");
    let (pid, sock) = spawn(&dir.0, &["-c", "exec sleep 1000"]);
    let mut s = UnixStream::connect(&sock).unwrap();
    let init = match read_events(&mut s, 1).first() {
        Some(MonitorEvent::Init { pid }) => u32::try_from(*pid).unwrap(),
        other => panic!("no INIT: {other:?}"),
    };
    assert!(alive(init));
    // A second client replaces the first and is greeted with INIT too.
    let mut s2 = UnixStream::connect(&sock).unwrap();
    assert_eq!(
        read_events(&mut s2, 1),
        [MonitorEvent::Init { pid: init.into() }]
    );
    rvirt_driver_lxc::process::signal(pid, libc::SIGTERM);
    assert_eq!(
        read_events(&mut s2, 1),
        [MonitorEvent::Exit(ExitStatus::Error)]
    );
    assert!(wait_gone(init));
    drop((s, s2));
    assert!(reap(pid, Duration::from_secs(5)));
}
