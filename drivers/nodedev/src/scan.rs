//! The host's devices as libvirt names and describes them, read from sysfs: the root
//! `computer`, PCI devices and network interfaces.

use std::path::{Path, PathBuf};

use rvirt_core::objconf::NodeDeviceDef;
use rvirt_core::objconf::tree::Element;

/// The root device every other one descends from.
const COMPUTER: &str = "computer";

/// `ARPHRD_ETHER`: an interface of this type has libvirt's `80203` sub-capability.
const ARPHRD_ETHER: &str = "1";

fn read(path: &Path) -> Option<String> {
    let s = std::fs::read_to_string(path).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    v.sort();
    v
}

fn leaf_opt(name: &str, text: Option<String>) -> Option<Element> {
    text.map(|t| Element::leaf(name, t))
}

/// Every device under `sysfs`: `computer` first, then PCI devices, then network
/// interfaces, each in name order.
pub fn scan(sysfs: &Path) -> Vec<NodeDeviceDef> {
    let mut devs = vec![computer(sysfs)];
    devs.extend(
        entries(&sysfs.join("bus/pci/devices"))
            .iter()
            .filter_map(|p| pci_device(sysfs, p)),
    );
    devs.extend(
        entries(&sysfs.join("class/net"))
            .iter()
            .filter_map(|p| net_device(sysfs, p)),
    );
    devs
}

/// `computer`: capability `system` with the DMI facts sysfs shows.
fn computer(sysfs: &Path) -> NodeDeviceDef {
    let dmi = sysfs.join("class/dmi/id");
    let dmi = |f: &str| read(&dmi.join(f));
    let hardware = Element::new("hardware")
        .opt_child(leaf_opt("vendor", dmi("sys_vendor")))
        .opt_child(leaf_opt("version", dmi("product_version")))
        .opt_child(leaf_opt("serial", dmi("product_serial")))
        .opt_child(leaf_opt("uuid", dmi("product_uuid")));
    let firmware = Element::new("firmware")
        .opt_child(leaf_opt("vendor", dmi("bios_vendor")))
        .opt_child(leaf_opt("version", dmi("bios_version")))
        .opt_child(leaf_opt("release_date", dmi("bios_date")));
    let cap = Element::new("capability")
        .attr("type", "system")
        .opt_child(leaf_opt("product", dmi("product_name")))
        .child(hardware)
        .child(firmware);
    NodeDeviceDef {
        name: COMPUTER.into(),
        caps: vec![cap],
        ..NodeDeviceDef::default()
    }
}

/// `(domain, bus, slot, function)` of a PCI address `DDDD:BB:SS.F`.
fn pci_address(addr: &str) -> Option<(u32, u32, u32, u32)> {
    let (domain, rest) = addr.split_once(':')?;
    let (bus, rest) = rest.split_once(':')?;
    let (slot, function) = rest.split_once('.')?;
    let hex = |s: &str| u32::from_str_radix(s, 16).ok();
    Some((hex(domain)?, hex(bus)?, hex(slot)?, hex(function)?))
}

/// libvirt's name of the PCI device at `addr`: `pci_DDDD_BB_SS_F`.
fn pci_name(addr: &str) -> String {
    format!("pci_{}", addr.replace([':', '.'], "_"))
}

/// The device directory `path` resolves to in sysfs's `devices` tree.
fn real(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

/// The node device `dir` (a real sysfs device directory) belongs to: the PCI device
/// it is or lies under, else `computer`.
fn parent_of(dir: Option<&Path>) -> String {
    dir.and_then(|d| {
        d.ancestors()
            .filter_map(|a| a.file_name()?.to_str())
            .find(|n| pci_address(n).is_some())
            .map(pci_name)
    })
    .unwrap_or_else(|| COMPUTER.to_string())
}

fn pci_device(sysfs: &Path, link: &Path) -> Option<NodeDeviceDef> {
    let addr = link.file_name()?.to_str()?.to_string();
    let (domain, bus, slot, function) = pci_address(&addr)?;
    let dir = real(link);
    let base = dir.clone().unwrap_or_else(|| link.to_path_buf());
    let parent = parent_of(dir.as_deref().and_then(Path::parent));
    let driver = std::fs::read_link(base.join("driver"))
        .ok()
        .and_then(|p| Some(p.file_name()?.to_str()?.to_string()));
    let class = read(&base.join("class")).and_then(|c| {
        let v = u32::from_str_radix(c.trim_start_matches("0x"), 16).ok()?;
        Some(format!("0x{v:06x}"))
    });
    let id = |f: &str| read(&base.join(f));
    let mut cap = Element::new("capability")
        .attr("type", "pci")
        .opt_child(leaf_opt("class", class))
        .child(Element::leaf("domain", domain.to_string()))
        .child(Element::leaf("bus", bus.to_string()))
        .child(Element::leaf("slot", slot.to_string()))
        .child(Element::leaf("function", function.to_string()))
        .opt_child(id("device").map(|d| Element::new("product").attr("id", d)))
        .opt_child(id("vendor").map(|v| Element::new("vendor").attr("id", v)));
    if let Some(group) = std::fs::read_link(base.join("iommu_group"))
        .ok()
        .and_then(|g| Some(g.file_name()?.to_str()?.to_string()))
    {
        let members = entries(
            &sysfs
                .join("kernel/iommu_groups")
                .join(&group)
                .join("devices"),
        );
        let addresses = members.iter().filter_map(|m| {
            let (d, b, s, f) = pci_address(m.file_name()?.to_str()?)?;
            Some(
                Element::new("address")
                    .attr("domain", format!("0x{d:04x}"))
                    .attr("bus", format!("0x{b:02x}"))
                    .attr("slot", format!("0x{s:02x}"))
                    .attr("function", format!("0x{f:x}")),
            )
        });
        cap = cap.child(
            Element::new("iommuGroup")
                .attr("number", group)
                .children(addresses),
        );
    }
    Some(NodeDeviceDef {
        name: pci_name(&addr),
        path: Some(base.display().to_string()),
        parent: Some(parent),
        driver,
        caps: vec![cap],
        ..NodeDeviceDef::default()
    })
}

fn net_device(_sysfs: &Path, link: &Path) -> Option<NodeDeviceDef> {
    let iface = link.file_name()?.to_str()?.to_string();
    let dir = real(link);
    let base = dir.clone().unwrap_or_else(|| link.to_path_buf());
    let mac = read(&base.join("address")).unwrap_or_else(|| "00:00:00:00:00:00".into());
    // The device the interface sits on (`…/0000:00:03.0/net/eth0`), if any.
    let parent = parent_of(dir.as_deref().and_then(Path::parent));
    let state = read(&base.join("operstate")).unwrap_or_else(|| "unknown".into());
    let speed = read(&base.join("speed")).filter(|s| s.parse::<i64>().is_ok_and(|v| v > 0));
    let mut cap = Element::new("capability")
        .attr("type", "net")
        .child(Element::leaf("interface", iface.as_str()))
        .child(Element::leaf("address", mac.as_str()))
        .child(
            Element::new("link")
                .opt_attr("speed", speed)
                .attr("state", state),
        );
    if read(&base.join("type")).as_deref() == Some(ARPHRD_ETHER) {
        cap = cap.child(Element::new("capability").attr("type", "80203"));
    }
    Some(NodeDeviceDef {
        name: format!("net_{iface}_{}", mac.replace(':', "_")),
        path: Some(base.display().to_string()),
        parent: Some(parent),
        caps: vec![cap],
        ..NodeDeviceDef::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pci_names_and_addresses() {
        assert_eq!(pci_name("0000:00:1f.2"), "pci_0000_00_1f_2");
        assert_eq!(pci_address("0000:00:1f.2"), Some((0, 0, 0x1f, 2)));
        assert_eq!(pci_address("eth0"), None);
        assert_eq!(
            parent_of(Some(Path::new("/sys/devices/pci0000:00/0000:00:03.0/net"))),
            "pci_0000_00_03_0"
        );
        assert_eq!(
            parent_of(Some(Path::new("/sys/devices/virtual/net"))),
            "computer"
        );
        assert_eq!(parent_of(None), "computer");
    }
}
