//! The server side of libvirt's remote protocol.

mod accept;
pub mod client;
mod ctx;
pub mod error;
mod host;
pub mod keepalive;
pub mod listener;
pub mod log;
pub mod output;
pub mod peer;
pub mod pki;
pub mod program;
mod registry;
pub mod server;
pub mod service;
mod timers;
#[cfg(feature = "tls")]
pub mod tls;
pub mod transport;
pub mod workers;

pub use client::Client;
pub use ctx::Ctx;
pub use error::{CallError, CallResult};
pub use host::{ClientState, Programs};
pub use program::{Procedure, Program, allow_all};
pub use registry::Registry;
pub use server::{ClientLimits, LimitsError, Server};
pub use service::{Service, Transport};
