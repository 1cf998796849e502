//! rvirt remote driver: the Connect/Domain API, and the networks, storage, node devices,
//! interfaces, secrets and network filters of the daemon's host (every secondary driver
//! family, forwarded), over libvirt's remote protocol.
//!
//! URIs with a transport (`test+unix:///default`, `qemu+unix:///system?socket=PATH`,
//! `qemu+tcp://host:16509/system`, `qemu+tls://host/system`) are served by a daemon
//! speaking libvirt's RPC protocol (libvirtd, virtqemud, rvirtd). The client does what
//! libvirt's does: AUTH_LIST (and AUTH_POLKIT when the server asks for it),
//! CONNECT_SUPPORTS_FEATURE (keepalive when an event loop exists, event callbacks),
//! CONNECT_OPEN with the URI minus transport and client parameters, then one call per API
//! function (synchronous, or asynchronous: see below). The socket is watched on the
//! connection's event loop, so domain events arriving while the connection is idle reach
//! the user's callbacks; keepalive PINGs
//! are answered with PONGs. As libvirt's client, a connection with an event loop PINGs a
//! silent server (every 5 s, giving up after 5; see `Connect::set_keepalive` and
//! [`set_keepalive`]) and drops it when it stays silent. When the connection dies (EOF,
//! read error, keepalive timeout), `Connect::is_alive` turns false at once, calls in
//! flight fail with libvirt's error, later calls with "client socket is closed", the
//! connection's event callbacks are dropped and the close callback
//! (`Connect::register_close_callback`) runs on the event loop with the reason. `+ssh`, `+libssh(2)` and `+ext` are refused with
//! `VIR_ERR_NO_SUPPORT`.
//!
//! # Asynchronous calls
//!
//! The `_async` forms of the Connect/Domain operations (`Connect::lookup_domain_by_name_async`,
//! `Domain::info_async`, …; see `rvirt_core::api::Pending`) block no thread on a connection
//! with an event loop: the call is written at once (what the socket does not take is queued
//! and written by the socket's watch when it turns writable), and its reply, matched by
//! serial by the same reader that sorts events, completes the future from the event loop.
//! A per-call `Pending::timeout` fails the call with `VIR_ERR_OPERATION_TIMEOUT` while the
//! daemon stays silent; a reply that comes later is dropped. When the connection dies, calls
//! in flight fail with its error. Without an event loop, rvirt-core runs the blocking form
//! on a worker thread instead. Over `+tls`, a socket that does not take a record at once
//! is still waited for (rustls encrypts the whole call).
//!
//! ```no_run
//! # async fn f() -> rvirt_core::Result<()> {
//! use std::time::Duration;
//! let conn = rvirt_core::Connect::open("test+unix:///default?socket=/run/libvirt/libvirt-sock")?;
//! let dom = conn
//!     .lookup_domain_by_name_async("test")
//!     .timeout(Duration::from_secs(5))
//!     .await?;
//! println!("{:?}", dom.info_async().timeout(Duration::from_secs(5)).await?);
//! # Ok(()) }
//! ```
//!
//! # TLS (`+tls`, cargo feature `tls`, on by default)
//!
//! `+tls` (also the transport of a URI with a host and none named) connects to port
//! 16514 unless the URI names another, runs a TLS handshake (rustls, `ring` provider),
//! then waits for libvirt's check byte: the server sends one encrypted `\x01` once it
//! accepted the client's certificate, and closes the connection otherwise. The files
//! are libvirt's: with `?pkipath=DIR`, `DIR/cacert.pem` (required), `DIR/cacrl.pem`
//! (optional), `DIR/clientcert.pem` and `DIR/clientkey.pem` (presented when present);
//! without it `$HOME/.pki/libvirt/` for non-root users, then `/etc/pki/CA/cacert.pem`,
//! `/etc/pki/libvirt/clientcert.pem` and `/etc/pki/libvirt/private/clientkey.pem`. The
//! server certificate must chain to the CA and name the URI's host (DNS name or IP
//! address), unless `?no_verify=1`. The handshake and the check byte must complete
//! within 30 s. Failures come back as libvirt words them: a failed handshake is
//! `VIR_ERR_AUTH_FAILED` "TLS handshake failed: …", a refused client certificate
//! "Unable to read TLS confirmation: …" or "server verification (of our certificate or
//! IP address) failed". `tls_priority` is ignored.
//!
//! ```no_run
//! rvirt_driver_remote::register()?;
//! let conn = rvirt_core::Connect::open("test+unix:///default?socket=/run/libvirt/libvirt-sock")?;
//! for dom in conn.list_all_domains(Default::default())? {
//!     println!("{}", dom.name());
//! }
//! let tls = rvirt_core::Connect::open("qemu+tls://host.example/system?pkipath=/etc/rvirt/pki")?;
//! # drop(tls);
//! # Ok::<(), rvirt_core::Error>(())
//! ```

mod async_calls;
mod checkpoints;
mod client;
mod configuration;
mod connection;
mod control;
mod keepalive;
mod migration;
mod monitoring;
mod object_wire;
mod objects;
mod passed_fds;
mod save;
mod snapshots;
mod socket;
mod stream;
pub mod target;
#[cfg(feature = "tls")]
mod tls;
mod tuning;
mod wire;

use std::sync::{Arc, OnceLock};

use rvirt_core::Result;
use rvirt_core::driver::{Driver, DriverConnection, OpenContext, register_driver};
use rvirt_core::uri::Uri;

pub use connection::RemoteConnection;
pub use keepalive::{DEFAULT as DEFAULT_KEEPALIVE, set_keepalive};

/// The remote driver: accepts every remote URI (one with a transport or a host).
#[derive(Debug, Default)]
pub struct RemoteDriver;

impl Driver for RemoteDriver {
    fn name(&self) -> &'static str {
        "remote"
    }

    fn accepts(&self, uri: &Uri) -> bool {
        uri.is_remote()
    }

    fn open(&self, uri: &Uri, ctx: OpenContext) -> Result<Box<dyn DriverConnection>> {
        Ok(Box::new(RemoteConnection::open(uri, ctx)?))
    }
}

/// Adds the remote driver to rvirt-core's registry (idempotent). Local drivers refuse
/// remote URIs, so registration order does not matter.
pub fn register() -> Result<()> {
    static DRIVER: OnceLock<Arc<dyn Driver>> = OnceLock::new();
    register_driver(DRIVER.get_or_init(|| Arc::new(RemoteDriver)).clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_remote_uris_only() {
        let d = RemoteDriver;
        for (uri, remote) in [
            ("test+unix:///default", true),
            ("qemu+tcp://h:1/system", true),
            ("qemu+tls://h/system", true),
            ("qemu://host/system", true),
            ("test:///default", false),
            ("qemu:///system", false),
        ] {
            assert_eq!(d.accepts(&Uri::parse(uri).unwrap()), remote, "{uri}");
        }
        register().unwrap();
        register().unwrap();
        assert!(rvirt_core::driver::registered_drivers().contains(&"remote"));
    }
}
