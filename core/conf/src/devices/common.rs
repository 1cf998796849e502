//! Sub-elements shared by many device kinds: `<address>`, `<alias>`, `<boot>`,
//! `<acpi>`, `<rom>`, and small single-attribute elements.

use crate::model::{Expect, XmlElement, attr, parse_auto_u64, rest};
use crate::xml::{Element, Extra};
use crate::{ConfError, OnOff, YesNo, codes, domains};

string_enum! {
    /// `<address type=…>`: the bus a device sits on.
    pub enum AddressType ("address type") {
        /// PCI / PCIe.
        Pci = "pci",
        /// A disk controller's bus/target/unit.
        Drive = "drive",
        /// A virtio-serial port.
        VirtioSerial = "virtio-serial",
        /// A smartcard (CCID) slot.
        Ccid = "ccid",
        /// USB bus and port.
        Usb = "usb",
        /// sPAPR VIO (POWER).
        SpaprVio = "spapr-vio",
        /// Legacy s390 virtio (accepted, never printed).
        VirtioS390 = "virtio-s390",
        /// s390 channel I/O.
        Ccw = "ccw",
        /// virtio-mmio.
        VirtioMmio = "virtio-mmio",
        /// ISA.
        Isa = "isa",
        /// A memory slot.
        Dimm = "dimm",
        /// Deliberately no address.
        Unassigned = "unassigned",
    }
}

/// `<address>`: where a device sits on its bus.
///
/// Numbers are read as libvirt reads them (decimal, or `0x` hexadecimal where libvirt
/// takes any base) and written as libvirt writes them (for PCI:
/// `domain='0x0000' bus='0x00' slot='0x05' function='0x0'`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// `type`.
    pub address_type: AddressType,
    /// `domain` (PCI).
    pub domain: Option<u32>,
    /// `controller` (drive, virtio-serial, CCID).
    pub controller: Option<u32>,
    /// `bus` (PCI, drive, virtio-serial, USB).
    pub bus: Option<u32>,
    /// `slot` (PCI, CCID, DIMM).
    pub slot: Option<u32>,
    /// `function` (PCI).
    pub function: Option<u32>,
    /// `multifunction` (PCI).
    pub multifunction: Option<OnOff>,
    /// `target` (drive).
    pub target: Option<u32>,
    /// `unit` (drive).
    pub unit: Option<u32>,
    /// `port`: a number (virtio-serial) or a USB hub path such as `1.2`.
    pub port: Option<String>,
    /// `reg` (spapr-vio).
    pub reg: Option<u64>,
    /// `cssid` (CCW).
    pub cssid: Option<u32>,
    /// `ssid` (CCW).
    pub ssid: Option<u32>,
    /// `devno` (CCW).
    pub devno: Option<u32>,
    /// `iobase` (ISA).
    pub iobase: Option<u32>,
    /// `irq` (ISA).
    pub irq: Option<u32>,
    /// `base` (DIMM).
    pub base: Option<u64>,
    /// What else the element held (e.g. `<zpci>`), kept.
    pub extra: Extra,
}

impl Address {
    /// True for a PCI address without a slot (all of domain, bus, slot and function
    /// zero or absent): libvirt's "place this device for me".
    pub fn is_empty_pci(&self) -> bool {
        self.address_type == AddressType::Pci
            && [self.domain, self.bus, self.slot, self.function]
                .iter()
                .all(|v| v.unwrap_or(0) == 0)
    }

    /// A PCI address `0000:BB:SS.F`.
    ///
    /// ```
    /// use rvirt_conf::Address;
    /// let a = Address::pci(0, 0, 3, 0);
    /// assert_eq!(a.slot, Some(3));
    /// ```
    pub fn pci(domain: u32, bus: u32, slot: u32, function: u32) -> Address {
        Address {
            domain: Some(domain),
            bus: Some(bus),
            slot: Some(slot),
            function: Some(function),
            ..Address::of(AddressType::Pci)
        }
    }

    /// A drive address (controller, bus, target, unit).
    pub fn drive(controller: u32, bus: u32, target: u32, unit: u32) -> Address {
        Address {
            controller: Some(controller),
            bus: Some(bus),
            target: Some(target),
            unit: Some(unit),
            ..Address::of(AddressType::Drive)
        }
    }

    /// Where a drive address points, `[controller, bus, target, unit]` (a part not
    /// written is 0, as libvirt reads it); `None` for any other type of address.
    ///
    /// ```
    /// use rvirt_conf::{Address, AddressType};
    /// assert_eq!(Address::drive(0, 1, 0, 2).drive_position(), Some([0, 1, 0, 2]));
    /// assert_eq!(Address::of(AddressType::Pci).drive_position(), None);
    /// ```
    pub fn drive_position(&self) -> Option<[u32; 4]> {
        (self.address_type == AddressType::Drive)
            .then(|| [self.controller, self.bus, self.target, self.unit].map(|x| x.unwrap_or(0)))
    }

    /// An address of type `t` with nothing else set.
    pub fn of(t: AddressType) -> Address {
        Address {
            address_type: t,
            domain: None,
            controller: None,
            bus: None,
            slot: None,
            function: None,
            multifunction: None,
            target: None,
            unit: None,
            port: None,
            reg: None,
            cssid: None,
            ssid: None,
            devno: None,
            iobase: None,
            irq: None,
            base: None,
            extra: Extra::default(),
        }
    }

    fn check_pci(&self) -> Result<(), ConfError> {
        let bad = |message: String| ConfError::Invalid {
            code: codes::XML_ERROR,
            domain: domains::NONE,
            message,
        };
        let (d, b, s, f) = (
            self.domain.unwrap_or(0),
            self.bus.unwrap_or(0),
            self.slot.unwrap_or(0),
            self.function.unwrap_or(0),
        );
        if d == 0 && b == 0 && s == 0 && f == 0 {
            return Ok(());
        }
        if b > 0xff {
            return Err(bad(format!(
                "Invalid PCI address bus='0x{b:x}', must be <= 0xFF"
            )));
        }
        if s > 0x1f {
            return Err(bad(format!(
                "Invalid PCI address slot='0x{s:x}', must be <= 0x1F"
            )));
        }
        if f > 7 {
            return Err(bad(format!(
                "Invalid PCI address function=0x{f:x}, must be <= 7"
            )));
        }
        if d == 0 && b == 0 && s == 0 {
            return Err(bad(
                "Invalid PCI address 0000:00:00, at least one of domain, bus, or slot must be > 0"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// How libvirt reads a number attribute of an address: base 10, 16, or any (C's base
/// 0: `0x` hexadecimal, leading `0` octal).
#[derive(Clone, Copy)]
enum Base {
    Dec,
    Hex,
    Any,
}

fn parse_base(s: &str, base: Base) -> Option<u64> {
    let t = s.trim_start();
    match base {
        Base::Dec => crate::model::parse_int(t),
        Base::Hex => {
            let h = t
                .strip_prefix("0x")
                .or_else(|| t.strip_prefix("0X"))
                .unwrap_or(t);
            u64::from_str_radix(h, 16).ok()
        }
        Base::Any => parse_auto_u64(t),
    }
}

/// Takes attribute `name` of `el` as a number read in `base`.
fn num<T: TryFrom<u64>>(el: &mut Element, name: &str, base: Base) -> Result<Option<T>, ConfError> {
    let Some(v) = el.take_attr(name) else {
        return Ok(None);
    };
    parse_base(&v, base)
        .and_then(|n| T::try_from(n).ok())
        .map(Some)
        .ok_or_else(|| Expect::Uint.attr_error(name, &el.name, &v))
}

impl XmlElement for Address {
    fn from_element(mut el: Element) -> Result<Self, ConfError> {
        let Some(t) = el.take_attr("type") else {
            return Err(ConfError::Invalid {
                code: codes::INTERNAL_ERROR,
                domain: domains::DOMAIN,
                message: "No type specified for device address".into(),
            });
        };
        let address_type: AddressType = t.parse().map_err(|_| ConfError::Invalid {
            code: codes::CONFIG_UNSUPPORTED,
            domain: domains::DOMAIN,
            message: format!("unknown address type '{t}'"),
        })?;
        let mut a = Address::of(address_type);
        let zero = Some(0);
        // Only the attributes of the type are read; others stay as written (extra).
        match address_type {
            AddressType::Pci => {
                a.domain = num(&mut el, "domain", Base::Any)?;
                a.bus = num(&mut el, "bus", Base::Any)?;
                a.slot = num(&mut el, "slot", Base::Any)?;
                a.function = num(&mut el, "function", Base::Any)?;
                a.multifunction = attr(&mut el, "multifunction")?;
                a.check_pci()?;
                // Given at all: all four are printed (zeros too, as written).
                let set = [a.domain, a.bus, a.slot, a.function];
                if set.iter().any(Option::is_some) {
                    a.domain = a.domain.or(zero);
                    a.bus = a.bus.or(zero);
                    a.slot = a.slot.or(zero);
                    a.function = a.function.or(zero);
                }
            }
            AddressType::Drive => {
                a.controller = num(&mut el, "controller", Base::Dec)?.or(zero);
                a.bus = num(&mut el, "bus", Base::Dec)?.or(zero);
                a.target = num(&mut el, "target", Base::Dec)?.or(zero);
                a.unit = num(&mut el, "unit", Base::Dec)?.or(zero);
            }
            AddressType::VirtioSerial => {
                a.controller = num(&mut el, "controller", Base::Dec)?.or(zero);
                a.bus = num(&mut el, "bus", Base::Dec)?.or(zero);
                let port: u32 = num(&mut el, "port", Base::Dec)?.unwrap_or(0);
                a.port = Some(port.to_string());
            }
            AddressType::Ccid => {
                a.controller = num(&mut el, "controller", Base::Dec)?.or(zero);
                a.slot = num(&mut el, "slot", Base::Dec)?.or(zero);
            }
            AddressType::Usb => {
                a.bus = num(&mut el, "bus", Base::Dec)?.or(zero);
                a.port = attr(&mut el, "port")?;
            }
            AddressType::SpaprVio => a.reg = num(&mut el, "reg", Base::Hex)?,
            AddressType::Ccw => {
                a.cssid = num(&mut el, "cssid", Base::Any)?.or(zero);
                a.ssid = num(&mut el, "ssid", Base::Any)?.or(zero);
                a.devno = num(&mut el, "devno", Base::Any)?.or(zero);
            }
            AddressType::Isa => {
                a.iobase = num(&mut el, "iobase", Base::Hex)?.filter(|v| *v > 0);
                a.irq = num(&mut el, "irq", Base::Hex)?.filter(|v| *v > 0);
            }
            AddressType::Dimm => {
                a.slot = num(&mut el, "slot", Base::Dec)?.or(zero);
                a.base = num(&mut el, "base", Base::Hex)?.filter(|v| *v != 0);
            }
            AddressType::VirtioS390 => {
                return Err(ConfError::Invalid {
                    code: codes::XML_ERROR,
                    domain: domains::DOMAIN,
                    message: "virtio-s390 bus doesn't have an address".into(),
                });
            }
            AddressType::VirtioMmio | AddressType::Unassigned => {}
        }
        a.extra = rest(el);
        Ok(a)
    }

    fn to_element(&self, name: &str) -> Element {
        let mut el = Element::new(name);
        el.set_attr("type", self.address_type.as_str());
        let z = |v: Option<u32>| v.unwrap_or(0);
        match self.address_type {
            AddressType::Pci => {
                let empty = [self.domain, self.bus, self.slot, self.function]
                    .iter()
                    .all(Option::is_none);
                if !empty {
                    el.set_attr("domain", format!("0x{:04x}", z(self.domain)));
                    el.set_attr("bus", format!("0x{:02x}", z(self.bus)));
                    el.set_attr("slot", format!("0x{:02x}", z(self.slot)));
                    el.set_attr("function", format!("0x{}", z(self.function)));
                }
                if let Some(m) = self.multifunction {
                    el.set_attr("multifunction", m.as_str());
                }
            }
            AddressType::Drive => {
                el.set_attr("controller", z(self.controller).to_string());
                el.set_attr("bus", z(self.bus).to_string());
                el.set_attr("target", z(self.target).to_string());
                el.set_attr("unit", z(self.unit).to_string());
            }
            AddressType::VirtioSerial => {
                el.set_attr("controller", z(self.controller).to_string());
                el.set_attr("bus", z(self.bus).to_string());
                el.set_attr("port", self.port.clone().unwrap_or_else(|| "0".into()));
            }
            AddressType::Ccid => {
                el.set_attr("controller", z(self.controller).to_string());
                el.set_attr("slot", z(self.slot).to_string());
            }
            AddressType::Usb => {
                el.set_attr("bus", z(self.bus).to_string());
                if let Some(p) = &self.port {
                    el.set_attr("port", p.clone());
                }
            }
            AddressType::SpaprVio => {
                if let Some(r) = self.reg {
                    el.set_attr("reg", format!("0x{r:08x}"));
                }
            }
            AddressType::Ccw => {
                el.set_attr("cssid", format!("0x{:x}", z(self.cssid)));
                el.set_attr("ssid", format!("0x{:x}", z(self.ssid)));
                el.set_attr("devno", format!("0x{:04x}", z(self.devno)));
            }
            AddressType::Isa => {
                if let Some(v) = self.iobase.filter(|v| *v > 0) {
                    el.set_attr("iobase", format!("0x{v:x}"));
                }
                if let Some(v) = self.irq.filter(|v| *v > 0) {
                    el.set_attr("irq", format!("0x{v:x}"));
                }
            }
            AddressType::Dimm => {
                el.set_attr("slot", z(self.slot).to_string());
                if let Some(b) = self.base.filter(|b| *b != 0) {
                    el.set_attr("base", format!("0x{b:x}"));
                }
            }
            AddressType::VirtioS390 | AddressType::VirtioMmio | AddressType::Unassigned => {}
        }
        self.extra.write_into(&mut el);
        el
    }
}

xml_struct! {
    /// `<alias name='…'/>`: the device's id (live XML; `ua-` user aliases also in the
    /// persistent XML).
    #[derive(Default)]
    pub struct Alias {
        /// `name`.
        attr_req name: String = "name",
    }
}

impl Alias {
    /// An alias named `name`.
    pub fn new(name: impl Into<String>) -> Alias {
        Alias {
            name: name.into(),
            extra: Extra::default(),
        }
    }
}

xml_struct! {
    /// `<boot order='N'/>` inside a bootable device.
    #[derive(Default)]
    pub struct BootOrder {
        /// `order`, 1-based.
        attr_req order: u32 = "order",
        /// `loadparm` (s390).
        attr loadparm: String = "loadparm",
    }
}

xml_struct! {
    /// `<acpi index='N'/>`: the ACPI index of a PCI device.
    #[derive(Default)]
    pub struct Acpi {
        /// `index`.
        attr index: u32 = "index",
    }
}

xml_struct! {
    /// `<rom>`: the option ROM of a PCI device.
    #[derive(Default)]
    pub struct Rom {
        /// `enabled`.
        attr enabled: YesNo = "enabled",
        /// `bar`.
        attr bar: OnOff = "bar",
        /// `file`.
        attr file: String = "file",
    }
}

xml_struct! {
    /// An element with a single `name` attribute, e.g. `<model name='isa-serial'/>`.
    #[derive(Default)]
    pub struct NameAttr {
        /// `name`.
        attr_req name: String = "name",
    }
}

xml_struct! {
    /// An element with a single `type` attribute, e.g. `<model type='virtio'/>`.
    #[derive(Default)]
    pub struct TypeAttr {
        /// `type`.
        attr_req value: String = "type",
    }
}

xml_struct! {
    /// An element with a single `path` attribute, e.g. `<script path='…'/>`.
    #[derive(Default)]
    pub struct PathAttr {
        /// `path`.
        attr_req path: String = "path",
    }
}

xml_struct! {
    /// The virtio options many devices accept on their `<driver>`.
    #[derive(Default)]
    pub struct VirtioDriver {
        /// `iommu`.
        attr iommu: OnOff = "iommu",
        /// `ats`.
        attr ats: OnOff = "ats",
        /// `packed`.
        attr packed: OnOff = "packed",
        /// `page_per_vq`.
        attr page_per_vq: OnOff = "page_per_vq",
    }
}

impl NameAttr {
    /// `<… name='name'/>`.
    pub fn new(name: impl Into<String>) -> NameAttr {
        NameAttr {
            name: name.into(),
            extra: Extra::default(),
        }
    }
}

impl TypeAttr {
    /// `<… type='value'/>`.
    pub fn new(value: impl Into<String>) -> TypeAttr {
        TypeAttr {
            value: value.into(),
            extra: Extra::default(),
        }
    }
}
