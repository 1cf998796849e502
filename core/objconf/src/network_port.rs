//! [`NetworkPortDef`]: libvirt's `<networkport>` — a guest NIC's attachment to a
//! virtual network (`virNetworkPortCreateXML`): its UUID, owner, MAC, portgroup,
//! bandwidth and how it is plugged (`<plug type='network' bridge=…/>`).

use uuid::Uuid;

use crate::error::{Result, XmlError, code, domain::NETWORK};
use crate::tree::{Element, parse};
use crate::util::{num_attr, parse_mac, parse_uuid};

/// One direction of a `<bandwidth>` (`virNetDevBandwidthRate`, kbytes/s and kbytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rate {
    /// `average`.
    pub average: u64,
    /// `peak`.
    pub peak: u64,
    /// `floor` (inbound only).
    pub floor: u64,
    /// `burst`.
    pub burst: u64,
}

impl Rate {
    fn parse(e: &Element) -> Result<Rate> {
        let n = |k: &str| -> Result<u64> { Ok(num_attr(e, k, NETWORK)?.unwrap_or(0)) };
        let r = Rate {
            average: n("average")?,
            peak: n("peak")?,
            floor: n("floor")?,
            burst: n("burst")?,
        };
        if r.average == 0 && r.floor == 0 {
            return Err(XmlError::new(
                code::XML_DETAIL,
                NETWORK,
                "Missing mandatory average or floor attributes",
            ));
        }
        if (r.peak != 0 || r.burst != 0) && r.average == 0 {
            return Err(XmlError::new(
                code::XML_DETAIL,
                NETWORK,
                "'peak' and 'burst' require 'average' attribute",
            ));
        }
        Ok(r)
    }

    fn to_element(self, name: &str) -> Element {
        let nz = |v: u64| (v != 0).then_some(v);
        Element::new(name)
            .opt_attr("average", nz(self.average))
            .opt_attr("peak", nz(self.peak))
            .opt_attr("floor", nz(self.floor))
            .opt_attr("burst", nz(self.burst))
    }
}

/// `<bandwidth>`: inbound and outbound rates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bandwidth {
    /// `<inbound>`.
    pub inbound: Option<Rate>,
    /// `<outbound>`.
    pub outbound: Option<Rate>,
}

impl Bandwidth {
    /// Parses a `<bandwidth>` element (at most one `<inbound>` and one `<outbound>`).
    pub fn parse(e: &Element) -> Result<Bandwidth> {
        let one = |name: &str| -> Result<Option<Rate>> {
            let all: Vec<&Element> = e.all(name).collect();
            if all.len() > 1 {
                return Err(XmlError::new(
                    code::XML_DETAIL,
                    NETWORK,
                    format!("Only one child <{name}> element allowed"),
                ));
            }
            all.first().map(|x| Rate::parse(x)).transpose()
        };
        let b = Bandwidth {
            inbound: one("inbound")?,
            outbound: one("outbound")?,
        };
        if b.outbound.is_some_and(|o| o.floor != 0) {
            return Err(XmlError::new(
                code::XML_DETAIL,
                NETWORK,
                "'floor' attribute allowed only in <inbound> element",
            ));
        }
        Ok(b)
    }

    /// Parses a `<bandwidth>` document (a domain interface's, say).
    pub fn from_xml(xml: &str) -> Result<Bandwidth> {
        Bandwidth::parse(&parse(xml, "(bandwidth)", NETWORK)?)
    }

    /// True when neither direction is set.
    pub fn is_empty(&self) -> bool {
        self.inbound.is_none() && self.outbound.is_none()
    }

    /// The element, as libvirt writes it.
    pub fn to_element(&self) -> Element {
        Element::new("bandwidth")
            .opt_child(self.inbound.map(|r| r.to_element("inbound")))
            .opt_child(self.outbound.map(|r| r.to_element("outbound")))
    }
}

/// How the port is plugged (`<plug>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plug {
    /// No plug yet: the network driver allocates one (`virNetworkPortCreateXML`
    /// without `VIR_NETWORK_PORT_CREATE_RECLAIM`).
    None,
    /// `type='network'` or `type='bridge'`: a tap on `bridge`.
    Bridge {
        /// `network` or `bridge`.
        kind: String,
        /// The bridge device.
        bridge: String,
        /// `macTableManager` (`kernel`, `libvirt`), when set.
        mac_table_manager: Option<String>,
    },
    /// `type='direct'` or `type='hostdev-pci'`, kept as written.
    Other(Element),
}

/// A network port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkPortDef {
    /// The port's UUID.
    pub uuid: Uuid,
    /// The owning domain's name.
    pub owner_name: String,
    /// The owning domain's UUID.
    pub owner_uuid: Uuid,
    /// The portgroup (`<group>`).
    pub group: Option<String>,
    /// The NIC's MAC address (canonical form).
    pub mac: String,
    /// `<virtualport>`, kept as written.
    pub virtualport: Option<Element>,
    /// `<bandwidth>`.
    pub bandwidth: Option<Bandwidth>,
    /// `<bandwidth classID=…>`: the class the network driver gave the port's `floor`
    /// on the network's bridge (run-time state).
    pub class_id: Option<u32>,
    /// `<vlan>`, kept as written.
    pub vlan: Option<Element>,
    /// `<port isolated=…/>`, kept as written.
    pub port: Option<Element>,
    /// `<rxfilters trustGuest=…/>` value.
    pub trust_guest_rx_filters: Option<String>,
    /// The plug.
    pub plug: Plug,
}

const MAC_TABLE_MANAGERS: &[&str] = &["kernel", "libvirt"];
const PLUG_TYPES: &[&str] = &["none", "network", "bridge", "direct", "hostdev-pci"];

fn internal(msg: impl Into<String>) -> XmlError {
    XmlError::internal(NETWORK, msg)
}

impl NetworkPortDef {
    /// Parses a `<networkport>` document as libvirt does (uuid, owner name and uuid
    /// and mac are required).
    pub fn from_xml(xml: &str) -> Result<NetworkPortDef> {
        let root = parse(xml, "(networkport_definition)", NETWORK)?;
        if root.name != "networkport" {
            return Err(XmlError::xml(
                NETWORK,
                "unknown root element for network port",
            ));
        }
        NetworkPortDef::from_element(&root)
    }

    /// Parses the `<networkport>` element.
    pub fn from_element(root: &Element) -> Result<NetworkPortDef> {
        let uuid_text = root
            .child_text("uuid")
            .ok_or_else(|| internal("network port has no uuid"))?;
        let uuid = parse_uuid(uuid_text.trim())
            .ok_or_else(|| internal(format!("Unable to parse UUID '{uuid_text}'")))?;
        let owner = root.find("owner");
        let owner_name = owner
            .and_then(|o| o.child_text("name"))
            .ok_or_else(|| internal("network port has no owner name"))?;
        let owner_uuid_text = owner
            .and_then(|o| o.child_text("uuid"))
            .ok_or_else(|| internal("network port has no owner UUID"))?;
        let owner_uuid = parse_uuid(owner_uuid_text.trim())
            .ok_or_else(|| internal(format!("Unable to parse UUID '{owner_uuid_text}'")))?;
        let mac_text = root
            .find("mac")
            .and_then(|m| m.get("address"))
            .ok_or_else(|| internal("network port has no mac"))?;
        let mac = parse_mac(mac_text)
            .ok_or_else(|| internal(format!("Unable to parse MAC '{mac_text}'")))?;
        let bandwidth = root.find("bandwidth").map(Bandwidth::parse).transpose()?;
        let class_id =
            match root.find("bandwidth").and_then(|b| b.get("classID")) {
                None => None,
                Some(v) => Some(v.parse::<u32>().map_err(|_| {
                    XmlError::xml(NETWORK, format!("Unable to parse class id '{v}'"))
                })?),
            };
        let trust = root
            .find("rxfilters")
            .and_then(|r| r.get("trustGuest"))
            .map(str::to_string);
        if let Some(t) = &trust
            && t != "yes"
            && t != "no"
        {
            return Err(XmlError::xml(
                NETWORK,
                format!("Invalid value for attribute 'trustGuest' in element 'rxfilters': '{t}'."),
            ));
        }
        Ok(NetworkPortDef {
            uuid,
            owner_name,
            owner_uuid,
            group: root.child_text("group"),
            mac,
            virtualport: root.find("virtualport").cloned(),
            bandwidth,
            class_id,
            vlan: root.find("vlan").cloned(),
            port: root.find("port").cloned(),
            trust_guest_rx_filters: trust,
            plug: parse_plug(root.find("plug"))?,
        })
    }

    /// The document, as libvirt's formatter writes it.
    pub fn to_xml(&self) -> String {
        self.to_element().to_xml()
    }

    /// The element.
    pub fn to_element(&self) -> Element {
        let owner = Element::new("owner")
            .child(Element::leaf("name", self.owner_name.clone()))
            .child(Element::leaf(
                "uuid",
                self.owner_uuid.hyphenated().to_string(),
            ));
        let plug = match &self.plug {
            Plug::None => None,
            Plug::Bridge {
                kind,
                bridge,
                mac_table_manager,
            } => Some(
                Element::new("plug")
                    .attr("type", kind)
                    .attr("bridge", bridge)
                    .opt_attr("macTableManager", mac_table_manager.as_deref()),
            ),
            Plug::Other(e) => Some(e.clone()),
        };
        Element::new("networkport")
            .child(Element::leaf("uuid", self.uuid.hyphenated().to_string()))
            .child(owner)
            .opt_child(self.group.clone().map(|g| Element::leaf("group", g)))
            .child(Element::new("mac").attr("address", &self.mac))
            .opt_child(self.virtualport.clone())
            .opt_child(
                self.bandwidth
                    .filter(|b| !b.is_empty())
                    .map(|b| b.to_element().opt_attr("classID", self.class_id)),
            )
            .opt_child(self.vlan.clone())
            .opt_child(self.port.clone())
            .opt_child(
                self.trust_guest_rx_filters
                    .as_ref()
                    .map(|t| Element::new("rxfilters").attr("trustGuest", t)),
            )
            .opt_child(plug)
    }
}

fn parse_plug(plug: Option<&Element>) -> Result<Plug> {
    let Some(p) = plug else {
        return Ok(Plug::None);
    };
    let kind = p.get("type").unwrap_or("none");
    if !PLUG_TYPES.contains(&kind) {
        return Err(XmlError::xml(
            NETWORK,
            format!("Invalid value for attribute 'type' in element 'plug': '{kind}'."),
        ));
    }
    match kind {
        "none" => Ok(Plug::None),
        "network" | "bridge" => {
            let bridge = p
                .get("bridge")
                .ok_or_else(|| XmlError::xml(NETWORK, "Missing network port bridge name"))?;
            let mgr = p.get("macTableManager");
            if let Some(m) = mgr
                && !MAC_TABLE_MANAGERS.contains(&m)
            {
                return Err(XmlError::xml(
                    NETWORK,
                    format!("Invalid macTableManager setting '{m}' in network port"),
                ));
            }
            Ok(Plug::Bridge {
                kind: kind.to_string(),
                bridge: bridge.to_string(),
                mac_table_manager: mgr.map(str::to_string),
            })
        }
        "direct" if p.get("dev").is_none() => Err(XmlError::xml(
            NETWORK,
            "Missing network port link device name",
        )),
        _ => Ok(Plug::Other(p.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORT: &str = "<networkport>
  <uuid>5d5e6f7a-1b2c-4d3e-8f90-a1b2c3d4e5f6</uuid>
  <owner>
    <name>guest</name>
    <uuid>11111111-2222-3333-4444-555555555555</uuid>
  </owner>
  <group>web</group>
  <mac address='52:54:00:AA:BB:01'/>
  <bandwidth>
    <inbound average='1000' peak='2000' floor='10' burst='512'/>
    <outbound average='300'/>
  </bandwidth>
  <rxfilters trustGuest='yes'/>
  <plug type='network' bridge='virbr0' macTableManager='kernel'/>
</networkport>
";

    #[test]
    fn port_round_trips_as_libvirt_writes_it() {
        let p = NetworkPortDef::from_xml(PORT).unwrap();
        assert_eq!(p.mac, "52:54:00:aa:bb:01");
        assert_eq!(p.owner_name, "guest");
        assert_eq!(p.group.as_deref(), Some("web"));
        let b = p.bandwidth.unwrap();
        assert_eq!(b.inbound.unwrap().floor, 10);
        assert_eq!(b.outbound.unwrap().average, 300);
        assert_eq!(
            p.plug,
            Plug::Bridge {
                kind: "network".into(),
                bridge: "virbr0".into(),
                mac_table_manager: Some("kernel".into())
            }
        );
        assert_eq!(p.to_xml(), PORT.replace("AA:BB", "aa:bb"));
        assert_eq!(NetworkPortDef::from_xml(&p.to_xml()).unwrap(), p);
    }

    #[test]
    fn port_without_plug_prints_none() {
        let p = NetworkPortDef::from_xml(
            "<networkport><uuid>5d5e6f7a1b2c4d3e8f90a1b2c3d4e5f6</uuid><owner><name>g</name>\
             <uuid>11111111-2222-3333-4444-555555555555</uuid></owner><mac address='52:54:00:00:00:01'/></networkport>",
        )
        .unwrap();
        assert_eq!(p.plug, Plug::None);
        assert_eq!(
            p.to_xml(),
            "<networkport>\n  <uuid>5d5e6f7a-1b2c-4d3e-8f90-a1b2c3d4e5f6</uuid>\n  <owner>\n    <name>g</name>\n    <uuid>11111111-2222-3333-4444-555555555555</uuid>\n  </owner>\n  <mac address='52:54:00:00:00:01'/>\n</networkport>\n"
        );
    }

    #[test]
    fn port_refusals_carry_libvirt_messages() {
        let owner =
            "<owner><name>g</name><uuid>11111111-2222-3333-4444-555555555555</uuid></owner>";
        let mac = "<mac address='52:54:00:00:00:01'/>";
        let uuid = "<uuid>5d5e6f7a-1b2c-4d3e-8f90-a1b2c3d4e5f6</uuid>";
        for (xml, code, msg) in [
            (
                format!("<networkport>{owner}{mac}</networkport>"),
                1,
                "network port has no uuid",
            ),
            (
                format!("<networkport>{uuid}{mac}</networkport>"),
                1,
                "network port has no owner name",
            ),
            (
                format!("<networkport>{uuid}<owner><name>g</name></owner>{mac}</networkport>"),
                1,
                "network port has no owner UUID",
            ),
            (
                format!("<networkport>{uuid}{owner}</networkport>"),
                1,
                "network port has no mac",
            ),
            (
                format!("<networkport>{uuid}{owner}<mac address='zz'/></networkport>"),
                1,
                "Unable to parse MAC 'zz'",
            ),
            (
                format!("<networkport>{uuid}{owner}{mac}<plug type='network'/></networkport>"),
                27,
                "Missing network port bridge name",
            ),
            (
                format!(
                    "<networkport>{uuid}{owner}{mac}<plug type='bridge' bridge='b' macTableManager='x'/></networkport>"
                ),
                27,
                "Invalid macTableManager setting 'x' in network port",
            ),
            (
                format!(
                    "<networkport>{uuid}{owner}{mac}<bandwidth><inbound peak='3'/></bandwidth></networkport>"
                ),
                35,
                "Missing mandatory average or floor attributes",
            ),
            (
                format!(
                    "<networkport>{uuid}{owner}{mac}<bandwidth><outbound average='1' floor='3'/></bandwidth></networkport>"
                ),
                35,
                "'floor' attribute allowed only in <inbound> element",
            ),
        ] {
            let e = NetworkPortDef::from_xml(&xml).unwrap_err();
            assert_eq!((e.code, e.message.as_str()), (code, msg), "{xml}");
        }
    }
}
