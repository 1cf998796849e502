//! `<input>`: mice, tablets, keyboards and passed-through input devices.

use super::common::{Acpi, Address, Alias, VirtioDriver};
use crate::xml::{Element, Extra};

string_enum! {
    /// `<input type=…>`.
    pub enum InputType (
        "input device type",
        unknown = (crate::codes::CONFIG_UNSUPPORTED, crate::domains::DOMAIN, "unknown input device type '{}'")
    ) {
        /// Mouse.
        Mouse = "mouse",
        /// Absolute-pointing tablet.
        Tablet = "tablet",
        /// Keyboard.
        Keyboard = "keyboard",
        /// Host evdev device passed through with virtio-input-host.
        Passthrough = "passthrough",
        /// Host evdev device grabbed by the emulator.
        Evdev = "evdev",
    }
}

string_enum! {
    /// `<input bus=…>`.
    pub enum InputBus ("input bus") {
        /// PS/2.
        Ps2 = "ps2",
        /// USB.
        Usb = "usb",
        /// Xen.
        Xen = "xen",
        /// Parallels.
        Parallels = "parallels",
        /// virtio.
        Virtio = "virtio",
        /// None (evdev).
        None = "none",
    }
}

xml_struct! {
    /// `<input>`.
    pub struct Input {
        /// `type`.
        attr_req input_type: InputType = "type",
        /// `bus`.
        attr bus: InputBus = "bus",
        /// `model` (virtio variants).
        attr model: String = "model",
        /// `<driver>`.
        child driver: VirtioDriver = "driver",
        /// `<source>` (passthrough, evdev).
        child source: Element = "source",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
    }
}

impl Input {
    /// An input device of `input_type` on `bus`.
    ///
    /// ```
    /// use rvirt_conf::{Input, InputBus, InputType};
    /// let tablet = Input::new(InputType::Tablet, Some(InputBus::Usb));
    /// assert_eq!(tablet.bus, Some(InputBus::Usb));
    /// ```
    pub fn new(input_type: InputType, bus: Option<InputBus>) -> Input {
        Input {
            input_type,
            bus,
            model: None,
            driver: None,
            source: None,
            alias: None,
            acpi: None,
            address: None,
            extra: Extra::default(),
        }
    }
}
