//! `<filter>`: libvirt's network filter XML ([`NwFilterDef`]). Rules and filter
//! references are kept as element trees.

use uuid::Uuid;

use crate::error::{Result, XmlError, domain::NWFILTER};
use crate::tree::{Element, parse_root};
use crate::util::parse_uuid;

/// Chain names a filter may name (besides `PREFIX-SUFFIX` forms of the protocol ones).
pub const CHAINS: &[&str] = &["root", "mac", "vlan", "stp", "arp", "rarp", "ipv4", "ipv6"];

/// A network filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NwFilterDef {
    /// Unique name.
    pub name: String,
    /// Unique UUID.
    pub uuid: Uuid,
    /// `chain`.
    pub chain: Option<String>,
    /// `priority`.
    pub priority: Option<i32>,
    /// `<rule>` and `<filterref>` entries, in order.
    pub entries: Vec<Element>,
}

impl NwFilterDef {
    /// Parses a `<filter>` document.
    pub fn from_xml(xml: &str) -> Result<NwFilterDef> {
        let root = parse_root(xml, "filter", "nwfilter_definition", NWFILTER)?;
        let name = root
            .get("name")
            .filter(|n| !n.is_empty())
            .ok_or_else(|| XmlError::missing(NWFILTER, "filter name"))?
            .to_string();
        let chain = root.get("chain").map(str::to_string);
        if let Some(c) = chain.as_deref() {
            let base = c.split('-').next().unwrap_or(c);
            if !CHAINS.contains(&base) || (base == "root" && c != "root") {
                return Err(XmlError::xml(
                    NWFILTER,
                    format!("unknown chain suffix '{c}'"),
                ));
            }
        }
        let priority =
            match root.get("priority") {
                None => None,
                Some(p) => Some(p.parse().map_err(|_| {
                    XmlError::xml(NWFILTER, format!("unable to parse priority '{p}'"))
                })?),
            };
        let uuid = match root.child_text("uuid") {
            Some(t) => {
                parse_uuid(&t).ok_or_else(|| XmlError::xml(NWFILTER, "unable to parse uuid"))?
            }
            None => Uuid::new_v4(),
        };
        let entries = root
            .children
            .iter()
            .filter(|c| c.name == "rule" || c.name == "filterref")
            .cloned()
            .collect();
        Ok(NwFilterDef {
            name,
            uuid,
            chain,
            priority,
            entries,
        })
    }

    /// The XML, as libvirt writes it.
    pub fn to_xml(&self) -> String {
        Element::new("filter")
            .attr("name", &self.name)
            .attr("chain", self.chain.as_deref().unwrap_or("root"))
            .opt_attr("priority", self.priority)
            .child(Element::leaf("uuid", self.uuid.hyphenated().to_string()))
            .children(self.entries.clone())
            .to_xml()
    }
}
