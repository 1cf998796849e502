//! [`DomainDef::to_xml`]: writing the definition back as XML, and removing secrets
//! before that ([`DomainDef::hide_secrets`]).

use serde::Serialize;

use super::DomainDef;
use crate::ConfError;
use crate::devices::Device;

impl DomainDef {
    /// Writes the definition as indented XML (2 spaces, double-quoted attributes,
    /// trailing newline). `<metadata>` content is inserted verbatim.
    pub fn to_xml(&self) -> Result<String, ConfError> {
        let mut out = String::new();
        let mut ser = quick_xml::se::Serializer::new(&mut out);
        ser.indent(' ', 2);
        self.serialize(ser).map_err(|e| ConfError::Serialize {
            message: e.to_string(),
        })?;
        if let Some(raw) = &self.metadata {
            // The only element the model writes under that name is the placeholder.
            const PLACEHOLDER: &str = "<metadata/>";
            let at = out.find(PLACEHOLDER).ok_or_else(|| ConfError::Serialize {
                message: "metadata placeholder missing from output".into(),
            })?;
            out.replace_range(
                at..at + PLACEHOLDER.len(),
                &format!("<metadata>{raw}</metadata>"),
            );
        }
        out.push('\n');
        Ok(out)
    }

    /// Removes what libvirt prints only for `VIR_DOMAIN_XML_SECURE` on a read-write
    /// connection: graphics passwords.
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
