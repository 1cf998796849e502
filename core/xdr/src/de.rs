//! The decoder: a [`serde::Deserializer`] reading XDR from a byte slice.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use crate::error::{Error, Result};
use crate::{FIXED_OPAQUE_TOKEN, Limits, padding};

/// A serde deserializer reading XDR from a borrowed byte slice.
///
/// Strings and opaques are borrowed from the input where the target type allows it
/// (`&str`, `&[u8]`). Every length and count is checked against the [`Limits`]
/// **and** against the bytes actually left before anything is allocated, so a
/// hostile length word costs nothing.
///
/// Padding bytes are skipped without being checked for zero, like glibc's XDR
/// routines that libvirt uses.
#[derive(Debug)]
pub struct Deserializer<'de> {
    input: &'de [u8],
    pos: usize,
    limits: Limits,
}

impl<'de> Deserializer<'de> {
    /// A deserializer over `input` with the default [`Limits`].
    ///
    /// Fails if the input is larger than [`Limits::max_message`].
    pub fn new(input: &'de [u8]) -> Result<Self> {
        Self::with_limits(input, Limits::default())
    }

    /// A deserializer over `input` with explicit limits.
    ///
    /// Fails if the input is larger than `limits.max_message`.
    pub fn with_limits(input: &'de [u8], limits: Limits) -> Result<Self> {
        if input.len() > limits.max_message {
            return Err(Error::MessageTooLarge {
                len: input.len(),
                max: limits.max_message,
            });
        }
        Ok(Deserializer {
            input,
            pos: 0,
            limits,
        })
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes not consumed yet.
    pub fn remaining(&self) -> usize {
        self.input.len() - self.pos
    }

    /// Succeeds only if the whole input has been consumed.
    pub fn end(&self) -> Result<()> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(Error::TrailingBytes(n)),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'de [u8]> {
        if n > self.remaining() {
            return Err(Error::UnexpectedEof {
                needed: n,
                remaining: self.remaining(),
            });
        }
        let s = &self.input[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Takes `n` bytes plus their padding to a 4-byte boundary.
    fn take_padded(&mut self, n: usize) -> Result<&'de [u8]> {
        let total = n.checked_add(padding(n)).ok_or(Error::LengthOverflow(n))?;
        let s = self.take(total)?;
        Ok(&s[..n])
    }

    fn read_u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn read_i32(&mut self) -> Result<i32> {
        Ok(self.read_u32()? as i32)
    }

    fn read_u64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }

    fn read_bool(&mut self) -> Result<bool> {
        match self.read_u32()? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(Error::InvalidBool(v)),
        }
    }

    /// Reads a length word for a string or opaque and checks it against `max` and
    /// the remaining input.
    fn read_byte_len(&mut self, max: usize, too_long: fn(usize, usize) -> Error) -> Result<usize> {
        let len = self.read_u32()? as usize;
        if len > max {
            return Err(too_long(len, max));
        }
        if len > self.remaining() {
            return Err(Error::UnexpectedEof {
                needed: len,
                remaining: self.remaining(),
            });
        }
        Ok(len)
    }

    /// Reads an element count and checks it against the limit and the remaining
    /// input (every non-void XDR item occupies at least `min_item` bytes).
    fn read_count(&mut self, min_item: usize) -> Result<usize> {
        let len = self.read_u32()? as usize;
        if len > self.limits.max_array {
            return Err(Error::ArrayTooLong {
                len,
                max: self.limits.max_array,
            });
        }
        let needed = len.saturating_mul(min_item);
        if needed > self.remaining() {
            return Err(Error::UnexpectedEof {
                needed,
                remaining: self.remaining(),
            });
        }
        Ok(len)
    }

    fn read_str(&mut self) -> Result<&'de str> {
        let len = self.read_byte_len(self.limits.max_string, |len, max| Error::StringTooLong {
            len,
            max,
        })?;
        let bytes = self.take_padded(len)?;
        std::str::from_utf8(bytes).map_err(|_| Error::InvalidUtf8)
    }

    fn read_opaque(&mut self) -> Result<&'de [u8]> {
        let len = self.read_byte_len(self.limits.max_opaque, |len, max| Error::OpaqueTooLong {
            len,
            max,
        })?;
        self.take_padded(len)
    }
}

/// Narrows an rpcgen `char`/`short` word. Like glibc, both the sign-extended and
/// the zero-extended form of an 8/16-bit value are accepted.
fn narrow(raw: u32, bits: u32, signed: bool, ty: &'static str) -> Result<i64> {
    let as_signed = i64::from(raw as i32);
    let lo = -(1i64 << (bits - 1));
    let hi_unsigned = (1i64 << bits) - 1;
    let hi_signed = (1i64 << (bits - 1)) - 1;
    if (lo..=hi_unsigned).contains(&as_signed) {
        // Reinterpret into the requested signedness.
        let v = if signed {
            if as_signed > hi_signed {
                as_signed - (1i64 << bits)
            } else {
                as_signed
            }
        } else if as_signed < 0 {
            as_signed + (1i64 << bits)
        } else {
            as_signed
        };
        Ok(v)
    } else {
        Err(Error::IntegerOutOfRange {
            ty,
            value: as_signed,
        })
    }
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        Err(Error::Unsupported(
            "XDR is not self-describing (deserialize_any)",
        ))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_bool(self.read_bool()?)
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let v = narrow(self.read_u32()?, 8, true, "i8")?;
        visitor.visit_i8(v as i8)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let v = narrow(self.read_u32()?, 16, true, "i16")?;
        visitor.visit_i16(v as i16)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_i32(self.read_i32()?)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_i64(self.read_u64()? as i64)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let v = narrow(self.read_u32()?, 8, false, "u8")?;
        visitor.visit_u8(v as u8)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let v = narrow(self.read_u32()?, 16, false, "u16")?;
        visitor.visit_u16(v as u16)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_u32(self.read_u32()?)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_u64(self.read_u64()?)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_f32(f32::from_bits(self.read_u32()?))
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_f64(f64::from_bits(self.read_u64()?))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let raw = self.read_u32()?;
        visitor.visit_char(char::from_u32(raw).ok_or(Error::InvalidChar(raw))?)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.read_str()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_bytes(self.read_opaque()?)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.read_bool()? {
            visitor.visit_some(self)
        } else {
            visitor.visit_none()
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let len = self.read_count(4)?;
        visitor.visit_seq(Seq {
            de: self,
            left: len,
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value> {
        visitor.visit_seq(Seq {
            de: self,
            left: len,
        })
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        if name == FIXED_OPAQUE_TOKEN {
            let bytes = self.take_padded(len)?;
            return visitor.visit_borrowed_bytes(bytes);
        }
        visitor.visit_seq(Seq {
            de: self,
            left: len,
        })
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let len = self.read_count(8)?;
        visitor.visit_map(Seq {
            de: self,
            left: len,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_seq(Seq {
            de: self,
            left: fields.len(),
        })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let index = self.read_u32()?;
        visitor.visit_enum(Enum { index })
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        Err(Error::Unsupported("identifiers are not encoded in XDR"))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        Err(Error::Unsupported(
            "XDR values cannot be skipped without their type",
        ))
    }

    fn is_human_readable(&self) -> bool {
        false
    }
}

/// Access to a known number of consecutive items (struct fields, tuple members,
/// array elements or map entries).
struct Seq<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    left: usize,
}

impl<'de> de::SeqAccess<'de> for Seq<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        // Never more than the input could hold (counts were checked against it).
        Some(self.left.min(self.de.remaining() / 4))
    }
}

impl<'de> de::MapAccess<'de> for Seq<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.de)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left.min(self.de.remaining() / 8))
    }
}

/// A fieldless enum: the discriminant word is the serde variant index.
struct Enum {
    index: u32,
}

impl<'de> de::EnumAccess<'de> for Enum {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        let de: de::value::U32Deserializer<Error> = self.index.into_deserializer();
        let v = seed.deserialize(de)?;
        Ok((v, self))
    }
}

impl<'de> de::VariantAccess<'de> for Enum {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value> {
        Err(Error::Unsupported(
            "data-carrying enum variant (use rvirt_xdr::union)",
        ))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value> {
        Err(Error::Unsupported(
            "data-carrying enum variant (use rvirt_xdr::union)",
        ))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value> {
        Err(Error::Unsupported(
            "data-carrying enum variant (use rvirt_xdr::union)",
        ))
    }
}
