//! Typed parameters: a named value of one of libvirt's seven parameter types
//! (`virTypedParameterType`), as `remote_typed_param` and `admin_typed_param` carry
//! them. Both protocols lay them out the same way: the field name as a string, then
//! an XDR union whose discriminant is the type number (1 INT … 7 STRING).
//!
//! ```
//! use rvirt_rpc::typed_param::{TypedParam, TypedParamValue};
//!
//! let p = TypedParam::new("minWorkers", TypedParamValue::UInt(5));
//! let bytes = rvirt_xdr::to_bytes(&p).unwrap();
//! // "minWorkers" (10 bytes + 2 padding), type 2 (UINT), value 5.
//! assert_eq!(&bytes[16..], &[0, 0, 0, 2, 0, 0, 0, 5]);
//! assert_eq!(rvirt_xdr::from_bytes_exact::<TypedParam>(&bytes).unwrap(), p);
//! ```

use rvirt_xdr::union::{self, Arm, Union};
use serde::de::SeqAccess;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Longest field name libvirt stores, terminating NUL included
/// (`VIR_TYPED_PARAM_FIELD_LENGTH`): names must be shorter than this.
pub const FIELD_LENGTH: usize = 80;

/// The type numbers (`virTypedParameterType`), the union's discriminants.
pub mod param_type {
    /// `int`.
    pub const INT: i32 = 1;
    /// `unsigned int`.
    pub const UINT: i32 = 2;
    /// `long long`.
    pub const LLONG: i32 = 3;
    /// `unsigned long long`.
    pub const ULLONG: i32 = 4;
    /// `double`.
    pub const DOUBLE: i32 = 5;
    /// boolean (an `int` on the wire).
    pub const BOOLEAN: i32 = 6;
    /// string.
    pub const STRING: i32 = 7;

    /// The name libvirt gives a type in its messages ("int", "uint", …), or `None`
    /// for a number that is not a type.
    pub fn name(number: i32) -> Option<&'static str> {
        const NAMES: [&str; 7] = [
            "int", "uint", "llong", "ullong", "double", "boolean", "string",
        ];
        usize::try_from(number - 1)
            .ok()
            .and_then(|i| NAMES.get(i).copied())
    }
}

/// One parameter: `{ string field; union value; }`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TypedParam {
    /// The parameter's name, e.g. `"minWorkers"`.
    pub field: String,
    /// Its typed value.
    pub value: TypedParamValue,
}

impl TypedParam {
    /// A parameter named `field`.
    pub fn new(field: impl Into<String>, value: TypedParamValue) -> Self {
        TypedParam {
            field: field.into(),
            value,
        }
    }
}

/// The value union (`remote_typed_param_value`, `admin_typed_param_value`).
#[derive(Clone, Debug, PartialEq)]
pub enum TypedParamValue {
    /// [`param_type::INT`].
    Int(i32),
    /// [`param_type::UINT`].
    UInt(u32),
    /// [`param_type::LLONG`].
    LLong(i64),
    /// [`param_type::ULLONG`].
    ULLong(u64),
    /// [`param_type::DOUBLE`].
    Double(f64),
    /// [`param_type::BOOLEAN`]; any non-zero word decodes as true.
    Boolean(bool),
    /// [`param_type::STRING`].
    String(String),
}

impl TypedParamValue {
    /// The type number (the union's discriminant).
    pub fn type_number(&self) -> i32 {
        match self {
            TypedParamValue::Int(_) => param_type::INT,
            TypedParamValue::UInt(_) => param_type::UINT,
            TypedParamValue::LLong(_) => param_type::LLONG,
            TypedParamValue::ULLong(_) => param_type::ULLONG,
            TypedParamValue::Double(_) => param_type::DOUBLE,
            TypedParamValue::Boolean(_) => param_type::BOOLEAN,
            TypedParamValue::String(_) => param_type::STRING,
        }
    }

    /// The type's name in libvirt's messages ("int", "uint", …).
    pub fn type_name(&self) -> &'static str {
        param_type::name(self.type_number()).unwrap_or("unknown")
    }
}

impl Serialize for TypedParamValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.type_number();
        match self {
            TypedParamValue::Int(v) => union::serialize(s, d, v),
            TypedParamValue::UInt(v) => union::serialize(s, d, v),
            TypedParamValue::LLong(v) => union::serialize(s, d, v),
            TypedParamValue::ULLong(v) => union::serialize(s, d, v),
            TypedParamValue::Double(v) => union::serialize(s, d, v),
            TypedParamValue::Boolean(v) => union::serialize(s, d, &i32::from(*v)),
            TypedParamValue::String(v) => union::serialize(s, d, v),
        }
    }
}

impl Union for TypedParamValue {
    const NAME: &'static str = "typed_param_value";

    fn deserialize_arm<'de, A: SeqAccess<'de>>(arm: Arm<'de, A>) -> Result<Self, A::Error> {
        match arm.discriminant() {
            param_type::INT => arm.read().map(TypedParamValue::Int),
            param_type::UINT => arm.read().map(TypedParamValue::UInt),
            param_type::LLONG => arm.read().map(TypedParamValue::LLong),
            param_type::ULLONG => arm.read().map(TypedParamValue::ULLong),
            param_type::DOUBLE => arm.read().map(TypedParamValue::Double),
            param_type::BOOLEAN => arm.read().map(|v: i32| TypedParamValue::Boolean(v != 0)),
            param_type::STRING => arm.read().map(TypedParamValue::String),
            _ => arm.unknown(),
        }
    }
}

impl<'de> Deserialize<'de> for TypedParamValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        union::deserialize(d)
    }
}

impl From<rvirt_core::api::TypedParam> for TypedParam {
    fn from(p: rvirt_core::api::TypedParam) -> TypedParam {
        use rvirt_core::api::TypedValue as V;
        let value = match p.value {
            V::Int(v) => TypedParamValue::Int(v),
            V::UInt(v) => TypedParamValue::UInt(v),
            V::LLong(v) => TypedParamValue::LLong(v),
            V::ULLong(v) => TypedParamValue::ULLong(v),
            V::Double(v) => TypedParamValue::Double(v),
            V::Boolean(v) => TypedParamValue::Boolean(v),
            V::String(v) => TypedParamValue::String(v),
        };
        TypedParam {
            field: p.field,
            value,
        }
    }
}

impl From<TypedParam> for rvirt_core::api::TypedParam {
    fn from(p: TypedParam) -> rvirt_core::api::TypedParam {
        use rvirt_core::api::TypedValue as V;
        let value = match p.value {
            TypedParamValue::Int(v) => V::Int(v),
            TypedParamValue::UInt(v) => V::UInt(v),
            TypedParamValue::LLong(v) => V::LLong(v),
            TypedParamValue::ULLong(v) => V::ULLong(v),
            TypedParamValue::Double(v) => V::Double(v),
            TypedParamValue::Boolean(v) => V::Boolean(v),
            TypedParamValue::String(v) => V::String(v),
        };
        rvirt_core::api::TypedParam {
            field: p.field,
            value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips() {
        for v in [
            TypedParamValue::Int(-3),
            TypedParamValue::UInt(7),
            TypedParamValue::LLong(-1 << 40),
            TypedParamValue::ULLong(1 << 50),
            TypedParamValue::Double(0.5),
            TypedParamValue::Boolean(true),
            TypedParamValue::String("root".into()),
        ] {
            let p = TypedParam::new("f", v);
            let bytes = rvirt_xdr::to_bytes(&p).unwrap();
            assert_eq!(
                i32::from_be_bytes(bytes[8..12].try_into().unwrap()),
                p.value.type_number()
            );
            assert_eq!(
                rvirt_xdr::from_bytes_exact::<TypedParam>(&bytes).unwrap(),
                p
            );
        }
    }

    #[test]
    fn names_and_bad_discriminants() {
        assert_eq!(TypedParamValue::Int(0).type_name(), "int");
        assert_eq!(TypedParamValue::UInt(0).type_name(), "uint");
        assert_eq!(TypedParamValue::Boolean(false).type_name(), "boolean");
        assert_eq!(param_type::name(0), None);
        assert_eq!(param_type::name(8), None);
        // "f", type 9: not a type.
        let bytes = [0, 0, 0, 1, b'f', 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0];
        assert!(rvirt_xdr::from_bytes_exact::<TypedParam>(&bytes).is_err());
        // A boolean word of 5 is true.
        let bytes = [0, 0, 0, 1, b'f', 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 5];
        let p: TypedParam = rvirt_xdr::from_bytes_exact(&bytes).unwrap();
        assert_eq!(p.value, TypedParamValue::Boolean(true));
    }
}
