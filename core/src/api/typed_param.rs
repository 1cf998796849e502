//! Typed parameters (`virTypedParameter`): a named value of one of libvirt's seven
//! parameter types. Tunable and job-completed events carry them, and so do stats.
//!
//! ```
//! use rvirt_core::api::{TypedParam, TypedValue};
//!
//! let p = TypedParam::new("cputune.vcpu_period", TypedValue::ULLong(100_000));
//! assert_eq!(p.value.type_name(), "ullong");
//! assert_eq!(p.to_string(), "cputune.vcpu_period=100000");
//! ```

use std::fmt;

/// One named value.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedParam {
    /// The parameter's name, e.g. `"cputune.vcpu_period"`.
    pub field: String,
    /// Its typed value.
    pub value: TypedValue,
}

impl TypedParam {
    /// A parameter named `field`.
    pub fn new(field: impl Into<String>, value: TypedValue) -> TypedParam {
        TypedParam {
            field: field.into(),
            value,
        }
    }
}

impl fmt::Display for TypedParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.field, self.value)
    }
}

/// A value of one of `virTypedParameterType`'s types.
#[derive(Clone, Debug, PartialEq)]
pub enum TypedValue {
    /// `int` (type 1).
    Int(i32),
    /// `unsigned int` (type 2).
    UInt(u32),
    /// `long long` (type 3).
    LLong(i64),
    /// `unsigned long long` (type 4).
    ULLong(u64),
    /// `double` (type 5).
    Double(f64),
    /// boolean (type 6).
    Boolean(bool),
    /// string (type 7).
    String(String),
}

impl TypedValue {
    /// The type's name as libvirt prints it ("int", "uint", "llong", …).
    pub fn type_name(&self) -> &'static str {
        match self {
            TypedValue::Int(_) => "int",
            TypedValue::UInt(_) => "uint",
            TypedValue::LLong(_) => "llong",
            TypedValue::ULLong(_) => "ullong",
            TypedValue::Double(_) => "double",
            TypedValue::Boolean(_) => "boolean",
            TypedValue::String(_) => "string",
        }
    }
}

impl fmt::Display for TypedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypedValue::Int(v) => write!(f, "{v}"),
            TypedValue::UInt(v) => write!(f, "{v}"),
            TypedValue::LLong(v) => write!(f, "{v}"),
            TypedValue::ULLong(v) => write!(f, "{v}"),
            TypedValue::Double(v) => write!(f, "{v}"),
            TypedValue::Boolean(v) => write!(f, "{}", if *v { "yes" } else { "no" }),
            TypedValue::String(v) => f.write_str(v),
        }
    }
}

/// Checks `params` as libvirt's `virTypedParamsValidate` does before a driver sets
/// them: every name must be one of `allowed` (name and [`TypedValue::type_name`]),
/// of that type, and appear once. Errors are raised in `domain` with libvirt's
/// wording.
///
/// ```
/// use rvirt_core::api::{TypedParam, TypedValue, validate_params};
/// use rvirt_core::{ErrorCode, ErrorDomain};
///
/// let allowed = [("weight", "uint")];
/// let ok = [TypedParam::new("weight", TypedValue::UInt(10))];
/// assert!(validate_params(&ok, &allowed, ErrorDomain::Test).is_ok());
/// let unknown = [TypedParam::new("cap", TypedValue::UInt(1))];
/// let e = validate_params(&unknown, &allowed, ErrorDomain::Test).unwrap_err();
/// assert_eq!(e.code(), ErrorCode::ArgumentUnsupported);
/// let wrong = [TypedParam::new("weight", TypedValue::Int(1))];
/// let e = validate_params(&wrong, &allowed, ErrorDomain::Test).unwrap_err();
/// assert_eq!(e.to_string(), "invalid argument: invalid type 'int' for parameter 'weight', expected 'uint'");
/// ```
pub fn validate_params(
    params: &[TypedParam],
    allowed: &[(&str, &str)],
    domain: crate::ErrorDomain,
) -> crate::Result<()> {
    use crate::{Error, ErrorCode};
    for (i, p) in params.iter().enumerate() {
        if p.field.len() >= FIELD_LENGTH {
            return Err(Error::invalid_arg(
                domain,
                format!("parameter name '{}' too long", p.field),
            ));
        }
        let Some(&(_, want)) = allowed.iter().find(|(name, _)| *name == p.field) else {
            return Err(Error::new(
                ErrorCode::ArgumentUnsupported,
                domain,
                format!("parameter '{}' not supported", p.field),
            ));
        };
        if p.value.type_name() != want {
            return Err(Error::invalid_arg(
                domain,
                format!(
                    "invalid type '{}' for parameter '{}', expected '{want}'",
                    p.value.type_name(),
                    p.field
                ),
            ));
        }
        if params[..i].iter().any(|q| q.field == p.field) {
            return Err(Error::invalid_arg(
                domain,
                format!("parameter '{}' occurs multiple times", p.field),
            ));
        }
    }
    Ok(())
}

/// `VIR_TYPED_PARAM_FIELD_LENGTH`: a name's room, its terminating NUL included.
pub const FIELD_LENGTH: usize = 80;
