//! [`XmlError`]: a parse or validation failure with libvirt's error numbers.

use std::fmt;

/// libvirt error codes (`virErrorNumber`) these parsers raise.
pub mod code {
    /// `VIR_ERR_INTERNAL_ERROR`.
    pub const INTERNAL: i32 = 1;
    /// `VIR_ERR_INVALID_ARG`.
    pub const INVALID_ARG: i32 = 8;
    /// `VIR_ERR_NO_NAME`.
    pub const NO_NAME: i32 = 21;
    /// `VIR_ERR_XML_ERROR`.
    pub const XML_ERROR: i32 = 27;
    /// `VIR_ERR_XML_DETAIL`.
    pub const XML_DETAIL: i32 = 35;
    /// `VIR_ERR_CONFIG_UNSUPPORTED`.
    pub const CONFIG_UNSUPPORTED: i32 = 67;
}

/// libvirt error domains (`virErrorDomain`) these parsers raise errors in.
pub mod domain {
    /// `VIR_FROM_NONE`.
    pub const NONE: i32 = 0;
    /// `VIR_FROM_XML`.
    pub const XML: i32 = 5;
    /// `VIR_FROM_STORAGE`.
    pub const STORAGE: i32 = 18;
    /// `VIR_FROM_NETWORK`.
    pub const NETWORK: i32 = 19;
    /// `VIR_FROM_NODEDEV`.
    pub const NODEDEV: i32 = 22;
    /// `VIR_FROM_INTERFACE`.
    pub const INTERFACE: i32 = 26;
    /// `VIR_FROM_SECRET`.
    pub const SECRET: i32 = 30;
    /// `VIR_FROM_NWFILTER`.
    pub const NWFILTER: i32 = 33;
}

/// Why a document was refused: libvirt's error code and domain, and the message
/// without the code's description (which `rvirt_core::Error` adds when printed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XmlError {
    /// `virErrorNumber`.
    pub code: i32,
    /// `virErrorDomain`.
    pub domain: i32,
    /// What is wrong.
    pub message: String,
}

impl XmlError {
    /// An error with the given numbers.
    pub fn new(code: i32, domain: i32, message: impl Into<String>) -> XmlError {
        XmlError {
            code,
            domain,
            message: message.into(),
        }
    }

    /// `VIR_ERR_XML_ERROR` ("XML error: …") in `domain`.
    pub fn xml(domain: i32, message: impl Into<String>) -> XmlError {
        XmlError::new(code::XML_ERROR, domain, message)
    }

    /// `VIR_ERR_INTERNAL_ERROR` in `domain`.
    pub fn internal(domain: i32, message: impl Into<String>) -> XmlError {
        XmlError::new(code::INTERNAL, domain, message)
    }

    /// `VIR_ERR_CONFIG_UNSUPPORTED` in `domain`.
    pub fn unsupported(domain: i32, message: impl Into<String>) -> XmlError {
        XmlError::new(code::CONFIG_UNSUPPORTED, domain, message)
    }

    /// A required element is missing: "XML error: missing NAME element" style.
    pub fn missing(domain: i32, what: &str) -> XmlError {
        XmlError::xml(domain, format!("missing {what}"))
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (code {}, domain {})",
            self.message, self.code, self.domain
        )
    }
}

impl std::error::Error for XmlError {}

/// Result of the parsers.
pub type Result<T> = std::result::Result<T, XmlError>;
