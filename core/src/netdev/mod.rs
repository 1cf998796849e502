//! Host network devices as drivers shape them (libvirt's `util/virnetdev*`): what
//! more than one driver does to a host interface, so that no driver needs another.
//!
//! * [`bandwidth`]: QoS with `tc` on a tap or a bridge (libvirt's
//!   `virNetDevBandwidth*`), for the QEMU driver's taps and the network driver's
//!   bridges.
//! * [`command`]: running a host tool, bounded in time.

pub mod bandwidth;
pub mod command;
