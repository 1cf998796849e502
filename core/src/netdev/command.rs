//! Running a host tool (`tc`, `nft`, …) bounded in time; its failure an error naming
//! the command and its standard error.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Error, ErrorDomain, Result};

/// Longest a tool may run.
const LIMIT: Duration = Duration::from_secs(30);

/// Most bytes of a tool's output kept.
const MAX_OUTPUT: u64 = 4 << 20;

/// Runs `prog args…` (`input` on its standard input when given) and returns its
/// standard output; a non-zero exit is an internal error in `domain`.
pub fn run(domain: ErrorDomain, prog: &str, args: &[&str], input: Option<&str>) -> Result<String> {
    let fail = |m: String| Error::internal(domain, m);
    let mut child = Command::new(prog)
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("cannot run {prog}: {e}")))?;
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        let _ = stdin.write_all(text.as_bytes());
    }
    let out = child.stdout.take().map(|o| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = o.take(MAX_OUTPUT).read_to_string(&mut s);
            s
        })
    });
    let err = child.stderr.take().map(|o| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = o.take(MAX_OUTPUT).read_to_string(&mut s);
            s
        })
    });
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| fail(e.to_string()))? {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(fail(format!("{prog} {} timed out", args.join(" "))));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let out = out.and_then(|t| t.join().ok()).unwrap_or_default();
    let err = err.and_then(|t| t.join().ok()).unwrap_or_default();
    if status.success() {
        return Ok(out);
    }
    Err(fail(format!(
        "{prog} {} failed: {}",
        args.join(" "),
        err.trim()
    )))
}
