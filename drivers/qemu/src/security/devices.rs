//! The host devices a guest's QEMU opens below `/dev`: what its private `/dev`
//! ([`super::namespace`]) holds, as libvirt's `cgroup_device_acl` defaults plus the
//! devices the definition names.

use std::path::PathBuf;

use rvirt_core::conf::{CharDeviceType, Device, DiskType, DomainDef};

/// Every QEMU gets these (libvirt's default device list without the legacy
/// `/dev/rtc` and `/dev/hpet`, which QEMU does not open for a guest by default).
pub const DEFAULT_DEVICES: [&str; 6] = [
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/dev/ptmx",
];

/// `/dev/kvm`, for guests QEMU accelerates with KVM.
pub const KVM: &str = "/dev/kvm";

/// The paths below `/dev` QEMU opens for `def`: [`DEFAULT_DEVICES`], [`KVM`] when
/// `kvm`, and each device's ([`device_paths`]); duplicates removed, order kept.
pub fn guest_devices(def: &DomainDef, kvm: bool) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = DEFAULT_DEVICES.iter().map(PathBuf::from).collect();
    if kvm {
        out.push(KVM.into());
    }
    for p in def.devices().iter().flat_map(device_paths) {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// The paths below `/dev` one device makes QEMU open: a disk's source (block or
/// file), an rng's `random` backend (default `/dev/urandom`), a host-device
/// chardev's source.
pub fn device_paths(dev: &Device) -> Vec<PathBuf> {
    let paths: Vec<String> = match dev {
        Device::Disk(disk) => {
            let src = disk.source.as_ref();
            match disk.disk_type {
                DiskType::Block => src.and_then(|s| s.dev.clone()).into_iter().collect(),
                DiskType::File => src.and_then(|s| s.file.clone()).into_iter().collect(),
                _ => Vec::new(),
            }
        }
        Device::Rng(rng) => rng
            .backend
            .as_ref()
            .filter(|b| b.model == "random")
            .map(|b| {
                b.path
                    .as_deref()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .unwrap_or("/dev/urandom")
                    .to_owned()
            })
            .into_iter()
            .collect(),
        Device::Serial(c) | Device::Console(c) | Device::Parallel(c) | Device::Channel(c)
            if c.char_type == CharDeviceType::Dev =>
        {
            c.sources.iter().filter_map(|s| s.path.clone()).collect()
        }
        _ => Vec::new(),
    };
    paths
        .into_iter()
        .map(PathBuf::from)
        .filter(|p| super::namespace::below_dev(p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_kvm_block_disks_rng_and_host_chardevs() {
        let def = DomainDef::from_xml(
            "<domain type='kvm'><name>a</name><memory>1024</memory><os><type>hvm</type></os>\
             <devices>\
             <disk type='block' device='disk'><source dev='/dev/sdz'/><target dev='vda'/></disk>\
             <disk type='file' device='disk'><source file='/var/a.img'/><target dev='vdb'/></disk>\
             <rng model='virtio'><backend model='random'>/dev/hwrng</backend></rng>\
             <rng model='virtio'><backend model='random'/></rng>\
             <serial type='dev'><source path='/dev/ttyS7'/></serial>\
             <serial type='pty'/>\
             </devices></domain>",
        )
        .unwrap();
        let got = guest_devices(&def, true);
        let want: Vec<PathBuf> = DEFAULT_DEVICES
            .iter()
            .chain(&[KVM, "/dev/sdz", "/dev/ttyS7", "/dev/hwrng"])
            .map(PathBuf::from)
            .collect();
        assert_eq!(got, want);
        assert_eq!(guest_devices(&def, false).len(), want.len() - 1);
    }
}
