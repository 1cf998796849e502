//! The encoder: a [`serde::Serializer`] that appends XDR to a `Vec<u8>`.

use serde::ser::{self, Serialize};

use crate::error::{Error, Result};
use crate::{FIXED_OPAQUE_TOKEN, Limits, padding};

/// A serde serializer producing XDR, appending to a caller-owned buffer.
///
/// Usually reached through [`to_bytes`](crate::to_bytes) or
/// [`serialize_into`](crate::serialize_into). The [`Limits`] are enforced on
/// output too, so a peer never receives something it would be entitled to reject.
#[derive(Debug)]
pub struct Serializer<'a> {
    out: &'a mut Vec<u8>,
    limits: Limits,
    /// Set by the fixed-opaque marker: the next `serialize_bytes` writes no length.
    fixed_opaque: bool,
}

impl<'a> Serializer<'a> {
    /// A serializer appending to `out`, checking `limits`.
    pub fn new(out: &'a mut Vec<u8>, limits: Limits) -> Self {
        Serializer {
            out,
            limits,
            fixed_opaque: false,
        }
    }

    fn put_u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }

    fn put_i32(&mut self, v: i32) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }

    fn put_len(&mut self, len: usize) -> Result<()> {
        let v = u32::try_from(len).map_err(|_| Error::LengthOverflow(len))?;
        self.put_u32(v);
        Ok(())
    }

    fn put_padded(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
        let pad = padding(bytes.len());
        self.out.extend_from_slice(&[0u8; 3][..pad]);
    }

    fn check_plain(&self) -> Result<()> {
        if self.fixed_opaque {
            Err(Error::Unsupported(
                "fixed opaque helper must serialize a byte slice",
            ))
        } else {
            Ok(())
        }
    }
}

impl ser::Serializer for &mut Serializer<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_bool(self, v: bool) -> Result<()> {
        self.check_plain()?;
        self.put_u32(u32::from(v));
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<()> {
        self.serialize_i32(i32::from(v))
    }

    fn serialize_i16(self, v: i16) -> Result<()> {
        self.serialize_i32(i32::from(v))
    }

    fn serialize_i32(self, v: i32) -> Result<()> {
        self.check_plain()?;
        self.put_i32(v);
        Ok(())
    }

    fn serialize_i64(self, v: i64) -> Result<()> {
        self.check_plain()?;
        self.out.extend_from_slice(&v.to_be_bytes());
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<()> {
        self.serialize_u32(u32::from(v))
    }

    fn serialize_u16(self, v: u16) -> Result<()> {
        self.serialize_u32(u32::from(v))
    }

    fn serialize_u32(self, v: u32) -> Result<()> {
        self.check_plain()?;
        self.put_u32(v);
        Ok(())
    }

    fn serialize_u64(self, v: u64) -> Result<()> {
        self.check_plain()?;
        self.out.extend_from_slice(&v.to_be_bytes());
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<()> {
        self.serialize_u32(v.to_bits())
    }

    fn serialize_f64(self, v: f64) -> Result<()> {
        self.serialize_u64(v.to_bits())
    }

    fn serialize_char(self, v: char) -> Result<()> {
        self.serialize_u32(u32::from(v))
    }

    fn serialize_str(self, v: &str) -> Result<()> {
        self.check_plain()?;
        if v.len() > self.limits.max_string {
            return Err(Error::StringTooLong {
                len: v.len(),
                max: self.limits.max_string,
            });
        }
        self.put_len(v.len())?;
        self.put_padded(v.as_bytes());
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        if std::mem::take(&mut self.fixed_opaque) {
            self.put_padded(v);
            return Ok(());
        }
        if v.len() > self.limits.max_opaque {
            return Err(Error::OpaqueTooLong {
                len: v.len(),
                max: self.limits.max_opaque,
            });
        }
        self.put_len(v.len())?;
        self.put_padded(v);
        Ok(())
    }

    fn serialize_none(self) -> Result<()> {
        self.check_plain()?;
        self.put_u32(0);
        Ok(())
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<()> {
        self.check_plain()?;
        self.put_u32(1);
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<()> {
        self.check_plain()
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        self.check_plain()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        variant_index: u32,
        _variant: &'static str,
    ) -> Result<()> {
        self.serialize_u32(variant_index)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<()> {
        self.check_plain()?;
        if name == FIXED_OPAQUE_TOKEN {
            self.fixed_opaque = true;
            let r = value.serialize(&mut *self);
            let unused = std::mem::take(&mut self.fixed_opaque);
            r?;
            if unused {
                return Err(Error::Unsupported(
                    "fixed opaque helper must serialize a byte slice",
                ));
            }
            return Ok(());
        }
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _variant_index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<()> {
        Err(Error::Unsupported(
            "data-carrying enum variant (use rvirt_xdr::union)",
        ))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self> {
        self.check_plain()?;
        let len = len.ok_or(Error::Unsupported("sequence of unknown length"))?;
        if len > self.limits.max_array {
            return Err(Error::ArrayTooLong {
                len,
                max: self.limits.max_array,
            });
        }
        self.put_len(len)?;
        Ok(self)
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self> {
        self.check_plain()?;
        Ok(self)
    }

    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self> {
        self.check_plain()?;
        Ok(self)
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _variant_index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(Error::Unsupported(
            "data-carrying enum variant (use rvirt_xdr::union)",
        ))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self> {
        self.serialize_seq(len)
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self> {
        self.check_plain()?;
        Ok(self)
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _variant_index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(Error::Unsupported(
            "data-carrying enum variant (use rvirt_xdr::union)",
        ))
    }

    fn is_human_readable(&self) -> bool {
        false
    }
}

impl ser::SerializeSeq for &mut Serializer<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<()> {
        Ok(())
    }
}

impl ser::SerializeTuple for &mut Serializer<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<()> {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for &mut Serializer<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<()> {
        Ok(())
    }
}

impl ser::SerializeMap for &mut Serializer<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<()> {
        key.serialize(&mut **self)
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<()> {
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Serializer<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        _key: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<()> {
        Ok(())
    }
}
