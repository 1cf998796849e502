//! The codec's error type.

use std::fmt;

/// Everything that can go wrong while encoding or decoding XDR.
///
/// Decoding errors never leave partially built values behind; the input should be
/// treated as malformed as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The input ended before a value was complete, or a length/count claims more
    /// data than the input still holds.
    UnexpectedEof {
        /// Bytes the decoder needed (at least).
        needed: usize,
        /// Bytes that were left.
        remaining: usize,
    },
    /// [`from_bytes_exact`](crate::from_bytes_exact) decoded a value but input was left over.
    TrailingBytes(usize),
    /// A string is longer than [`Limits::max_string`](crate::Limits::max_string).
    StringTooLong {
        /// The claimed (or, when encoding, actual) length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A variable-length opaque is longer than [`Limits::max_opaque`](crate::Limits::max_opaque).
    OpaqueTooLong {
        /// The claimed (or actual) length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A variable-length array has more elements than
    /// [`Limits::max_array`](crate::Limits::max_array).
    ArrayTooLong {
        /// The claimed (or actual) element count.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The whole input (or output) is larger than
    /// [`Limits::max_message`](crate::Limits::max_message).
    MessageTooLarge {
        /// The size in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A boolean or optional-data flag was neither 0 nor 1.
    InvalidBool(u32),
    /// A decoded integer does not fit the Rust type (e.g. 300 for a `u8`).
    IntegerOutOfRange {
        /// The Rust type being decoded.
        ty: &'static str,
        /// The value found on the wire.
        value: i64,
    },
    /// A string is not valid UTF-8.
    InvalidUtf8,
    /// A `char` word is not a Unicode scalar value.
    InvalidChar(u32),
    /// A value is syntactically fine but not acceptable, e.g. an unknown union
    /// discriminant or enum value.
    InvalidValue(String),
    /// The Rust type cannot be represented in XDR (maps of unknown length,
    /// self-describing deserialization, data-carrying enums without the union pattern…).
    Unsupported(&'static str),
    /// A length does not fit XDR's 32-bit length word.
    LengthOverflow(usize),
    /// A free-form error raised by a `Serialize`/`Deserialize` implementation.
    Custom(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnexpectedEof { needed, remaining } => write!(
                f,
                "XDR input truncated: need {needed} bytes, {remaining} left"
            ),
            Error::TrailingBytes(n) => write!(f, "{n} unexpected trailing bytes after XDR value"),
            Error::StringTooLong { len, max } => {
                write!(f, "XDR string of {len} bytes exceeds the limit of {max}")
            }
            Error::OpaqueTooLong { len, max } => {
                write!(f, "XDR opaque of {len} bytes exceeds the limit of {max}")
            }
            Error::ArrayTooLong { len, max } => {
                write!(f, "XDR array of {len} elements exceeds the limit of {max}")
            }
            Error::MessageTooLarge { len, max } => {
                write!(f, "XDR message of {len} bytes exceeds the limit of {max}")
            }
            Error::InvalidBool(v) => write!(f, "invalid XDR boolean/optional flag {v}"),
            Error::IntegerOutOfRange { ty, value } => {
                write!(f, "XDR integer {value} out of range for {ty}")
            }
            Error::InvalidUtf8 => f.write_str("XDR string is not valid UTF-8"),
            Error::InvalidChar(v) => write!(f, "XDR char {v:#x} is not a Unicode scalar value"),
            Error::InvalidValue(m) => write!(f, "invalid XDR value: {m}"),
            Error::Unsupported(what) => write!(f, "not representable in XDR: {what}"),
            Error::LengthOverflow(n) => write!(f, "length {n} does not fit an XDR length word"),
            Error::Custom(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

impl serde::ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::Custom(msg.to_string())
    }
}

impl serde::de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::Custom(msg.to_string())
    }

    fn invalid_value(unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> Self {
        Error::InvalidValue(format!("{unexp}, expected {exp}"))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Error::InvalidValue(format!(
            "unknown variant {variant}, expected one of {expected:?}"
        ))
    }
}

/// `Result` with the codec's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
