//! libvirt's rules on a whole definition that the typed model does not carry: checked on
//! the raw tree, with libvirt's codes and words, as libvirt checks them while parsing or
//! validating (`virDomainDefParseXML`, `virDomainDefValidate`).
//!
//! Grouped by part: the OS and firmware, memory (huge pages, NUMA tuning, memory
//! devices), SMBIOS, then devices (character device sources, disks, host devices, USB,
//! video, controllers, TPM, shared memory).

use std::collections::BTreeSet;

use crate::bitmap::CpuSet;
use crate::xml::Element;
use crate::{ConfError, MemoryUnit, codes, domains};

fn err(code: i32, message: impl Into<String>) -> ConfError {
    ConfError::Invalid {
        code,
        domain: domains::DOMAIN,
        message: message.into(),
    }
}

fn detail(message: impl Into<String>) -> ConfError {
    err(codes::XML_DETAIL, message)
}

fn unsupported(message: impl Into<String>) -> ConfError {
    err(codes::CONFIG_UNSUPPORTED, message)
}

fn children<'a>(el: &'a Element, name: &'a str) -> impl Iterator<Item = &'a Element> {
    el.elements().filter(move |e| e.name == name)
}

fn yes(v: Option<&str>) -> bool {
    matches!(v, Some("yes" | "on"))
}

/// A size in KiB from `size`/`unit` attributes (or text and `unit`), if it parses.
fn kib(value: Option<&str>, unit: Option<&str>) -> Option<u64> {
    let v: u64 = value?.trim().parse().ok()?;
    let unit = match unit {
        Some(u) => u.parse::<MemoryUnit>().ok()?,
        None => MemoryUnit::KiB,
    };
    Some(v.checked_mul(unit.bytes_per_unit())?.div_ceil(1024))
}

/// Number of guest NUMA cells.
fn numa_cells(root: &Element) -> usize {
    root.child("cpu")
        .and_then(|c| c.child("numa"))
        .map_or(0, |n| children(n, "cell").count())
}

/// A node set that must name at least one node.
fn nodeset(value: &str) -> Result<CpuSet, ConfError> {
    let set = CpuSet::parse(value).ok_or_else(|| ConfError::InvalidBitmap {
        value: value.to_owned(),
    })?;
    if set.is_empty() {
        return Err(unsupported(format!("Invalid value of 'nodeset': {value}")));
    }
    Ok(set)
}

/// Checks the rules of this module on a parsed (not yet typed) definition.
pub(crate) fn check(root: &Element) -> Result<(), ConfError> {
    values(root)?;
    os(root)?;
    hugepages(root)?;
    numatune(root)?;
    sysinfo(root)?;
    cputune(root)?;
    if let Some(devices) = root.child("devices") {
        self::devices(devices)?;
    }
    Ok(())
}

/// An attribute that must hold one of libvirt's values.
fn one_of(el: &Element, attr: &str, allowed: &[&str]) -> Result<(), ConfError> {
    match el.attr(attr) {
        Some(v) if !allowed.contains(&v) => Err(ConfError::InvalidAttr {
            attr: attr.into(),
            element: el.name.clone(),
            value: v.into(),
            expected: "",
        }),
        _ => Ok(()),
    }
}

/// Enumerated attributes the typed model keeps as written.
fn values(root: &Element) -> Result<(), ConfError> {
    if let Some(gic) = root.child("features").and_then(|f| f.child("gic")) {
        one_of(gic, "version", &["host", "2", "3"])?;
    }
    if let Some(numa) = root.child("cpu").and_then(|c| c.child("numa")) {
        for cell in children(numa, "cell") {
            one_of(cell, "memAccess", &["shared", "private"])?;
        }
    }
    Ok(())
}

/// `<os>`: boot menu, loader, NVRAM and firmware autoselection
/// (`virDomainDefBootValidate`, `virDomainDefOSValidate`, `virDomainDefPostParseOs`).
fn os(root: &Element) -> Result<(), ConfError> {
    let Some(os) = root.child("os") else {
        return Ok(());
    };
    if let Some(timeout) = os.child("bootmenu").and_then(|b| b.attr("timeout"))
        && timeout.trim().parse::<u32>().map_or(true, |t| t > 65535)
    {
        return Err(unsupported(
            "invalid value for boot menu timeout, must be in range [0,65535]",
        ));
    }
    let features = os.child("firmware").map(|f| {
        children(f, "feature")
            .filter_map(|x| Some((x.attr("name")?, x.attr("enabled")?)))
            .collect::<Vec<_>>()
    });
    if let Some(features) = &features {
        let enabled = |n: &str| features.iter().find(|(name, _)| *name == n).map(|x| x.1);
        if enabled("enrolled-keys") == Some("yes") && enabled("secure-boot") == Some("no") {
            return Err(detail(
                "firmware feature 'enrolled-keys' cannot be enabled when firmware feature 'secure-boot' is disabled",
            ));
        }
    }
    let loader = os.child("loader");
    let nvram = os.child("nvram");
    if loader.is_none() && nvram.is_none() {
        return Ok(());
    }
    let firmware = os.attr("firmware");
    let template = nvram.and_then(|n| n.attr("template"));
    let loader_attr = |a: &str| loader.and_then(|l| l.attr(a));
    let loader_path = loader.map(|l| l.text()).filter(|t| !t.trim().is_empty());
    if let Some(firmware) = firmware {
        if loader.is_some() {
            if loader_attr("readonly").is_some() {
                return Err(detail(
                    "loader attribute 'readonly' cannot be specified when firmware autoselection is enabled",
                ));
            }
            // A loader with a path is a ROM unless it says otherwise, so libvirt's
            // complaint about the path itself never comes first.
            if loader_attr("type").is_some() || loader_path.is_some() {
                return Err(detail(
                    "loader attribute 'type' cannot be specified when firmware autoselection is enabled",
                ));
            }
        }
        if template.is_some() {
            return Err(detail(
                "nvram attribute 'template' cannot be specified when firmware autoselection is enabled",
            ));
        }
        if loader_attr("secure") == Some("no") {
            return Err(detail(
                "loader attribute 'secure' cannot be specified when firmware autoselection is enabled",
            ));
        }
        if nvram.is_some() && firmware != "efi" {
            return Err(detail(format!(
                "firmware type '{firmware}' does not support nvram"
            )));
        }
    } else {
        // (libvirt 9.0 ignores `<firmware>` features without autoselection.)
        if loader_path.is_none() {
            return Err(detail(
                "no loader path specified and firmware auto selection disabled",
            ));
        }
    }
    match loader_attr("stateless") {
        Some("yes") => {
            if template.is_some() {
                return Err(detail(
                    "NVRAM template is not permitted when loader is stateless",
                ));
            }
            if nvram.is_some() {
                return Err(detail("NVRAM is not permitted when loader is stateless"));
            }
        }
        Some("no") => match firmware {
            None if loader_attr("type") != Some("pflash") => {
                return Err(detail("Only pflash loader type permits NVRAM"));
            }
            Some(f) if f != "efi" => {
                return Err(detail("Only EFI firmware permits NVRAM"));
            }
            _ => {}
        },
        _ => {}
    }
    Ok(())
}

/// `<memoryBacking><hugepages>`: one page size for the whole guest, the others on
/// NUMA nodes that exist (`virDomainDefMemtuneValidate`).
fn hugepages(root: &Element) -> Result<(), ConfError> {
    let Some(pages) = root
        .child("memoryBacking")
        .and_then(|m| m.child("hugepages"))
    else {
        return Ok(());
    };
    let cells = numa_cells(root);
    let mut seen: Vec<(u64, Option<CpuSet>)> = Vec::new();
    for page in children(pages, "page") {
        let size = kib(page.attr("size"), page.attr("unit")).unwrap_or(0);
        if size == 0 {
            return Err(detail("hugepage size can't be zero"));
        }
        let mut nodes = page.attr("nodeset").map(nodeset).transpose()?;
        // Without guest NUMA, node 0 is the whole guest (virDomainDefPostParseMemtune).
        if cells == 0 && nodes.as_ref().is_some_and(|n| n.0.iter().all(|&x| x == 0)) {
            nodes = None;
        }
        for (other, other_nodes) in &seen {
            match (&nodes, other_nodes) {
                (Some(a), Some(b)) if a.0.intersection(&b.0).next().is_some() => {
                    return Err(detail(format!(
                        "nodeset attribute of hugepages of sizes {size} and {other} intersect"
                    )));
                }
                (None, None) => {
                    return Err(detail(format!(
                        "two master hugepages detected: {size} and {other}"
                    )));
                }
                _ => {}
            }
        }
        if let Some(n) = &nodes
            && let Some(missing) = n.0.iter().find(|&&x| x as usize >= cells)
        {
            return Err(detail(format!("hugepages: node {missing} not found")));
        }
        seen.push((size, nodes));
    }
    Ok(())
}

/// `<numatune>`: node sets, placement and per-node modes (`virDomainNumatuneParseXML`,
/// `virDomainNumatuneSet`).
fn numatune(root: &Element) -> Result<(), ConfError> {
    let Some(tune) = root.child("numatune") else {
        return Ok(());
    };
    let memory = tune.child("memory");
    if let Some(m) = memory {
        let set = m.attr("nodeset").map(nodeset).transpose()?;
        let vcpu_static = root
            .child("vcpu")
            .and_then(|v| v.attr("placement"))
            .is_none_or(|p| p == "static");
        let placement = match m.attr("placement") {
            Some(p) => p,
            None if set.is_some() || vcpu_static => "static",
            None => "auto",
        };
        if placement == "static" && set.is_none() {
            return Err(unsupported(
                "nodeset for NUMA memory tuning must be set if 'placement' is 'static'",
            ));
        }
    }
    let memnodes: Vec<&Element> = children(tune, "memnode").collect();
    if memnodes.is_empty() {
        return Ok(());
    }
    if memory.is_some_and(|m| m.attr("placement") == Some("auto")) {
        return Err(unsupported(
            "Per-node binding is not compatible with automatic NUMA placement.",
        ));
    }
    let restrictive = memory.and_then(|m| m.attr("mode")) == Some("restrictive");
    for n in memnodes {
        if restrictive && n.attr("mode") != Some("restrictive") {
            return Err(err(
                codes::XML_ERROR,
                "'restrictive' mode is required in memnode element when mode is 'restrictive' in memory element",
            ));
        }
        if let Some(set) = n.attr("nodeset") {
            nodeset(set)?;
        }
    }
    Ok(())
}

/// `<sysinfo type='smbios'>`: the BIOS date's format and the system UUID
/// (`virSysinfoBIOSParseXML`, `virSysinfoSystemParseXML`).
fn sysinfo(root: &Element) -> Result<(), ConfError> {
    for info in children(root, "sysinfo").filter(|s| s.attr("type") == Some("smbios")) {
        let entry = |section: &str, name: &str| {
            info.child(section).and_then(|s| {
                children(s, "entry")
                    .find(|e| e.attr("name") == Some(name))
                    .map(|e| e.text())
            })
        };
        if let Some(date) = entry("bios", "date")
            && !bios_date(&date)
        {
            return Err(detail("Invalid BIOS 'date' format"));
        }
        if let Some(uuid) = entry("system", "uuid") {
            let Ok(system) = uuid::Uuid::parse_str(uuid.trim()) else {
                return Err(detail("malformed <sysinfo> uuid element"));
            };
            let domain = root
                .child("uuid")
                .and_then(|u| uuid::Uuid::parse_str(u.text().trim()).ok());
            if domain.is_some_and(|d| d != system) {
                return Err(detail("UUID mismatch between <uuid> and <sysinfo>"));
            }
        }
    }
    Ok(())
}

/// libvirt's BIOS date: `mm/dd/yy` or `mm/dd/yyyy` from 1900.
fn bios_date(date: &str) -> bool {
    let parts: Vec<&str> = date.split('/').collect();
    let [m, d, y] = parts.as_slice() else {
        return false;
    };
    let (Ok(m), Ok(d), Ok(y)) = (m.parse::<i64>(), d.parse::<i64>(), y.parse::<i64>()) else {
        return false;
    };
    (1..=12).contains(&m) && (1..=31).contains(&d) && ((0..100).contains(&y) || y >= 1900)
}

/// `<cputune>`: real-time schedulers of vCPUs and I/O threads on disjoint sets
/// (`virDomainSchedulerParseCommonAttrs` callers).
fn cputune(root: &Element) -> Result<(), ConfError> {
    let Some(tune) = root.child("cputune") else {
        return Ok(());
    };
    for (name, attr) in [
        ("vcpusched", "vcpus"),
        ("iothreadsched", "iothreads"),
        ("emulatorsched", ""),
    ] {
        if attr.is_empty() {
            continue;
        }
        let mut seen = BTreeSet::new();
        for s in children(tune, name) {
            let set = s.attr(attr).and_then(CpuSet::parse).unwrap_or_default();
            for id in set.0 {
                if !seen.insert(id) {
                    return Err(detail(format!(
                        "'{name}' attributes '{attr}' must not overlap"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// The checks on devices that need more than the device itself.
fn devices(devices: &Element) -> Result<(), ConfError> {
    usb(devices)?;
    video(devices)?;
    hostdevs(devices)?;
    for dev in devices.elements() {
        if let Some(loadparm) = dev.child("boot").and_then(|b| b.attr("loadparm")) {
            boot_loadparm(loadparm)?;
        }
        if let Some(port) = dev
            .child("address")
            .filter(|a| a.attr("type") == Some("usb"))
            .and_then(|a| a.attr("port"))
        {
            usb_port(port)?;
        }
        match dev.name.as_str() {
            "graphics" => graphics(dev)?,
            "serial" | "parallel" | "console" | "channel" => {
                chardev_sources(dev, dev.attr("type"), Some(dev))?;
            }
            "redirdev" => chardev_sources(dev, dev.attr("type"), None)?,
            "smartcard" if dev.attr("mode") == Some("passthrough") => {
                chardev_sources(dev, dev.attr("type"), None)?;
            }
            "rng" => {
                if let Some(b) = dev
                    .child("backend")
                    .filter(|b| b.attr("model") == Some("egd"))
                {
                    chardev_sources(b, b.attr("type"), None)?;
                }
            }
            "disk" => disk(dev)?,
            "tpm" if dev.child("backend").is_none() => {
                return Err(err(codes::XML_ERROR, "missing TPM device backend"));
            }
            "shmem" if dev.child("msi").is_some() && dev.child("server").is_none() => {
                return Err(err(
                    codes::XML_ERROR,
                    "msi option is only supported with a server",
                ));
            }
            "controller" if dev.attr("type") == Some("pci") => pci_controller(dev)?,
            _ => {}
        }
    }
    Ok(())
}

/// A USB address's port: up to 4 hub levels, `1.2.3.4`
/// (`virDomainDeviceUSBAddressParsePort`).
fn usb_port(port: &str) -> Result<(), ConfError> {
    let levels: Vec<&str> = port.split('.').collect();
    if levels.len() > 4 || levels.iter().any(|l| l.parse::<u32>().is_err()) {
        return Err(ConfError::Invalid {
            code: codes::INTERNAL_ERROR,
            domain: domains::DEVICE,
            message: "Cannot parse <address> 'port' attribute".into(),
        });
    }
    Ok(())
}

/// A device's `<boot loadparm>` (s390): 1 to 8 of `[a-zA-Z0-9.]` and spaces
/// (`virDomainDeviceLoadparmIsValid`).
fn boot_loadparm(value: &str) -> Result<(), ConfError> {
    if value.is_empty() || value.len() > 8 {
        return Err(err(
            codes::INTERNAL_ERROR,
            format!("loadparm value '{value}' must be between 1 and 8 characters"),
        ));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == ' ')
    {
        return Err(err(
            codes::INTERNAL_ERROR,
            format!(
                "invalid loadparm value '{value}', expecting chars in set of [a-zA-Z0-9.] and blank spaces"
            ),
        ));
    }
    Ok(())
}

/// `<graphics>`: the old `listen`/`socket` attributes agree with the first `<listen>`,
/// and a network listen names its network (`virDomainGraphicsListenDefParseXML`,
/// `virDomainGraphicsDefListensValidate`).
fn graphics(g: &Element) -> Result<(), ConfError> {
    let listens: Vec<&Element> = children(g, "listen").collect();
    if let Some(first) = listens.first() {
        match first.attr("type") {
            Some("address") => {
                if let (Some(a), Some(compat)) = (first.attr("address"), g.attr("listen"))
                    && a != compat
                {
                    return Err(unsupported(format!(
                        "graphics 'listen' attribute '{compat}' must match 'address' attribute of first listen element (found '{a}')"
                    )));
                }
            }
            Some("socket") => {
                if let (Some(a), Some(compat)) = (first.attr("socket"), g.attr("socket"))
                    && a != compat
                {
                    return Err(unsupported(format!(
                        "graphics 'socket' attribute '{compat}' must match 'socket' attribute of first listen element (found '{a}')"
                    )));
                }
            }
            _ => {}
        }
    }
    if listens
        .iter()
        .any(|l| l.attr("type") == Some("network") && l.attr("network").is_none())
    {
        return Err(err(
            codes::XML_ERROR,
            "'network' attribute is required for listen type 'network'",
        ));
    }
    Ok(())
}

/// A character device backend's `<source>`s (`virDomainChrSourceDefParseXML`,
/// `virDomainChrSourceDefValidate`). `chr` is the serial/console/channel element itself,
/// for the channels whose socket path libvirt generates.
fn chardev_sources(
    el: &Element,
    kind: Option<&str>,
    chr: Option<&Element>,
) -> Result<(), ConfError> {
    let kind = kind.unwrap_or("null");
    let sources: Vec<&Element> = children(el, "source").collect();
    if sources.len() > 1 && kind != "udp" {
        return Err(err(
            codes::XML_ERROR,
            "only one source element is allowed for character device",
        ));
    }
    if sources.len() > 2 {
        return Err(err(
            codes::XML_ERROR,
            "only two source elements are allowed for character device",
        ));
    }
    let internal = |m: &str| err(codes::INTERNAL_ERROR, m);
    let first = sources.first().copied();
    let reconnect = first
        .and_then(|s| s.child("reconnect"))
        .is_some_and(|r| yes(r.attr("enabled")));
    if let Some(r) = first.and_then(|s| s.child("reconnect"))
        && yes(r.attr("enabled"))
        && r.attr("timeout").is_none()
    {
        return Err(ConfError::MissingAttr {
            attr: "timeout".into(),
            element: "reconnect".into(),
        });
    }
    let listening = first.and_then(|s| s.attr("mode")) == Some("bind");
    match kind {
        "file" | "dev" | "pipe" if first.and_then(|s| s.attr("path")).is_none() => {
            return Err(internal("Missing source path attribute for char device"));
        }
        "tcp" => {
            if first.and_then(|s| s.attr("host")).is_none() {
                return Err(internal("Missing source host attribute for char device"));
            }
            if first.and_then(|s| s.attr("service")).is_none() {
                return Err(internal("Missing source service attribute for char device"));
            }
            if listening && reconnect {
                return Err(internal(
                    "chardev reconnect is possible only for connect mode",
                ));
            }
        }
        "udp" => {
            let connect = sources
                .iter()
                .find(|s| s.attr("mode").is_none_or(|m| m == "connect"));
            if connect.and_then(|s| s.attr("service")).is_none() {
                return Err(internal("Missing source service attribute for char device"));
            }
        }
        "unix" => {
            let generated = chr.is_some_and(|c| {
                c.name == "channel"
                    && c.child("target")
                        .and_then(|t| t.attr("type"))
                        .is_some_and(|t| t == "virtio" || t == "xen")
            });
            if first.and_then(|s| s.attr("path")).is_none() && !generated {
                return Err(internal("Missing source path attribute for char device"));
            }
            if listening && reconnect {
                return Err(internal(
                    "chardev reconnect is possible only for connect mode",
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

/// One disk: its address type against its bus, `device='lun'`, authentication and
/// encryption given once (`virDomainDiskDefValidate`, `virDomainDiskDefParseXML`).
fn disk(dev: &Element) -> Result<(), ConfError> {
    let target = dev.child("target");
    let dst = target.and_then(|t| t.attr("dev")).unwrap_or_default();
    let source = dev.child("source");
    if source.is_some_and(|s| s.child("auth").is_some()) && dev.child("auth").is_some() {
        return Err(unsupported(
            "an <auth> definition already found for disk source",
        ));
    }
    if source.is_some_and(|s| s.child("encryption").is_some()) && dev.child("encryption").is_some()
    {
        return Err(unsupported(
            "an <encryption> definition already found for disk source",
        ));
    }
    let disk_type = dev.attr("type").unwrap_or("file");
    if dev.attr("device") == Some("lun") && !matches!(disk_type, "block" | "network" | "volume") {
        return Err(unsupported(
            "disk device='lun' is only valid for block type disk source",
        ));
    }
    let auth = source
        .and_then(|s| s.child("auth"))
        .or_else(|| dev.child("auth"));
    if let (Some(auth), Some(protocol)) = (auth, source.and_then(|s| s.attr("protocol"))) {
        let usage = auth.child("secret").and_then(|s| s.attr("type"));
        match usage {
            Some("none" | "volume" | "ceph" | "iscsi" | "tls" | "vtpm") => {}
            other => {
                return Err(unsupported(format!(
                    "unknown secret type '{}'",
                    other.unwrap_or("<null>")
                )));
            }
        }
        let wanted = match protocol {
            "iscsi" => Some("iscsi"),
            "rbd" => Some("ceph"),
            _ => None,
        };
        if let (Some(w), Some(u)) = (wanted, usage)
            && w != u
        {
            return Err(unsupported(format!("invalid secret type '{u}'")));
        }
    }
    let encryption = source
        .and_then(|s| s.child("encryption"))
        .or_else(|| dev.child("encryption"));
    if let Some(e) = encryption
        && e.attr("format") == Some("luks")
        && e.child("cipher").is_some()
    {
        return Err(unsupported(
            "supplying <cipher> for domain disk definition is unnecessary",
        ));
    }
    let bus = target.and_then(|t| t.attr("bus")).unwrap_or_default();
    if let Some(kind) = dev.child("address").and_then(|a| a.attr("type"))
        && matches!(bus, "ide" | "fdc" | "scsi" | "sata")
        && kind != "drive"
    {
        return Err(unsupported(format!(
            "Invalid address type '{kind}' for the disk '{dst}' with the bus type '{bus}'"
        )));
    }
    Ok(())
}

/// What makes two host devices the same device: their mode, type and source.
fn hostdev_key(h: &Element) -> Option<String> {
    let source = h.child("source")?;
    let mut s = source.clone();
    // What the device is, not how QEMU opens it.
    s.attrs
        .retain(|(k, _)| k != "startupPolicy" && k != "guestReset" && k != "writeFiltering");
    Some(format!(
        "{} {} {}",
        h.attr("mode").unwrap_or("subsystem"),
        h.attr("type").unwrap_or_default(),
        s.to_xml_string()
    ))
}

/// `<hostdev>`s: each host device once, one vGPU with a ramfb, mediated devices'
/// address types (`virDomainDefHostdevValidate`, `virDomainHostdevDefPostParse`).
fn hostdevs(devices: &Element) -> Result<(), ConfError> {
    // Each device's key once, and how many devices with it are still to come.
    let hostdevs: Vec<(&Element, Option<String>)> = children(devices, "hostdev")
        .map(|h| (h, hostdev_key(h)))
        .collect();
    let mut left: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for key in hostdevs.iter().filter_map(|(_, k)| k.as_deref()) {
        *left.entry(key).or_default() += 1;
    }
    let mut ramfb = false;
    for (h, key) in &hostdevs {
        let later = key.as_deref().and_then(|k| left.get_mut(k)).map(|n| {
            *n -= 1;
            *n
        });
        if later.is_some_and(|n| n > 0) {
            return Err(err(
                codes::XML_ERROR,
                "Hostdev already exists in the domain configuration",
            ));
        }
        if h.attr("type") != Some("mdev") {
            continue;
        }
        if h.child("source")
            .and_then(|s| s.child("address"))
            .is_some_and(|a| a.attr("uuid").is_none())
        {
            return Err(unsupported(
                "Missing 'uuid' attribute for element <address>",
            ));
        }
        if h.attr("ramfb") == Some("on") {
            if ramfb {
                return Err(unsupported("Only one vgpu device can have 'ramfb' enabled"));
            }
            ramfb = true;
        }
        let model = h.attr("model").unwrap_or_default();
        let wanted = match model {
            "vfio-pci" => Some("pci"),
            "vfio-ccw" => Some("ccw"),
            "vfio-ap" => None,
            _ => None,
        };
        if let (Some(w), Some(kind)) = (wanted, h.child("address").and_then(|a| a.attr("type")))
            && kind != w
        {
            return Err(err(
                codes::XML_ERROR,
                format!("Unsupported address type '{kind}' with mediated device model '{model}'"),
            ));
        }
    }
    Ok(())
}

/// USB: `model='none'` alone and with no USB devices, and a master controller for
/// companions (`virDomainDefParseXML`'s controller, input and hub passes).
fn usb(devices: &Element) -> Result<(), ConfError> {
    let mut none = false;
    let mut other = false;
    let mut master = false;
    for c in children(devices, "controller").filter(|c| c.attr("type") == Some("usb")) {
        if c.attr("model") == Some("none") {
            if other || none {
                return Err(detail(
                    "Can't add another USB controller: USB is disabled for this domain",
                ));
            }
            none = true;
        } else {
            if none {
                return Err(detail(
                    "Can't add another USB controller: USB is disabled for this domain",
                ));
            }
            other = true;
        }
        // libvirt gives ICH9 UHCI companions their master port while parsing them.
        let companion = matches!(
            c.attr("model"),
            Some("ich9-uhci1" | "ich9-uhci2" | "ich9-uhci3")
        );
        if c.child("master").is_none() && !companion {
            master = true;
        }
    }
    if other && !master {
        return Err(detail("No master USB controller specified"));
    }
    if !none {
        return Ok(());
    }
    if children(devices, "input").any(|i| i.attr("bus") == Some("usb")) {
        return Err(unsupported(
            "Can't add USB input device. USB bus is disabled",
        ));
    }
    if children(devices, "hub").any(|h| h.attr("type") == Some("usb")) {
        return Err(unsupported(
            "Can't add USB hub: USB is disabled for this domain",
        ));
    }
    Ok(())
}

/// `<video>`s: `none` alone, one primary, no address on ramfb
/// (`virDomainDefVideoValidate`, `virDomainVideoDefValidate`).
fn video(devices: &Element) -> Result<(), ConfError> {
    let videos: Vec<&Element> = children(devices, "video").collect();
    let model = |v: &Element| {
        v.child("model")
            .and_then(|m| m.attr("type"))
            .map(str::to_owned)
    };
    let primaries = videos
        .iter()
        .filter(|v| v.child("model").is_some_and(|m| yes(m.attr("primary"))))
        .count();
    if primaries > 1 {
        return Err(unsupported("Only one primary video device is supported"));
    }
    if videos.len() > 1 && videos.iter().any(|v| model(v).as_deref() == Some("none")) {
        return Err(unsupported(
            "a 'none' video type must be the only video device defined for the domain",
        ));
    }
    if videos
        .iter()
        .any(|v| model(v).as_deref() == Some("ramfb") && v.child("address").is_some())
    {
        return Err(unsupported("address not supported for video type ramfb"));
    }
    Ok(())
}

/// A PCI controller: roots without an address, and the root bus on no NUMA node
/// (`virDomainControllerDefValidate`).
fn pci_controller(c: &Element) -> Result<(), ConfError> {
    if matches!(c.attr("model"), Some("pci-root" | "pcie-root")) && c.child("address").is_some() {
        return Err(unsupported(
            "pci-root and pcie-root controllers should not have an address",
        ));
    }
    let index = c.attr("index").and_then(|i| i.trim().parse::<u32>().ok());
    if let Some(i) = index.filter(|i| *i > 255) {
        return Err(unsupported(format!(
            "PCI controller index {i} too high, maximum is 255"
        )));
    }
    // A PowerPC host bridge's target index (virDomainControllerDefValidate).
    let target = c
        .child("target")
        .and_then(|t| t.attr("index"))
        .and_then(|i| i.trim().parse::<i64>().ok());
    if let Some(t) = target {
        if !(0..=30).contains(&t) {
            return Err(unsupported(format!(
                "PCI controller target index '{t}' out of range - must be 0-30"
            )));
        }
        if (index == Some(0)) != (t == 0) {
            return Err(unsupported(
                "Only the PCI controller with index 0 can have target index 0, and vice versa",
            ));
        }
    }
    let numa = c
        .child("target")
        .and_then(|t| t.child("node"))
        .is_some_and(|n| n.text().trim().parse::<i64>().is_ok_and(|n| n >= 0));
    if index == Some(0) && numa {
        return Err(unsupported(
            "The PCI controller with index=0 can't be associated with a NUMA node",
        ));
    }
    Ok(())
}
