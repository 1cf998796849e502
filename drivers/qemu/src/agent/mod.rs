//! The QEMU guest agent's protocol (qemu-ga on a virtio-serial port): a sans-io codec
//! ([`AgentCodec`]) that opens every command with `guest-sync-delimited` and reads the
//! reply after the agent's 0xFF delimiter, as libvirt does; replies are bounded.

mod codec;

pub use codec::{AgentCodec, AgentError, AgentOutput, DEFAULT_MAX_REPLY};

#[cfg(test)]
mod tests;
