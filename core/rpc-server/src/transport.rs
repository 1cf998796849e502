//! What lies between a client's socket and its frames: nothing (unix sockets, plain
//! TCP) or a TLS session ([`crate::tls`]). The client's watch callback hands it the
//! bytes it read and asks it to write pending output; the layer itself never blocks
//! and never touches the event loop.

use std::io::{self, Write};

use rvirt_rpc::{FrameDecoder, FrameError};

use crate::listener::Stream;
use crate::output::Output;

/// Plaintext handed to TLS per step (it cuts records of at most 16 KiB itself).
#[cfg(feature = "tls")]
const TLS_CHUNK: usize = 64 * 1024;

/// Why a client's input cannot be taken; the client is closed.
#[derive(Debug)]
pub enum InputError {
    /// A malformed packet (length word out of range).
    Frame(FrameError),
    /// A TLS failure: handshake, certificate, Distinguished Name or record.
    #[cfg(feature = "tls")]
    Tls(String),
}

/// The layer between one client's socket and its frame decoder and output buffer.
#[derive(Debug)]
pub enum Wire {
    /// Bytes go to and from the socket unchanged.
    Plain,
    /// A TLS session.
    #[cfg(feature = "tls")]
    Tls(Box<crate::tls::ServerSession>),
}

impl Wire {
    /// A new TLS client's layer: a session of `acceptor` waiting for the hello.
    #[cfg(feature = "tls")]
    pub fn tls(acceptor: &crate::tls::Acceptor) -> io::Result<Wire> {
        Ok(Wire::Tls(Box::new(
            acceptor.session().map_err(io::Error::other)?,
        )))
    }

    /// The Distinguished Name of the client certificate, once a TLS client was
    /// accepted.
    pub fn peer_dn(&self) -> Option<String> {
        match self {
            Wire::Plain => None,
            #[cfg(feature = "tls")]
            Wire::Tls(s) => s.peer_dn().map(str::to_string),
        }
    }

    /// Passes bytes read from the socket on to `decoder`, decrypting them first under
    /// TLS. `Ok(false)`: the client ended the TLS session (close_notify).
    pub fn receive(&mut self, data: &[u8], decoder: &mut FrameDecoder) -> Result<bool, InputError> {
        match self {
            Wire::Plain => decoder.feed(data).map(|()| true).map_err(InputError::Frame),
            #[cfg(feature = "tls")]
            Wire::Tls(session) => {
                let mut frame_error = None;
                let r = session.receive(data, &mut |plain| {
                    decoder.feed(plain).map_err(|e| {
                        let text = e.to_string();
                        frame_error = Some(e);
                        text
                    })
                });
                match (r, frame_error) {
                    (_, Some(e)) => Err(InputError::Frame(e)),
                    (Err(e), None) => Err(InputError::Tls(e)),
                    (Ok(open), None) => Ok(open),
                }
            }
        }
    }

    /// True while [`Wire::flush`] has something to write: output, or TLS records (a
    /// handshake message, the check byte, an alert).
    pub fn wants_write(&self, out: &Output) -> bool {
        match self {
            Wire::Plain => !out.is_empty(),
            #[cfg(feature = "tls")]
            Wire::Tls(s) => s.wants_write() || (s.is_confirmed() && !out.is_empty()),
        }
    }

    /// Writes as much pending output as the non-blocking socket takes (encrypting it
    /// first under TLS). Returns when nothing is left or the socket is full.
    pub fn flush(&mut self, stream: &mut Stream, out: &mut Output) -> io::Result<()> {
        match self {
            Wire::Plain => {
                while !out.is_empty() {
                    if let Some(fd) = out.due_fd() {
                        if !crate::fdpass::send_fd(stream, fd)? {
                            return Ok(());
                        }
                        out.fd_sent();
                        continue;
                    }
                    let front = out.front();
                    match write_some(stream, |w| w.write(front))? {
                        Some(n) => out.consume(n),
                        None => return Ok(()),
                    }
                }
                Ok(())
            }
            #[cfg(feature = "tls")]
            Wire::Tls(s) => loop {
                while s.wants_write() {
                    if write_some(stream, |w| s.write_tls(w))?.is_none() {
                        return Ok(());
                    }
                }
                if out.is_empty() || !s.is_confirmed() {
                    return Ok(());
                }
                let front = out.front();
                let n = s.encrypt(&front[..front.len().min(TLS_CHUNK)]);
                if n == 0 {
                    return Ok(());
                }
                out.consume(n);
            },
        }
    }

    /// True once the transport carries calls: at once for plain sockets, after the
    /// handshake and the check byte under TLS.
    pub fn is_established(&self) -> bool {
        match self {
            Wire::Plain => true,
            #[cfg(feature = "tls")]
            Wire::Tls(s) => s.is_confirmed(),
        }
    }

    /// Before the socket closes: a TLS session writes whatever records the socket takes
    /// right away — close_notify for an accepted client, the alert of a failed
    /// handshake; a client refused after its handshake gets nothing (as from libvirtd).
    pub fn goodbye(&mut self, stream: &mut Stream) {
        #[cfg(feature = "tls")]
        if let Wire::Tls(s) = self {
            s.close_notify();
            while s.wants_write() {
                match s.write_tls(stream) {
                    Ok(n) if n > 0 => {}
                    _ => break,
                }
            }
        }
        let _ = stream;
    }
}

/// One write attempt, retried on EINTR: `Some(n)` bytes written, `None` when the
/// socket is full.
fn write_some(
    stream: &mut Stream,
    mut write: impl FnMut(&mut dyn Write) -> io::Result<usize>,
) -> io::Result<Option<usize>> {
    loop {
        match write(stream) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => return Ok(Some(n)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}
