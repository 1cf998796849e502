//! A sans-io [serde] codec for XDR (RFC 4506) as spoken by libvirt's remote protocol.
//!
//! # Data model
//!
//! | Rust | XDR on the wire |
//! |---|---|
//! | `i32`, `u32`, `bool`, `f32`, `char` | 4 bytes, big-endian (`bool` is 0/1) |
//! | `i8`, `u8`, `i16`, `u16` | **4 bytes** — rpcgen's `char`/`short` convention |
//! | `i64`, `u64`, `f64` | 8 bytes (`hyper`, `unsigned hyper`, `double`) |
//! | `String`, `&str` | `string<>`: u32 length, bytes, zero padding to 4 |
//! | `Vec<u8>` with [`#[serde(with = "rvirt_xdr::opaque")]`](opaque) | `opaque<>`: u32 length, bytes, padding |
//! | `[u8; N]` with [`#[serde(with = "rvirt_xdr::fixed_opaque")]`](fixed_opaque) | `opaque[N]`: N bytes, padding, no length |
//! | `Option<T>` | optional data `T *`: u32 0, or u32 1 followed by `T` |
//! | `Vec<T>`, slices | `T<>`: u32 count, then the items |
//! | `[T; N]`, tuples, structs | the members back to back (`T[N]`, `struct`) |
//! | `()`, unit structs | `void`: nothing |
//! | fieldless enums | 4-byte variant *index* (only right if the XDR values are 0, 1, 2… in order) |
//! | unions | see [`union`]: explicit discriminant, never derived |
//!
//! Note that a plain `Vec<u8>` (without the `opaque` helper) is an rpcgen
//! `char x<N>` array: every byte costs 4 bytes, which is exactly what libvirt sends
//! for e.g. `remote_node_get_security_model_ret`.
//!
//! `#[serde(skip_serializing_if)]`, flattening, untagged/internally tagged enums
//! and other self-describing features cannot work with XDR and must not be used.
//!
//! # Limits
//!
//! Decoding enforces [`Limits`] while it reads: a length or count word is checked
//! against the limit *and* against the input that is actually left before anything
//! is allocated, so a forged `0xffffffff` count fails immediately and cheaply.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Debug, PartialEq, Serialize, Deserialize)]
//! struct Domain {
//!     name: String,
//!     #[serde(with = "rvirt_xdr::fixed_opaque")]
//!     uuid: [u8; 16],
//!     id: i32,
//! }
//!
//! let dom = Domain { name: "test".into(), uuid: [0xab; 16], id: -1 };
//! let bytes = rvirt_xdr::to_bytes(&dom).unwrap();
//! assert_eq!(bytes.len(), 4 + 4 + 16 + 4);
//! assert_eq!(&bytes[..8], b"\0\0\0\x04test");
//! let back: Domain = rvirt_xdr::from_bytes_exact(&bytes).unwrap();
//! assert_eq!(back, dom);
//! ```

mod de;
mod error;
mod ser;

pub use de::Deserializer;
pub use error::{Error, Result};
pub use ser::Serializer;

use serde::{Deserialize, Serialize};

/// libvirt's `REMOTE_STRING_MAX` (also `VIR_NET_MESSAGE_STRING_MAX`): 4 MiB.
pub const REMOTE_STRING_MAX: usize = 4_194_304;

/// libvirt 9's `VIR_NET_MESSAGE_MAX`: 32 MiB for header plus payload.
pub const MESSAGE_MAX: usize = 33_554_432;

/// Name of the newtype/tuple struct the [`fixed_opaque`] helper uses to tell the
/// codec "raw bytes, no length word". Not part of the stable API.
#[doc(hidden)]
pub const FIXED_OPAQUE_TOKEN: &str = "$rvirt_xdr::FixedOpaque";

/// Size limits enforced while decoding (and, for symmetry, while encoding).
///
/// The defaults are libvirt 9's: strings up to [`REMOTE_STRING_MAX`], whole messages
/// up to [`MESSAGE_MAX`]. Per-field bounds that are smaller (e.g. a list of at most
/// 16384 domains) are the caller's business; these limits are a global safety net.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest accepted string, in bytes.
    pub max_string: usize,
    /// Longest accepted variable-length opaque, in bytes.
    pub max_opaque: usize,
    /// Largest accepted element count of a variable-length array.
    pub max_array: usize,
    /// Largest accepted input (or output) as a whole, in bytes.
    pub max_message: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_string: REMOTE_STRING_MAX,
            max_opaque: MESSAGE_MAX,
            max_array: MESSAGE_MAX / 4,
            max_message: MESSAGE_MAX,
        }
    }
}

/// Zero bytes needed after `len` bytes to reach a multiple of 4.
pub(crate) fn padding(len: usize) -> usize {
    (4 - len % 4) % 4
}

/// Encodes `value` with the default [`Limits`].
pub fn to_bytes<T: ?Sized + Serialize>(value: &T) -> Result<Vec<u8>> {
    to_bytes_with_limits(value, Limits::default())
}

/// Encodes `value`, failing if the result or any string/opaque/array in it would
/// break `limits`.
pub fn to_bytes_with_limits<T: ?Sized + Serialize>(value: &T, limits: Limits) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    serialize_into_with_limits(&mut out, value, limits)?;
    Ok(out)
}

/// Appends the encoding of `value` to `out` (default [`Limits`]).
///
/// Useful to write a payload right after a header in one buffer. On error `out` is
/// truncated back to its original length.
pub fn serialize_into<T: ?Sized + Serialize>(out: &mut Vec<u8>, value: &T) -> Result<()> {
    serialize_into_with_limits(out, value, Limits::default())
}

/// [`serialize_into`] with explicit limits; `limits.max_message` bounds the bytes
/// appended by this call.
pub fn serialize_into_with_limits<T: ?Sized + Serialize>(
    out: &mut Vec<u8>,
    value: &T,
    limits: Limits,
) -> Result<()> {
    let start = out.len();
    let r = value.serialize(&mut Serializer::new(out, limits));
    let written = out.len() - start;
    let r = if r.is_ok() && written > limits.max_message {
        Err(Error::MessageTooLarge {
            len: written,
            max: limits.max_message,
        })
    } else {
        r
    };
    if r.is_err() {
        out.truncate(start);
    }
    r
}

/// Decodes a `T` from the start of `input`, ignoring anything after it.
///
/// See [`from_bytes_exact`] to reject trailing bytes, [`from_bytes_prefix`] to learn
/// how much was consumed.
pub fn from_bytes<'de, T: Deserialize<'de>>(input: &'de [u8]) -> Result<T> {
    from_bytes_prefix(input, Limits::default()).map(|(v, _)| v)
}

/// Decodes a `T` that must span all of `input`; leftovers give
/// [`Error::TrailingBytes`].
pub fn from_bytes_exact<'de, T: Deserialize<'de>>(input: &'de [u8]) -> Result<T> {
    from_bytes_exact_with_limits(input, Limits::default())
}

/// [`from_bytes_exact`] with explicit limits.
pub fn from_bytes_exact_with_limits<'de, T: Deserialize<'de>>(
    input: &'de [u8],
    limits: Limits,
) -> Result<T> {
    let mut de = Deserializer::with_limits(input, limits)?;
    let v = T::deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// Decodes a `T` from the start of `input`; returns it with the number of bytes
/// consumed.
pub fn from_bytes_prefix<'de, T: Deserialize<'de>>(
    input: &'de [u8],
    limits: Limits,
) -> Result<(T, usize)> {
    let mut de = Deserializer::with_limits(input, limits)?;
    let v = T::deserialize(&mut de)?;
    Ok((v, de.position()))
}

/// Variable-length opaque data (`opaque x<N>`) for `Vec<u8>` fields:
/// `#[serde(with = "rvirt_xdr::opaque")]`.
///
/// Encodes a u32 length, the bytes and zero padding. Without this helper a
/// `Vec<u8>` is an array of 4-byte chars.
pub mod opaque {
    use serde::de::{self, Deserializer, SeqAccess, Visitor};
    use serde::ser::Serializer;
    use std::fmt;

    /// Serializes the bytes as variable-length opaque data.
    pub fn serialize<T, S>(value: &T, serializer: S) -> Result<S::Ok, S::Error>
    where
        T: ?Sized + AsRef<[u8]>,
        S: Serializer,
    {
        serializer.serialize_bytes(value.as_ref())
    }

    /// Deserializes variable-length opaque data into a `Vec<u8>`.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        deserializer.deserialize_byte_buf(BytesVisitor)
    }

    struct BytesVisitor;

    impl<'de> Visitor<'de> for BytesVisitor {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("variable-length opaque data")
        }

        fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }

        fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(v)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
            let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(b) = seq.next_element()? {
                v.push(b);
            }
            Ok(v)
        }
    }
}

/// Fixed-length opaque data (`opaque x[N]`, e.g. libvirt's 16-byte `remote_uuid`)
/// for `[u8; N]` fields: `#[serde(with = "rvirt_xdr::fixed_opaque")]`.
///
/// Encodes exactly N bytes plus zero padding to a multiple of 4, with no length word.
pub mod fixed_opaque {
    use serde::de::{self, Deserializer, SeqAccess, Visitor};
    use serde::ser::{Serialize, Serializer};
    use std::fmt;

    use crate::FIXED_OPAQUE_TOKEN;

    struct Raw<'a>(&'a [u8]);

    impl Serialize for Raw<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_bytes(self.0)
        }
    }

    /// Serializes the array as fixed-length opaque data.
    pub fn serialize<const N: usize, S: Serializer>(
        value: &[u8; N],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(FIXED_OPAQUE_TOKEN, &Raw(value))
    }

    /// Deserializes exactly N bytes (plus padding).
    pub fn deserialize<'de, const N: usize, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<[u8; N], D::Error> {
        deserializer.deserialize_tuple_struct(FIXED_OPAQUE_TOKEN, N, FixedVisitor::<N>)
    }

    struct FixedVisitor<const N: usize>;

    impl<'de, const N: usize> Visitor<'de> for FixedVisitor<N> {
        type Value = [u8; N];

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{N} bytes of fixed-length opaque data")
        }

        fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<[u8; N], E> {
            v.try_into().map_err(|_| E::invalid_length(v.len(), &self))
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<[u8; N], A::Error> {
            let mut out = [0u8; N];
            for (i, slot) in out.iter_mut().enumerate() {
                *slot = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(i, &self))?;
            }
            Ok(out)
        }
    }
}

/// Discriminated unions (`union switch (int d) { case 1: …; }`) without derive.
///
/// serde's derived enums would write the *variant index* (0, 1, 2…) as the
/// discriminant, which is wrong whenever the XDR cases are not numbered from 0 —
/// libvirt's typed-parameter union starts at 1. The pattern used instead:
///
/// * `Serialize`: call [`union::serialize`] with the real discriminant
///   and the arm's value (`&()` for a `void` arm). On the wire that is the i32
///   discriminant followed by the arm.
/// * `Deserialize`: implement [`Union`](crate::union::Union) (read the arm that belongs to a
///   discriminant, reject unknown ones with [`Arm::unknown`](crate::union::Arm::unknown)) and delegate to
///   [`union::deserialize`].
///
/// ```
/// use rvirt_xdr::union::{self, Arm, Union};
/// use serde::{Deserialize, Deserializer, Serialize, Serializer, de::SeqAccess};
///
/// /// `remote_typed_param_value`-like: cases start at 1.
/// #[derive(Debug, PartialEq)]
/// enum Value { Int(i32), Str(String), Nothing }
///
/// impl Serialize for Value {
///     fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
///         match self {
///             Value::Int(v) => union::serialize(s, 1, v),
///             Value::Str(v) => union::serialize(s, 7, v),
///             Value::Nothing => union::serialize(s, 9, &()),
///         }
///     }
/// }
///
/// impl Union for Value {
///     const NAME: &'static str = "Value";
///     fn deserialize_arm<'de, A: SeqAccess<'de>>(arm: Arm<'de, A>) -> Result<Self, A::Error> {
///         match arm.discriminant() {
///             1 => arm.read().map(Value::Int),
///             7 => arm.read().map(Value::Str),
///             9 => arm.void().map(|()| Value::Nothing),
///             _ => arm.unknown(),
///         }
///     }
/// }
///
/// impl<'de> Deserialize<'de> for Value {
///     fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
///         union::deserialize(d)
///     }
/// }
///
/// let bytes = rvirt_xdr::to_bytes(&Value::Int(5)).unwrap();
/// assert_eq!(bytes, [0, 0, 0, 1, 0, 0, 0, 5]);
/// assert_eq!(rvirt_xdr::from_bytes_exact::<Value>(&bytes).unwrap(), Value::Int(5));
/// assert!(rvirt_xdr::from_bytes_exact::<Value>(&[0, 0, 0, 2, 0, 0, 0, 5]).is_err());
/// ```
pub mod union {
    use serde::de::{self, Deserialize, Deserializer, SeqAccess, Unexpected, Visitor};
    use serde::ser::{Serialize, SerializeTuple, Serializer};
    use std::fmt;
    use std::marker::PhantomData;

    /// Serializes a union value: the `discriminant` word followed by `arm`.
    pub fn serialize<S, T>(serializer: S, discriminant: i32, arm: &T) -> Result<S::Ok, S::Error>
    where
        S: Serializer,
        T: ?Sized + Serialize,
    {
        let mut t = serializer.serialize_tuple(2)?;
        t.serialize_element(&discriminant)?;
        t.serialize_element(arm)?;
        t.end()
    }

    /// A type decoded as an XDR union; see the [module docs](self).
    pub trait Union: Sized {
        /// The type's name, for error messages.
        const NAME: &'static str;

        /// Reads the arm selected by [`Arm::discriminant`].
        fn deserialize_arm<'de, A: SeqAccess<'de>>(arm: Arm<'de, A>) -> Result<Self, A::Error>;
    }

    /// The not-yet-read arm of a union whose discriminant has been read.
    #[derive(Debug)]
    pub struct Arm<'de, A> {
        seq: A,
        discriminant: i32,
        name: &'static str,
        _de: PhantomData<&'de ()>,
    }

    impl<'de, A: SeqAccess<'de>> Arm<'de, A> {
        /// The discriminant found on the wire.
        pub fn discriminant(&self) -> i32 {
            self.discriminant
        }

        /// Reads the arm's body as a `T`.
        pub fn read<T: Deserialize<'de>>(mut self) -> Result<T, A::Error> {
            self.seq
                .next_element()?
                .ok_or_else(|| de::Error::invalid_length(1, &"a union arm"))
        }

        /// Accepts a `void` arm (nothing on the wire).
        pub fn void(self) -> Result<(), A::Error> {
            self.read::<()>()
        }

        /// Rejects an unknown discriminant with an "invalid value" error.
        pub fn unknown<T>(self) -> Result<T, A::Error> {
            Err(de::Error::invalid_value(
                Unexpected::Signed(i64::from(self.discriminant)),
                &format!("a valid discriminant of union {}", self.name).as_str(),
            ))
        }
    }

    /// Deserializes a [`Union`]: reads the i32 discriminant, then lets `U` read the arm.
    pub fn deserialize<'de, D, U>(deserializer: D) -> Result<U, D::Error>
    where
        D: Deserializer<'de>,
        U: Union,
    {
        deserializer.deserialize_tuple(2, UnionVisitor::<U>(PhantomData))
    }

    struct UnionVisitor<U>(PhantomData<U>);

    impl<'de, U: Union> Visitor<'de> for UnionVisitor<U> {
        type Value = U;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "XDR union {}", U::NAME)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<U, A::Error> {
            let discriminant: i32 = seq
                .next_element()?
                .ok_or_else(|| de::Error::invalid_length(0, &self))?;
            U::deserialize_arm(Arm {
                seq,
                discriminant,
                name: U::NAME,
                _de: PhantomData,
            })
        }
    }
}
