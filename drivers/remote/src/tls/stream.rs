//! A TLS session over the client's non-blocking TCP socket, with the same shape as the
//! plain streams: `read` returns what is available (`WouldBlock` when nothing is),
//! `write_all` waits for the socket to drain. The rustls state sits behind a mutex
//! that is only held for the duration of one call, never across a wait for the server.
//!
//! [`TlsStream::connect`] runs the handshake and then waits for libvirt's check byte:
//! after the handshake the server checks the client certificate and sends one
//! encrypted `\x01` if it accepts it, or closes the connection. The client sends no RPC
//! call before that byte (libvirt: `virNetClientSetTLSSession` in `virnetclient.c`).

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::socket::poll;

/// How long the handshake and the check byte may take.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// The byte a libvirt server sends once it accepted the client.
const CHECK_BYTE: u8 = 1;

/// A TLS connection to the daemon.
#[derive(Debug)]
pub struct TlsStream {
    sock: TcpStream,
    conn: Mutex<ClientConnection>,
}

fn rpc(code: ErrorCode, message: String) -> Error {
    Error::new(code, ErrorDomain::Rpc, message)
}

/// What a step of the handshake is waiting for.
enum Need {
    Read,
    Write,
}

impl TlsStream {
    /// Runs the TLS handshake over the connected non-blocking `sock` and waits for the
    /// server's check byte.
    pub fn connect(
        sock: TcpStream,
        config: Arc<ClientConfig>,
        name: ServerName<'static>,
    ) -> Result<TlsStream> {
        let mut conn = ClientConnection::new(config, name)
            .map_err(|e| rpc(ErrorCode::InternalError, format!("TLS session: {e}")))?;
        let deadline = Instant::now() + HANDSHAKE_TIMEOUT;
        let failed =
            |e: rustls::Error| rpc(ErrorCode::AuthFailed, format!("TLS handshake failed: {e}"));
        while conn.is_handshaking() {
            if conn.wants_write() {
                step(&mut conn, &sock, Need::Write, deadline)?;
                continue;
            }
            if step(&mut conn, &sock, Need::Read, deadline)? == 0 {
                return Err(rpc(
                    ErrorCode::SystemError,
                    "TLS handshake failed: the server closed the connection".into(),
                ));
            }
            conn.process_new_packets().map_err(&failed)?;
        }
        // Our Finished message (TLS 1.3) may still be queued.
        while conn.wants_write() {
            step(&mut conn, &sock, Need::Write, deadline)?;
        }
        let confirmation = |detail: String| {
            rpc(
                ErrorCode::SystemError,
                format!("Unable to read TLS confirmation: {detail}"),
            )
        };
        let refused = || {
            rpc(
                ErrorCode::Rpc,
                "server verification (of our certificate or IP address) failed".into(),
            )
        };
        let mut byte = [0u8; 1];
        loop {
            match conn.reader().read(&mut byte) {
                Ok(1) if byte[0] == CHECK_BYTE => break,
                Ok(_) => return Err(refused()),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(confirmation(e.to_string())),
            }
            // At the end of the stream the reader reports a clean close (close_notify)
            // or a truncated one on the next turn.
            step(&mut conn, &sock, Need::Read, deadline)?;
            // A rejected client gets an alert (a TLS 1.3 client learns it only now).
            conn.process_new_packets()
                .map_err(|e| confirmation(e.to_string()))?;
        }
        Ok(TlsStream {
            sock,
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, ClientConnection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads available plaintext (`Ok(0)` at the end of the connection, `WouldBlock`
    /// when nothing is available).
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut conn = self.lock();
        loop {
            match conn.reader().read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
            if conn.read_tls(&mut &self.sock)? == 0 {
                return Ok(0);
            }
            if let Err(e) = conn.process_new_packets() {
                let _ = self.drain(&mut conn);
                return Err(io::Error::new(io::ErrorKind::InvalidData, e));
            }
            // A key update asks for an answer.
            self.drain(&mut conn)?;
        }
    }

    /// Encrypts and writes all of `data`, waiting for the socket to drain when it is full.
    pub fn write_all(&self, mut data: &[u8]) -> Result<()> {
        let mut conn = self.lock();
        let failed = |e: io::Error| rpc(ErrorCode::SystemError, format!("Cannot write data: {e}"));
        while !data.is_empty() {
            let n = conn.writer().write(data).map_err(failed)?;
            data = &data[n..];
            self.drain(&mut conn).map_err(failed)?;
        }
        Ok(())
    }

    /// Writes every queued TLS record, waiting for the socket when it is full.
    fn drain(&self, conn: &mut ClientConnection) -> io::Result<()> {
        while conn.wants_write() {
            match conn.write_tls(&mut &self.sock) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    poll(
                        self.sock.as_raw_fd(),
                        libc::POLLOUT,
                        Duration::from_millis(500),
                    );
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Sends close_notify if the socket takes it at once, then shuts the socket down.
    pub fn shutdown(&self) {
        let mut conn = self.lock();
        conn.send_close_notify();
        while conn.wants_write() {
            match conn.write_tls(&mut &self.sock) {
                Ok(n) if n > 0 => {}
                _ => break,
            }
        }
        let _ = self.sock.shutdown(Shutdown::Both);
    }
}

impl AsRawFd for TlsStream {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.as_raw_fd()
    }
}

/// One bounded I/O step of the handshake: waits until the socket is ready, then reads
/// ciphertext into `conn` (returning the count, 0 at EOF) or writes its records.
fn step(
    conn: &mut ClientConnection,
    sock: &TcpStream,
    need: Need,
    deadline: Instant,
) -> Result<usize> {
    loop {
        let r = match need {
            Need::Read => conn.read_tls(&mut &*sock),
            Need::Write => conn.write_tls(&mut &*sock),
        };
        match r {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(rpc(
                        ErrorCode::SystemError,
                        format!(
                            "TLS handshake with the server timed out after {}s",
                            HANDSHAKE_TIMEOUT.as_secs()
                        ),
                    ));
                }
                let events = match need {
                    Need::Read => libc::POLLIN,
                    Need::Write => libc::POLLOUT,
                };
                poll(
                    sock.as_raw_fd(),
                    events,
                    left.min(Duration::from_millis(500)),
                );
            }
            Err(e) => {
                return Err(rpc(
                    ErrorCode::SystemError,
                    format!("TLS handshake failed: {e}"),
                ));
            }
        }
    }
}
