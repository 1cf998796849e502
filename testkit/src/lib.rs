//! # rvirt-testkit
//!
//! What rvirt's tests share, written once: temp directories ([`tmp`]), bounded child
//! processes ([`process`]), Debian's libvirt clients ([`clients`]), rvirtd as a real
//! process ([`daemon`]), a private libvirtd ([`libvirtd`]), network namespaces
//! ([`netns`]), virt-manager under Xvfb ([`virt_manager`]) and a throw-away PKI for TLS
//! ([`pki`]), a raw wire-protocol client ([`raw`]) and hex dumps of payloads
//! ([`bytes`]), guests for real QEMU ([`guests`]) and a real Linux guest
//! ([`linux_guest`]), the QEMU processes a test started ([`qemu`]), a stand-in QEMU for
//! monitor behaviour real QEMU never shows ([`stand_in`]), what a test reads off a
//! process or file ([`inspect`]), and the clean-up of an embedded driver ([`cleanup`]).
//!
//! Test code: it panics on failure rather than returning errors. A tool a test needs
//! and this machine lacks (virsh, QEMU, libvirtd) is a skip with a printed notice, and
//! a failure when `CI` is set.

pub mod bytes;
pub mod cleanup;
pub mod clients;
pub mod daemon;
pub mod disk_jobs;
pub mod guests;
pub mod inspect;
pub mod libvirtd;
pub mod linux_guest;
pub mod linux_guest_agent;
pub mod netns;
pub mod pki;
pub mod process;
pub mod qemu;
pub mod raw;
pub mod stand_in;
pub mod tmp;
pub mod virt_manager;

pub use bytes::hex;
pub use cleanup::{close_destroying, pid_files};
pub use clients::*;
pub use daemon::{Daemon, free_port};
pub use disk_jobs::{hda_job_info, hda_source, running_hda_guest};
pub use guests::*;
pub use inspect::*;
pub use libvirtd::Libvirtd;
pub use linux_guest::{LinuxGuest, linux_domain_xml, linux_guest};
pub use linux_guest_agent::linux_guest_with_agent;
pub use netns::{
    DnsmasqReaper, NetworkDaemon, enter_netns, enter_netns_with_sysfs, ip, libvirt_nwfilters,
};
pub use process::*;
pub use qemu::*;
pub use raw::{Raw, error_of};
pub use tmp::{TempDir, short_dir};
pub use virt_manager::{VirtManager, have_virt_manager, libvirt_errors};
