//! `<address>` inside a `<source>`: where a passed-through device is on the host
//! (PCI, USB, SCSI or a mediated device). Unlike a device's own `<address>`, its
//! `type` is optional.

use crate::ConfError;
use crate::model::{XmlElement, attr, parse_auto_u64};
use crate::xml::{Element, Extra};

/// `<source><address …/>` of a host device.
///
/// Printed as libvirt prints it: PCI as `domain='0x0000' bus='0x06' slot='0x12'
/// function='0x5'`, USB as decimal `bus` and `device`, SCSI as decimal `bus`,
/// `target`, `unit`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HostAddress {
    /// `type` (`pci`, `usb`, `scsi`), when written.
    pub address_type: Option<String>,
    /// `domain` (PCI).
    pub domain: Option<u32>,
    /// `bus`.
    pub bus: Option<u32>,
    /// `slot` (PCI).
    pub slot: Option<u32>,
    /// `function` (PCI).
    pub function: Option<u32>,
    /// `device` (USB).
    pub device: Option<u32>,
    /// `target` (SCSI).
    pub target: Option<u32>,
    /// `unit` (SCSI).
    pub unit: Option<u64>,
    /// `uuid` (mediated devices).
    pub uuid: Option<String>,
    /// Other attributes and children, kept.
    pub extra: Extra,
}

impl HostAddress {
    /// The host PCI address `DDDD:BB:SS.F`.
    ///
    /// ```
    /// use rvirt_conf::HostAddress;
    /// let a = HostAddress::pci(0, 6, 0x12, 5);
    /// assert_eq!(a.slot, Some(0x12));
    /// ```
    pub fn pci(domain: u32, bus: u32, slot: u32, function: u32) -> HostAddress {
        HostAddress {
            domain: Some(domain),
            bus: Some(bus),
            slot: Some(slot),
            function: Some(function),
            ..HostAddress::default()
        }
    }

    fn kind(&self) -> &str {
        match self.address_type.as_deref() {
            Some(t) => t,
            None if self.uuid.is_some() => "mdev",
            None if self.device.is_some() => "usb",
            None if self.target.is_some() || self.unit.is_some() => "scsi",
            None => "pci",
        }
    }
}

fn num<T: TryFrom<u64>>(el: &mut Element, name: &str) -> Result<Option<T>, ConfError> {
    let Some(v) = el.take_attr(name) else {
        return Ok(None);
    };
    parse_auto_u64(&v)
        .and_then(|n| T::try_from(n).ok())
        .map(Some)
        .ok_or_else(|| ConfError::InvalidAttr {
            attr: name.into(),
            element: el.name.clone(),
            value: v,
            expected: " Expected non-negative integer value",
        })
}

impl XmlElement for HostAddress {
    fn from_element(mut el: Element) -> Result<Self, ConfError> {
        Ok(HostAddress {
            address_type: attr(&mut el, "type")?,
            domain: num(&mut el, "domain")?,
            bus: num(&mut el, "bus")?,
            slot: num(&mut el, "slot")?,
            function: num(&mut el, "function")?,
            device: num(&mut el, "device")?,
            target: num(&mut el, "target")?,
            unit: num(&mut el, "unit")?,
            uuid: attr(&mut el, "uuid")?,
            extra: Extra::rest(el),
        })
    }

    fn to_element(&self, name: &str) -> Element {
        let mut el = Element::new(name);
        if let Some(t) = &self.address_type {
            el.set_attr("type", t.clone());
        }
        let z = |v: Option<u32>| v.unwrap_or(0);
        match self.kind() {
            "usb" => {
                el.set_attr("bus", z(self.bus).to_string());
                el.set_attr("device", z(self.device).to_string());
            }
            "scsi" => {
                el.set_attr("bus", z(self.bus).to_string());
                el.set_attr("target", z(self.target).to_string());
                el.set_attr("unit", self.unit.unwrap_or(0).to_string());
            }
            "mdev" => {
                if let Some(u) = &self.uuid {
                    el.set_attr("uuid", u.clone());
                }
            }
            _ => {
                el.set_attr("domain", format!("0x{:04x}", z(self.domain)));
                el.set_attr("bus", format!("0x{:02x}", z(self.bus)));
                el.set_attr("slot", format!("0x{:02x}", z(self.slot)));
                el.set_attr("function", format!("0x{}", z(self.function)));
            }
        }
        self.extra.write_into(&mut el);
        el
    }
}
