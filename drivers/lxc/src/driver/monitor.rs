//! The driver's end of a controller's monitor socket: a non-blocking stream and a
//! [`MonitorDecoder`], read when the event loop reports the fd readable, or waited on
//! directly (bounded) during start and destroy.

use std::io::{ErrorKind, Read};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use rvirt_core::Result;

use crate::protocol::{MonitorDecoder, MonitorEvent};

/// A connected monitor.
#[derive(Debug)]
pub(crate) struct Monitor {
    stream: UnixStream,
    dec: MonitorDecoder,
    eof: bool,
}

impl Monitor {
    /// Connects to a controller's socket.
    pub(crate) fn connect(path: &Path) -> Result<Monitor> {
        let stream = UnixStream::connect(path)?;
        stream.set_nonblocking(true)?;
        Ok(Monitor {
            stream,
            dec: MonitorDecoder::new(),
            eof: false,
        })
    }

    /// The socket's fd, for the event loop.
    pub(crate) fn fd(&self) -> RawFd {
        self.stream.as_raw_fd()
    }

    /// True once the controller closed the socket, or sent something unreadable
    /// (then the connection is treated as lost).
    pub(crate) fn is_eof(&self) -> bool {
        self.eof
    }

    /// Reads what is available without blocking; returns every complete event.
    pub(crate) fn read_available(&mut self) -> Vec<MonitorEvent> {
        let mut buf = [0u8; 4096];
        let mut out = Vec::new();
        while !self.eof {
            match self.stream.read(&mut buf) {
                Ok(0) => self.eof = true,
                Ok(n) => {
                    if self.dec.feed(&buf[..n]).is_err() {
                        self.eof = true;
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(_) => self.eof = true,
            }
            while let Some(ev) = self.dec.next_event() {
                match ev {
                    Ok(ev) => out.push(ev),
                    Err(_) => self.eof = true,
                }
            }
        }
        out
    }

    /// Reads (blocking, up to `timeout`) until an event matching `stop` arrives or the
    /// socket closes; returns every event read, in order.
    pub(crate) fn wait_for(
        &mut self,
        timeout: Duration,
        stop: impl Fn(&MonitorEvent) -> bool,
    ) -> Vec<MonitorEvent> {
        let deadline = Instant::now() + timeout;
        let mut all = Vec::new();
        loop {
            let evs = self.read_available();
            let done = evs.iter().any(&stop);
            all.extend(evs);
            if done || self.eof {
                return all;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return all;
            }
            let mut pfd = libc::pollfd {
                fd: self.fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            let ms = libc::c_int::try_from(left.as_millis().max(1)).unwrap_or(libc::c_int::MAX);
            // SAFETY: one valid, initialised pollfd.
            unsafe { libc::poll(&mut pfd, 1, ms) };
        }
    }
}
