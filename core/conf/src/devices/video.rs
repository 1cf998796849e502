//! `<video>`: the guest video adapter and its model.

use super::common::{Acpi, Address, Alias};
use crate::xml::{Element, Extra};
use crate::{OnOff, YesNo};

string_enum! {
    /// `<video><model type=…>`.
    pub enum VideoModelType (
        "video model",
        unknown = (crate::codes::CONFIG_UNSUPPORTED, crate::domains::DOMAIN, "unknown video model '{}'")
    ) {
        /// VGA.
        Vga = "vga",
        /// Cirrus Logic.
        Cirrus = "cirrus",
        /// VMware SVGA.
        Vmvga = "vmvga",
        /// Xen framebuffer.
        Xen = "xen",
        /// VirtualBox.
        Vbox = "vbox",
        /// QXL (SPICE).
        Qxl = "qxl",
        /// Parallels.
        Parallels = "parallels",
        /// virtio-gpu.
        Virtio = "virtio",
        /// Gop (bhyve).
        Gop = "gop",
        /// No video device.
        None = "none",
        /// Bochs display.
        Bochs = "bochs",
        /// RAM framebuffer.
        Ramfb = "ramfb",
    }
}

xml_struct! {
    /// `<video>`.
    #[derive(Default)]
    pub struct Video {
        /// `<driver>`.
        child driver: VideoDriver = "driver",
        /// `<model>`.
        child model: VideoModel = "model",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
    }
}

xml_struct! {
    /// `<video><driver/>`.
    #[derive(Default)]
    pub struct VideoDriver {
        /// `name` (`qemu`, `vhostuser`).
        attr name: String = "name",
        /// `vgaconf` (bhyve).
        attr vgaconf: String = "vgaconf",
        /// `iommu` (virtio).
        attr iommu: OnOff = "iommu",
        /// `ats` (virtio).
        attr ats: OnOff = "ats",
        /// `packed` (virtio).
        attr packed: OnOff = "packed",
        /// `page_per_vq` (virtio).
        attr page_per_vq: OnOff = "page_per_vq",
    }
}

xml_struct! {
    /// `<video><model/>`.
    #[derive(Default)]
    pub struct VideoModel {
        /// `type` (absent: the driver's default).
        attr model_type: VideoModelType = "type",
        /// `ram` (KiB).
        attr ram: u32 = "ram",
        /// `vram` (KiB).
        attr vram: u32 = "vram",
        /// `vram64` (KiB).
        attr vram64: u32 = "vram64",
        /// `vgamem` (KiB).
        attr vgamem: u32 = "vgamem",
        /// `heads`.
        attr heads: u32 = "heads",
        /// `primary`.
        attr primary: YesNo = "primary",
        /// `<acceleration>`.
        child acceleration: VideoAcceleration = "acceleration",
        /// `<resolution>`.
        child resolution: Element = "resolution",
    }
}

impl VideoModel {
    /// A model of `model_type` with nothing else set.
    pub fn new(model_type: VideoModelType) -> VideoModel {
        VideoModel {
            model_type: Some(model_type),
            ram: None,
            vram: None,
            vram64: None,
            vgamem: None,
            heads: None,
            primary: None,
            acceleration: None,
            resolution: None,
            extra: Extra::default(),
        }
    }
}

xml_struct! {
    /// `<video><model><acceleration/>`.
    #[derive(Default)]
    pub struct VideoAcceleration {
        /// `accel3d`.
        attr accel3d: YesNo = "accel3d",
        /// `accel2d`.
        attr accel2d: YesNo = "accel2d",
        /// `rendernode`.
        attr rendernode: String = "rendernode",
    }
}
