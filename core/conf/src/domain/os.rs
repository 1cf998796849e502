//! `<os>`: guest ABI, firmware, direct kernel boot, container init and boot order.

use serde::{Deserialize, Serialize};

use crate::YesNo;

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

/// `<os>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Os {
    /// `firmware` (`bios`/`efi`) for firmware auto-selection.
    #[serde(rename = "@firmware", default, skip_serializing_if = "Option::is_none")]
    pub firmware: Option<String>,
    /// `<type>`.
    #[serde(rename = "type")]
    pub os_type: OsTypeElement,
    /// `<loader>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loader: Option<Loader>,
    /// `<nvram>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nvram: Option<Nvram>,
    /// `<kernel>`: direct kernel boot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel: Option<String>,
    /// `<initrd>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initrd: Option<String>,
    /// `<cmdline>`: kernel command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmdline: Option<String>,
    /// `<dtb>`: device tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtb: Option<String>,
    /// `<init>`: container init binary (`exe` guests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init: Option<String>,
    /// `<initarg>` elements: arguments of `init`.
    #[serde(rename = "initarg", default, skip_serializing_if = "Vec::is_empty")]
    pub init_args: Vec<String>,
    /// `<initdir>`: working directory of `init`.
    #[serde(rename = "initdir", default, skip_serializing_if = "Option::is_none")]
    pub init_dir: Option<String>,
    /// `<boot dev=…/>` elements, in boot order.
    #[serde(rename = "boot", default, skip_serializing_if = "Vec::is_empty")]
    pub boot: Vec<Boot>,
    /// `<bootmenu>`.
    #[serde(rename = "bootmenu", default, skip_serializing_if = "Option::is_none")]
    pub boot_menu: Option<BootMenu>,
    /// `<smbios mode=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smbios: Option<Smbios>,
}

/// `<os><type arch=… machine=…>hvm</type>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsTypeElement {
    /// `arch` (`x86_64`, `i686`, `aarch64`, …).
    #[serde(rename = "@arch", default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// `machine` (`pc`, `q35`, `pc-i440fx-8.2`, …).
    #[serde(rename = "@machine", default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<String>,
    /// The OS type.
    #[serde(rename = "$text")]
    pub value: OsType,
}

/// `<os><loader>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Loader {
    /// `readonly`.
    #[serde(rename = "@readonly", default, skip_serializing_if = "Option::is_none")]
    pub readonly: Option<YesNo>,
    /// `secure`.
    #[serde(rename = "@secure", default, skip_serializing_if = "Option::is_none")]
    pub secure: Option<YesNo>,
    /// `type` (`rom`/`pflash`).
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub loader_type: Option<String>,
    /// Firmware path.
    #[serde(rename = "$text", default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// `<os><nvram>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Nvram {
    /// `template`.
    #[serde(rename = "@template", default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// NVRAM file path.
    #[serde(rename = "$text", default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// `<os><boot dev=…/>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Boot {
    /// `dev`.
    #[serde(rename = "@dev")]
    pub dev: BootDevice,
}

/// `<os><bootmenu enable=… timeout=…/>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootMenu {
    /// `enable`.
    #[serde(rename = "@enable")]
    pub enable: YesNo,
    /// `timeout` in milliseconds.
    #[serde(rename = "@timeout", default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u32>,
}

/// `<os><smbios mode=…/>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Smbios {
    /// `mode` (`emulate`, `host`, `sysinfo`).
    #[serde(rename = "@mode")]
    pub mode: String,
}
