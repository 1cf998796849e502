//! `<rng>` (random number generators) and `<tpm>` (trusted platform modules).

use super::common::{Acpi, Address, Alias, VirtioDriver};
use crate::xml::{Element, Extra};

xml_struct! {
    /// `<rng>`.
    pub struct Rng {
        /// `model` (`virtio`, `virtio-transitional`, `virtio-non-transitional`).
        attr_req model: String = "model",
        /// `<rate bytes=… period=…/>`.
        child rate: Element = "rate",
        /// `<backend>`.
        child backend: RngBackend = "backend",
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

impl Rng {
    /// A virtio RNG reading host device `path` (`/dev/urandom`).
    ///
    /// ```
    /// use rvirt_conf::Rng;
    /// let rng = Rng::virtio_random("/dev/urandom");
    /// assert_eq!(rng.backend.unwrap().path.as_deref(), Some("/dev/urandom"));
    /// ```
    pub fn virtio_random(path: impl Into<String>) -> Rng {
        Rng {
            model: "virtio".into(),
            rate: None,
            backend: Some(RngBackend {
                model: "random".into(),
                path: Some(path.into()),
                ..RngBackend::default()
            }),
            driver: None,
            alias: None,
            acpi: None,
            address: None,
            extra: Extra::default(),
        }
    }
}

xml_struct! {
    /// `<rng><backend>`.
    #[derive(Default)]
    pub struct RngBackend {
        /// `model` (`random`, `egd`, `builtin`).
        attr_req model: String = "model",
        /// `type` (egd: a character device type).
        attr backend_type: String = "type",
        /// The host device (model `random`).
        text path: String = "",
    }
}

xml_struct! {
    /// `<tpm>`.
    #[derive(Default)]
    pub struct Tpm {
        /// `model` (`tpm-tis`, `tpm-crb`, `tpm-spapr`, `spapr-tpm-proxy`).
        attr model: String = "model",
        /// `<backend>`.
        child backend: TpmBackend = "backend",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
    }
}

xml_struct! {
    /// `<tpm><backend>`.
    #[derive(Default)]
    pub struct TpmBackend {
        /// `type` (`passthrough`, `emulator`, `external`).
        attr_req backend_type: String = "type",
        /// `version` (`1.2`, `2.0`).
        attr version: String = "version",
        /// `persistent_state`.
        attr persistent_state: String = "persistent_state",
        /// `<device path=…/>` (passthrough).
        child device: Element = "device",
        /// `<encryption secret=…/>` (emulator).
        child encryption: Element = "encryption",
        /// `<source>` (external).
        child source: Element = "source",
        /// `<active_pcr_banks>` (emulator).
        child active_pcr_banks: Element = "active_pcr_banks",
    }
}
