//! `<memballoon>`: the memory balloon device and its statistics period.

use super::common::{Acpi, Address, Alias, VirtioDriver};
use crate::OnOff;

string_enum! {
    /// `<memballoon model=…>`.
    pub enum MemballoonModel ("memballoon model") {
        /// virtio-balloon.
        Virtio = "virtio",
        /// Xen balloon.
        Xen = "xen",
        /// No balloon.
        None = "none",
        /// virtio-balloon, transitional.
        VirtioTransitional = "virtio-transitional",
        /// virtio-balloon, modern only.
        VirtioNonTransitional = "virtio-non-transitional",
    }
}

xml_struct! {
    /// `<memballoon>`.
    pub struct Memballoon {
        /// `model`.
        attr_req model: MemballoonModel = "model",
        /// `autodeflate`.
        attr autodeflate: OnOff = "autodeflate",
        /// `freePageReporting`.
        attr free_page_reporting: OnOff = "freePageReporting",
        /// `<stats period=…/>`.
        child stats: BalloonStats = "stats",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
        /// `<driver>`.
        child driver: VirtioDriver = "driver",
    }
}

impl Memballoon {
    /// A balloon of `model` with nothing else set.
    pub fn new(model: MemballoonModel) -> Memballoon {
        Memballoon {
            model,
            autodeflate: None,
            free_page_reporting: None,
            stats: None,
            alias: None,
            acpi: None,
            address: None,
            driver: None,
            extra: crate::xml::Extra::default(),
        }
    }
}

xml_struct! {
    /// `<memballoon><stats/>`.
    #[derive(Default)]
    pub struct BalloonStats {
        /// `period` in seconds.
        attr_req period: u32 = "period",
    }
}
