//! `virDomainGetXMLDesc` for a driver's domain object: which definition, which id, and
//! which secrets, decided once for every driver.

use crate::Result;
use crate::api::XmlFlags;
use crate::conf::DomainDef;

/// The XML of a domain whose live definition is `live`, whose definition for the next
/// start (after a define while it ran) is `next`, and whose id is `id` while it runs.
///
/// [`XmlFlags::INACTIVE`] picks `next` (else `live`) without an id; secrets are left out
/// unless [`XmlFlags::SECURE`] is set (the read-only refusal is
/// [`Domain::xml_desc`](crate::Domain::xml_desc)'s).
pub fn format_domain_xml(
    live: &DomainDef,
    next: Option<&DomainDef>,
    id: Option<u32>,
    flags: u32,
) -> Result<String> {
    let inactive = flags & XmlFlags::INACTIVE != 0;
    let mut def = if inactive {
        next.unwrap_or(live).clone()
    } else {
        live.clone()
    };
    def.id = if inactive { None } else { id };
    if flags & XmlFlags::SECURE == 0 {
        def.hide_secrets();
    }
    Ok(def.to_xml()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(name: &str) -> DomainDef {
        DomainDef::from_xml(&format!(
            "<domain type='test'><name>{name}</name><memory>1024</memory>\
             <os><type>hvm</type></os>\
             <devices><graphics type='vnc' passwd='pw'/></devices></domain>"
        ))
        .unwrap()
    }

    #[test]
    fn flags_pick_definition_id_and_secrets() {
        let (live, next) = (def("live"), def("next"));
        let x = format_domain_xml(&live, Some(&next), Some(7), 0).unwrap();
        assert!(
            x.contains("<name>live</name>") && x.contains("id='7'"),
            "{x}"
        );
        assert!(!x.contains("passwd"), "{x}");
        let x = format_domain_xml(&live, Some(&next), Some(7), XmlFlags::INACTIVE).unwrap();
        assert!(
            x.contains("<name>next</name>") && !x.contains("id='7'"),
            "{x}"
        );
        let x = format_domain_xml(&live, None, None, XmlFlags::SECURE).unwrap();
        assert!(x.contains("passwd='pw'"), "{x}");
    }
}
