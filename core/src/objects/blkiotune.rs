//! `<blkiotune>` as blkio parameters (`virDomain{Get,Set}BlkioParameters`), shared by
//! the drivers: the weight and the per-device weights and throttles, the latter as
//! libvirt's `path,value,path,value` strings, parsed and merged as libvirt does.

use crate::api::{TypedParam, TypedValue, validate_params};
use crate::conf::xml::Element;
use crate::conf::{Blkiotune, DomainDef};
use crate::{Error, ErrorDomain, Result};

/// `VIR_DOMAIN_BLKIO_WEIGHT`.
pub const BLKIO_WEIGHT: &str = "weight";

/// The per-device parameters, their `<device>` child and whether the value is 64-bit.
pub const BLKIO_DEVICE_PARAMS: [(&str, &str, bool); 5] = [
    ("device_weight", "weight", false),
    ("device_read_iops_sec", "read_iops_sec", false),
    ("device_write_iops_sec", "write_iops_sec", false),
    ("device_read_bytes_sec", "read_bytes_sec", true),
    ("device_write_bytes_sec", "write_bytes_sec", true),
];

/// The names a set may carry, and their type.
pub const BLKIO_PARAMS: [(&str, &str); 6] = [
    (BLKIO_WEIGHT, "uint"),
    ("device_weight", "string"),
    ("device_read_iops_sec", "string"),
    ("device_write_iops_sec", "string"),
    ("device_read_bytes_sec", "string"),
    ("device_write_bytes_sec", "string"),
];

/// Most devices one string may name (a client's string is bounded anyway).
const MAX_DEVICES: usize = 256;

/// One `<blkiotune><device>`: its host path and values (0: not set), in the order of
/// [`BLKIO_DEVICE_PARAMS`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlkioDevice {
    /// The host block device's path.
    pub path: String,
    /// weight, read iops, write iops, read bytes/s, write bytes/s.
    pub values: [u64; 5],
}

impl BlkioDevice {
    fn from_element(el: &Element) -> BlkioDevice {
        let mut d = BlkioDevice {
            path: el.child("path").map(|p| p.text()).unwrap_or_default(),
            ..BlkioDevice::default()
        };
        for (i, (_, child, _)) in BLKIO_DEVICE_PARAMS.iter().enumerate() {
            d.values[i] = el
                .child(child)
                .and_then(|c| c.text().trim().parse().ok())
                .unwrap_or(0);
        }
        d
    }

    fn to_element(&self) -> Element {
        let mut el = Element::new("device");
        let mut path = Element::new("path");
        path.push_text(self.path.clone());
        el.push(path);
        for (i, (_, child, _)) in BLKIO_DEVICE_PARAMS.iter().enumerate() {
            if self.values[i] != 0 {
                let mut c = Element::new(*child);
                c.push_text(self.values[i].to_string());
                el.push(c);
            }
        }
        el
    }
}

/// The devices of `def`'s `<blkiotune>`.
pub fn blkio_devices(def: &DomainDef) -> Vec<BlkioDevice> {
    def.blkiotune
        .as_ref()
        .map(|t| t.devices.iter().map(BlkioDevice::from_element).collect())
        .unwrap_or_default()
}

/// The weight (0 when unset) and the five device strings of `def`, in libvirt's order.
pub fn blkio_params(def: &DomainDef, weight: u32) -> Vec<TypedParam> {
    let devices = blkio_devices(def);
    let mut out = vec![TypedParam::new(BLKIO_WEIGHT, TypedValue::UInt(weight))];
    for (i, (name, _, _)) in BLKIO_DEVICE_PARAMS.iter().enumerate() {
        let s = devices
            .iter()
            .filter(|d| d.values[i] != 0)
            .map(|d| format!("{},{}", d.path, d.values[i]))
            .collect::<Vec<_>>()
            .join(",");
        out.push(TypedParam::new(*name, TypedValue::String(s)));
    }
    out
}

/// The weight of `def`'s `<blkiotune>` (0 when unset).
pub fn blkio_weight(def: &DomainDef) -> u32 {
    def.blkiotune.as_ref().and_then(|t| t.weight).unwrap_or(0)
}

/// Parses one device string of parameter `name` (index `kind` of
/// [`BLKIO_DEVICE_PARAMS`]) as libvirt's `virDomainDriverParseBlkioDeviceStr`.
pub fn parse_device_str(s: &str, kind: usize) -> Result<Vec<BlkioDevice>> {
    let (name, _, wide) = BLKIO_DEVICE_PARAMS[kind];
    if s.is_empty() {
        return Ok(Vec::new());
    }
    let parse_error = || {
        Error::invalid_arg(
            ErrorDomain::Domain,
            format!("unable to parse blkio device '{name}' '{s}'"),
        )
    };
    let fields: Vec<&str> = s.split(',').collect();
    if !fields.len().is_multiple_of(2) || fields.len() / 2 > MAX_DEVICES {
        return Err(parse_error());
    }
    fields
        .chunks(2)
        .map(|pair| {
            let (path, value) = (pair[0], pair[1]);
            let parsed = if wide {
                value.parse::<u64>().ok()
            } else {
                value.parse::<u32>().ok().map(u64::from)
            };
            let v = parsed.ok_or_else(|| {
                Error::invalid_arg(
                    ErrorDomain::Domain,
                    format!("invalid value '{value}' for parameter '{name}' of device '{path}'"),
                )
            })?;
            let mut d = BlkioDevice {
                path: path.to_string(),
                ..BlkioDevice::default()
            };
            d.values[kind] = v;
            Ok(d)
        })
        .collect()
}

/// libvirt's `virDomainDriverMergeBlkioDevice`: `new`'s value of `kind` replaces the
/// known device's; unknown devices with a value are appended.
pub fn merge_devices(into: &mut Vec<BlkioDevice>, new: &[BlkioDevice], kind: usize) {
    for n in new {
        if let Some(d) = into.iter_mut().find(|d| d.path == n.path) {
            d.values[kind] = n.values[kind];
        } else if n.values.iter().any(|v| *v != 0) {
            into.push(n.clone());
        }
    }
}

/// Writes `weight` and `devices` into `def`'s `<blkiotune>` (devices without values
/// are left out of the XML, as libvirt formats them).
pub fn store_blkiotune(def: &mut DomainDef, weight: u32, devices: &[BlkioDevice]) {
    let t = def.blkiotune.get_or_insert_with(Blkiotune::default);
    t.weight = (weight != 0).then_some(weight);
    t.devices = devices
        .iter()
        .filter(|d| d.values.iter().any(|v| *v != 0))
        .map(BlkioDevice::to_element)
        .collect();
    if t.weight.is_none() && t.devices.is_empty() {
        def.blkiotune = None;
    }
}

/// Checks a set's names and types as libvirt does, in error domain `domain`.
pub fn validate_blkio(params: &[TypedParam], domain: ErrorDomain) -> Result<()> {
    validate_params(params, &BLKIO_PARAMS, domain)
}

/// libvirt's `virDomainDriverSetupPersistentDefBlkioParams`: every parameter applied
/// to `def` in turn; a bad device string is skipped and reported after the others.
pub fn apply_blkio_to_def(def: &mut DomainDef, params: &[TypedParam]) -> Result<()> {
    let mut weight = blkio_weight(def);
    let mut devices = blkio_devices(def);
    let mut failed = None;
    for p in params {
        match (&p.value, kind_of(&p.field)) {
            (TypedValue::UInt(w), _) if p.field == BLKIO_WEIGHT => weight = *w,
            (TypedValue::String(s), Some(kind)) => match parse_device_str(s, kind) {
                Ok(new) => merge_devices(&mut devices, &new, kind),
                Err(e) => failed = Some(e),
            },
            _ => {}
        }
    }
    store_blkiotune(def, weight, &devices);
    failed.map_or(Ok(()), Err)
}

/// The index in [`BLKIO_DEVICE_PARAMS`] of parameter `name`.
pub fn kind_of(name: &str) -> Option<usize> {
    BLKIO_DEVICE_PARAMS.iter().position(|(n, _, _)| *n == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_strings_parse_and_merge_as_libvirts() {
        let d = parse_device_str("/dev/a,100,/dev/b,0", 1).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].values[1], 100);
        let e = parse_device_str("/dev/a,100,/dev/b", 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid argument: unable to parse blkio device 'device_read_iops_sec' '/dev/a,100,/dev/b'"
        );
        let e = parse_device_str("/dev/a,x", 0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid argument: invalid value 'x' for parameter 'device_weight' of device '/dev/a'"
        );
        assert!(parse_device_str("/dev/a,4294967296", 1).is_err());
        assert!(parse_device_str("/dev/a,4294967296", 3).is_ok());
        let mut all = Vec::new();
        merge_devices(&mut all, &d, 1);
        // /dev/b had no value: not added.
        assert_eq!(all.len(), 1);
        let w = parse_device_str("/dev/a,500", 0).unwrap();
        merge_devices(&mut all, &w, 0);
        assert_eq!(all[0].values, [500, 100, 0, 0, 0]);
    }
}
