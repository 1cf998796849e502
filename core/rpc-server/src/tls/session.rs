//! One TLS client, sans-io: ciphertext read from the socket goes in, plaintext for the
//! frame decoder comes out; plaintext replies go in, TLS records for the socket come
//! out. No I/O happens here, so the event loop keeps driving the socket.
//!
//! libvirt's TLS transport adds one step to plain TLS: once the handshake is done, the
//! server checks the client's certificate (present, chaining to the CA, not revoked,
//! its Distinguished Name on the allow-list) and, if it accepts it, sends a single
//! encrypted byte `\x01`. The libvirt client waits for it before its first RPC call; a
//! server that rejects the client closes the connection instead, without close_notify
//! (libvirt: `virNetServerClientCheckAccess` in `virnetserverclient.c`, and
//! `virNetClientSetTLSSession` in `virnetclient.c`, which reports "server verification
//! (of our certificate or IP address) failed" when the byte is not `\x01`).

use std::io::{self, Read, Write};
use std::sync::Arc;

use rustls::pki_types::UnixTime;
use rustls::server::danger::ClientCertVerifier;
use rustls::{ServerConfig, ServerConnection};

use super::dn::{subject_dn, wildcard_match};

/// What decides, after the handshake, whether a client is accepted.
#[derive(Debug)]
pub struct Gate {
    /// Verifies the certificate chain (CA, validity, CRL, client-auth purpose).
    pub verifier: Arc<dyn ClientCertVerifier>,
    /// Patterns the certificate's Distinguished Name must match; empty: any.
    pub allowed_dn: Vec<String>,
}

/// The byte the server sends after accepting the client's certificate.
pub const CHECK_BYTE: u8 = 1;

/// The TLS state of one client.
#[derive(Debug)]
pub struct ServerSession {
    conn: ServerConnection,
    gate: Arc<Gate>,
    confirmed: bool,
    peer_dn: Option<String>,
}

impl ServerSession {
    /// A session waiting for the client's hello.
    pub fn new(config: Arc<ServerConfig>, gate: Arc<Gate>) -> Result<Self, String> {
        let conn = ServerConnection::new(config).map_err(|e| e.to_string())?;
        Ok(ServerSession {
            conn,
            gate,
            confirmed: false,
            peer_dn: None,
        })
    }

    /// Feeds ciphertext read from the socket; the plaintext it carries is handed to
    /// `plain` in order. Returns `Ok(false)` once the client closed the session
    /// (close_notify). An error means the connection must be closed (whatever
    /// [`ServerSession::wants_write`] still holds is an alert for the client).
    pub fn receive(
        &mut self,
        mut data: &[u8],
        plain: &mut dyn FnMut(&[u8]) -> Result<(), String>,
    ) -> Result<bool, String> {
        let mut buf = [0u8; 16 * 1024];
        while !data.is_empty() {
            self.conn
                .read_tls(&mut data)
                .map_err(|e| format!("TLS: {e}"))?;
            let state = self.conn.process_new_packets().map_err(|e| {
                if self.confirmed {
                    format!("TLS: {e}")
                } else {
                    format!("TLS handshake failed: {e}")
                }
            })?;
            if !self.confirmed && !self.conn.is_handshaking() {
                self.confirm()?;
            }
            loop {
                match self.conn.reader().read(&mut buf) {
                    Ok(0) => return Ok(false),
                    Ok(n) => plain(&buf[..n])?,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(format!("TLS: {e}")),
                }
            }
            if state.peer_has_closed() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The handshake is over: check the client's certificate and Distinguished Name,
    /// then queue the check byte.
    fn confirm(&mut self) -> Result<(), String> {
        let chain = self.conn.peer_certificates().unwrap_or(&[]);
        let Some((cert, intermediates)) = chain.split_first() else {
            return Err("TLS client rejected: it sent no certificate".into());
        };
        self.gate
            .verifier
            .verify_client_cert(cert, intermediates, UnixTime::now())
            .map_err(|e| format!("TLS client rejected: {e}"))?;
        let dn = subject_dn(cert);
        let allowed = &self.gate.allowed_dn;
        if !allowed.is_empty()
            && !dn
                .as_deref()
                .is_some_and(|d| allowed.iter().any(|p| wildcard_match(p, d)))
        {
            return Err(format!(
                "TLS client rejected: its Distinguished Name '{}' is not on the list of allowed clients (--tls-allowed-dn)",
                dn.as_deref().unwrap_or("?")
            ));
        }
        self.conn
            .writer()
            .write_all(&[CHECK_BYTE])
            .map_err(|e| format!("TLS: {e}"))?;
        self.confirmed = true;
        self.peer_dn = dn;
        Ok(())
    }

    /// True once the client was accepted and the check byte queued: from then on
    /// plaintext can be sent.
    pub fn is_confirmed(&self) -> bool {
        self.confirmed
    }

    /// The client certificate's Distinguished Name, once accepted.
    pub fn peer_dn(&self) -> Option<&str> {
        self.peer_dn.as_deref()
    }

    /// Encrypts a prefix of `plain` and returns its length (0 before the client was
    /// accepted, or while too many TLS records wait for the socket).
    pub fn encrypt(&mut self, plain: &[u8]) -> usize {
        if !self.confirmed {
            return 0;
        }
        self.conn.writer().write(plain).unwrap_or(0)
    }

    /// True while TLS records wait to be written to the socket.
    pub fn wants_write(&self) -> bool {
        self.conn.wants_write()
    }

    /// Writes waiting TLS records to `w`.
    pub fn write_tls(&mut self, w: &mut dyn Write) -> io::Result<usize> {
        self.conn.write_tls(w)
    }

    /// Queues a close_notify alert, for an accepted client only: a rejected one is
    /// just disconnected, as libvirtd does.
    pub fn close_notify(&mut self) {
        if self.confirmed {
            self.conn.send_close_notify();
        }
    }
}
