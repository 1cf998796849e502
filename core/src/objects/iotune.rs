//! A disk's `<iotune>` as block I/O throttling parameters
//! (`virDomain{Get,Set}BlockIoTune`), shared by the drivers: the twenty names and types
//! libvirt reports, in its order, the disk a call names, and the fields a set writes.
//! Each driver checks the merged values its own way.

use crate::api::{TypedParam, TypedValue};
use crate::conf::{Device, Disk, DomainDef, Iotune};

/// `VIR_DOMAIN_BLOCK_IOTUNE_GROUP_NAME`: the one string parameter.
pub const IOTUNE_GROUP_NAME: &str = "group_name";

/// The limits before the group name, in libvirt's order.
const LIMITS: [&str; 13] = [
    "total_bytes_sec",
    "read_bytes_sec",
    "write_bytes_sec",
    "total_iops_sec",
    "read_iops_sec",
    "write_iops_sec",
    "total_bytes_sec_max",
    "read_bytes_sec_max",
    "write_bytes_sec_max",
    "total_iops_sec_max",
    "read_iops_sec_max",
    "write_iops_sec_max",
    "size_iops_sec",
];

/// The burst lengths after the group name, in libvirt's order.
const LENGTHS: [&str; 6] = [
    "total_bytes_sec_max_length",
    "read_bytes_sec_max_length",
    "write_bytes_sec_max_length",
    "total_iops_sec_max_length",
    "read_iops_sec_max_length",
    "write_iops_sec_max_length",
];

/// Every parameter name and its type, in libvirt's order (its `virTypedParamsValidate`
/// list).
pub fn iotune_param_types() -> Vec<(&'static str, &'static str)> {
    LIMITS
        .iter()
        .map(|n| (*n, "ullong"))
        .chain([(IOTUNE_GROUP_NAME, "string")])
        .chain(LENGTHS.iter().map(|n| (*n, "ullong")))
        .collect()
}

/// [`iotune_field`] and [`iotune_value`] over the same list of fields.
macro_rules! iotune_fields {
    ($($field:ident),* $(,)?) => {
        /// The field of `io` that limit or length `name` sets.
        pub fn iotune_field<'a>(io: &'a mut Iotune, name: &str) -> Option<&'a mut Option<u64>> {
            match name {
                $(stringify!($field) => Some(&mut io.$field),)*
                _ => None,
            }
        }

        /// The value of limit or length `name` (0 where unset).
        pub fn iotune_value(io: &Iotune, name: &str) -> u64 {
            match name {
                $(stringify!($field) => io.$field.unwrap_or(0),)*
                _ => 0,
            }
        }
    };
}

iotune_fields!(
    total_bytes_sec,
    read_bytes_sec,
    write_bytes_sec,
    total_iops_sec,
    read_iops_sec,
    write_iops_sec,
    total_bytes_sec_max,
    read_bytes_sec_max,
    write_bytes_sec_max,
    total_iops_sec_max,
    read_iops_sec_max,
    write_iops_sec_max,
    size_iops_sec,
    total_bytes_sec_max_length,
    read_bytes_sec_max_length,
    write_bytes_sec_max_length,
    total_iops_sec_max_length,
    read_iops_sec_max_length,
    write_iops_sec_max_length,
);

/// All twenty parameters of `io` (unset limits 0, no group an empty string).
pub fn iotune_params(io: &Iotune) -> Vec<TypedParam> {
    iotune_param_types()
        .into_iter()
        .map(|(name, _)| {
            let value = if name == IOTUNE_GROUP_NAME {
                TypedValue::String(io.group_name.clone().unwrap_or_default())
            } else {
                TypedValue::ULLong(iotune_value(io, name))
            };
            TypedParam::new(name, value)
        })
        .collect()
}

/// Writes each parameter of a (validated) set into `io`; zero limits are dropped
/// from the XML as libvirt prints only set ones.
pub fn apply_iotune(io: &mut Iotune, params: &[TypedParam]) {
    for p in params {
        match &p.value {
            TypedValue::String(s) if p.field == IOTUNE_GROUP_NAME => {
                io.group_name = (!s.is_empty()).then(|| s.clone());
            }
            TypedValue::ULLong(v) => {
                if let Some(f) = iotune_field(io, &p.field) {
                    *f = (*v != 0).then_some(*v);
                }
            }
            _ => {}
        }
    }
}

/// True when `io` sets nothing (the element is then left out).
pub fn iotune_is_empty(io: &Iotune) -> bool {
    io.group_name.is_none()
        && LIMITS
            .iter()
            .chain(LENGTHS.iter())
            .all(|n| iotune_value(io, n) == 0)
}

/// The disk `name` designates as libvirt's `virDomainDiskByName` finds it: its target
/// (`vda`) or its source path.
pub fn disk_by_name_mut<'a>(def: &'a mut DomainDef, name: &str) -> Option<&'a mut Disk> {
    def.devices_mut().iter_mut().find_map(|d| match d {
        Device::Disk(disk) if disk_matches(disk, name) => Some(disk),
        _ => None,
    })
}

/// Read-only [`disk_by_name_mut`].
pub fn disk_by_name<'a>(def: &'a DomainDef, name: &str) -> Option<&'a Disk> {
    def.devices().iter().find_map(|d| match d {
        Device::Disk(disk) if disk_matches(disk, name) => Some(disk),
        _ => None,
    })
}

fn disk_matches(disk: &Disk, name: &str) -> bool {
    if disk.target.dev == name {
        return true;
    }
    let src = disk.source.as_ref();
    let path = src.and_then(|s| s.file.as_deref().or(s.dev.as_deref()).or(s.dir.as_deref()));
    path == Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_follow_libvirts_order_and_sets_write_fields() {
        let mut io = Iotune::default();
        assert!(iotune_is_empty(&io));
        apply_iotune(
            &mut io,
            &[
                TypedParam::new("read_iops_sec_max", TypedValue::ULLong(9)),
                TypedParam::new(IOTUNE_GROUP_NAME, TypedValue::String("g".into())),
            ],
        );
        let p = iotune_params(&io);
        assert_eq!(p.len(), 20);
        assert_eq!(p[0].field, "total_bytes_sec");
        assert_eq!(p[10].value, TypedValue::ULLong(9));
        assert_eq!(p[13].value, TypedValue::String("g".into()));
        assert_eq!(p[19].field, "write_iops_sec_max_length");
        apply_iotune(
            &mut io,
            &[
                TypedParam::new("read_iops_sec_max", TypedValue::ULLong(0)),
                TypedParam::new(IOTUNE_GROUP_NAME, TypedValue::String(String::new())),
            ],
        );
        assert!(iotune_is_empty(&io));
    }
}
