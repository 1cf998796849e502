//! Whether a domain definition may replace another under a running or saved guest
//! (libvirt's `virDomainDefCheckABIStability`): what the guest sees must not change. A
//! save image's XML replaced by `virDomainSaveImageDefineXML`, or given to a save or a
//! restore, is checked this way before the guest's state is loaded under it.
//!
//! The checks are libvirt's first ones, with its words: the name, the UUID, the initial
//! memory, the maximum vCPUs, and the number of disks and of network cards. Changes
//! they do not catch (a device's model, say) are refused by the hypervisor when it loads
//! the state.

use crate::conf::{Device, DomainDef};
use crate::{Error, ErrorCode, ErrorDomain, Result};

fn mismatch(message: String) -> Error {
    Error::new(ErrorCode::ConfigUnsupported, ErrorDomain::Domain, message)
}

/// The number of devices of `def` that `pick` selects.
fn count(def: &DomainDef, pick: fn(&Device) -> bool) -> usize {
    def.devices().iter().filter(|d| pick(d)).count()
}

/// Refuses `dst` in place of `src` when what the guest sees differs, as libvirt words it
/// ("Target domain name 'b' does not match source 'a'").
///
/// ```
/// use rvirt_core::conf::DomainDef;
/// use rvirt_core::driver::check_abi_stability;
///
/// let xml = |name: &str, mem: u32| {
///     format!("<domain type='qemu'><name>{name}</name><memory>{mem}</memory>\
///              <os><type>hvm</type></os></domain>")
/// };
/// let src = DomainDef::from_xml(&xml("a", 65536)).unwrap();
/// assert!(check_abi_stability(&src, &DomainDef::from_xml(&xml("a", 65536)).unwrap()).is_ok());
/// let e = check_abi_stability(&src, &DomainDef::from_xml(&xml("b", 65536)).unwrap()).unwrap_err();
/// assert_eq!(e.to_string(), "unsupported configuration: Target domain name 'b' does not match source 'a'");
/// let e = check_abi_stability(&src, &DomainDef::from_xml(&xml("a", 131072)).unwrap()).unwrap_err();
/// assert!(e.message().contains("max memory 131072 does not match source 65536"), "{e}");
/// ```
pub fn check_abi_stability(src: &DomainDef, dst: &DomainDef) -> Result<()> {
    if src.name != dst.name {
        return Err(mismatch(format!(
            "Target domain name '{}' does not match source '{}'",
            dst.name, src.name
        )));
    }
    if let (Some(a), Some(b)) = (src.uuid, dst.uuid)
        && a != b
    {
        return Err(mismatch(format!(
            "Target domain uuid {} does not match source {}",
            b.hyphenated(),
            a.hyphenated()
        )));
    }
    if src.memory_kib() != dst.memory_kib() {
        return Err(mismatch(format!(
            "Target domain max memory {} does not match source {}",
            dst.memory_kib(),
            src.memory_kib()
        )));
    }
    if src.max_vcpus() != dst.max_vcpus() {
        return Err(mismatch(format!(
            "Target domain vCPU max {} does not match source {}",
            dst.max_vcpus(),
            src.max_vcpus()
        )));
    }
    let disks = |d: &Device| matches!(d, Device::Disk(_));
    let (a, b) = (count(src, disks), count(dst, disks));
    if a != b {
        return Err(mismatch(format!(
            "Target domain disk count {b} does not match source {a}"
        )));
    }
    let nets = |d: &Device| matches!(d, Device::Interface(_));
    let (a, b) = (count(src, nets), count(dst, nets));
    if a != b {
        return Err(mismatch(format!(
            "Target domain net card count {b} does not match source {a}"
        )));
    }
    Ok(())
}
