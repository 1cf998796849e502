//! Listening sockets (unix and TCP) and the connected [`Stream`]s they accept.

use std::fs;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

/// A non-blocking listening socket.
#[derive(Debug)]
pub enum Listener {
    /// A unix stream socket bound to `path`.
    Unix {
        /// The socket.
        sock: UnixListener,
        /// Its path, removed when the listener is dropped.
        path: PathBuf,
    },
    /// A TCP socket.
    Tcp(TcpListener),
}

impl Listener {
    /// Binds a unix socket at `path` with permissions `mode`. A stale socket file is
    /// replaced. The socket is bound under a temporary name, chmod-ed and renamed,
    /// so clients never see it with the wrong mode or before it listens.
    pub fn bind_unix(path: &Path, mode: u32) -> io::Result<Listener> {
        if let Ok(meta) = fs::symlink_metadata(path) {
            if !meta.file_type().is_socket() {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} exists and is not a socket", path.display()),
                ));
            }
            fs::remove_file(path)?;
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let _ = fs::remove_file(&tmp);
        let sock = UnixListener::bind(&tmp)?;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(mode))?;
        fs::rename(&tmp, path)?;
        sock.set_nonblocking(true)?;
        Ok(Listener::Unix {
            sock,
            path: path.to_path_buf(),
        })
    }

    /// Binds a TCP socket.
    pub fn bind_tcp(addr: SocketAddr) -> io::Result<Listener> {
        let sock = TcpListener::bind(addr)?;
        sock.set_nonblocking(true)?;
        Ok(Listener::Tcp(sock))
    }

    /// Accepts one pending connection as a non-blocking stream; `Ok(None)` when none
    /// is pending.
    pub fn accept(&self) -> io::Result<Option<Stream>> {
        let r = match self {
            Listener::Unix { sock, .. } => sock.accept().map(|(s, _)| Stream::Unix(s)),
            Listener::Tcp(sock) => sock.accept().map(|(s, _)| Stream::Tcp(s)),
        };
        match r {
            Ok(s) => {
                s.set_nonblocking()?;
                Ok(Some(s))
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Where this listener listens, for logs.
    pub fn describe(&self) -> String {
        match self {
            Listener::Unix { path, .. } => path.display().to_string(),
            Listener::Tcp(s) => match s.local_addr() {
                Ok(a) => format!("tcp {a}"),
                Err(_) => "tcp ?".into(),
            },
        }
    }

    /// Removes a unix socket's file (at shutdown; the watch may still hold the
    /// listener itself).
    pub fn remove_path(&self) {
        if let Listener::Unix { path, .. } = self {
            let _ = fs::remove_file(path);
        }
    }

    /// True for local (unix) sockets.
    pub fn is_local(&self) -> bool {
        matches!(self, Listener::Unix { .. })
    }
}

impl AsRawFd for Listener {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            Listener::Unix { sock, .. } => sock.as_raw_fd(),
            Listener::Tcp(sock) => sock.as_raw_fd(),
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.remove_path();
    }
}

/// A connected client socket.
#[derive(Debug)]
pub enum Stream {
    /// Unix stream socket.
    Unix(UnixStream),
    /// TCP stream.
    Tcp(TcpStream),
}

impl Stream {
    fn set_nonblocking(&self) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.set_nonblocking(true),
            Stream::Tcp(s) => {
                let _ = s.set_nodelay(true);
                s.set_nonblocking(true)
            }
        }
    }

    /// The kernel-verified identity of a unix socket peer (`None` on TCP, or if the
    /// kernel cannot tell).
    pub fn peer_cred(&self) -> Option<crate::peer::PeerCred> {
        match self {
            Stream::Unix(s) => crate::peer::peer_cred(s.as_raw_fd()).ok(),
            Stream::Tcp(_) => None,
        }
    }

    /// The peer's address on TCP (`None` on unix sockets).
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        match self {
            Stream::Unix(_) => None,
            Stream::Tcp(s) => s.peer_addr().ok(),
        }
    }

    /// Shuts both directions down, so the peer sees EOF at once.
    pub fn shutdown(&self) {
        let _ = match self {
            Stream::Unix(s) => s.shutdown(std::net::Shutdown::Both),
            Stream::Tcp(s) => s.shutdown(std::net::Shutdown::Both),
        };
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => s.read(buf),
            Stream::Tcp(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => s.write(buf),
            Stream::Tcp(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsRawFd for Stream {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            Stream::Unix(s) => s.as_raw_fd(),
            Stream::Tcp(s) => s.as_raw_fd(),
        }
    }
}
