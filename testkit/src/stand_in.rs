//! A stand-in "QEMU" for tests of monitor behaviour real QEMU never shows (garbage on
//! the monitor, a monitor that closes while the process lives on). The driver adopts it
//! through its reconnect path: a `sh` process whose command line carries `-uuid UUID`, a
//! status file under `ROOT/run/qemu`, and a monitor socket served by the test.

use std::io::{BufRead, BufReader, Lines, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

use crate::process::KillOnDrop;
use crate::tmp::short_dir;

/// The stand-in domain's uuid.
pub const UUID: &str = "0b5a3c1e-5f6d-4e2a-9c1b-7d8e9f0a1b2c";

/// A root prepared for the driver to adopt the stand-in domain `name`.
#[derive(Debug)]
pub struct Prepared {
    /// The driver root (removed on drop).
    pub root: PathBuf,
    /// The monitor socket's listener, for the test's server.
    pub listener: Option<UnixListener>,
    /// The stand-in process, killed and reaped however the test ends.
    pub proc: KillOnDrop,
}

impl Drop for Prepared {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Prepares `/tmp/rvq-TAG-PID` with a status file for domain `name` (id 1) whose QEMU
/// is `sh -c SCRIPT -uuid UUID`, and binds its monitor socket.
pub fn prepare(tag: &str, name: &str, script: &str) -> Prepared {
    let root = short_dir("rvq", tag);
    let lib = root.join(format!("lib/qemu/domain-1-{name}"));
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::create_dir_all(root.join("run/qemu")).unwrap();
    let sock = lib.join("monitor.sock");
    let listener = UnixListener::bind(&sock).unwrap();
    let proc = KillOnDrop(
        std::process::Command::new("/bin/sh")
            .args(["-c", script, "-uuid", UUID])
            .spawn()
            .unwrap(),
    );
    write_status(&root, name, proc.0.id(), &sock, &lib);
    Prepared {
        root,
        listener: Some(listener),
        proc,
    }
}

fn write_status(root: &Path, name: &str, pid: u32, sock: &Path, lib: &Path) {
    std::fs::write(
        root.join(format!("run/qemu/{name}.xml")),
        format!(
            "<domstatus state='running' reason='booted' pid='{pid}'>\n  <monitor path='{}' type='unix'/>\n  <libDir path='{}'/>\n<domain type='qemu' id='1'>\n  <name>{name}</name>\n  <uuid>{UUID}</uuid>\n  <memory unit='KiB'>65536</memory>\n  <vcpu>1</vcpu>\n  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n</domain>\n</domstatus>\n",
            sock.display(),
            lib.display()
        ),
    )
    .unwrap();
}

/// Accepts the driver's monitor connection and answers the reconnect handshake
/// (greeting, `qmp_capabilities`, `query-uuid` = [`UUID`], `query-status` = running,
/// `query-chardev` = none open).
/// Returns the writing half and the remaining command lines.
pub fn accept_and_handshake(listener: &UnixListener) -> (UnixStream, Lines<BufReader<UnixStream>>) {
    let (stream, _) = listener.accept().unwrap();
    let mut out = stream.try_clone().unwrap();
    let mut lines = BufReader::new(stream).lines();
    out.write_all(
        b"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"\"}, \"capabilities\": []}}\r\n",
    )
    .unwrap();
    for _ in 0..4 {
        let cmd: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        let reply = match cmd["execute"].as_str() {
            Some("query-uuid") => format!("{{\"UUID\": \"{UUID}\"}}"),
            Some("query-status") => {
                "{\"status\": \"running\", \"singlestep\": false, \"running\": true}".into()
            }
            // No character device is open in the guest (no guest agent to connect).
            Some("query-chardev") => "[]".to_string(),
            _ => "{}".to_string(),
        };
        let id = cmd["id"].clone();
        writeln!(out, "{{\"return\": {reply}, \"id\": {id}}}\r").unwrap();
    }
    (out, lines)
}
