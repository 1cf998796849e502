//! Running the host tools the network driver drives (`ip`, `nft`, `dnsmasq`), bounded
//! in time, their failure an error naming the command and its stderr.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rvirt_core::{Error, ErrorDomain, Result};

/// Longest a tool may run.
const LIMIT: Duration = Duration::from_secs(30);

/// Runs `prog args…`, feeding `input` on stdin when given.
pub(crate) fn run(prog: &str, args: &[&str], input: Option<&str>) -> Result<()> {
    let fail = |m: String| Error::internal(ErrorDomain::Network, m);
    let mut child = Command::new(prog)
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("cannot run {prog}: {e}")))?;
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        let _ = stdin.write_all(text.as_bytes());
    }
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
        std::thread::sleep(Duration::from_millis(5));
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
        "{prog} {} failed: {}",
        args.join(" "),
        err.trim()
    )))
}
