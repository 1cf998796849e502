//! `<filesystem>`: host directories, images and RAM file systems shared with the
//! guest (LXC mounts, virtiofs, 9p).

use super::common::{Acpi, Address, Alias, BootOrder};
use crate::OnOff;
use crate::xml::{Element, Extra};

string_enum! {
    /// `<filesystem type=…>`.
    pub enum FilesystemType ("filesystem type") {
        /// Host directory.
        Mount = "mount",
        /// Host block device.
        Block = "block",
        /// Image file.
        File = "file",
        /// OpenVZ template.
        Template = "template",
        /// RAM file system.
        Ram = "ram",
        /// Bind mount inside the guest.
        Bind = "bind",
        /// Storage volume.
        Volume = "volume",
    }
}

xml_struct! {
    /// `<filesystem>`.
    pub struct Filesystem {
        /// `type` (libvirt's default is `mount`).
        attr fs_type: FilesystemType = "type",
        /// `accessmode` (`passthrough`, `mapped`, `squash`).
        attr accessmode: String = "accessmode",
        /// `model` (virtio variants).
        attr model: String = "model",
        /// `multidevs`.
        attr multidevs: String = "multidevs",
        /// `fmode`.
        attr fmode: String = "fmode",
        /// `dmode`.
        attr dmode: String = "dmode",
        /// `<driver>`.
        child driver: FilesystemDriver = "driver",
        /// `<binary>` (virtiofsd).
        child binary: Element = "binary",
        /// `<source>`.
        child source: FilesystemSource = "source",
        /// `<target dir=…/>`.
        child_req target: FilesystemTarget = "target",
        /// `<readonly/>`.
        flag readonly: bool = "readonly",
        /// `<space_hard_limit>`.
        child space_hard_limit: Element = "space_hard_limit",
        /// `<space_soft_limit>`.
        child space_soft_limit: Element = "space_soft_limit",
        /// `<boot>`.
        child boot: BootOrder = "boot",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
    }
}

impl Filesystem {
    /// A `type='mount'` filesystem exposing host directory `dir` at `target`.
    ///
    /// ```
    /// use rvirt_conf::Filesystem;
    /// let fs = Filesystem::mount("/srv/c1", "/");
    /// assert_eq!(fs.target.dir, "/");
    /// ```
    pub fn mount(dir: impl Into<String>, target: impl Into<String>) -> Filesystem {
        Filesystem {
            fs_type: Some(FilesystemType::Mount),
            accessmode: None,
            model: None,
            multidevs: None,
            fmode: None,
            dmode: None,
            driver: None,
            binary: None,
            source: Some(FilesystemSource {
                dir: Some(dir.into()),
                ..FilesystemSource::default()
            }),
            target: FilesystemTarget {
                dir: target.into(),
                extra: Extra::default(),
            },
            readonly: false,
            space_hard_limit: None,
            space_soft_limit: None,
            boot: None,
            alias: None,
            acpi: None,
            address: None,
            extra: Extra::default(),
        }
    }
}

xml_struct! {
    /// `<filesystem><driver/>`.
    #[derive(Default)]
    pub struct FilesystemDriver {
        /// `type` (`path`, `handle`, `loop`, `nbd`, `ploop`, `virtiofs`).
        attr driver_type: String = "type",
        /// `format`.
        attr format: String = "format",
        /// `wrpolicy`.
        attr wrpolicy: String = "wrpolicy",
        /// `queue` (virtiofs).
        attr queue: u32 = "queue",
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
    /// `<filesystem><source/>`.
    #[derive(Default)]
    pub struct FilesystemSource {
        /// `dir` (mount, bind).
        attr dir: String = "dir",
        /// `file` (file).
        attr file: String = "file",
        /// `dev` (block).
        attr dev: String = "dev",
        /// `name` (template).
        attr name: String = "name",
        /// `usage` (ram).
        attr usage: u64 = "usage",
        /// `units` (ram).
        attr units: String = "units",
        /// `socket` (virtiofs).
        attr socket: String = "socket",
        /// `pool` (volume).
        attr pool: String = "pool",
        /// `volume` (volume).
        attr volume: String = "volume",
    }
}

xml_struct! {
    /// `<filesystem><target/>`.
    #[derive(Default)]
    pub struct FilesystemTarget {
        /// `dir`: mount point or virtiofs tag.
        attr_req dir: String = "dir",
    }
}
