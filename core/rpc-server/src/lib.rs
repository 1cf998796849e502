//! The server side of libvirt's remote protocol.

pub mod keepalive;
pub mod listener;
pub mod log;
pub mod output;
pub mod peer;
pub mod pki;
#[cfg(feature = "tls")]
pub mod tls;
pub mod transport;
pub mod workers;
