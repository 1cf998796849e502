//! Shared helpers of rvirtd's integration tests: a temp dir, the daemon as a real
//! process (killed by pid on drop), bounded client commands, and the skip rule for
//! missing libvirt clients (skip only outside CI).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rvirt_rpc::{FrameDecoder, Header, Message, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION};

/// A directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "rvirtd-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `rvirtd` process in its own temp dir.
pub struct Daemon {
    pub child: Child,
    pub dir: TempDir,
}

impl Daemon {
    /// Starts rvirtd holding `test:///default` open, and waits until its unix sockets
    /// (read-write, read-only and, unless `--no-admin`, admin) accept.
    pub fn start(tag: &str) -> Daemon {
        Daemon::start_with(tag, &[])
    }

    pub fn start_with(tag: &str, extra: &[&str]) -> Daemon {
        let dir = TempDir::new(tag);
        let log = std::fs::File::create(dir.0.join("rvirtd.log")).unwrap();
        // RVIRTD_BIN runs the suite against another build (e.g. an older one, to see a
        // regression test fail without its fix).
        let bin =
            std::env::var_os("RVIRTD_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_rvirtd").into());
        // The QEMU and LXC states live in the test's own directory unless the test
        // names roots itself.
        let mut roots = Vec::new();
        for (flag, sub) in [("--qemu-root", "q"), ("--lxc-root", "l")] {
            if !extra.contains(&flag) {
                roots.push(flag.to_string());
                roots.push(dir.0.join(sub).display().to_string());
            }
        }
        let child = Command::new(bin)
            .arg("--socket-dir")
            .arg(&dir.0)
            .args(["--keep-open", "test:///default", "--timeout", "120"])
            .args(&roots)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start rvirtd");
        let d = Daemon { child, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut sockets = vec![d.rw_socket(), d.ro_socket()];
        if !extra.contains(&"--no-admin") {
            sockets.push(d.admin_socket());
        }
        for sock in sockets {
            while UnixStream::connect(&sock).is_err() {
                assert!(
                    Instant::now() < deadline,
                    "rvirtd did not listen on {}; log:\n{}",
                    sock.display(),
                    d.log()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        d
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn rw_socket(&self) -> PathBuf {
        self.dir.0.join("libvirt-sock")
    }

    pub fn ro_socket(&self) -> PathBuf {
        self.dir.0.join("libvirt-sock-ro")
    }

    pub fn admin_socket(&self) -> PathBuf {
        self.dir.0.join("libvirt-admin-sock")
    }

    /// virt-admin's URI for the admin socket.
    pub fn admin_uri(&self) -> String {
        format!(
            "libvirtd:///system?socket={}",
            self.admin_socket().display()
        )
    }

    /// `test+unix:///default?socket=…` for the read-write socket.
    pub fn uri(&self) -> String {
        format!("test+unix:///default?socket={}", self.rw_socket().display())
    }

    /// Same for the read-only socket.
    pub fn ro_uri(&self) -> String {
        format!("test+unix:///default?socket={}", self.ro_socket().display())
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.0.join("rvirtd.log")).unwrap_or_default()
    }

    /// True while the process runs.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Waits (at most 10 s) until `addr` accepts TCP connections.
    pub fn wait_tcp(&self, addr: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "no TCP listener on {addr}; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A TCP port free on 127.0.0.1 right now (the kernel picks it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // Kill by pid (Child::kill signals exactly this process) and reap it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `cmd` for at most `secs` seconds (killed by pid after that); panics on
/// timeout.
pub fn run(mut cmd: Command, secs: u64) -> Output {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + Duration::from_secs(secs);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {secs}s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    }
}

/// A process running in the background, killed by pid and reaped on drop; its output
/// is collected as it runs.
pub struct Background {
    pub child: Child,
    out: Option<std::thread::JoinHandle<Vec<u8>>>,
    err: Option<std::thread::JoinHandle<Vec<u8>>>,
}

impl Background {
    pub fn spawn(mut cmd: Command) -> Background {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
        let mut out = child.stdout.take().unwrap();
        let mut err = child.stderr.take().unwrap();
        Background {
            child,
            out: Some(std::thread::spawn(move || {
                let mut v = Vec::new();
                let _ = out.read_to_end(&mut v);
                v
            })),
            err: Some(std::thread::spawn(move || {
                let mut v = Vec::new();
                let _ = err.read_to_end(&mut v);
                v
            })),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits (at most `secs`) for the process to exit on its own; its output.
    pub fn wait_exit(mut self, secs: u64) -> Output {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            assert!(
                Instant::now() < deadline,
                "process {} did not exit within {secs}s",
                self.pid()
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        Output {
            status,
            stdout: self.out.take().unwrap().join().unwrap(),
            stderr: self.err.take().unwrap().join().unwrap(),
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `virsh -c URI ARGS…` in the background (e.g. `event --loop`, a long-lived client).
pub fn virsh_background(uri: &str, args: &[&str]) -> Background {
    let mut c = Command::new(VIRSH);
    c.arg("-c").arg(uri).args(args);
    Background::spawn(c)
}

/// Output of a command as one string (stdout then stderr), for assertions.
pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

const VIRSH: &str = "/usr/bin/virsh";
const VIRT_ADMIN: &str = "/usr/bin/virt-admin";
const PYTHON: &str = "/usr/bin/python3";

fn missing(what: &str) -> bool {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is required in CI (install it with tools/setup.sh)");
    }
    println!("SKIPPED: {what} is not installed (and CI is unset)");
    false
}

/// True if virsh can be used; prints a skip message (or fails in CI) otherwise.
pub fn have_virsh() -> bool {
    Path::new(VIRSH).exists() || missing("virsh (Debian package libvirt-clients)")
}

/// True if virt-admin can be used; skip/fail like [`have_virsh`].
pub fn have_virt_admin() -> bool {
    Path::new(VIRT_ADMIN).exists() || missing("virt-admin (Debian package libvirt-clients)")
}

/// `virt-admin -c URI ARGS…`, bounded to 20 s.
pub fn virt_admin(uri: &str, args: &[&str]) -> Output {
    let mut c = Command::new(VIRT_ADMIN);
    c.arg("-c").arg(uri).args(args);
    run(c, 20)
}

/// `virt-admin` with the same arguments, asserting success; returns stdout.
pub fn virt_admin_ok(uri: &str, args: &[&str]) -> String {
    let o = virt_admin(uri, args);
    let (out, err) = text(&o);
    assert!(
        o.status.success(),
        "virt-admin {args:?} failed: {out}\n{err}"
    );
    out
}

/// The value of `name : value` in virt-admin's key/value output.
pub fn admin_field<'a>(out: &'a str, name: &str) -> Option<&'a str> {
    out.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == name).then_some(v.trim())
    })
}

/// `(id, transport)` of every row of virt-admin's `client-list`.
pub fn client_rows(out: &str) -> Vec<(u64, String)> {
    out.lines()
        .skip_while(|l| !l.starts_with("---"))
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            Some((f.next()?.parse().ok()?, f.next()?.to_string()))
        })
        .collect()
}

/// True if `/usr/bin/python3 -c 'import libvirt'` works; skip/fail like [`have_virsh`].
pub fn have_python_libvirt() -> bool {
    let ok = Path::new(PYTHON).exists()
        && Command::new(PYTHON)
            .args(["-c", "import libvirt"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    ok || missing("python3-libvirt (Debian package python3-libvirt)")
}

/// `virsh -c URI ARGS…`, bounded to 20 s.
pub fn virsh(uri: &str, args: &[&str]) -> Output {
    let mut c = Command::new(VIRSH);
    c.arg("-c").arg(uri).args(args);
    run(c, 20)
}

/// `virsh` with the same arguments, asserting success; returns stdout.
pub fn virsh_ok(uri: &str, args: &[&str]) -> String {
    let o = virsh(uri, args);
    let (out, err) = text(&o);
    assert!(o.status.success(), "virsh {args:?} failed: {out}\n{err}");
    out
}

/// Runs a python3 script (with libvirt importable), bounded to 30 s.
pub fn python(script: &str, args: &[&str]) -> Output {
    let mut c = Command::new(PYTHON);
    c.arg("-c").arg(script).args(args);
    run(c, 30)
}

/// A raw protocol client on a unix socket.
pub struct Raw {
    pub stream: UnixStream,
    dec: FrameDecoder,
    pub serial: u32,
}

impl Raw {
    pub fn connect(path: &Path) -> Raw {
        let stream = UnixStream::connect(path).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Raw {
            stream,
            dec: FrameDecoder::new(),
            serial: 0,
        }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// Sends a REMOTE CALL with an already encoded payload; returns its serial.
    pub fn call_raw(&mut self, proc_: i32, payload: &[u8]) -> u32 {
        self.call_raw_in(REMOTE_PROGRAM, proc_, payload)
    }

    /// Sends a CALL of program `prog` (version 1) with an encoded payload; returns its
    /// serial.
    pub fn call_raw_in(&mut self, prog: u32, proc_: i32, payload: &[u8]) -> u32 {
        let serial = self.serial;
        self.serial += 1;
        let h = Header::call(prog, REMOTE_PROTOCOL_VERSION, proc_, serial);
        self.send_raw(&rvirt_rpc::encode_message(&h, payload).unwrap());
        serial
    }

    /// Sends an ADMIN CALL with `args` and returns the reply.
    pub fn admin_call<T: serde::Serialize>(&mut self, proc_: i32, args: &T) -> Message {
        let payload = Message::with_body(Header::call(0, 0, 0, 0), args)
            .unwrap()
            .payload;
        let serial = self.call_raw_in(rvirt_rpc::admin::ADMIN_PROGRAM, proc_, &payload);
        let m = self.read().expect("reply");
        assert_eq!((m.header.proc_, m.header.serial), (proc_, serial));
        m
    }

    /// Sends a REMOTE CALL with `args` and returns the reply.
    pub fn call<T: serde::Serialize>(&mut self, proc_: i32, args: &T) -> Message {
        let payload = Message::with_body(Header::call(0, 0, 0, 0), args)
            .unwrap()
            .payload;
        let serial = self.call_raw(proc_, &payload);
        let m = self.read().expect("reply");
        assert_eq!((m.header.proc_, m.header.serial), (proc_, serial));
        m
    }

    /// The next packet, `Ok(None)` at EOF, or the socket's error (a read timeout
    /// included).
    pub fn try_read(&mut self) -> std::io::Result<Option<Message>> {
        let mut buf = [0u8; 4096];
        loop {
            if let Some(m) = self.dec.next_message() {
                return Ok(Some(m));
            }
            let n = self.stream.read(&mut buf)?;
            if n == 0 {
                return Ok(None);
            }
            self.dec.feed(&buf[..n]).unwrap();
        }
    }

    /// The next packet, or None at EOF (panics after the 10 s read timeout).
    pub fn read(&mut self) -> Option<Message> {
        let mut buf = [0u8; 4096];
        loop {
            if let Some(m) = self.dec.next_message() {
                return Some(m);
            }
            let n = self.stream.read(&mut buf).expect("read from rvirtd");
            if n == 0 {
                return None;
            }
            self.dec.feed(&buf[..n]).unwrap();
        }
    }

    /// AUTH_LIST + CONNECT_OPEN test:///default, both asserted OK.
    pub fn open(&mut self) {
        use rvirt_rpc::MessageStatus;
        let m = self.call(rvirt_rpc::procs::AUTH_LIST, &());
        assert_eq!(m.header.status, MessageStatus::OK);
        let m = self.call(
            rvirt_rpc::procs::CONNECT_OPEN,
            &rvirt_rpc::types::ConnectOpenArgs {
                name: Some("test:///default".into()),
                flags: 0,
            },
        );
        assert_eq!(m.header.status, MessageStatus::OK, "{m:?}");
    }
}

/// A small test-driver domain that virsh and the remote driver define and run.
pub const DEMO_XML: &str = "<domain type='test'>
  <name>demo</name>
  <uuid>12345678-9abc-def0-1234-56789abcdef0</uuid>
  <memory>8192</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>
";
