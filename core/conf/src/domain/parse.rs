//! [`DomainDef::from_xml`]: parsing, the raw-tree prechecks that yield libvirt's
//! error codes, and the check that nothing in the input was lost.

use uuid::Uuid;

use super::{DomainDef, DomainType, LifecycleAction};
use crate::devices::DEVICE_ELEMENTS;
use crate::dom::{self, Node};
use crate::{ConfError, MemoryUnit};

impl DomainDef {
    /// Parses domain XML and checks it (see [`DomainDef::validate`]).
    ///
    /// Errors carry libvirt's error codes (see [`ConfError::libvirt_code`]). Input that
    /// the model cannot represent is rejected with [`ConfError::Unsupported`] rather
    /// than dropped; `<metadata>` is kept verbatim.
    ///
    /// ```
    /// use rvirt_conf::{DomainDef, DomainType};
    ///
    /// let def = DomainDef::from_xml(
    ///     "<domain type='kvm'>
    ///        <name>guest</name>
    ///        <memory unit='MiB'>512</memory>
    ///        <os><type>hvm</type></os>
    ///      </domain>",
    /// )?;
    /// assert_eq!(def.domain_type, DomainType::Kvm);
    /// assert_eq!(def.memory_kib(), 512 * 1024);
    ///
    /// let err = DomainDef::from_xml("<domain type='kvm'><name>g</name></domain>").unwrap_err();
    /// assert_eq!(err.libvirt_code(), 27);
    /// # Ok::<(), rvirt_conf::ConfError>(())
    /// ```
    pub fn from_xml(xml: &str) -> Result<DomainDef, ConfError> {
        let tree = dom::parse(xml, true)?;
        precheck(&tree)?;
        let mut def: DomainDef = quick_xml::de::from_str(xml).map_err(|e| ConfError::Xml {
            message: e.to_string(),
        })?;
        def.metadata = tree
            .children
            .iter()
            .find(|c| c.name == "metadata")
            .and_then(|c| c.raw.clone());
        // Anything in the input that does not survive a trip through the model is an
        // element/attribute we do not support: report it instead of losing it.
        let out = def.to_xml()?;
        let out_tree = dom::parse(&out, true)?;
        dom::find_unrepresented(&tree, &out_tree, "domain")?;
        def.validate()?;
        Ok(def)
    }
}

/// Checks on the raw tree that produce libvirt's specific error codes before serde
/// gets to report a generic one.
fn precheck(root: &Node) -> Result<(), ConfError> {
    if root.name != "domain" {
        return Err(ConfError::WrongRoot {
            found: root.name.clone(),
        });
    }
    match root.attr("type") {
        None => return Err(ConfError::MissingDomainType),
        Some(t) if t.parse::<DomainType>().is_err() => {
            return Err(ConfError::InvalidDomainType { value: t.into() });
        }
        Some(_) => {}
    }
    match root.child("name") {
        Some(n) if !n.text.trim().is_empty() => {}
        _ => return Err(ConfError::MissingName),
    }
    if let Some(u) = root.child("uuid")
        && Uuid::parse_str(u.text.trim()).is_err()
    {
        return Err(ConfError::MalformedUuid {
            value: u.text.clone(),
        });
    }
    let Some(memory) = root.child("memory") else {
        return Err(ConfError::MissingMemory);
    };
    check_memory(memory)?;
    if let Some(cur) = root.child("currentMemory") {
        check_memory(cur)?;
    }
    if let Some(vcpu) = root.child("vcpu")
        && vcpu.text.trim().parse::<u32>().is_err()
    {
        return Err(ConfError::Xml {
            message: "maximum vcpus count must be an integer".into(),
        });
    }
    for event in ["on_poweroff", "on_reboot", "on_crash"] {
        if let Some(n) = root.child(event)
            && n.text.parse::<LifecycleAction>().is_err()
        {
            return Err(ConfError::UnknownLifecycleAction {
                event: event.into(),
                value: n.text.clone(),
            });
        }
    }
    if root.child("os").and_then(|os| os.child("type")).is_none() {
        return Err(ConfError::Xml {
            message: "an os <type> must be specified".into(),
        });
    }
    if let Some(devices) = root.child("devices") {
        for (i, dev) in devices.children.iter().enumerate() {
            if !DEVICE_ELEMENTS.contains(&dev.name.as_str()) {
                let same = devices.children.iter().filter(|c| c.name == dev.name);
                let path = if same.clone().count() > 1 {
                    let k = devices.children[..i]
                        .iter()
                        .filter(|c| c.name == dev.name)
                        .count();
                    format!("domain/devices/{}[{}]", dev.name, k + 1)
                } else {
                    format!("domain/devices/{}", dev.name)
                };
                return Err(ConfError::Unsupported {
                    path,
                    kind: crate::error::UnsupportedKind::Element,
                });
            }
        }
    }
    Ok(())
}

fn check_memory(node: &Node) -> Result<(), ConfError> {
    let text = node.text.trim();
    let value: u64 = text.parse().map_err(|_| ConfError::InvalidValue {
        xpath: format!("./{}[1]", node.name),
        value: node.text.clone(),
    })?;
    let unit_text = node.attr("unit");
    let unit = match unit_text {
        Some(u) => u.parse::<MemoryUnit>()?,
        None => MemoryUnit::KiB,
    };
    if value.checked_mul(unit.bytes_per_unit()).is_none() {
        return Err(ConfError::MemoryOverflow {
            value,
            unit: unit_text.unwrap_or("KiB").into(),
        });
    }
    Ok(())
}
