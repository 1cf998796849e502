//! What the host itself tells about a domain's QEMU and about the node, for
//! statistics: `/proc` for processes and threads ([`proc`]), `sched_getaffinity(2)`
//! ([`affinity`]), `/sys/devices/system` for NUMA memory and CPUs ([`node`]), and disk
//! image files ([`image`]); and the tap and macvtap devices of guest NICs ([`tap`], [`macvtap`]).

pub mod affinity;
pub mod image;
pub mod macvtap;
pub mod memory;
pub use rvirt_core::host::{node, node_stats, nodeinfo};
pub mod proc;
pub mod tap;
pub mod tap_stats;
pub mod vsock;
