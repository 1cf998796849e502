//! Memory devices: `<memory>` (DIMMs, NVDIMMs, virtio-mem, …) and `<shmem>`.

use super::common::{Acpi, Address, Alias};
use crate::xml::Element;

xml_struct! {
    /// `<memory>` device.
    #[derive(Default)]
    pub struct MemoryDevice {
        /// `model` (`dimm`, `nvdimm`, `virtio-pmem`, `virtio-mem`, `sgx-epc`).
        attr_req model: String = "model",
        /// `access` (`shared`, `private`).
        attr access: String = "access",
        /// `discard`.
        attr discard: String = "discard",
        /// `<uuid>` (nvdimm on pSeries).
        text_child uuid: String = "uuid",
        /// `<source>`.
        child source: Element = "source",
        /// `<target>` (size, node, label, …).
        child target: Element = "target",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
    }
}

xml_struct! {
    /// `<shmem>`: an inter-VM shared memory device.
    #[derive(Default)]
    pub struct Shmem {
        /// `name`.
        attr_req name: String = "name",
        /// `role` (`master`, `peer`).
        attr role: String = "role",
        /// `<model type=…/>`.
        child model: Element = "model",
        /// `<size>`.
        child size: Element = "size",
        /// `<server path=…/>`.
        child server: Element = "server",
        /// `<msi>`.
        child msi: Element = "msi",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
    }
}
