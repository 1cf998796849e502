//! [`BindingDef`]: libvirt's `<filterbinding>` XML (a filter bound to a guest's port):
//! the owner, the port device, the MAC address and the filter reference with its
//! parameters (kept as written).

use rvirt_core::objconf::Element;
use rvirt_core::objconf::error::domain::NWFILTER;
use rvirt_core::objconf::tree::parse_root;
use rvirt_core::objconf::{parse_mac, parse_uuid};
use rvirt_core::{Error, ErrorDomain, Result, Uuid};

const D: ErrorDomain = ErrorDomain::Nwfilter;

/// A filter binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BindingDef {
    pub owner_name: String,
    pub owner_uuid: Uuid,
    pub port_dev: String,
    pub link_dev: Option<String>,
    pub mac: String,
    /// The `<filterref>` element, parameters included.
    pub filterref: Element,
}

fn missing(what: &str) -> Error {
    Error::xml(D, format!("filter binding has no {what}"))
}

impl BindingDef {
    /// Parses a `<filterbinding>` document.
    pub(crate) fn from_xml(xml: &str) -> Result<BindingDef> {
        let root = parse_root(xml, "filterbinding", "nwfilterbinding_definition", NWFILTER)?;
        let owner_name = root
            .path(&["owner", "name"])
            .map(|e| e.trimmed().to_string())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| missing("owner name"))?;
        let owner_uuid = root
            .path(&["owner", "uuid"])
            .and_then(|e| parse_uuid(e.trimmed()))
            .ok_or_else(|| missing("owner UUID"))?;
        let port_dev = root
            .find("portdev")
            .and_then(|e| e.get("name"))
            .filter(|n| !n.is_empty())
            .ok_or_else(|| missing("port dev name"))?
            .to_string();
        let link_dev = match root.find("linkdev") {
            None => None,
            Some(e) => Some(
                e.get("name")
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| missing("link dev name"))?
                    .to_string(),
            ),
        };
        let raw = root
            .find("mac")
            .and_then(|e| e.get("address"))
            .ok_or_else(|| missing("MAC address"))?;
        let mac =
            parse_mac(raw).ok_or_else(|| Error::xml(D, format!("unable to parse mac '{raw}'")))?;
        let filterref = root
            .find("filterref")
            .filter(|e| e.get("filter").is_some_and(|f| !f.is_empty()))
            .ok_or_else(|| missing("filter reference"))?
            .clone();
        Ok(BindingDef {
            owner_name,
            owner_uuid,
            port_dev,
            link_dev,
            mac,
            filterref,
        })
    }

    /// The filter's name.
    pub(crate) fn filter(&self) -> &str {
        self.filterref.get("filter").unwrap_or_default()
    }

    /// The XML, in libvirt's element order.
    pub(crate) fn to_xml(&self) -> String {
        Element::new("filterbinding")
            .child(
                Element::new("owner")
                    .child(Element::leaf("name", &self.owner_name))
                    .child(Element::leaf(
                        "uuid",
                        self.owner_uuid.hyphenated().to_string(),
                    )),
            )
            .child(Element::new("portdev").attr("name", &self.port_dev))
            .opt_child(
                self.link_dev
                    .as_ref()
                    .map(|l| Element::new("linkdev").attr("name", l)),
            )
            .child(Element::new("mac").attr("address", &self.mac))
            .child(self.filterref.clone())
            .to_xml()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = "<filterbinding><owner><name>vm1</name>\
        <uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid></owner>\
        <portdev name='vnet0'/><mac address='52:54:00:7B:35:93'/>\
        <filterref filter='clean-traffic'><parameter name='IP' value='10.0.0.1'/></filterref>\
        </filterbinding>";

    #[test]
    fn parses_and_prints_bindings() {
        let b = BindingDef::from_xml(XML).unwrap();
        assert_eq!(b.port_dev, "vnet0");
        assert_eq!(b.filter(), "clean-traffic");
        let again = BindingDef::from_xml(&b.to_xml()).unwrap();
        assert_eq!(again.to_xml(), b.to_xml());
        assert_eq!(again.port_dev, b.port_dev);
        assert!(b.to_xml().contains("<mac address='52:54:00:7b:35:93'/>"));
        assert!(
            b.to_xml()
                .contains("<parameter name='IP' value='10.0.0.1'/>")
        );
    }

    #[test]
    fn refuses_incomplete_bindings() {
        let e = BindingDef::from_xml(&XML.replace("<portdev name='vnet0'/>", "")).unwrap_err();
        assert_eq!(e.message(), "filter binding has no port dev name");
        let e = BindingDef::from_xml(&XML.replace("filter='clean-traffic'", "")).unwrap_err();
        assert_eq!(e.message(), "filter binding has no filter reference");
        let e = BindingDef::from_xml(&XML.replace("<name>vm1</name>", "")).unwrap_err();
        assert_eq!(e.message(), "filter binding has no owner name");
    }
}
