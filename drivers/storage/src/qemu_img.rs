//! `qemu-img` (Debian's `qemu-utils`) for what a file volume needs beyond plain file
//! calls: creating qcow2 images (with a backing store), converting between formats
//! (cloning), resizing qcow2. Every run is bounded; its stderr becomes the error.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::encryption::VolSecret;

/// `$RVIRT_QEMU_IMG` or `qemu-img` from `PATH`.
fn binary() -> String {
    std::env::var("RVIRT_QEMU_IMG").unwrap_or_else(|_| "qemu-img".into())
}

/// Longest a run may take (a clone of a large image copies all of it).
const LIMIT: Duration = Duration::from_secs(3600);

fn run(args: &[&str]) -> Result<()> {
    let fail = |what: String| Error::new(ErrorCode::InternalError, ErrorDomain::Storage, what);
    let mut child = Command::new(binary())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("cannot run {}: {e}", binary())))?;
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| fail(e.to_string()))? {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(fail(format!("{} {} timed out", binary(), args.join(" "))));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    if status.success() {
        return Ok(());
    }
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut err);
    }
    Err(fail(format!(
        "{} {} failed: {}",
        binary(),
        args.first().copied().unwrap_or_default(),
        err.trim()
    )))
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

/// Creates an image of `format` and `capacity` bytes at `path` (which must not
/// exist), over `backing` (path and format) when given; encrypted with `secret`
/// (LUKS: a raw image is of format `luks`, a qcow2 one gets `encrypt.*` options).
pub(crate) fn create(
    path: &Path,
    format: &str,
    capacity: u64,
    backing: Option<(&str, &str)>,
    options: &str,
    secret: Option<&VolSecret>,
) -> Result<()> {
    let size = capacity.to_string();
    let mut options = options.to_string();
    let mut object = String::new();
    let format = match secret {
        Some(s) => {
            // QemuOpts: a comma in the path is written twice.
            let file = s.file.display().to_string().replace(',', ",,");
            object = format!("secret,id={},format=raw,file={file}", s.id);
            let opt = if format == "qcow2" {
                format!("encrypt.format=luks,encrypt.key-secret={}", s.id)
            } else {
                format!("key-secret={}", s.id)
            };
            options = if options.is_empty() {
                opt
            } else {
                format!("{opt},{options}")
            };
            if format == "qcow2" { "qcow2" } else { "luks" }
        }
        None => format,
    };
    let mut args = vec!["create", "-q", "-f", format];
    if !object.is_empty() {
        args.extend(["--object", object.as_str()]);
    }
    if !options.is_empty() {
        args.extend(["-o", options.as_str()]);
    }
    if let Some((b, f)) = backing {
        args.extend(["-b", b, "-F", f]);
    }
    args.push(s(path));
    if backing.is_none() || capacity > 0 {
        args.push(&size);
    }
    let mut attempt = 1;
    loop {
        match run(&args) {
            // QEMU times its key derivation by the thread's CPU time, which kernels
            // counting it in ticks can report as unchanged (about one create in six
            // here): its LUKS setup then fails before anything
            // is written that matters. The file is new (checked by the caller).
            Err(e) if secret.is_some() && attempt < 10 && e.message().contains(CPU_USAGE) => {
                let _ = std::fs::remove_file(path);
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// QEMU's transient LUKS setup failure (`qcrypto_pbkdf2_count_iters`).
const CPU_USAGE: &str = "Unable to get accurate CPU usage";

/// Copies `src` (of `src_format`) into a new image `dst` of `dst_format`.
pub(crate) fn convert(src: &Path, src_format: &str, dst: &Path, dst_format: &str) -> Result<()> {
    run(&[
        "convert",
        "-q",
        "-f",
        src_format,
        "-O",
        dst_format,
        s(src),
        s(dst),
    ])
}

/// Changes the virtual size of `path` (of `format`) to `size` bytes.
pub(crate) fn resize(path: &Path, format: &str, size: u64, shrink: bool) -> Result<()> {
    let size = size.to_string();
    let mut args = vec!["resize", "-q", "-f", format];
    if shrink {
        args.push("--shrink");
    }
    args.extend([s(path), size.as_str()]);
    run(&args)
}
