//! What the host itself tells about a domain's QEMU and about the node, for
//! statistics: `/proc` for processes and threads ([`proc`]), `sched_getaffinity(2)`
//! ([`affinity`]), `/sys/devices/system` for NUMA memory and CPUs ([`node`]), and disk
//! image files ([`image`]), perf counters of QEMU ([`perf`]); the tap and macvtap devices of guest
//! NICs ([`tap`], [`macvtap`]) and the neighbours the host resolved ([`arp`]).

pub mod affinity;
pub mod arp;
pub mod image;
pub mod macvtap;
pub mod memory;
pub mod perf;
pub use rvirt_core::host::{node, node_stats, nodeinfo};
pub mod proc;
pub mod tap;
pub mod tap_stats;
pub mod vsock;

/// The most vCPUs a KVM guest may have here, as libvirt's `virHostCPUGetKVMMaxVCPUs`
/// asks the kernel (`KVM_CAP_MAX_VCPUS`, else `KVM_CAP_NR_VCPUS`, else 4).
pub fn kvm_max_vcpus() -> rvirt_core::Result<u32> {
    use std::os::fd::AsRawFd;
    /// `KVM_CHECK_EXTENSION`.
    const CHECK_EXTENSION: libc::c_ulong = 0xAE03;
    const CAP_NR_VCPUS: libc::c_ulong = 9;
    const CAP_MAX_VCPUS: libc::c_ulong = 66;
    let kvm = std::fs::File::open("/dev/kvm").map_err(|e| {
        rvirt_core::Error::new(
            rvirt_core::ErrorCode::SystemError,
            rvirt_core::ErrorDomain::None,
            format!("Unable to open /dev/kvm: {e}"),
        )
    })?;
    for cap in [CAP_MAX_VCPUS, CAP_NR_VCPUS] {
        // SAFETY: KVM_CHECK_EXTENSION takes an integer argument and returns one.
        let n = unsafe { libc::ioctl(kvm.as_raw_fd(), CHECK_EXTENSION, cap) };
        if n > 0 {
            return Ok(n as u32);
        }
    }
    Ok(4)
}
