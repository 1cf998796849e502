//! `<os>`: guest ABI, firmware, direct kernel boot, container init and boot order.

use crate::xml::{Element, Extra};
use crate::{ConfError, YesNo, codes, domains};

string_enum! {
    /// `<os><type>`: the guest ABI.
    pub enum OsType ("os type") {
        /// Full virtualisation.
        Hvm = "hvm",
        /// Container / process (LXC).
        Exe = "exe",
        /// Xen paravirtualisation.
        Xen = "xen",
        /// Xen paravirtualisation (old name).
        Linux = "linux",
        /// Xen PVH.
        Xenpvh = "xenpvh",
        /// User-mode Linux.
        Uml = "uml",
    }
}

string_enum! {
    /// `<boot dev=…/>`.
    pub enum BootDevice ("boot device") {
        /// Hard disk.
        Hd = "hd",
        /// Floppy.
        Fd = "fd",
        /// CD-ROM.
        Cdrom = "cdrom",
        /// Network (PXE).
        Network = "network",
    }
}

string_enum! {
    /// `<os firmware=…>`: firmware auto-selection.
    pub enum Firmware ("firmware") {
        /// Legacy BIOS.
        Bios = "bios",
        /// UEFI.
        Efi = "efi",
    }
}

xml_struct! {
    /// `<os>`.
    pub struct Os {
        /// `firmware` for firmware auto-selection.
        attr firmware: Firmware = "firmware",
        /// `<type>`.
        child_req os_type: OsTypeElement = "type",
        /// `<firmware>`: required and excluded firmware features.
        child firmware_features: Element = "firmware",
        /// `<loader>`.
        child loader: Loader = "loader",
        /// `<nvram>`.
        child nvram: Nvram = "nvram",
        /// `<kernel>`: direct kernel boot.
        text_child kernel: String = "kernel",
        /// `<initrd>`.
        text_child initrd: String = "initrd",
        /// `<cmdline>`: kernel command line.
        text_child cmdline: String = "cmdline",
        /// `<dtb>`: device tree.
        text_child dtb: String = "dtb",
        /// `<root>`: root device (Xen).
        text_child root: String = "root",
        /// `<acpi>` tables.
        child acpi: Element = "acpi",
        /// `<init>`: container init binary (`exe` guests).
        text_child init: String = "init",
        /// `<initarg>` elements: arguments of `init`.
        text_children init_args: String = "initarg",
        /// `<initenv name=…>` elements: environment of `init`.
        children init_env: Element = "initenv",
        /// `<initdir>`: working directory of `init`.
        text_child init_dir: String = "initdir",
        /// `<inituser>`.
        text_child init_user: String = "inituser",
        /// `<initgroup>`.
        text_child init_group: String = "initgroup",
        /// `<boot dev=…/>` elements, in boot order.
        children boot: Boot = "boot",
        /// `<bootmenu>`.
        child boot_menu: BootMenu = "bootmenu",
        /// `<bios useserial=… rebootTimeout=…/>`.
        child bios: Element = "bios",
        /// `<smbios mode=…/>`.
        child smbios: Smbios = "smbios",
    }
}

impl Os {
    /// An `<os>` with only `<type>value</type>`.
    ///
    /// ```
    /// use rvirt_conf::{Os, OsType};
    /// let os = Os::new(OsType::Hvm);
    /// assert_eq!(os.os_type.value, OsType::Hvm);
    /// ```
    pub fn new(value: OsType) -> Os {
        Os {
            firmware: None,
            os_type: OsTypeElement::new(value),
            firmware_features: None,
            loader: None,
            nvram: None,
            kernel: None,
            initrd: None,
            cmdline: None,
            dtb: None,
            root: None,
            acpi: None,
            init: None,
            init_args: Vec::new(),
            init_env: Vec::new(),
            init_dir: None,
            init_user: None,
            init_group: None,
            boot: Vec::new(),
            boot_menu: None,
            bios: None,
            smbios: None,
            extra: Extra::default(),
        }
    }
}

impl Default for Os {
    fn default() -> Os {
        Os::new(OsType::Hvm)
    }
}

xml_struct! {
    /// `<os><type arch=… machine=…>hvm</type>`.
    pub struct OsTypeElement {
        /// `arch` (`x86_64`, `i686`, `aarch64`, …).
        attr arch: String = "arch",
        /// `machine` (`pc`, `q35`, `pc-i440fx-8.2`, …).
        attr machine: String = "machine",
        /// The OS type.
        text_req value: OsType = "",
    }
}

impl OsTypeElement {
    /// `<type>value</type>`.
    pub fn new(value: OsType) -> OsTypeElement {
        OsTypeElement {
            arch: None,
            machine: None,
            value,
            extra: Extra::default(),
        }
    }
}

/// The error libvirt reports for an unknown `<os><type>`.
pub(crate) fn unknown_os_type(value: &str) -> ConfError {
    ConfError::Invalid {
        code: codes::CONFIG_UNSUPPORTED,
        domain: domains::DOMAIN,
        message: format!("unknown OS type '{value}'"),
    }
}

xml_struct! {
    /// `<os><loader>`.
    #[derive(Default)]
    pub struct Loader {
        /// `readonly`.
        attr readonly: YesNo = "readonly",
        /// `secure`.
        attr secure: YesNo = "secure",
        /// `stateless`.
        attr stateless: YesNo = "stateless",
        /// `type` (`rom`/`pflash`).
        attr loader_type: String = "type",
        /// `format`.
        attr format: String = "format",
        /// Firmware path.
        text path: String = "",
    }
}

xml_struct! {
    /// `<os><nvram>`.
    #[derive(Default)]
    pub struct Nvram {
        /// `template`.
        attr template: String = "template",
        /// `type` (network-backed NVRAM).
        attr nvram_type: String = "type",
        /// `format`.
        attr format: String = "format",
        /// `<source>` (network-backed NVRAM).
        child source: Element = "source",
        /// NVRAM file path.
        text path: String = "",
    }
}

xml_struct! {
    /// `<os><boot dev=…/>`.
    pub struct Boot {
        /// `dev`.
        attr_req dev: BootDevice = "dev",
    }
}

impl Boot {
    /// `<boot dev='dev'/>`.
    pub fn new(dev: BootDevice) -> Boot {
        Boot {
            dev,
            extra: Extra::default(),
        }
    }
}

xml_struct! {
    /// `<os><bootmenu enable=… timeout=…/>`.
    pub struct BootMenu {
        /// `enable`.
        attr_req enable: YesNo = "enable",
        /// `timeout` in milliseconds.
        attr timeout: u32 = "timeout",
    }
}

xml_struct! {
    /// `<os><smbios mode=…/>`.
    #[derive(Default)]
    pub struct Smbios {
        /// `mode` (`emulate`, `host`, `sysinfo`).
        attr_req mode: String = "mode",
    }
}
