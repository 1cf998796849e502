//! What the QEMU driver carries out of a definition, checked at define and create so
//! that the rest is refused up front (`VIR_ERR_CONFIG_UNSUPPORTED` naming the element
//! or attribute) rather than accepted and ignored.

use std::sync::OnceLock;

use rvirt_core::Result;
use rvirt_core::conf::{ConfError, DomainDef, Support, UnsupportedKind};

use super::{RuntimeOptions, build_args, unsupported};

/// The parts of domain XML [`build_args`] turns into QEMU arguments (or that need
/// none), as paths below `<domain>`.
const SUPPORTED: &[&str] = &[
    "@type",
    "@id",
    "name",
    "uuid",
    "title",
    "description",
    "metadata/**",
    "memory",
    "memory/@unit",
    "currentMemory",
    "currentMemory/@unit",
    "vcpu",
    "vcpu/@placement",
    "vcpu/@current",
    "os",
    "os/type",
    "os/type/@arch",
    "os/type/@machine",
    "os/kernel",
    "os/initrd",
    "os/cmdline",
    "os/boot",
    "os/boot/@dev",
    "features",
    "features/acpi",
    "features/apic",
    "features/pae",
    "cpu",
    "cpu/topology",
    "cpu/topology/@*",
    "clock",
    "clock/@offset",
    "on_poweroff",
    "on_reboot",
    "on_crash",
    "devices",
    "devices/emulator",
    "devices/disk",
    "devices/disk/@type",
    "devices/disk/@device",
    "devices/disk/driver",
    "devices/disk/driver/@name",
    "devices/disk/driver/@type",
    "devices/disk/source",
    "devices/disk/source/@file",
    "devices/disk/source/@dev",
    "devices/disk/backingStore",
    "devices/disk/target",
    "devices/disk/target/@dev",
    "devices/disk/target/@bus",
    "devices/disk/readonly",
    "devices/disk/serial",
    "devices/disk/boot",
    "devices/disk/boot/@order",
    "devices/disk/alias",
    "devices/disk/alias/@name",
    "devices/disk/address",
    "devices/disk/address/@*",
    "devices/controller",
    "devices/controller/@type",
    "devices/controller/@index",
    "devices/controller/@model",
    "devices/controller/alias",
    "devices/controller/alias/@name",
    "devices/memballoon",
    "devices/memballoon/@model",
    "devices/memballoon/alias",
    "devices/memballoon/alias/@name",
    "devices/memballoon/stats",
    "devices/memballoon/stats/@period",
    "devices/input",
    "devices/input/@type",
    "devices/input/@bus",
    "devices/input/alias",
    "devices/input/alias/@name",
    "devices/serial",
    "devices/serial/@type",
    "devices/serial/source",
    "devices/serial/source/@path",
    "devices/serial/source/@append",
    "devices/serial/log",
    "devices/serial/log/@*",
    "devices/serial/target",
    "devices/serial/target/@type",
    "devices/serial/target/@port",
    "devices/serial/target/model",
    "devices/serial/target/model/@name",
    "devices/serial/alias",
    "devices/serial/alias/@name",
    "devices/console",
    "devices/console/@type",
    "devices/console/source",
    "devices/console/source/@path",
    "devices/console/source/@append",
    "devices/console/log",
    "devices/console/log/@*",
    "devices/console/target",
    "devices/console/target/@type",
    "devices/console/target/@port",
    "devices/console/alias",
    "devices/console/alias/@name",
    "devices/interface",
    "devices/interface/@type",
    "devices/interface/mac",
    "devices/interface/mac/@address",
    "devices/interface/source",
    "devices/interface/source/@network",
    "devices/interface/source/@bridge",
    "devices/interface/target",
    "devices/interface/target/@dev",
    "devices/interface/model",
    "devices/interface/model/@type",
    "devices/interface/alias",
    "devices/interface/alias/@name",
    "devices/graphics",
    "devices/graphics/@type",
    "devices/graphics/@port",
    "devices/graphics/@autoport",
    "devices/graphics/@listen",
    "devices/graphics/listen",
    "devices/graphics/listen/@type",
    "devices/graphics/listen/@address",
    "devices/video",
    "devices/video/model",
    "devices/video/model/@type",
    "devices/video/model/@heads",
    "devices/video/model/@primary",
    "devices/video/alias",
    "devices/video/alias/@name",
];

fn support() -> &'static Support {
    static S: OnceLock<Support> = OnceLock::new();
    S.get_or_init(|| Support::new(SUPPORTED))
}

/// Refuses a definition (after libvirt's post-parse) that this driver cannot run as
/// written: an element or attribute it does not carry out, or a value it does not
/// support (the checks of [`build_args`]).
pub fn check_supported(def: &DomainDef) -> Result<()> {
    if let Some(ConfError::Unsupported { path, kind }) = def.unsupported_part(support()) {
        return Err(unsupported(match kind {
            UnsupportedKind::Attribute(a) => {
                format!("attribute '{a}' of <{path}> is not supported by the QEMU driver yet")
            }
            _ => format!("<{path}> is not supported by the QEMU driver yet"),
        }));
    }
    build_args(def, &RuntimeOptions::new(3)).map(|_| ())
}
