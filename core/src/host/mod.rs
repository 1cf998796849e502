//! Facts about the host every driver that runs guests here reports the same way
//! (libvirt's `virhostcpu`/`virhostmem`): CPUs, memory, NUMA cells and their
//! statistics, read from `/proc` and `/sys` on each call.

pub mod capabilities;
pub mod free_pages;
pub mod memory_params;
pub mod node;
pub mod node_stats;
pub mod nodeinfo;
