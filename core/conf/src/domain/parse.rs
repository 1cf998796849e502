//! [`DomainDef::from_xml`]: parsing, and the checks on the raw tree that come before
//! the typed model and yield libvirt's error codes.

use uuid::Uuid;

use super::{DomainDef, DomainType, LifecycleAction, OsType, os};
use crate::model::XmlElement;
use crate::xml::{self, Element};
use crate::{ConfError, MemoryUnit};

impl DomainDef {
    /// Parses domain XML and checks it as libvirt does (see [`DomainDef::validate`]).
    ///
    /// Everything libvirt's schema allows is accepted. The parts of the model that are
    /// typed are checked with libvirt's rules and error codes (see
    /// [`ConfError::libvirt_code`]); anything else is kept as written and printed
    /// back by [`DomainDef::to_xml`].
    ///
    /// ```
    /// use rvirt_conf::{DomainDef, DomainType};
    ///
    /// let def = DomainDef::from_xml(
    ///     "<domain type='kvm'>
    ///        <name>guest</name>
    ///        <memory unit='MiB'>512</memory>
    ///        <os><type>hvm</type></os>
    ///        <pm><suspend-to-mem enabled='no'/></pm>
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
        DomainDef::parse_checked(xml, true)
    }

    /// Parses a definition the driver wrote itself (a stored configuration, a status
    /// file): as [`DomainDef::from_xml`], without the whole-definition rules libvirt
    /// also skips there (`VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE`), so that a definition
    /// stored before a rule existed is not lost.
    pub fn from_stored_xml(xml: &str) -> Result<DomainDef, ConfError> {
        DomainDef::parse_checked(xml, false)
    }

    fn parse_checked(xml: &str, rules: bool) -> Result<DomainDef, ConfError> {
        let mut tree = xml::parse::parse(xml)?;
        precheck(&tree)?;
        if rules {
            super::rules::check(&tree)?;
        }
        // In libvirt's order from the start, so that what is kept as written compares
        // equal to what it prints.
        xml::order::canonicalize(&mut tree);
        let numa_only = tree.child("memory").is_none();
        let mut def = DomainDef::from_element(tree)?;
        if numa_only {
            // libvirt takes the size from the NUMA cells.
            let total: u64 = def
                .cpu
                .iter()
                .flat_map(|c| &c.numa)
                .flat_map(|n| &n.cells)
                .map(|c| c.memory_kib())
                .sum();
            def.memory = crate::Memory::from_kib(total);
        }
        def.validate()?;
        Ok(def)
    }
}

/// Checks on the raw tree that produce libvirt's specific error codes before the typed
/// model reports a generic one.
fn precheck(root: &Element) -> Result<(), ConfError> {
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
        Some(n) if !n.text().trim().is_empty() => {}
        _ => return Err(ConfError::MissingName),
    }
    if let Some(u) = root.child("uuid")
        && Uuid::parse_str(u.text().trim()).is_err()
    {
        return Err(ConfError::MalformedUuid { value: u.text() });
    }
    match root.child("memory") {
        Some(memory) => check_memory(memory)?,
        None => {
            let has_numa = root
                .child("cpu")
                .and_then(|c| c.child("numa"))
                .is_some_and(|n| n.child("cell").is_some());
            if !has_numa {
                return Err(ConfError::MissingMemory);
            }
        }
    }
    if let Some(cur) = root.child("currentMemory") {
        check_memory(cur)?;
    }
    if let Some(vcpu) = root.child("vcpu")
        && vcpu.text().trim().parse::<u32>().is_err()
    {
        return Err(ConfError::Xml {
            message: "maximum vcpus count must be an integer".into(),
        });
    }
    for event in ["on_poweroff", "on_reboot", "on_crash"] {
        if let Some(n) = root.child(event)
            && n.text().parse::<LifecycleAction>().is_err()
        {
            return Err(ConfError::UnknownLifecycleAction {
                event: event.into(),
                value: n.text(),
            });
        }
    }
    match root.child("os").and_then(|os| os.child("type")) {
        None => {
            return Err(ConfError::Xml {
                message: "an os <type> must be specified".into(),
            });
        }
        Some(t) if t.text().parse::<OsType>().is_err() => {
            return Err(os::unknown_os_type(&t.text()));
        }
        Some(_) => {}
    }
    if let Some(devices) = root.child("devices") {
        for dev in devices.elements() {
            crate::devices::precheck(dev)?;
        }
    }
    Ok(())
}

fn check_memory(node: &Element) -> Result<(), ConfError> {
    let text = node.text();
    let value: u64 = text.trim().parse().map_err(|_| ConfError::InvalidValue {
        xpath: format!("./{}[1]", node.name),
        value: text.clone(),
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
