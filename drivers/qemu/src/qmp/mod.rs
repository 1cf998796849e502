//! QMP, QEMU's JSON monitor protocol: a sans-io codec ([`QmpCodec`]), the decoded
//! [`Message`]s and typed [`QmpEvent`]s, plus a small blocking client
//! ([`QmpStream`]) over a UNIX socket for probes and tests; [`stats`] decodes the replies
//! of the queries behind domain statistics.

mod blocking;
mod codec;
mod error;
mod event;
mod message;
pub mod stats;

pub use blocking::QmpStream;
pub use codec::{DEFAULT_MAX_LINE, ID_PREFIX, QmpCodec};
pub use error::QmpError;
pub use event::{QmpAddress, QmpEvent, QmpGraphics};
pub use message::{Message, QemuVersion, Timestamp};

#[cfg(test)]
mod tests;
