//! `qemu-img` for the snapshots of a shut-off domain, as libvirt runs it: internal
//! snapshots (`snapshot -c/-a/-d` on every qcow2 image) and external overlays
//! (`create -f qcow2 -F FMT -b OLD NEW`); and for its checkpoints, their persistent
//! dirty bitmaps (`bitmap --add/--remove`). Every run is bounded; its stderr becomes
//! the error. Paths are passed as separate arguments, never through a shell.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// `$RVIRT_QEMU_IMG` or `qemu-img` from `PATH`.
fn binary() -> String {
    std::env::var("RVIRT_QEMU_IMG").unwrap_or_else(|_| "qemu-img".into())
}

/// Longest one run may take (a snapshot of an image touches only its metadata).
const LIMIT: Duration = Duration::from_secs(300);

fn failed(message: String) -> Error {
    Error::new(ErrorCode::OperationFailed, ErrorDomain::Qemu, message)
}

/// Runs `qemu-img ARGS`; its stderr is the error.
fn run(args: &[&str]) -> Result<()> {
    let mut child = Command::new(binary())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(format!("cannot run {}: {e}", binary())))?;
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| failed(e.to_string()))? {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(failed(format!("{} {} timed out", binary(), args.join(" "))));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    if status.success() {
        return Ok(());
    }
    let mut err = String::new();
    if let Some(e) = child.stderr.take() {
        let _ = e.take(64 * 1024).read_to_string(&mut err);
    }
    Err(failed(format!(
        "{} {} failed: {}",
        binary(),
        args.first().copied().unwrap_or_default(),
        err.trim()
    )))
}

fn s(p: &Path) -> Result<&str> {
    p.to_str()
        .ok_or_else(|| failed(format!("path '{}' is not UTF-8", p.display())))
}

/// What `qemu-img snapshot` does to an image's internal snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// `-c`: take it.
    Create,
    /// `-a`: go back to it.
    Apply,
    /// `-d`: delete it.
    Delete,
}

/// `qemu-img snapshot -c|-a|-d NAME IMAGE`.
pub(crate) fn snapshot(op: Op, name: &str, image: &Path) -> Result<()> {
    let flag = match op {
        Op::Create => "-c",
        Op::Apply => "-a",
        Op::Delete => "-d",
    };
    run(&["snapshot", flag, name, s(image)?])
}

/// `qemu-img bitmap -f qcow2 --add --enable IMAGE NAME` (`add`) or `--remove`: a
/// checkpoint's persistent dirty bitmap in a shut-off domain's qcow2 image.
pub(crate) fn bitmap(add: bool, image: &Path, name: &str) -> Result<()> {
    let mut args = vec!["bitmap", "-f", "qcow2"];
    if add {
        args.extend(["--add", "--enable"]);
    } else {
        args.push("--remove");
    }
    args.extend([s(image)?, name]);
    run(&args)
}

/// `qemu-img create -f qcow2 -F FMT -b BACKING OVERLAY`: a new qcow2 image over
/// `backing`. With `size` (the backing image is in use by a running QEMU, which holds
/// its lock) the backing file is not opened (`-u`) and the overlay gets that size.
///
/// The file is created here first, as libvirt pre-creates it: new (never an existing
/// file or a symlink planted there), 0600; it is removed again if qemu-img fails.
pub(crate) fn create_overlay(
    overlay: &Path,
    backing: &Path,
    backing_format: &str,
    size: Option<u64>,
) -> Result<()> {
    create_image(overlay, "qcow2", size, Some((backing, backing_format)))
}

/// `qemu-img create -f FORMAT [-F FMT -b BACKING [-u]] IMAGE [SIZE]`: a new image of
/// `format`, over `backing` if given; with `size` and a backing file, the backing file is
/// not opened (a running QEMU holds its lock). Created as [`create_overlay`] creates its
/// overlay: a new 0600 file, removed again if qemu-img fails.
pub(crate) fn create_image(
    image: &Path,
    format: &str,
    size: Option<u64>,
    backing: Option<(&Path, &str)>,
) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(image)
        .map_err(|e| {
            Error::new(
                ErrorCode::SystemError,
                ErrorDomain::Qemu,
                format!("failed to create image file '{}': {e}", image.display()),
            )
        })?;
    let made = write_image(image, format, size, backing);
    if made.is_err() {
        let _ = std::fs::remove_file(image);
    }
    made
}

fn write_image(
    image: &Path,
    format: &str,
    size: Option<u64>,
    backing: Option<(&Path, &str)>,
) -> Result<()> {
    let size = size.map(|n| n.to_string());
    let mut args = vec!["create", "-q", "-f", format];
    if let Some((file, backing_format)) = backing {
        args.extend(["-F", backing_format, "-b", s(file)?]);
        if size.is_some() {
            args.push("-u");
        }
    }
    args.push(s(image)?);
    if let Some(size) = &size {
        args.push(size);
    }
    run(&args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn have_qemu_img() -> bool {
        Command::new(binary())
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    #[test]
    fn bitmaps_are_added_and_removed_in_a_qcow2_image() {
        if !have_qemu_img() {
            return;
        }
        let dir = std::env::temp_dir().join(format!("rvirt-bitmap-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let image = dir.join("a.qcow2");
        run(&["create", "-q", "-f", "qcow2", s(&image).unwrap(), "1M"]).unwrap();
        let info = || {
            let o = Command::new(binary())
                .args(["info", "--output=json"])
                .arg(&image)
                .output()
                .unwrap();
            String::from_utf8_lossy(&o.stdout).into_owned()
        };
        bitmap(true, &image, "c1").unwrap();
        assert!(info().contains("\"name\": \"c1\""), "{}", info());
        assert!(bitmap(true, &image, "c1").is_err());
        bitmap(false, &image, "c1").unwrap();
        assert!(!info().contains("\"c1\""), "{}", info());
        let e = bitmap(false, &image, "c1").unwrap_err();
        assert!(e.message().contains("qemu-img bitmap failed"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn overlays_are_new_files_over_their_image() {
        if !have_qemu_img() {
            return;
        }
        let dir = std::env::temp_dir().join(format!("rvirt-overlay-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let base = dir.join("base.qcow2");
        run(&["create", "-q", "-f", "qcow2", s(&base).unwrap(), "1M"]).unwrap();
        let overlay = dir.join("base.s1");
        create_overlay(&overlay, &base, "qcow2", None).unwrap();
        snapshot(Op::Create, "t", &overlay).unwrap();
        snapshot(Op::Apply, "t", &overlay).unwrap();
        snapshot(Op::Delete, "t", &overlay).unwrap();
        assert!(snapshot(Op::Delete, "t", &overlay).is_err());
        // Never over an existing file, nor through a symlink planted at the path.
        let e = create_overlay(&overlay, &base, "qcow2", None).unwrap_err();
        assert!(e.message().contains("failed to create image file"), "{e}");
        let victim = dir.join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        let link = dir.join("link.s1");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(create_overlay(&link, &base, "qcow2", None).is_err());
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        // A failed qemu-img leaves no file behind.
        let bad = dir.join("bad.s1");
        assert!(create_overlay(&bad, &dir.join("missing"), "qcow2", None).is_err());
        assert!(!bad.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
