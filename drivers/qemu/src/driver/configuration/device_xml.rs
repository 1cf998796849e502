//! Device XML of attach/detach calls: parsing one `<disk>` or `<interface>` element,
//! finding the device it names in a definition (a disk by target, a NIC by MAC), and
//! the config-only edits of a definition (libvirt's `qemuDomainAttachDeviceConfig` /
//! `qemuDomainDetachDeviceConfig` for those two kinds).

use rvirt_core::conf::{Device, DomainDef, Interface};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// Parses `xml`, one device element, as the device it describes. Only `<disk>` and
/// `<interface>` are taken; other devices are refused with libvirt's
/// `VIR_ERR_OPERATION_UNSUPPORTED` wording for `what` ("live attach", "persistent
/// detach", …).
pub(crate) fn parse_device(xml: &str, what: &str) -> Result<Device> {
    let wrapped = format!(
        "<domain type='qemu'><name>device</name><memory>1024</memory>\
         <os><type>hvm</type></os><devices>{xml}</devices></domain>"
    );
    let def = DomainDef::from_xml(&wrapped)?;
    let [dev] = def.devices() else {
        return Err(Error::new(
            ErrorCode::XmlError,
            ErrorDomain::Domain,
            "the device XML must hold exactly one device element",
        ));
    };
    match dev {
        Device::Disk(d) if d.target.dev.is_empty() => Err(Error::new(
            ErrorCode::XmlError,
            ErrorDomain::Domain,
            "missing disk target",
        )),
        Device::Disk(_) | Device::Interface(_) => Ok(dev.clone()),
        other => Err(Error::new(
            ErrorCode::OperationUnsupported,
            ErrorDomain::Qemu,
            format!(
                "{what} of device '{}' is not supported",
                other.element_name()
            ),
        )),
    }
}

/// The position in `def`'s device list of the device `dev` names: the disk with the
/// same target, or the interface with the same MAC (the first interface if `dev` has
/// no MAC and `def` has exactly one).
pub(crate) fn find(def: &DomainDef, dev: &Device) -> Option<usize> {
    match dev {
        Device::Disk(want) => def
            .devices()
            .iter()
            .position(|d| matches!(d, Device::Disk(x) if x.target.dev == want.target.dev)),
        Device::Interface(want) => {
            let nics = || {
                def.devices()
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| matches!(d, Device::Interface(_)))
            };
            match &want.mac {
                Some(mac) => nics()
                    .find(|(_, d)| {
                        matches!(d, Device::Interface(x)
                            if x.mac.as_ref().is_some_and(|m| m.address.eq_ignore_ascii_case(&mac.address)))
                    })
                    .map(|(i, _)| i),
                None if nics().count() == 1 => nics().next().map(|(i, _)| i),
                None => None,
            }
        }
        _ => None,
    }
}

/// libvirt's error for a device `dev` that `def` does not have.
pub(crate) fn missing(dev: &Device, live: bool) -> Error {
    let message = match dev {
        Device::Disk(d) if live => format!("disk {} not found", d.target.dev),
        Device::Disk(d) => format!("no target device {}", d.target.dev),
        Device::Interface(n) => match &n.mac {
            Some(mac) => format!("no device matching MAC address {} found", mac.address),
            None => "matching network device was not found".to_owned(),
        },
        other => format!("device '{}' not found", other.element_name()),
    };
    Error::new(ErrorCode::DeviceMissing, ErrorDomain::Qemu, message)
}

/// libvirt's error for a disk target `def` already has.
pub(crate) fn target_exists(target: &str, live: bool) -> Error {
    let code = if live {
        ErrorCode::OperationFailed
    } else {
        ErrorCode::OperationInvalid
    };
    Error::new(
        code,
        ErrorDomain::Qemu,
        format!("target {target} already exists"),
    )
}

/// Adds `dev` to the persistent definition `def` (a disk must have a new target; a
/// NIC without a MAC gets one), as `virDomainAttachDeviceFlags(CONFIG)` does.
pub(crate) fn attach_config(def: &mut DomainDef, dev: Device) -> Result<()> {
    match &dev {
        Device::Disk(d) if find(def, &dev).is_some() => {
            return Err(target_exists(&d.target.dev, false));
        }
        Device::Interface(Interface { mac: Some(mac), .. }) if find(def, &dev).is_some() => {
            return Err(Error::operation_invalid(
                ErrorDomain::Qemu,
                format!("mac {} already exists", mac.address),
            ));
        }
        _ => {}
    }
    def.add_device(dev);
    super::super::live::assign_macs(def);
    Ok(())
}

/// Removes the device `dev` names from the persistent definition `def`.
pub(crate) fn detach_config(def: &mut DomainDef, dev: &Device) -> Result<()> {
    let i = find(def, dev).ok_or_else(|| missing(dev, false))?;
    def.devices_mut().remove(i);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def() -> DomainDef {
        DomainDef::from_xml(
            "<domain type='qemu'><name>g</name><memory>65536</memory>\
             <os><type>hvm</type></os><devices>\
             <disk type='file' device='disk'><source file='/a.img'/><target dev='vda' bus='virtio'/></disk>\
             <interface type='user'><mac address='52:54:00:aa:bb:cc'/></interface>\
             </devices></domain>",
        )
        .unwrap()
    }

    #[test]
    fn parses_one_disk_or_interface_only() {
        let d = parse_device(
            "<disk type='file'><source file='/b.img'/><target dev='vdb' bus='virtio'/></disk>",
            "persistent attach",
        )
        .unwrap();
        assert!(matches!(d, Device::Disk(ref x) if x.target.dev == "vdb"));
        let e = parse_device("<sound model='ich6'/>", "live attach").unwrap_err();
        assert_eq!(e.code(), ErrorCode::OperationUnsupported);
        assert_eq!(
            e.message(),
            "live attach of device 'sound' is not supported"
        );
        assert!(parse_device("<disk/><disk/>", "attach").is_err());
    }

    #[test]
    fn config_attach_and_detach_edit_the_definition() {
        let mut d = def();
        let vdb = parse_device(
            "<disk type='file'><source file='/b.img'/><target dev='vdb' bus='virtio'/></disk>",
            "persistent attach",
        )
        .unwrap();
        attach_config(&mut d, vdb.clone()).unwrap();
        let e = attach_config(&mut d, vdb.clone()).unwrap_err();
        assert_eq!(e.message(), "target vdb already exists");
        assert_eq!(e.code(), ErrorCode::OperationInvalid);
        detach_config(&mut d, &vdb).unwrap();
        let e = detach_config(&mut d, &vdb).unwrap_err();
        assert_eq!(e.code(), ErrorCode::DeviceMissing);
        assert_eq!(e.message(), "no target device vdb");

        let nic = parse_device("<interface type='user'/>", "attach").unwrap();
        attach_config(&mut d, nic).unwrap();
        let macs = d
            .devices()
            .iter()
            .filter(|x| matches!(x, Device::Interface(n) if n.mac.is_some()))
            .count();
        assert_eq!(macs, 2);
        let by_mac = parse_device(
            "<interface type='user'><mac address='52:54:00:AA:BB:CC'/></interface>",
            "detach",
        )
        .unwrap();
        detach_config(&mut d, &by_mac).unwrap();
        assert!(detach_config(&mut d, &by_mac).is_err());
    }
}
