//! The controller's end of the monitor socket: accept, send events, and the EXIT
//! hand-off that outlives the main loop.

use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::time::{Duration, Instant};

use crate::protocol::{ExitStatus, MonitorEvent, encode};

/// Bound for writing one event to a client.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// The listening socket and the current client, if any.
#[derive(Debug)]
pub(super) struct Server {
    listener: UnixListener,
    client: Option<UnixStream>,
    serial: u32,
    init_pid: Option<u32>,
}

fn poll_fds(fds: &mut [libc::pollfd], timeout: Option<Duration>) -> bool {
    let ms = timeout.map_or(-1, |t| {
        libc::c_int::try_from(t.as_millis()).unwrap_or(libc::c_int::MAX)
    });
    // SAFETY: `fds` is a valid slice of initialised pollfds of the length we pass.
    let rc = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
    rc > 0
}

fn pollfd(fd: RawFd) -> libc::pollfd {
    libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    }
}

impl Server {
    pub(super) fn new(listener: UnixListener) -> Server {
        Server {
            listener,
            client: None,
            serial: 1,
            init_pid: None,
        }
    }

    /// Records init's pid; the current and every later client get an INIT event.
    pub(super) fn set_init_pid(&mut self, pid: u32) {
        self.init_pid = Some(pid);
        self.send(MonitorEvent::Init { pid: pid.into() });
    }

    /// Waits for activity; services the sockets; returns true if `extra` (the
    /// signalfd) is readable.
    pub(super) fn poll(&mut self, extra: RawFd, timeout: Option<Duration>) -> bool {
        let mut fds = vec![pollfd(extra), pollfd(self.listener.as_raw_fd())];
        if let Some(c) = &self.client {
            fds.push(pollfd(c.as_raw_fd()));
        }
        if !poll_fds(&mut fds, timeout) {
            return false;
        }
        if fds.get(2).is_some_and(|f| f.revents != 0) {
            self.service_client();
        }
        if fds[1].revents != 0 {
            self.accept();
        }
        fds[0].revents != 0
    }

    fn accept(&mut self) {
        let Ok((stream, _)) = self.listener.accept() else {
            return;
        };
        let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
        // A newer driver replaces the old connection.
        self.client = Some(stream);
        if let Some(pid) = self.init_pid {
            self.send(MonitorEvent::Init { pid: pid.into() });
        }
    }

    /// Reads (and ignores) what the client sent; forgets it on EOF or error.
    fn service_client(&mut self) {
        let Some(c) = self.client.as_mut() else {
            return;
        };
        let mut buf = [0u8; 256];
        let _ = c.set_nonblocking(true);
        let gone = loop {
            match c.read(&mut buf) {
                Ok(0) => break true,
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => break false,
                Err(_) => break true,
            }
        };
        let _ = c.set_nonblocking(false);
        if gone {
            self.client = None;
        }
    }

    fn send(&mut self, ev: MonitorEvent) {
        let Some(c) = self.client.as_mut() else {
            return;
        };
        let bytes = encode(ev, self.serial);
        self.serial = self.serial.wrapping_add(1);
        // Blocking write (bounded): every byte is in the peer's queue when it returns.
        if c.write_all(&bytes).is_err() {
            self.client = None;
        }
    }

    /// Sends EXIT and lingers until the driver hung up: waits up to `wait_client` for a
    /// driver if none is connected (the driver may be reconnecting), writes the event
    /// completely, then waits up to `wait_hangup` for the driver to close its end, so
    /// the event is read before the socket goes away.
    pub(super) fn finish(
        &mut self,
        status: ExitStatus,
        wait_client: Duration,
        wait_hangup: Duration,
    ) {
        if self.client.is_none() {
            let mut fds = [pollfd(self.listener.as_raw_fd())];
            if poll_fds(&mut fds, Some(wait_client)) {
                self.accept();
            }
        }
        self.send(MonitorEvent::Exit(status));
        let deadline = Instant::now() + wait_hangup;
        while let Some(c) = &self.client {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            let mut fds = [pollfd(c.as_raw_fd())];
            if poll_fds(&mut fds, Some(left)) {
                self.service_client();
            }
        }
    }
}
