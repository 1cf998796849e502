//! Writing a monitor's or guest agent's queued bytes to its non-blocking socket: what
//! both connections do whenever they have output.

use std::io::{ErrorKind, Write};
use std::os::unix::net::UnixStream;

/// Writes as much of `out` as `stream` takes now, removing what was written. Returns
/// true when the peer is gone (a zero-length write or an error other than
/// `WouldBlock`/`Interrupted`).
pub(crate) fn write_pending(stream: &mut UnixStream, out: &mut Vec<u8>) -> bool {
    while !out.is_empty() {
        match stream.write(out) {
            Ok(0) => return true,
            Ok(n) => drop(out.drain(..n)),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => return false,
            Err(_) => return true,
        }
    }
    false
}
