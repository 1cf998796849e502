//! The client's byte stream (UNIX, TCP or TLS over TCP), non-blocking, with `poll(2)`
//! waits.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::target::Endpoint;

/// A connected, non-blocking stream to the daemon.
#[derive(Debug)]
pub enum Stream {
    /// UNIX stream socket.
    Unix(UnixStream),
    /// Plain TCP.
    Tcp(TcpStream),
    /// TLS over TCP (boxed: the session state is large).
    #[cfg(feature = "tls")]
    Tls(Box<crate::tls::TlsStream>),
}

fn system_error(what: String, e: &io::Error) -> Error {
    Error::new(
        ErrorCode::SystemError,
        ErrorDomain::Rpc,
        format!("{what}: {e}"),
    )
}

impl Stream {
    /// Connects to `endpoint` and switches the socket to non-blocking mode.
    pub fn connect(endpoint: &Endpoint) -> Result<Stream> {
        let stream = match endpoint {
            Endpoint::Unix(path) => UnixStream::connect(path).map(Stream::Unix).map_err(|e| {
                system_error(
                    format!("Failed to connect socket to '{}'", path.display()),
                    &e,
                )
            })?,
            Endpoint::Tcp { host, port } => Stream::Tcp(tcp(host, *port)?),
            Endpoint::Tls {
                host,
                port,
                pkipath,
                no_verify,
            } => tls(host, *port, pkipath, *no_verify)?,
        };
        let r = match &stream {
            Stream::Unix(s) => s.set_nonblocking(true),
            Stream::Tcp(s) => s.set_nonblocking(true),
            #[cfg(feature = "tls")]
            Stream::Tls(_) => Ok(()),
        };
        r.map_err(|e| system_error("Cannot set socket non-blocking".into(), &e))?;
        Ok(stream)
    }

    /// Reads what is available (`WouldBlock` when nothing is); descriptors the daemon
    /// passed along (UNIX sockets only) are appended to `fds`.
    pub fn read_with_fds(
        &self,
        buf: &mut [u8],
        fds: &mut std::collections::VecDeque<std::os::fd::OwnedFd>,
    ) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => crate::passed_fds::recv_with_fds(s, buf, fds),
            _ => self.read(buf),
        }
    }

    /// Reads what is available (`WouldBlock` when nothing is).
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => (&*s).read(buf),
            Stream::Tcp(s) => (&*s).read(buf),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.read(buf),
        }
    }

    /// Writes all of `data`, waiting for the socket to drain when it is full.
    pub fn write_all(&self, mut data: &[u8]) -> Result<()> {
        while !data.is_empty() {
            let r = match self {
                Stream::Unix(s) => (&*s).write(data),
                Stream::Tcp(s) => (&*s).write(data),
                #[cfg(feature = "tls")]
                Stream::Tls(s) => return s.write_all(data),
            };
            match r {
                Ok(0) => {
                    return Err(Error::new(
                        ErrorCode::SystemError,
                        ErrorDomain::Rpc,
                        "End of file while writing data",
                    ));
                }
                Ok(n) => data = &data[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    poll(self.as_raw_fd(), libc::POLLOUT, Duration::from_millis(500));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(system_error("Cannot write data".into(), &e)),
            }
        }
        Ok(())
    }

    /// Writes what the socket takes now, never waiting: the count written, 0 when it
    /// takes nothing. (TLS encrypts all of `data` and waits for the socket to take
    /// the records, as [`Stream::write_all`] does.)
    pub fn write_some(&self, data: &[u8]) -> Result<usize> {
        loop {
            let r = match self {
                Stream::Unix(s) => (&*s).write(data),
                Stream::Tcp(s) => (&*s).write(data),
                #[cfg(feature = "tls")]
                Stream::Tls(s) => return s.write_all(data).map(|()| data.len()),
            };
            match r {
                Ok(0) if !data.is_empty() => {
                    return Err(Error::new(
                        ErrorCode::SystemError,
                        ErrorDomain::Rpc,
                        "End of file while writing data",
                    ));
                }
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(0),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(system_error("Cannot write data".into(), &e)),
            }
        }
    }

    /// Shuts both directions down; a thread blocked in [`poll`] wakes up.
    pub fn shutdown(&self) {
        let _ = match self {
            Stream::Unix(s) => s.shutdown(Shutdown::Both),
            Stream::Tcp(s) => s.shutdown(Shutdown::Both),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => {
                s.shutdown();
                Ok(())
            }
        };
    }
}

fn tcp(host: &str, port: u16) -> Result<TcpStream> {
    let s = TcpStream::connect((host, port)).map_err(|e| {
        system_error(
            format!("unable to connect to server at '{host}:{port}'"),
            &e,
        )
    })?;
    let _ = s.set_nodelay(true);
    Ok(s)
}

/// Connects, runs the TLS handshake and waits for libvirt's check byte.
#[cfg(feature = "tls")]
fn tls(
    host: &str,
    port: u16,
    pkipath: &Option<std::path::PathBuf>,
    no_verify: bool,
) -> Result<Stream> {
    let settings = crate::tls::Settings {
        pkipath: pkipath.clone(),
        no_verify,
    };
    // Credentials first: a missing CA fails before any connection.
    let config = crate::tls::client_config(&settings)?;
    let name = crate::tls::server_name(host)?;
    let sock = tcp(host, port)?;
    sock.set_nonblocking(true)
        .map_err(|e| system_error("Cannot set socket non-blocking".into(), &e))?;
    let stream = crate::tls::TlsStream::connect(sock, config, name)?;
    Ok(Stream::Tls(Box::new(stream)))
}

#[cfg(not(feature = "tls"))]
fn tls(host: &str, port: u16, _: &Option<std::path::PathBuf>, _: bool) -> Result<Stream> {
    Err(Error::new(
        ErrorCode::NoSupport,
        ErrorDomain::Remote,
        format!(
            "cannot connect to {host}:{port} over TLS: rvirt's remote driver was built without the `tls` feature"
        ),
    ))
}

impl AsRawFd for Stream {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            Stream::Unix(s) => s.as_raw_fd(),
            Stream::Tcp(s) => s.as_raw_fd(),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.as_raw_fd(),
        }
    }
}

/// Waits up to `timeout` for `events` (plus errors/hangup) on `fd`; true if any is pending.
pub fn poll(fd: RawFd, events: libc::c_short, timeout: Duration) -> bool {
    let mut pfd = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: `pfd` is a valid, initialised pollfd and we pass a count of exactly one.
    let n = unsafe { libc::poll(&mut pfd, 1, ms) };
    n > 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    #[test]
    fn connect_failure_is_a_system_error() {
        let e = Stream::connect(&Endpoint::Unix("/nonexistent/rvirt-sock".into())).unwrap_err();
        assert_eq!(e.code(), ErrorCode::SystemError);
        assert_eq!(e.domain(), ErrorDomain::Rpc);
        assert!(e.to_string().contains("/nonexistent/rvirt-sock"), "{e}");
    }

    #[test]
    fn nonblocking_read_and_write() {
        let dir = std::env::temp_dir().join(format!("rvirt-remote-sock-{}", std::process::id()));
        let _ = std::fs::remove_file(&dir);
        let listener = UnixListener::bind(&dir).unwrap();
        let s = Stream::connect(&Endpoint::Unix(dir.clone())).unwrap();
        let (mut peer, _) = listener.accept().unwrap();
        let mut buf = [0u8; 8];
        let e = s.read(&mut buf).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
        assert!(!poll(s.as_raw_fd(), libc::POLLIN, Duration::ZERO));
        s.write_all(b"ping").unwrap();
        let mut got = [0u8; 4];
        peer.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"ping");
        peer.write_all(b"pong").unwrap();
        assert!(poll(s.as_raw_fd(), libc::POLLIN, Duration::from_secs(5)));
        assert_eq!(s.read(&mut buf).unwrap(), 4);
        drop(peer);
        assert!(poll(s.as_raw_fd(), libc::POLLIN, Duration::from_secs(5)));
        assert_eq!(s.read(&mut buf).unwrap(), 0);
        std::fs::remove_file(&dir).unwrap();
    }
}
