//! Typed parameters sent to the admin SET procedures, checked in libvirt's order and
//! with its errors: the array bound is part of decoding (39 / 7 "Unable to decode
//! message payload"); a field name of [`FIELD_LENGTH`] bytes or more does not fit
//! libvirt's buffer (1 / 0 "parameter … too big for destination"); then every
//! parameter must be one the procedure knows (74 / 0 "parameter 'x' not supported"),
//! of type `uint` (8 / 0 "invalid type 'int' for parameter 'x', expected 'uint'"),
//! and given once (8 / 0 "parameter 'x' occurs multiple times").

use rvirt_rpc::typed_param::{FIELD_LENGTH, TypedParam, TypedParamValue};
use rvirt_rpc_server::CallResult;
use rvirt_rpc_server::error::bad_payload;

use super::errors::{FROM_NONE, internal, invalid_arg, unsupported_arg};

/// At most `max` parameters, as the protocol's array bound says.
pub fn bounded(params: &[TypedParam], max: usize) -> CallResult<()> {
    if params.len() > max {
        return Err(bad_payload());
    }
    Ok(())
}

/// Field names short enough for libvirt.
pub fn check_names(params: &[TypedParam]) -> CallResult<()> {
    match params.iter().find(|p| p.field.len() >= FIELD_LENGTH) {
        Some(p) => Err(internal(
            FROM_NONE,
            format!("parameter {} too big for destination", p.field),
        )),
        None => Ok(()),
    }
}

/// Every parameter is one of `allowed`, a `uint`, and given once.
pub fn validate_uints(params: &[TypedParam], allowed: &[&str]) -> CallResult<()> {
    let mut seen: Vec<&str> = Vec::new();
    for p in params {
        if !allowed.contains(&p.field.as_str()) {
            return Err(unsupported_arg(
                FROM_NONE,
                format!("parameter '{}' not supported", p.field),
            ));
        }
        if !matches!(p.value, TypedParamValue::UInt(_)) {
            return Err(invalid_arg(
                FROM_NONE,
                format!(
                    "invalid type '{}' for parameter '{}', expected 'uint'",
                    p.value.type_name(),
                    p.field
                ),
            ));
        }
        if seen.contains(&p.field.as_str()) {
            return Err(invalid_arg(
                FROM_NONE,
                format!("parameter '{}' occurs multiple times", p.field),
            ));
        }
        seen.push(&p.field);
    }
    Ok(())
}

/// The value of the `uint` parameter `name`, if given.
pub fn uint(params: &[TypedParam], name: &str) -> Option<u32> {
    params.iter().find_map(|p| match p.value {
        TypedParamValue::UInt(v) if p.field == name => Some(v),
        _ => None,
    })
}

/// A `uint` parameter (values beyond `u32::MAX` are reported as `u32::MAX`).
pub fn uint_param(name: &str, value: usize) -> TypedParam {
    TypedParam::new(
        name,
        TypedParamValue::UInt(u32::try_from(value).unwrap_or(u32::MAX)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(r: CallResult<()>) -> (i32, i32, String) {
        let e = r.unwrap_err().0;
        (e.code, e.domain, e.message.unwrap())
    }

    #[test]
    fn libvirt_checks_and_messages() {
        let ok = [uint_param("a", 1), uint_param("b", 2)];
        assert!(validate_uints(&ok, &["a", "b"]).is_ok());
        assert_eq!(uint(&ok, "b"), Some(2));
        assert_eq!(uint(&ok, "c"), None);
        assert_eq!(
            message(validate_uints(&ok, &["a"])),
            (
                74,
                0,
                "argument unsupported: parameter 'b' not supported".into()
            )
        );
        let int = [TypedParam::new("a", TypedParamValue::Int(1))];
        assert_eq!(
            message(validate_uints(&int, &["a"])),
            (
                8,
                0,
                "invalid argument: invalid type 'int' for parameter 'a', expected 'uint'".into()
            )
        );
        let twice = [uint_param("a", 1), uint_param("a", 2)];
        assert_eq!(
            message(validate_uints(&twice, &["a"])).2,
            "invalid argument: parameter 'a' occurs multiple times"
        );
        let long = [uint_param(&"m".repeat(80), 1)];
        assert_eq!(message(check_names(&long)).0, 1);
        assert!(check_names(&[uint_param(&"m".repeat(79), 1)]).is_ok());
        assert_eq!(message(bounded(&ok, 1)).0, 39);
        assert_eq!(
            uint_param("x", usize::MAX).value,
            TypedParamValue::UInt(u32::MAX)
        );
    }
}
