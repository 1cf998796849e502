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
