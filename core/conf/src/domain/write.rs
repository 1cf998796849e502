//! [`DomainDef::to_xml`]: writing the definition back as libvirt writes it, and
//! removing secrets before that ([`DomainDef::hide_secrets`]).

use super::DomainDef;
use crate::ConfError;
use crate::devices::Device;
use crate::model::XmlElement;
use crate::xml::{self, Element};

impl DomainDef {
    /// The definition as an element tree in libvirt's order (attributes and children
    /// ordered as libvirt prints them; kept content in place).
    pub fn to_element(&self) -> Element {
        let mut el = XmlElement::to_element(self, "domain");
        xml::order::canonicalize(&mut el);
        el
    }

    /// Writes the definition as libvirt writes domain XML: single-quoted attributes,
    /// two-space indentation, libvirt's element and attribute order, trailing newline.
    ///
    /// ```
    /// use rvirt_conf::DomainDef;
    /// let def = DomainDef::from_xml(
    ///     "<domain type=\"test\"><name>g</name><memory unit=\"MiB\">1</memory>\
    ///      <os><type>hvm</type></os></domain>",
    /// )?;
    /// assert_eq!(
    ///     def.to_xml()?,
    ///     "<domain type='test'>\n  <name>g</name>\n  <memory unit='MiB'>1</memory>\n  \
    ///      <os>\n    <type>hvm</type>\n  </os>\n</domain>\n"
    /// );
    /// # Ok::<(), rvirt_conf::ConfError>(())
    /// ```
    pub fn to_xml(&self) -> Result<String, ConfError> {
        Ok(xml::write::document(&self.to_element()))
    }

    /// Removes what libvirt prints only for `VIR_DOMAIN_XML_SECURE`: graphics
    /// passwords.
    ///
    /// ```
    /// use rvirt_conf::DomainDef;
    /// let mut def = DomainDef::from_xml("<domain type='qemu'><name>g</name>
    ///   <memory>1024</memory><os><type>hvm</type></os>
    ///   <devices><graphics type='vnc' passwd='s3cret'/></devices></domain>")?;
    /// def.hide_secrets();
    /// assert!(!def.to_xml()?.contains("s3cret"));
    /// # Ok::<(), rvirt_conf::ConfError>(())
    /// ```
    pub fn hide_secrets(&mut self) {
        for device in self.devices.iter_mut().flat_map(|d| &mut d.items) {
            if let Device::Graphics(g) = device {
                g.passwd = None;
            }
        }
    }
}
