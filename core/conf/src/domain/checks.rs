//! Checks libvirt makes across parts of a definition while parsing it (besides the
//! per-value ones of the typed model): NUMA against vCPUs, per-node memory binding,
//! I/O thread references, interface sources, security labels, redirected USB devices
//! and the IOMMU.

use std::collections::HashSet;

use super::DomainDef;
use crate::bitmap::CpuSet;
use crate::devices::{ControllerType, Device, InterfaceType};
use crate::{ConfError, codes, domains};

fn err(code: i32, message: impl Into<String>) -> ConfError {
    ConfError::Invalid {
        code,
        domain: domains::DOMAIN,
        message: message.into(),
    }
}

fn cpu_err(code: i32, message: &str) -> ConfError {
    ConfError::Invalid {
        code,
        domain: domains::CPU,
        message: message.into(),
    }
}

fn cpu(def: &DomainDef) -> Result<(), ConfError> {
    let Some(cpu) = &def.cpu else {
        return Ok(());
    };
    use super::CpuMode;
    if cpu.migratable.is_some()
        && !matches!(cpu.mode, Some(CpuMode::HostPassthrough | CpuMode::Maximum))
    {
        return Err(cpu_err(
            codes::CONFIG_UNSUPPORTED,
            "Attribute migratable is only allowed for 'host-passthrough' / 'maximum' CPU mode",
        ));
    }
    let named = cpu.model.as_ref().is_some_and(|m| m.name.is_some());
    let custom = cpu.mode.is_none_or(|m| m == CpuMode::Custom);
    if cpu.vendor.is_some() && !named {
        return Err(cpu_err(
            codes::XML_ERROR,
            "CPU vendor specified without CPU model",
        ));
    }
    if !cpu.features.is_empty() && !named && custom {
        return Err(cpu_err(
            codes::XML_ERROR,
            "Non-empty feature list specified without CPU model",
        ));
    }
    let mut seen = HashSet::new();
    for f in &cpu.features {
        if !seen.insert(f.name.as_str()) {
            return Err(cpu_err(
                codes::XML_ERROR,
                &format!("CPU feature '{}' specified more than once", f.name),
            ));
        }
    }
    Ok(())
}

fn vcpus(def: &DomainDef) -> Result<(), ConfError> {
    for v in def.vcpus.iter().flat_map(|v| &v.vcpus) {
        if v.id >= def.max_vcpus() {
            return Err(err(
                codes::XML_ERROR,
                format!("vcpu id '{}' is out of range of maximum vcpu count", v.id),
            ));
        }
    }
    Ok(())
}

fn numa(def: &DomainDef) -> Result<(), ConfError> {
    let cells = def
        .cpu
        .as_ref()
        .and_then(|c| c.numa.as_ref())
        .map_or(&[][..], |n| n.cells.as_slice());
    let cpus: usize = cells
        .iter()
        .filter_map(|c| c.cpus.as_deref().and_then(CpuSet::parse))
        .map(|s| s.0.len())
        .sum();
    for (i, cell) in cells.iter().enumerate() {
        let id = cell.id.map_or(i, |id| id as usize);
        if id >= cells.len() {
            return Err(err(
                codes::XML_ERROR,
                "Exactly one 'cell' element per guest NUMA cell allowed, non-contiguous ranges or ranges not starting from 0 are not allowed",
            ));
        }
    }
    if cpus > def.max_vcpus() as usize {
        return Err(err(
            codes::INTERNAL_ERROR,
            "Number of CPUs in <numa> exceeds the <vcpu> count",
        ));
    }
    if let Some(t) = &def.numatune {
        if !t.memnodes.is_empty() && cells.is_empty() {
            return Err(err(
                codes::XML_ERROR,
                "Element 'memnode' is invalid without any guest NUMA cells",
            ));
        }
        let mut seen = HashSet::new();
        for m in &t.memnodes {
            if m.cellid as usize >= cells.len() {
                return Err(err(
                    codes::XML_ERROR,
                    "Argument 'cellid' in memnode element must correspond to existing guest's NUMA cell",
                ));
            }
            if !seen.insert(m.cellid) {
                return Err(err(
                    codes::XML_ERROR,
                    format!("Multiple memnode elements with cellid {}", m.cellid),
                ));
            }
        }
    }
    Ok(())
}

fn iothreads(def: &DomainDef) -> Result<(), ConfError> {
    let ids: HashSet<u32> = match &def.iothreadids {
        Some(ids) => ids.iothreads.iter().map(|t| t.id).collect(),
        None => (1..=def.iothreads.unwrap_or(0)).collect(),
    };
    let Some(tune) = &def.cputune else {
        return Ok(());
    };
    let referenced = tune
        .iothreadpins
        .iter()
        .filter_map(|p| p.attr("iothread"))
        .chain(
            tune.iothreadscheds
                .iter()
                .filter_map(|s| s.attr("iothreads")),
        );
    for r in referenced {
        let set = CpuSet::parse(r).unwrap_or_default();
        if let Some(missing) = set.0.iter().find(|id| !ids.contains(id)) {
            return Err(err(
                codes::CONFIG_UNSUPPORTED,
                format!("Cannot find 'iothread' : {missing}"),
            ));
        }
    }
    Ok(())
}

fn devices(def: &DomainDef) -> Result<(), ConfError> {
    let has_usb = def
        .controllers()
        .any(|c| c.controller_type == ControllerType::Usb && c.model.as_deref() != Some("none"));
    for d in def.devices() {
        match d {
            Device::Interface(i) => {
                use InterfaceType::*;
                let needs_source = matches!(
                    i.interface_type,
                    Network
                        | Vds
                        | Internal
                        | Bridge
                        | Direct
                        | VhostUser
                        | Vdpa
                        | Client
                        | Server
                        | Mcast
                        | Udp
                );
                if needs_source && i.source.is_none() {
                    return Err(err(
                        codes::XML_ERROR,
                        format!(
                            "interface type='{}' requires a 'source' element",
                            i.interface_type
                        ),
                    ));
                }
            }
            Device::Redirdev(r) if r.bus == "usb" && !has_usb => {
                return Err(err(
                    codes::CONFIG_UNSUPPORTED,
                    "cannot add redirected USB device: USB is disabled for this domain",
                ));
            }
            Device::Iommu(i) => {
                let intremap = i.driver.as_ref().and_then(|d| d.attr("intremap")) == Some("on");
                let split = def
                    .features
                    .as_ref()
                    .and_then(|f| f.ioapic.as_ref())
                    .and_then(|a| a.driver.as_deref())
                    == Some("qemu");
                if intremap && !split {
                    return Err(err(
                        codes::CONFIG_UNSUPPORTED,
                        "IOMMU interrupt remapping requires split I/O APIC (ioapic driver='qemu')",
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn seclabels(def: &DomainDef) -> Result<(), ConfError> {
    let mut models = HashSet::new();
    for s in &def.seclabels {
        if !models.insert(s.model.as_deref()) {
            return Err(err(
                codes::XML_DETAIL,
                format!(
                    "seclabel for model {} is already provided",
                    s.model.as_deref().unwrap_or("(null)")
                ),
            ));
        }
    }
    if def.seclabels.len() > 1 && def.seclabels.iter().any(|s| s.model.is_none()) {
        return Err(err(
            codes::XML_ERROR,
            "missing security model when using multiple labels",
        ));
    }
    Ok(())
}

impl DomainDef {
    /// The checks libvirt makes across parts of the definition (see the module docs).
    pub(crate) fn check_consistency(&self) -> Result<(), ConfError> {
        seclabels(self)?;
        cpu(self)?;
        vcpus(self)?;
        numa(self)?;
        iothreads(self)?;
        devices(self)
    }
}
