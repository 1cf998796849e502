//! rvirt's cross-crate scenarios live in this crate's `tests/`: real clients (Debian's
//! virsh, virt-admin, python3-libvirt) against rvirtd, with real QEMU guests. Each
//! crate keeps the tests of its own behaviour; what needs several crates together is
//! here. Shared fixtures come from `rvirt-testkit`; rvirtd runs as the binary cargo
//! built next to the test executable (`rvirt_testkit::daemon::binary`).
//!
//! - `no_client.rs`: the daemon's QEMU state follows a guest with no client connected
//!   (a guest that powers itself off is reaped, a reboot completes).
//! - `qemu_through_rvirtd.rs`: virsh defines and starts a real guest through rvirtd and
//!   `virsh event` sees its whole lifecycle.
//! - `daemon_faults.rs`: rvirtd killed with SIGKILL while guests run, restarted, finds
//!   every guest again and its events resume.
