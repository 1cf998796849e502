//! Choosing QEMU's accelerator.

use std::path::Path;

use rvirt_core::conf::DomainType;

/// Path of the KVM device.
pub const KVM_DEVICE: &str = "/dev/kvm";

/// A QEMU accelerator (`-accel NAME`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Accel {
    /// TCG, QEMU's portable binary translator.
    Tcg,
    /// Linux KVM.
    Kvm,
}

impl Accel {
    /// The name `-accel` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Accel::Tcg => "tcg",
            Accel::Kvm => "kvm",
        }
    }
}

/// True if `kvm_device` (normally [`KVM_DEVICE`]) can be opened read-write.
pub fn kvm_usable(kvm_device: &Path) -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(kvm_device)
        .is_ok()
}

/// KVM if the domain asks for it (`type='kvm'`) and `kvm_device` is usable, TCG
/// otherwise (always for `type='qemu'`).
///
/// libvirt refuses to start a `kvm` domain without KVM; the driver should check
/// `domain_type` itself if it wants that behaviour.
pub fn choose_accel(domain_type: DomainType, kvm_device: &Path) -> Accel {
    if domain_type == DomainType::Kvm && kvm_usable(kvm_device) {
        Accel::Kvm
    } else {
        Accel::Tcg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qemu_type_is_always_tcg() {
        assert_eq!(
            choose_accel(DomainType::Qemu, Path::new(KVM_DEVICE)),
            Accel::Tcg
        );
    }

    #[test]
    fn kvm_needs_an_openable_device() {
        let missing = Path::new("/nonexistent/kvm");
        assert!(!kvm_usable(missing));
        assert_eq!(choose_accel(DomainType::Kvm, missing), Accel::Tcg);
        // Any read-write openable file stands in for /dev/kvm.
        let dir = std::env::temp_dir().join(format!("rvirt-accel-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fake = dir.join("kvm");
        std::fs::write(&fake, b"").unwrap();
        assert_eq!(choose_accel(DomainType::Kvm, &fake), Accel::Kvm);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
