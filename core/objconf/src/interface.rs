//! `<interface>` at node level: libvirt's host interface XML ([`InterfaceDef`]).

use crate::error::{Result, XmlError, domain::INTERFACE, domain::XML};
use crate::tree::{Element, parse_root};
use crate::util::{num_attr, parse_mac};

/// Interface types (`virInterfaceType`).
pub const INTERFACE_TYPES: &[&str] = &["ethernet", "bridge", "bond", "vlan"];

/// A host interface definition.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct InterfaceDef {
    /// `type`.
    pub if_type: String,
    /// Device name.
    pub name: String,
    /// `<start mode=…>`.
    pub start_mode: Option<String>,
    /// `<mtu size=…>`.
    pub mtu: Option<u32>,
    /// `<protocol>` elements.
    pub protocols: Vec<Element>,
    /// `<link>` (ethernet).
    pub link: Option<Element>,
    /// `<mac address=…>` (ethernet).
    pub mac: Option<String>,
    /// `<bridge>`, `<bond>` or `<vlan>`, with members as nested definitions.
    pub body: Option<Element>,
}

fn parse_body(e: &Element) -> Result<Element> {
    let mut out = Element::new(e.name.clone());
    out.attrs = e.attrs.clone();
    for c in &e.children {
        if c.name == "interface" && e.name != "vlan" {
            let member = InterfaceDef::from_element(c, false)?;
            out.children.push(member.to_element(true));
        } else {
            out.children.push(c.clone());
        }
    }
    Ok(out)
}

impl InterfaceDef {
    /// Parses an `<interface>` document.
    pub fn from_xml(xml: &str) -> Result<InterfaceDef> {
        let root = parse_root(xml, "interface", "interface_definition", INTERFACE)?;
        InterfaceDef::from_element(&root, true)
    }

    /// Parses an `<interface>` element; `top` is false for bridge and bond members.
    pub fn from_element(root: &Element, top: bool) -> Result<InterfaceDef> {
        let if_type = root.get("type").ok_or_else(|| {
            XmlError::xml(
                XML,
                "Missing required attribute 'type' in element 'interface'",
            )
        })?;
        if !INTERFACE_TYPES.contains(&if_type) {
            return Err(XmlError::xml(
                XML,
                format!("Invalid value for attribute 'type' in element 'interface': '{if_type}'."),
            ));
        }
        let name = root
            .get("name")
            .filter(|n| !n.is_empty())
            .ok_or_else(|| XmlError::xml(INTERFACE, "interface has no name"))?;
        let mac = root
            .find("mac")
            .and_then(|m| m.get("address"))
            .map(|m| parse_mac(m).unwrap_or_else(|| m.to_string()));
        let body = root.find(if_type).filter(|_| if_type != "ethernet");
        if top && body.is_none() && if_type != "ethernet" {
            return Err(XmlError::xml(
                INTERFACE,
                format!("{if_type} interface misses the {if_type} element"),
            ));
        }
        Ok(InterfaceDef {
            if_type: if_type.to_string(),
            name: name.to_string(),
            start_mode: root
                .find("start")
                .and_then(|s| s.get("mode"))
                .map(str::to_string),
            mtu: root
                .find("mtu")
                .map(|m| num_attr(m, "size", INTERFACE))
                .transpose()?
                .flatten(),
            protocols: root.all("protocol").cloned().collect(),
            link: root.find("link").cloned(),
            mac,
            body: body.map(parse_body).transpose()?,
        })
    }

    /// The XML tree; `member` writes an empty member open and closed, as libvirt does.
    pub fn to_element(&self, member: bool) -> Element {
        let mut e = Element::new("interface")
            .attr("type", &self.if_type)
            .attr("name", &self.name)
            .opt_child(
                self.start_mode
                    .as_ref()
                    .map(|m| Element::new("start").attr("mode", m)),
            )
            .opt_child(self.mtu.map(|m| Element::new("mtu").attr("size", m)))
            .children(self.protocols.clone());
        if self.if_type == "ethernet" {
            e = e.opt_child(self.link.clone()).opt_child(
                self.mac
                    .as_ref()
                    .map(|m| Element::new("mac").attr("address", m)),
            );
        } else {
            e = e.opt_child(self.body.clone());
        }
        e.open_close = member && e.children.is_empty();
        e
    }

    /// The XML, as libvirt's `virInterfaceDefFormat` writes it.
    pub fn to_xml(&self) -> String {
        self.to_element(false).to_xml()
    }
}
