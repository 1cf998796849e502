//! `<filter>`: libvirt's network filter XML ([`NwFilterDef`]). Rules and filter
//! references are kept as element trees.

use uuid::Uuid;

use crate::error::{Result, XmlError, domain::NWFILTER};
use crate::tree::{Element, parse_root};
use crate::util::parse_uuid;

/// Chain names a filter may name: `root` exactly, or a name starting with one of the
/// others (`ipv4`, `ipv4-ssh`, …).
pub const CHAINS: &[&str] = &["root", "mac", "vlan", "stp", "arp", "rarp", "ipv4", "ipv6"];

/// `VIR_ERR_INVALID_ARG`.
const INVALID_ARG: i32 = crate::error::code::INVALID_ARG;
/// Lowest filter priority.
const MIN_PRIORITY: i32 = -1000;
/// Highest filter priority.
const MAX_PRIORITY: i32 = 1000;
/// Longest chain name (what is left of an ebtables chain name of 32 bytes).
const MAX_CHAIN_LEN: usize = 12;

/// libvirt's default priority of a chain's filters, by chain prefix.
fn default_priority(prefix: &str) -> i32 {
    match prefix {
        "root" => 0,
        "stp" => -810,
        "mac" => -800,
        "vlan" => -750,
        "ipv4" => -700,
        "ipv6" => -600,
        "arp" => -500,
        "rarp" => -400,
        _ => 0,
    }
}

/// Rule actions.
const ACTIONS: &[&str] = &["drop", "accept", "reject", "return", "continue"];
/// Rule directions.
const DIRECTIONS: &[&str] = &["in", "out", "inout"];
/// A rule's priority when it names none (or one out of range).
const DEFAULT_RULE_PRIORITY: i32 = 500;

/// A `<rule>` as libvirt keeps it: action and direction checked, the priority
/// defaulted, `statematch` only when it turns state matching off; its protocol
/// elements as written.
fn rule(r: &Element) -> Result<Element> {
    let action = r
        .get("action")
        .ok_or_else(|| XmlError::internal(NWFILTER, "rule node requires action attribute"))?;
    if !ACTIONS.contains(&action) {
        return Err(XmlError::unsupported(
            NWFILTER,
            "unknown rule action attribute value",
        ));
    }
    let direction = r
        .get("direction")
        .ok_or_else(|| XmlError::internal(NWFILTER, "rule node requires direction attribute"))?;
    if !DIRECTIONS.contains(&direction) {
        return Err(XmlError::unsupported(
            NWFILTER,
            "unknown rule direction attribute value",
        ));
    }
    let priority = r
        .get("priority")
        .and_then(|p| p.parse::<i32>().ok())
        .filter(|p| (MIN_PRIORITY..=MAX_PRIORITY).contains(p))
        .unwrap_or(DEFAULT_RULE_PRIORITY);
    let no_statematch = r
        .get("statematch")
        .is_some_and(|v| v == "0" || v.eq_ignore_ascii_case("false"));
    let mut out = Element::new("rule")
        .attr("action", action)
        .attr("direction", direction)
        .attr("priority", priority);
    if no_statematch {
        out = out.attr("statematch", "false");
    }
    Ok(out.children(r.children.iter().cloned()))
}

/// The prefix of an allowed chain name (libvirt's checks and words).
fn allowed_chain(chain: &str) -> Result<&'static str> {
    let invalid = |msg: String| XmlError::new(INVALID_ARG, NWFILTER, msg);
    if chain.len() > MAX_CHAIN_LEN {
        return Err(invalid(format!(
            "Name of chain is longer than {MAX_CHAIN_LEN} characters"
        )));
    }
    if !chain
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'))
    {
        return Err(invalid("Chain name contains invalid characters".into()));
    }
    if chain == "root" {
        return Ok("root");
    }
    if !chain.starts_with("root")
        && let Some(p) = CHAINS[1..].iter().find(|p| chain.starts_with(**p))
    {
        return Ok(p);
    }
    Err(invalid(format!(
        "Invalid chain name '{chain}'. Please use a chain name called 'root' or any of the following prefixes: {}",
        CHAINS[1..].join(", ")
    )))
}

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
    /// Parses a `<filter>` document, checking name, priority and chain as libvirt
    /// does; a chain without a priority gets its protocol's default priority.
    pub fn from_xml(xml: &str) -> Result<NwFilterDef> {
        let root = parse_root(xml, "filter", "nwfilter_definition", NWFILTER)?;
        let name = root
            .get("name")
            .filter(|n| !n.is_empty())
            .ok_or_else(|| XmlError::internal(NWFILTER, "filter has no name"))?
            .to_string();
        let priority = match root.get("priority") {
            None => None,
            Some(p) => {
                let v: i32 = p.parse().map_err(|_| {
                    XmlError::new(
                        INVALID_ARG,
                        NWFILTER,
                        format!("Could not parse chain priority '{p}'"),
                    )
                })?;
                if !(MIN_PRIORITY..=MAX_PRIORITY).contains(&v) {
                    return Err(XmlError::new(
                        INVALID_ARG,
                        NWFILTER,
                        format!(
                            "Priority '{v}' is outside valid range of [{MIN_PRIORITY},{MAX_PRIORITY}]"
                        ),
                    ));
                }
                Some(v)
            }
        };
        let chain = root.get("chain").map(str::to_string);
        let priority = match chain.as_deref() {
            Some(c) => {
                let prefix = allowed_chain(c)?;
                priority.or(Some(default_priority(prefix)))
            }
            // libvirt keeps a priority only together with a chain.
            None => None,
        };
        let uuid = match root.child_text("uuid") {
            Some(t) => {
                parse_uuid(&t).ok_or_else(|| XmlError::xml(NWFILTER, "malformed uuid element"))?
            }
            None => Uuid::new_v4(),
        };
        let entries = root
            .children
            .iter()
            .filter(|c| c.name == "rule" || c.name == "filterref")
            .map(|c| {
                if c.name == "rule" {
                    rule(c)
                } else if c.get("filter").is_none() {
                    // libvirt's words for a reference without its filter.
                    Err(XmlError::internal(
                        NWFILTER,
                        "rule node requires action attribute",
                    ))
                } else {
                    Ok(c.clone())
                }
            })
            .collect::<Result<Vec<_>>>()?;
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
            .opt_attr("priority", self.priority.filter(|p| *p != 0))
            .child(Element::leaf("uuid", self.uuid.hyphenated().to_string()))
            .children(self.entries.clone())
            .to_xml()
    }
}
