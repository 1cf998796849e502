//! Errors the QMP codec reports for data it cannot decode.

use std::fmt;

use rvirt_core::{Error, ErrorCode, ErrorDomain};

/// Why one monitor line could not be decoded.
///
/// Every variant maps to libvirt's `VIR_ERR_INTERNAL_ERROR` in the QEMU error domain,
/// which is what libvirt's `qemuMonitorJSONIOProcessLine` and `qemuMonitorIORead`
/// report for monitor garbage. After any of these the codec resynchronises on the next
/// line, so the caller may keep feeding it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QmpError {
    /// The line is not valid JSON (or not UTF-8).
    InvalidJson {
        /// The offending line (lossily decoded, truncated to 200 bytes).
        line: String,
        /// The JSON parser's message.
        reason: String,
    },
    /// The line is valid JSON but not an object.
    NotAnObject {
        /// The offending line (truncated to 200 bytes).
        line: String,
    },
    /// The object has none of the keys `QMP`, `event`, `return`, `error`, or one of
    /// them with the wrong type.
    UnknownReply {
        /// The offending line (truncated to 200 bytes).
        line: String,
    },
    /// A line grew past the configured limit without a newline; its bytes are
    /// discarded up to the next newline.
    LineTooLong {
        /// The limit in bytes.
        limit: usize,
    },
}

impl QmpError {
    /// libvirt's error code for this failure (always `VIR_ERR_INTERNAL_ERROR`).
    pub fn code(&self) -> ErrorCode {
        ErrorCode::InternalError
    }
}

impl fmt::Display for QmpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QmpError::InvalidJson { line, reason } => {
                write!(f, "cannot parse json {line}: {reason}")
            }
            QmpError::NotAnObject { line } => {
                write!(f, "Parsed JSON reply '{line}' isn't an object")
            }
            QmpError::UnknownReply { line } => write!(f, "Unknown JSON reply '{line}'"),
            QmpError::LineTooLong { limit } => {
                write!(f, "QEMU monitor reply exceeds buffer size ({limit} bytes)")
            }
        }
    }
}

impl std::error::Error for QmpError {}

impl From<QmpError> for Error {
    fn from(e: QmpError) -> Error {
        Error::new(e.code(), ErrorDomain::Qemu, e.to_string())
    }
}

/// Shortens a line for inclusion in an error message.
pub(crate) fn excerpt(line: &[u8]) -> String {
    const MAX: usize = 200;
    let s = String::from_utf8_lossy(&line[..line.len().min(MAX)]);
    if line.len() > MAX {
        format!("{s}...")
    } else {
        s.into_owned()
    }
}
