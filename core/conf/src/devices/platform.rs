//! Platform devices: `<watchdog>`, `<panic>`, `<iommu>`, `<nvram>`, `<vsock>`,
//! `<crypto>` and `<lease>`.

use super::common::{Acpi, Address, Alias, VirtioDriver};
use crate::xml::Element;

xml_struct! {
    /// `<watchdog>`.
    #[derive(Default)]
    pub struct Watchdog {
        /// `model` (`i6300esb`, `ib700`, `diag288`, `itco`).
        attr_req model: String = "model",
        /// `action` (`reset`, `shutdown`, `poweroff`, `pause`, `none`, `dump`, `inject-nmi`).
        attr action: String = "action",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
    }
}

xml_struct! {
    /// `<panic>`: a guest crash notification device.
    #[derive(Default)]
    pub struct Panic {
        /// `model` (`isa`, `pseries`, `hyperv`, `s390`, `pvpanic`).
        attr model: String = "model",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<address>`.
        child address: Address = "address",
    }
}

xml_struct! {
    /// `<iommu>`.
    #[derive(Default)]
    pub struct Iommu {
        /// `model` (`intel`, `smmuv3`, `virtio`).
        attr_req model: String = "model",
        /// `<driver>` (`intremap`, `caching_mode`, `eim`, `iotlb`, `aw_bits`).
        child driver: Element = "driver",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
    }
}

xml_struct! {
    /// `<nvram>` device (sPAPR).
    #[derive(Default)]
    pub struct NvramDevice {
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<address>`.
        child address: Address = "address",
    }
}

xml_struct! {
    /// `<vsock>`.
    #[derive(Default)]
    pub struct Vsock {
        /// `model` (`virtio`, …).
        attr model: String = "model",
        /// `<cid auto=… address=…/>`.
        child cid: Element = "cid",
        /// `<driver>`.
        child driver: VirtioDriver = "driver",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
    }
}

xml_struct! {
    /// `<crypto>`.
    #[derive(Default)]
    pub struct Crypto {
        /// `model` (`virtio`).
        attr_req model: String = "model",
        /// `type` (`qemu`).
        attr_req crypto_type: String = "type",
        /// `<backend>`.
        child backend: Element = "backend",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
    }
}

xml_struct! {
    /// `<lease>`: a lock manager lease.
    #[derive(Default)]
    pub struct Lease {
        /// `<lockspace>`.
        text_child lockspace: String = "lockspace",
        /// `<key>`.
        text_child key: String = "key",
        /// `<target path=… offset=…/>`.
        child target: Element = "target",
    }
}
