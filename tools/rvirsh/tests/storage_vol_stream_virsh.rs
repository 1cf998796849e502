//! Streams through rvirtd, driven by Debian's virsh and by rvirsh (the real binaries):
//! `vol-upload`/`vol-download` round-trip a random 5 MiB file through the storage
//! driver's `dir` pool byte for byte, parts of it by `--offset`/`--length`, the
//! volume's allocation refreshed, refused on read-only connections; rvirsh's `console`
//! in pipe mode types into a real TCG guest that echoes it with the case swapped
//! (Ctrl+] leaves, a second session is refused), and rvirsh's `screenshot` saves the
//! guest's PPM under a name given or virsh's default one.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rvirt_testkit::{
    Daemon, QemuReaper, SERIAL_R, SERIAL_SWAPCASE, TempDir, boot_disk, desktop_domain_xml,
    domain_xml, fact, have_qemu, have_virsh, python, run, text, virsh, virsh_ok,
};

fn rvirsh(uri: &str, args: &[&str]) -> Output {
    rvirsh_in(uri, args, None)
}

fn rvirsh_in(uri: &str, args: &[&str], cwd: Option<&Path>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rvirsh"));
    c.arg("-c").arg(uri).args(args);
    if let Some(d) = cwd {
        c.current_dir(d);
    }
    run(c, 60)
}

fn rvirsh_ok(uri: &str, args: &[&str]) -> String {
    let o = rvirsh(uri, args);
    let (out, err) = text(&o);
    assert!(o.status.success(), "rvirsh {args:?}: {out}\n{err}");
    out
}

fn random(len: usize) -> Vec<u8> {
    let mut data = vec![0u8; len];
    std::fs::File::open("/dev/urandom")
        .unwrap()
        .read_exact(&mut data)
        .unwrap();
    data
}

fn vol_path(images: &Path, name: &str) -> String {
    images.join(name).display().to_string()
}

#[test]
fn volumes_round_trip_through_virsh_and_rvirsh() {
    if !have_virsh() {
        return;
    }
    let d = Daemon::start("vol-stream");
    let uri = d.qemu_uri();
    let ro = format!("qemu+unix:///system?socket={}", d.ro_socket().display());
    let images = d.dir.0.join("images");
    virsh_ok(
        &uri,
        &[
            "pool-define-as",
            "sp",
            "dir",
            "--target",
            images.to_str().unwrap(),
        ],
    );
    virsh_ok(&uri, &["pool-build", "sp"]);
    virsh_ok(&uri, &["pool-start", "sp"]);
    virsh_ok(&uri, &["vol-create-as", "sp", "v.raw", "8M"]);
    virsh_ok(&uri, &["vol-create-as", "sp", "w.raw", "8M"]);
    let info = virsh_ok(&uri, &["vol-info", "v.raw", "--pool", "sp"]);
    assert!(info.contains("Allocation:     0.00 B"), "{info}");

    // Debian's virsh: the whole file up, then down, byte for byte.
    let data = random(5 << 20);
    let input = d.dir.0.join("in.bin");
    std::fs::write(&input, &data).unwrap();
    let out = virsh_ok(
        &uri,
        &[
            "vol-upload",
            "v.raw",
            input.to_str().unwrap(),
            "--pool",
            "sp",
        ],
    );
    assert_eq!(out.trim(), "");
    let on_disk = std::fs::read(vol_path(&images, "v.raw")).unwrap();
    assert_eq!(on_disk.len(), 8 << 20, "written in place, not truncated");
    assert!(on_disk[..data.len()] == data[..], "uploaded bytes differ");
    // The volume was refreshed after the upload: 5 MiB are allocated now.
    let info = virsh_ok(&uri, &["vol-info", "v.raw", "--pool", "sp"]);
    assert!(info.contains("Allocation:     5.00 MiB"), "{info}");
    let back = d.dir.0.join("back.bin");
    virsh_ok(
        &uri,
        &[
            "vol-download",
            "v.raw",
            back.to_str().unwrap(),
            "--pool",
            "sp",
            "--length",
            &data.len().to_string(),
        ],
    );
    assert!(
        std::fs::read(&back).unwrap() == data,
        "downloaded bytes differ"
    );
    // By path, to the end of the volume: 8 MiB, the rest zeroes.
    virsh_ok(
        &uri,
        &[
            "vol-download",
            &vol_path(&images, "v.raw"),
            back.to_str().unwrap(),
        ],
    );
    let whole = std::fs::read(&back).unwrap();
    assert_eq!(whole.len(), 8 << 20);
    assert!(whole[data.len()..].iter().all(|&b| b == 0));
    // Parts by offset and length.
    virsh_ok(
        &uri,
        &[
            "vol-download",
            "v.raw",
            back.to_str().unwrap(),
            "--pool",
            "sp",
            "--offset",
            "1000",
            "--length",
            "5000",
        ],
    );
    assert_eq!(std::fs::read(&back).unwrap(), &data[1000..6000]);
    let patch = random(4096);
    let patch_file = d.dir.0.join("patch.bin");
    std::fs::write(&patch_file, &patch).unwrap();
    virsh_ok(
        &uri,
        &[
            "vol-upload",
            "v.raw",
            patch_file.to_str().unwrap(),
            "--pool",
            "sp",
            "--offset",
            "65536",
            "--length",
            "4096",
        ],
    );
    let on_disk = std::fs::read(vol_path(&images, "v.raw")).unwrap();
    assert_eq!(&on_disk[65536..65536 + 4096], &patch[..]);
    assert_eq!(&on_disk[..65536], &data[..65536]);
    assert_eq!(&on_disk[65536 + 4096..data.len()], &data[65536 + 4096..]);

    // More data than --length: refused at the end with libvirtd 9.0's words (its fd
    // stream's ENOSPC), what fits written.
    let refused = virsh(
        &uri,
        &[
            "vol-upload",
            "v.raw",
            patch_file.to_str().unwrap(),
            "--pool",
            "sp",
            "--offset",
            "65536",
            "--length",
            "100",
        ],
    );
    let (_, err) = text(&refused);
    assert!(!refused.status.success());
    assert!(
        err.contains("error: cannot close volume v.raw\nerror: cannot write to stream: No space left on device"),
        "{err}"
    );

    // Sparse streams (--sparse): holes go as holes both ways. Uploaded over the random
    // data, the holes read back as zeroes; downloaded, they stay holes in virsh's file.
    let mut sparse = vec![0u8; 6 << 20];
    sparse[..1 << 20].copy_from_slice(&random(1 << 20));
    sparse[4 << 20..5 << 20].copy_from_slice(&random(1 << 20));
    let sparse_file = d.dir.0.join("sparse.bin");
    {
        use std::io::{Seek, SeekFrom};
        let mut f = std::fs::File::create(&sparse_file).unwrap();
        f.write_all(&sparse[..1 << 20]).unwrap();
        f.seek(SeekFrom::Start(4 << 20)).unwrap();
        f.write_all(&sparse[4 << 20..5 << 20]).unwrap();
        f.set_len(6 << 20).unwrap();
    }
    virsh_ok(
        &uri,
        &[
            "vol-upload",
            "v.raw",
            sparse_file.to_str().unwrap(),
            "--pool",
            "sp",
            "--sparse",
        ],
    );
    let on_disk = std::fs::read(vol_path(&images, "v.raw")).unwrap();
    assert!(on_disk[..6 << 20] == sparse[..], "sparse upload differs");
    virsh_ok(
        &uri,
        &[
            "vol-download",
            "v.raw",
            back.to_str().unwrap(),
            "--pool",
            "sp",
            "--sparse",
            "--length",
            "6291456",
        ],
    );
    assert!(
        std::fs::read(&back).unwrap() == sparse,
        "sparse download differs"
    );
    let allocated =
        std::os::unix::fs::MetadataExt::blocks(&std::fs::metadata(&back).unwrap()) * 512;
    assert!(
        allocated < 4 << 20,
        "holes were sent as data: {allocated} bytes allocated"
    );

    // Read-only connections may neither upload nor download.
    let refused = virsh(
        &ro,
        &[
            "vol-upload",
            "v.raw",
            input.to_str().unwrap(),
            "--pool",
            "sp",
        ],
    );
    let (_, err) = text(&refused);
    assert!(!refused.status.success());
    assert!(
        err.contains("operation forbidden: read only access prevents virStorageVolUpload"),
        "{err}"
    );
    let refused = rvirsh(
        &ro,
        &[
            "vol-download",
            "v.raw",
            back.to_str().unwrap(),
            "--pool",
            "sp",
        ],
    );
    let (_, err) = text(&refused);
    assert!(
        err.contains("error: cannot download from volume v.raw")
            && err.contains("read only access prevents virStorageVolDownload"),
        "{err}"
    );

    // rvirsh: the same round trip on the other volume, and a part of it.
    let data = random(5 << 20);
    std::fs::write(&input, &data).unwrap();
    rvirsh_ok(
        &uri,
        &[
            "vol-upload",
            "w.raw",
            input.to_str().unwrap(),
            "--pool",
            "sp",
        ],
    );
    let on_disk = std::fs::read(vol_path(&images, "w.raw")).unwrap();
    assert!(on_disk[..data.len()] == data[..], "rvirsh's upload differs");
    let info = virsh_ok(&uri, &["vol-info", "w.raw", "--pool", "sp"]);
    assert!(info.contains("Allocation:     5.00 MiB"), "{info}");
    rvirsh_ok(
        &uri,
        &[
            "vol-download",
            "w.raw",
            back.to_str().unwrap(),
            "--pool",
            "sp",
            "--length",
            &data.len().to_string(),
        ],
    );
    assert!(
        std::fs::read(&back).unwrap() == data,
        "rvirsh's download differs"
    );
    rvirsh_ok(
        &uri,
        &[
            "vol-download",
            &vol_path(&images, "w.raw"),
            back.to_str().unwrap(),
            "--offset",
            "4096",
            "--length",
            "100000",
        ],
    );
    assert_eq!(std::fs::read(&back).unwrap(), &data[4096..104_096]);
    // rvirsh --sparse both ways: holes zero the random data, and stay holes.
    rvirsh_ok(
        &uri,
        &[
            "vol-upload",
            "w.raw",
            sparse_file.to_str().unwrap(),
            "--pool",
            "sp",
            "--sparse",
        ],
    );
    let on_disk = std::fs::read(vol_path(&images, "w.raw")).unwrap();
    assert!(
        on_disk[..6 << 20] == sparse[..],
        "rvirsh's sparse upload differs"
    );
    let _ = std::fs::remove_file(&back);
    rvirsh_ok(
        &uri,
        &[
            "vol-download",
            "w.raw",
            back.to_str().unwrap(),
            "--pool",
            "sp",
            "--sparse",
            "--length",
            "6291456",
        ],
    );
    assert!(
        std::fs::read(&back).unwrap() == sparse,
        "rvirsh's sparse download differs"
    );
    let allocated =
        std::os::unix::fs::MetadataExt::blocks(&std::fs::metadata(&back).unwrap()) * 512;
    assert!(
        allocated < 4 << 20,
        "holes were written as data: {allocated} bytes allocated"
    );
    let e = rvirsh(
        &uri,
        &[
            "vol-download",
            "nosuch",
            back.to_str().unwrap(),
            "--pool",
            "sp",
        ],
    );
    let (_, err) = text(&e);
    assert!(err.contains("error: failed to get vol 'nosuch'"), "{err}");
}

/// rvirsh's console under a pty: types a word without Enter (it only reaches the guest
/// if rvirsh put the terminal in raw mode), waits for the guest's swapped-case echo,
/// leaves with Ctrl+]; prints `key=value` facts. The child is killed by pid.
const TTY_SESSION: &str = r#"
import os, pty, select, signal, sys, termios, time
rvirsh, uri, dom = sys.argv[1], sys.argv[2], sys.argv[3]
pid, fd = pty.fork()
if pid == 0:
    before = termios.tcgetattr(0)
    import subprocess
    rc = subprocess.call([rvirsh, "-c", uri, "console", dom])
    after = termios.tcgetattr(0)
    os.write(1, b"\nRESTORED=%d\n" % (before == after))
    os._exit(rc)
out = b""
def pump(secs, want):
    global out
    end = time.time() + secs
    while time.time() < end and want not in out:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                out += os.read(fd, 4096)
            except OSError:
                return
try:
    pump(20, b"Escape character")
    time.sleep(0.5)
    os.write(fd, b"rawmode")
    pump(20, b"RAWMODE")
    print("echoed=%s" % (b"RAWMODE" in out))
    os.write(fd, b"\x1d")
    pump(10, b"RESTORED=")
    print("restored=%s" % (b"RESTORED=1" in out))
    st = os.waitpid(pid, 0)[1]
    pid = None
    print("exit=%d" % os.WEXITSTATUS(st))
finally:
    if pid:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
"#;

/// rvirsh's console with piped stdin/stdout: what the guest echoes is collected.
struct Session {
    child: std::process::Child,
    out: Arc<Mutex<Vec<u8>>>,
}

impl Session {
    fn start(uri: &str, args: &[&str]) -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rvirsh"))
            .arg("-c")
            .arg(uri)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = Arc::new(Mutex::new(Vec::new()));
        let sink = out.clone();
        let mut stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Session { child, out }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.out.lock().unwrap()).into_owned()
    }

    fn wait_for(&self, needle: &str, secs: u64) -> bool {
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            if self.text().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    fn send(&mut self, data: &[u8]) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(data).unwrap();
        stdin.flush().unwrap();
    }

    /// Waits up to `secs` for the exit status.
    fn exit(&mut self, secs: u64) -> Option<i32> {
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            if let Some(st) = self.child.try_wait().unwrap() {
                return st.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn rvirsh_console_and_screenshot_on_a_real_guest() {
    if !have_qemu() || !have_virsh() {
        return;
    }
    let root = TempDir::new("rvirsh-console");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("rvirsh-console", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let disk = boot_disk(&root.join("rshot.img"), SERIAL_R);
    let xml = root.join("rshot.xml");
    std::fs::write(&xml, desktop_domain_xml("rshot", &disk)).unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "rshot"]);
    let disk = boot_disk(&root.join("recho.img"), SERIAL_SWAPCASE);
    let xml = root.join("recho.xml");
    let echo_xml = domain_xml("recho", &disk).replace(
        "<memballoon model='none'/>",
        "<serial type='pty'><target port='0'/></serial>
         <console type='pty'><target type='serial' port='0'/></console>
         <memballoon model='none'/>",
    );
    std::fs::write(&xml, echo_xml).unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "recho"]);

    // Pipe mode: typed text reaches the guest, its echo comes back; Ctrl+] leaves.
    let mut s = Session::start(&uri, &["console", "recho"]);
    assert!(
        s.wait_for("Escape character is ^] (Ctrl + ])", 20),
        "{}",
        s.text()
    );
    assert!(
        s.text().contains("Connected to domain 'recho'"),
        "{}",
        s.text()
    );
    std::thread::sleep(Duration::from_millis(300));
    s.send(b"typedintorvirsh");
    assert!(s.wait_for("TYPEDINTORVIRSH", 30), "{}", s.text());
    // While it lasts, a second session is refused as by virsh.
    let second = rvirsh(&uri, &["console", "recho"]);
    let (_, err) = text(&second);
    assert_eq!(second.status.code(), Some(1));
    assert!(
        err.contains("error: operation failed: Active console session exists for this domain"),
        "{err}"
    );
    s.send(b"\x1d");
    assert_eq!(s.exit(20), Some(0), "{}", s.text());
    // Leaving freed the console: a forced one is not needed.
    let mut s = Session::start(&uri, &["console", "rshot", "--devname", "serial0"]);
    assert!(s.wait_for("RRR", 30), "{}", s.text());
    s.send(b"\x1d");
    assert_eq!(s.exit(20), Some(0), "{}", s.text());

    // Under a terminal (python3's pty): raw mode, the echo through the guest, Ctrl+]
    // leaves with status 0 and the terminal's settings are restored.
    let o = python(TTY_SESSION, &[env!("CARGO_BIN_EXE_rvirsh"), &uri, "recho"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert_eq!(fact(&out, "echoed"), "True", "{out}");
    assert_eq!(fact(&out, "exit"), "0", "{out}");
    assert_eq!(fact(&out, "restored"), "True", "{out}");

    // Screenshots: into a named file, and under virsh's default name.
    let shot = root.join("shot.ppm");
    let out = rvirsh_ok(&uri, &["screenshot", "rshot", shot.to_str().unwrap()]);
    assert_eq!(
        out.trim(),
        format!(
            "Screenshot saved to {}, with type of image/x-portable-pixmap",
            shot.display()
        )
    );
    let data = std::fs::read(&shot).unwrap();
    assert!(data.starts_with(b"P6\n720 400\n255\n"), "{:?}", &data[..16]);
    assert_eq!(data.len(), 15 + 720 * 400 * 3);
    let cwd = root.join("cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    let o = rvirsh_in(&uri, &["screenshot", "rshot"], Some(&cwd));
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let name = out
        .trim()
        .strip_prefix("Screenshot saved to ")
        .and_then(|r| r.strip_suffix(", with type of image/x-portable-pixmap"))
        .unwrap_or_else(|| panic!("{out}"))
        .to_string();
    assert!(
        name.starts_with("rshot-")
            && name.ends_with(".ppm")
            && name.len() == "rshot-2026-01-01-00:00:00.ppm".len(),
        "{name}"
    );
    assert!(std::fs::read(cwd.join(&name)).unwrap().starts_with(b"P6\n"));

    virsh_ok(&uri, &["destroy", "rshot"]);
    virsh_ok(&uri, &["destroy", "recho"]);
}
