//! `<disk>`: disks, CD-ROMs, floppies and LUNs, with their driver, source, backing
//! chain, target and tuning.

use super::common::{Acpi, Address, Alias, BootOrder, NameAttr, TypeAttr};
use super::host_address::HostAddress;
use crate::model::XmlElement;
use crate::xml::{Element, Extra};
use crate::{ConfError, OnOff, YesNo};

string_enum! {
    /// `<disk type=…>` (and `<backingStore type=…>`).
    pub enum DiskType ("disk type") {
        /// Image file.
        File = "file",
        /// Host block device.
        Block = "block",
        /// Host directory exposed as a disk.
        Dir = "dir",
        /// Network protocol (nbd, iscsi, rbd, …).
        Network = "network",
        /// Storage pool volume.
        Volume = "volume",
        /// NVMe controller.
        Nvme = "nvme",
        /// vhost-user block backend.
        VhostUser = "vhostuser",
        /// vhost-vdpa block backend.
        VhostVdpa = "vhostvdpa",
    }
}

string_enum! {
    /// `<disk device=…>`.
    pub enum DiskDevice ("disk device") {
        /// Hard disk.
        Disk = "disk",
        /// CD-ROM.
        Cdrom = "cdrom",
        /// Floppy.
        Floppy = "floppy",
        /// SCSI LUN passthrough.
        Lun = "lun",
    }
}

string_enum! {
    /// `<target bus=…>` of a disk.
    pub enum DiskBus ("disk bus") {
        /// IDE.
        Ide = "ide",
        /// Floppy controller.
        Fdc = "fdc",
        /// SCSI.
        Scsi = "scsi",
        /// virtio-blk.
        Virtio = "virtio",
        /// Xen.
        Xen = "xen",
        /// USB storage.
        Usb = "usb",
        /// User-mode Linux (no longer used).
        Uml = "uml",
        /// SATA.
        Sata = "sata",
        /// SD card.
        Sd = "sd",
    }
}

string_enum! {
    /// `<driver cache=…>` of a disk.
    pub enum DiskCache ("disk cache mode") {
        /// The hypervisor's default.
        Default = "default",
        /// No host cache.
        None = "none",
        /// Write-through.
        Writethrough = "writethrough",
        /// Write-back.
        Writeback = "writeback",
        /// O_DIRECT and O_DSYNC.
        Directsync = "directsync",
        /// Ignore flushes.
        Unsafe = "unsafe",
    }
}

string_enum! {
    /// `<driver io=…>` of a disk.
    pub enum DiskIo ("disk io mode") {
        /// Native AIO.
        Native = "native",
        /// Thread pool.
        Threads = "threads",
        /// io_uring.
        IoUring = "io_uring",
    }
}

string_enum! {
    /// `<driver error_policy=…>` of a disk.
    pub enum DiskErrorPolicy ("disk error policy") {
        /// Pause the guest.
        Stop = "stop",
        /// Report to the guest.
        Report = "report",
        /// Ignore.
        Ignore = "ignore",
        /// Pause on ENOSPC, report others.
        Enospace = "enospace",
    }
}

string_enum! {
    /// `<driver discard=…>` of a disk.
    pub enum DiskDiscard ("disk discard mode") {
        /// Pass discards to the image.
        Unmap = "unmap",
        /// Ignore discards.
        Ignore = "ignore",
    }
}

string_enum! {
    /// `<driver detect_zeroes=…>` of a disk.
    pub enum DiskDetectZeroes ("disk detect_zeroes mode") {
        /// Off.
        Off = "off",
        /// Detect and write zeroes efficiently.
        On = "on",
        /// Detect and unmap.
        Unmap = "unmap",
    }
}

xml_struct! {
    /// `<disk>`.
    pub struct Disk {
        /// `type`.
        attr_def disk_type: DiskType = "type",
        /// `device` (libvirt's default is `disk`).
        attr device: DiskDevice = "device",
        /// `model` (virtio variants).
        attr model: String = "model",
        /// `rawio` (LUNs).
        attr rawio: YesNo = "rawio",
        /// `sgio` (LUNs).
        attr sgio: String = "sgio",
        /// `snapshot`.
        attr snapshot: String = "snapshot",
        /// `<driver>`.
        child driver: DiskDriver = "driver",
        /// `<auth>` (legacy place, before `<source>`).
        child auth: Element = "auth",
        /// `<source>` (absent for an empty CD-ROM).
        child source: DiskSource = "source",
        /// `<backingStore>`: the backing chain (empty element: none).
        child backing_store: BackingStore = "backingStore",
        /// `<backenddomain name=…/>` (Xen).
        child backend_domain: NameAttr = "backenddomain",
        /// `<geometry>`.
        child geometry: Element = "geometry",
        /// `<blockio>`.
        child blockio: Element = "blockio",
        /// `<mirror>`: the destination of a running block copy (live XML only).
        child mirror: Element = "mirror",
        /// `<target>`.
        child_req target: DiskTarget = "target",
        /// `<iotune>`.
        child iotune: Iotune = "iotune",
        /// `<readonly/>`.
        flag readonly: bool = "readonly",
        /// `<shareable/>`.
        flag shareable: bool = "shareable",
        /// `<transient>`.
        child transient: Element = "transient",
        /// `<serial>`.
        text_child serial: String = "serial",
        /// `<wwn>`.
        text_child wwn: String = "wwn",
        /// `<vendor>`.
        text_child vendor: String = "vendor",
        /// `<product>`.
        text_child product: String = "product",
        /// `<encryption>` (legacy place, outside `<source>`).
        child encryption: Element = "encryption",
        /// `<boot order=…/>`.
        child boot: BootOrder = "boot",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
    }
}

impl Disk {
    /// A disk of `disk_type` with target `dev` and nothing else set.
    ///
    /// ```
    /// use rvirt_conf::{Disk, DiskSource, DiskType};
    /// let mut d = Disk::new(DiskType::File, "vda");
    /// d.source = Some(DiskSource::file("/var/lib/images/g.qcow2"));
    /// assert_eq!(d.target.dev, "vda");
    /// ```
    pub fn new(disk_type: DiskType, dev: impl Into<String>) -> Disk {
        Disk {
            disk_type,
            device: None,
            model: None,
            rawio: None,
            sgio: None,
            snapshot: None,
            driver: None,
            auth: None,
            source: None,
            backing_store: None,
            backend_domain: None,
            geometry: None,
            blockio: None,
            mirror: None,
            target: DiskTarget {
                dev: dev.into(),
                ..DiskTarget::default()
            },
            iotune: None,
            readonly: false,
            shareable: false,
            transient: None,
            serial: None,
            wwn: None,
            vendor: None,
            product: None,
            encryption: None,
            boot: None,
            alias: None,
            acpi: None,
            address: None,
            extra: Extra::default(),
        }
    }

    /// The path of a local source (`file`, `dev`, `dir`), if any.
    pub fn source_path(&self) -> Option<&str> {
        let s = self.source.as_ref()?;
        s.file.as_deref().or(s.dev.as_deref()).or(s.dir.as_deref())
    }
}

xml_struct! {
    /// `<disk><driver/>`.
    #[derive(Default)]
    pub struct DiskDriver {
        /// `name` (`qemu`, …).
        attr name: String = "name",
        /// `type`: the image format (`raw`, `qcow2`, …).
        attr format: String = "type",
        /// `cache`.
        attr cache: DiskCache = "cache",
        /// `error_policy`.
        attr error_policy: DiskErrorPolicy = "error_policy",
        /// `rerror_policy`.
        attr rerror_policy: DiskErrorPolicy = "rerror_policy",
        /// `io`.
        attr io: DiskIo = "io",
        /// `ioeventfd`.
        attr ioeventfd: OnOff = "ioeventfd",
        /// `event_idx`.
        attr event_idx: OnOff = "event_idx",
        /// `copy_on_read`.
        attr copy_on_read: OnOff = "copy_on_read",
        /// `discard`.
        attr discard: DiskDiscard = "discard",
        /// `iothread`.
        attr iothread: u32 = "iothread",
        /// `detect_zeroes`.
        attr detect_zeroes: DiskDetectZeroes = "detect_zeroes",
        /// `queues`.
        attr queues: u32 = "queues",
        /// `queue_size`.
        attr queue_size: u32 = "queue_size",
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
    /// `<source>` of a disk or of a backing store.
    #[derive(Default)]
    pub struct DiskSource {
        /// `file` (type `file`).
        attr file: String = "file",
        /// `dev` (type `block`).
        attr dev: String = "dev",
        /// `dir` (type `dir`).
        attr dir: String = "dir",
        /// `protocol` (type `network`: `nbd`, `iscsi`, `rbd`, `http`, …).
        attr protocol: String = "protocol",
        /// `name` (type `network`: image or export name).
        attr name: String = "name",
        /// `query` (http/https).
        attr query: String = "query",
        /// `tls` (network).
        attr tls: YesNo = "tls",
        /// `tlsHostname` (network).
        attr tls_hostname: String = "tlsHostname",
        /// `pool` (type `volume`).
        attr pool: String = "pool",
        /// `volume` (type `volume`).
        attr volume: String = "volume",
        /// `mode` (type `volume`: `host`/`direct`).
        attr mode: String = "mode",
        /// `type` (type `nvme`: `pci`; vhostuser: `unix`).
        attr source_type: String = "type",
        /// `managed` (type `nvme`).
        attr managed: YesNo = "managed",
        /// `namespace` (type `nvme`).
        attr namespace: u32 = "namespace",
        /// `path` (type `vhostuser`).
        attr path: String = "path",
        /// `startupPolicy`.
        attr startup_policy: String = "startupPolicy",
        /// `index` (live XML of backing chains).
        attr index: u32 = "index",
        /// `<host>` elements (network).
        children hosts: DiskHost = "host",
        /// `<auth>`.
        child auth: Element = "auth",
        /// `<encryption>`.
        child encryption: Element = "encryption",
        /// `<reservations>`.
        child reservations: Element = "reservations",
        /// `<seclabel>` elements.
        children seclabels: Element = "seclabel",
        /// `<slices>`.
        child slices: Element = "slices",
        /// `<address>` (type `nvme`: the controller on the host).
        child address: HostAddress = "address",
    }
}

impl DiskSource {
    /// `<source file='path'/>`.
    pub fn file(path: impl Into<String>) -> DiskSource {
        DiskSource {
            file: Some(path.into()),
            ..DiskSource::default()
        }
    }

    /// `<source dev='path'/>`.
    pub fn dev(path: impl Into<String>) -> DiskSource {
        DiskSource {
            dev: Some(path.into()),
            ..DiskSource::default()
        }
    }
}

xml_struct! {
    /// `<source><host/>` of a network disk.
    #[derive(Default)]
    pub struct DiskHost {
        /// `name`.
        attr name: String = "name",
        /// `port`.
        attr port: String = "port",
        /// `transport` (`tcp`, `unix`, `rdma`).
        attr transport: String = "transport",
        /// `socket` (transport `unix`).
        attr socket: String = "socket",
    }
}

xml_struct! {
    /// `<backingStore>`: one layer of a backing chain; an empty element means the
    /// chain ends here.
    #[derive(Default)]
    pub struct BackingStore {
        /// `type`.
        attr store_type: DiskType = "type",
        /// `index` (live XML).
        attr index: u32 = "index",
        /// `<format type=…/>`.
        child format: TypeAttr = "format",
        /// `<source>`.
        child source: DiskSource = "source",
        /// The next layer.
        child backing_store: Box<BackingStore> = "backingStore",
    }
}

impl<T: XmlElement> XmlElement for Box<T> {
    fn from_element(el: Element) -> Result<Self, ConfError> {
        T::from_element(el).map(Box::new)
    }
    fn to_element(&self, name: &str) -> Element {
        (**self).to_element(name)
    }
}

xml_struct! {
    /// `<disk><target/>`.
    #[derive(Default)]
    pub struct DiskTarget {
        /// `dev`: the guest device name (`vda`, `hdc`, `sda`).
        attr_req dev: String = "dev",
        /// `bus`.
        attr bus: DiskBus = "bus",
        /// `tray` (CD-ROM, floppy).
        attr tray: String = "tray",
        /// `removable` (USB).
        attr removable: OnOff = "removable",
        /// `rotation_rate`.
        attr rotation_rate: u32 = "rotation_rate",
    }
}

xml_struct! {
    /// `<disk><iotune>`: I/O throttling, each limit a child element.
    #[derive(Default)]
    pub struct Iotune {
        /// `<total_bytes_sec>`.
        text_child total_bytes_sec: u64 = "total_bytes_sec",
        /// `<read_bytes_sec>`.
        text_child read_bytes_sec: u64 = "read_bytes_sec",
        /// `<write_bytes_sec>`.
        text_child write_bytes_sec: u64 = "write_bytes_sec",
        /// `<total_iops_sec>`.
        text_child total_iops_sec: u64 = "total_iops_sec",
        /// `<read_iops_sec>`.
        text_child read_iops_sec: u64 = "read_iops_sec",
        /// `<write_iops_sec>`.
        text_child write_iops_sec: u64 = "write_iops_sec",
        /// `<total_bytes_sec_max>`.
        text_child total_bytes_sec_max: u64 = "total_bytes_sec_max",
        /// `<read_bytes_sec_max>`.
        text_child read_bytes_sec_max: u64 = "read_bytes_sec_max",
        /// `<write_bytes_sec_max>`.
        text_child write_bytes_sec_max: u64 = "write_bytes_sec_max",
        /// `<total_iops_sec_max>`.
        text_child total_iops_sec_max: u64 = "total_iops_sec_max",
        /// `<read_iops_sec_max>`.
        text_child read_iops_sec_max: u64 = "read_iops_sec_max",
        /// `<write_iops_sec_max>`.
        text_child write_iops_sec_max: u64 = "write_iops_sec_max",
        /// `<size_iops_sec>`.
        text_child size_iops_sec: u64 = "size_iops_sec",
        /// `<group_name>`: disks sharing one throttle.
        text_child group_name: String = "group_name",
        /// `<total_bytes_sec_max_length>`: seconds the burst may last.
        text_child total_bytes_sec_max_length: u64 = "total_bytes_sec_max_length",
        /// `<read_bytes_sec_max_length>`: seconds the burst may last.
        text_child read_bytes_sec_max_length: u64 = "read_bytes_sec_max_length",
        /// `<write_bytes_sec_max_length>`: seconds the burst may last.
        text_child write_bytes_sec_max_length: u64 = "write_bytes_sec_max_length",
        /// `<total_iops_sec_max_length>`: seconds the burst may last.
        text_child total_iops_sec_max_length: u64 = "total_iops_sec_max_length",
        /// `<read_iops_sec_max_length>`: seconds the burst may last.
        text_child read_iops_sec_max_length: u64 = "read_iops_sec_max_length",
        /// `<write_iops_sec_max_length>`: seconds the burst may last.
        text_child write_iops_sec_max_length: u64 = "write_iops_sec_max_length",
    }
}

impl Default for DiskType {
    /// libvirt reads a `<disk>` without `type` as a file.
    fn default() -> Self {
        DiskType::File
    }
}
