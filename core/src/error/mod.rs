//! Typed errors carrying libvirt's error numbers.
//!
//! Every fallible rvirt API returns [`Result<T>`](Result), whose error type [`Error`]
//! records *what* went wrong ([`ErrorCode`], numerically identical to libvirt's
//! `virErrorNumber`), *where* it was raised ([`ErrorDomain`], identical to
//! `virErrorDomain`), how severe it is ([`ErrorLevel`], identical to `virErrorLevel`)
//! and a human-readable message.
//!
//! Keeping the numbers identical lets bindings and the RPC layer hand errors across
//! the wire or the C ABI unchanged, and lets callers port code that matches on
//! libvirt's codes. The values are those of libvirt 9.0's `virterror.h`.
//!
//! ```
//! use rvirt_core::{Error, ErrorCode, ErrorDomain};
//!
//! let err = Error::no_domain("no domain named 'web1'");
//! assert_eq!(err.code(), ErrorCode::NoDomain);
//! assert_eq!(err.code().as_raw(), 42);
//! assert_eq!(err.to_string(), "Domain not found: no domain named 'web1'");
//!
//! let err = Error::invalid_arg(ErrorDomain::Qemu, "memory must be positive");
//! assert_eq!(err.to_string(), "invalid argument: memory must be positive");
//! ```

use std::fmt;

mod codes;

pub use codes::{ErrorCode, ErrorDomain, ErrorLevel};

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// An rvirt error: a libvirt error number, the subsystem that raised it, a severity
/// and a message.
///
/// `Display` renders `"<code description>: <message>"` (the description alone for no message,
/// the message alone for XML parse details and flag refusals), as libvirt words its errors.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    code: ErrorCode,
    domain: ErrorDomain,
    level: ErrorLevel,
    message: String,
    /// Shown without the code's description (libvirt's argument-check errors).
    verbatim: bool,
}

impl Error {
    /// Creates an error of level [`ErrorLevel::Error`].
    pub fn new(code: ErrorCode, domain: ErrorDomain, message: impl Into<String>) -> Self {
        Error {
            code,
            domain,
            level: ErrorLevel::Error,
            message: message.into(),
            verbatim: false,
        }
    }

    /// An error whose message is shown as is, without the code's description in
    /// front: what libvirt's argument checks (`virCheckFlags`, `virCheckNonNullArg`, …)
    /// raise, e.g. "unsupported flags (0x8) in function testDomainGetVcpusFlags".
    pub fn verbatim(code: ErrorCode, domain: ErrorDomain, message: impl Into<String>) -> Self {
        Error {
            verbatim: true,
            ..Error::new(code, domain, message)
        }
    }

    /// Returns the same error with another severity.
    #[must_use]
    pub fn with_level(mut self, level: ErrorLevel) -> Self {
        self.level = level;
        self
    }

    /// The driver does not implement an API; `what` names it (usually the function).
    pub fn no_support(domain: ErrorDomain, what: impl Into<String>) -> Self {
        Error::new(ErrorCode::NoSupport, domain, what)
    }

    /// A caller-supplied argument is invalid.
    pub fn invalid_arg(domain: ErrorDomain, message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidArg, domain, message)
    }

    /// No domain matches a lookup (raised in [`ErrorDomain::Dom`]).
    pub fn no_domain(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::NoDomain, ErrorDomain::Dom, message)
    }

    /// The operation does not apply to the object's current state (e.g. starting a
    /// running domain).
    pub fn operation_invalid(domain: ErrorDomain, message: impl Into<String>) -> Self {
        Error::new(ErrorCode::OperationInvalid, domain, message)
    }

    /// An unexpected internal condition.
    pub fn internal(domain: ErrorDomain, message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InternalError, domain, message)
    }

    /// A malformed or semantically wrong XML document.
    pub fn xml(domain: ErrorDomain, message: impl Into<String>) -> Self {
        Error::new(ErrorCode::XmlError, domain, message)
    }

    /// What went wrong.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// Which subsystem raised the error.
    pub fn domain(&self) -> ErrorDomain {
        self.domain
    }

    /// How severe the error is.
    pub fn level(&self) -> ErrorLevel {
        self.level
    }

    /// The message, without the code-description prefix that `Display` adds.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flags =
            self.code == ErrorCode::InvalidArg && self.message.starts_with("unsupported flags");
        let alone = self.verbatim || flags || self.code == ErrorCode::XmlDetail;
        match (self.message.is_empty(), alone) {
            (true, false) => f.write_str(self.code.description()),
            (_, true) => f.write_str(&self.message),
            _ => write!(f, "{}: {}", self.code.description(), self.message),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    /// Maps an I/O error to [`ErrorCode::SystemError`] in [`ErrorDomain::None`], keeping
    /// its text as the message.
    fn from(err: std::io::Error) -> Self {
        Error::new(ErrorCode::SystemError, ErrorDomain::None, err.to_string())
    }
}

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_error_codes() {
        // Values checked against libvirt 9.0's virterror.h.
        let table = [
            (ErrorCode::Ok, 0),
            (ErrorCode::InternalError, 1),
            (ErrorCode::NoMemory, 2),
            (ErrorCode::NoSupport, 3),
            (ErrorCode::NoConnect, 5),
            (ErrorCode::InvalidArg, 8),
            (ErrorCode::OperationFailed, 9),
            (ErrorCode::XmlError, 27),
            (ErrorCode::OperationDenied, 29),
            (ErrorCode::ConfSyntax, 33),
            (ErrorCode::SystemError, 38),
            (ErrorCode::Rpc, 39),
            (ErrorCode::WarNoNetwork, 41),
            (ErrorCode::NoDomain, 42),
            (ErrorCode::AuthFailed, 45),
            (ErrorCode::OperationInvalid, 55),
            (ErrorCode::ConfigUnsupported, 67),
            (ErrorCode::OperationTimeout, 68),
            (ErrorCode::ArgumentUnsupported, 74),
            (ErrorCode::OperationUnsupported, 84),
            (ErrorCode::AgentUnresponsive, 86),
            (ErrorCode::AccessDenied, 88),
            (ErrorCode::XmlInvalidSchema, 92),
            (ErrorCode::DeviceMissing, 99),
            (ErrorCode::MultipleDomains, 110),
        ];
        for (code, raw) in table {
            assert_eq!(code.as_raw(), raw, "{code:?}");
            assert_eq!(ErrorCode::from_raw(raw), Some(code), "{raw}");
        }
    }

    #[test]
    fn known_error_domains() {
        let table = [
            (ErrorDomain::None, 0),
            (ErrorDomain::Dom, 6),
            (ErrorDomain::Rpc, 7),
            (ErrorDomain::Conf, 9),
            (ErrorDomain::Qemu, 10),
            (ErrorDomain::Test, 12),
            (ErrorDomain::Remote, 13),
            (ErrorDomain::Lxc, 17),
            (ErrorDomain::Domain, 20),
            (ErrorDomain::Security, 24),
            (ErrorDomain::Secret, 30),
            (ErrorDomain::Event, 40),
            (ErrorDomain::Uri, 45),
            (ErrorDomain::Admin, 62),
            (ErrorDomain::DomainCheckpoint, 69),
            (ErrorDomain::Ch, 72),
        ];
        for (domain, raw) in table {
            assert_eq!(domain.as_raw(), raw, "{domain:?}");
            assert_eq!(ErrorDomain::from_raw(raw), Some(domain), "{raw}");
        }
    }

    #[test]
    fn levels() {
        assert_eq!(ErrorLevel::None.as_raw(), 0);
        assert_eq!(ErrorLevel::Warning.as_raw(), 1);
        assert_eq!(ErrorLevel::Error.as_raw(), 2);
        assert_eq!(ErrorLevel::from_raw(3), None);
    }

    #[test]
    fn round_trip_all_variants() {
        // libvirt numbers both enums densely from 0.
        assert_eq!(ErrorCode::ALL.len(), 111);
        assert_eq!(ErrorDomain::ALL.len(), 73);
        for (i, &code) in ErrorCode::ALL.iter().enumerate() {
            assert_eq!(code.as_raw(), i as i32);
            assert_eq!(ErrorCode::from_raw(code.as_raw()), Some(code));
            assert_eq!(ErrorCode::try_from(i32::from(code)), Ok(code));
            assert!(!code.description().is_empty());
        }
        for (i, &domain) in ErrorDomain::ALL.iter().enumerate() {
            assert_eq!(domain.as_raw(), i as i32);
            assert_eq!(ErrorDomain::from_raw(domain.as_raw()), Some(domain));
        }
        for raw in [-1, 111, 1000, i32::MIN, i32::MAX] {
            assert_eq!(ErrorCode::from_raw(raw), None);
            assert_eq!(ErrorCode::try_from(raw), Err(raw));
        }
        for raw in [-1, 73, i32::MAX] {
            assert_eq!(ErrorDomain::from_raw(raw), None);
        }
    }

    #[test]
    fn constructors_and_accessors() {
        let e = Error::new(ErrorCode::Rpc, ErrorDomain::Remote, "bad frame");
        assert_eq!(e.code(), ErrorCode::Rpc);
        assert_eq!(e.domain(), ErrorDomain::Remote);
        assert_eq!(e.level(), ErrorLevel::Error);
        assert_eq!(e.message(), "bad frame");
        assert_eq!(
            e.clone().with_level(ErrorLevel::Warning).level(),
            ErrorLevel::Warning
        );

        let cases = [
            (
                Error::no_support(ErrorDomain::Test, "virDomainFoo"),
                ErrorCode::NoSupport,
                ErrorDomain::Test,
            ),
            (
                Error::invalid_arg(ErrorDomain::Qemu, "x"),
                ErrorCode::InvalidArg,
                ErrorDomain::Qemu,
            ),
            (Error::no_domain("x"), ErrorCode::NoDomain, ErrorDomain::Dom),
            (
                Error::operation_invalid(ErrorDomain::Lxc, "x"),
                ErrorCode::OperationInvalid,
                ErrorDomain::Lxc,
            ),
            (
                Error::internal(ErrorDomain::Event, "x"),
                ErrorCode::InternalError,
                ErrorDomain::Event,
            ),
            (
                Error::xml(ErrorDomain::Domain, "x"),
                ErrorCode::XmlError,
                ErrorDomain::Domain,
            ),
        ];
        for (err, code, domain) in cases {
            assert_eq!(
                (err.code(), err.domain(), err.level()),
                (code, domain, ErrorLevel::Error)
            );
        }
    }

    #[test]
    fn display_prefixes() {
        let table = [
            (
                Error::no_domain("no domain with name 'a'"),
                "Domain not found: no domain with name 'a'",
            ),
            (
                Error::operation_invalid(ErrorDomain::Qemu, "domain is not running"),
                "Requested operation is not valid: domain is not running",
            ),
            (
                Error::no_support(ErrorDomain::Test, "virDomainSuspend"),
                "this function is not supported by the connection driver: virDomainSuspend",
            ),
            (
                Error::invalid_arg(ErrorDomain::None, "flags"),
                "invalid argument: flags",
            ),
            (
                Error::xml(ErrorDomain::Domain, "missing <name>"),
                "XML error: missing <name>",
            ),
            (
                Error::internal(ErrorDomain::Uri, "oops"),
                "internal error: oops",
            ),
            (Error::internal(ErrorDomain::Uri, ""), "internal error"),
        ];
        for (err, text) in table {
            assert_eq!(err.to_string(), text);
        }
    }

    #[test]
    fn io_error_conversion() {
        let io = std::io::Error::from_raw_os_error(libc::ENOENT);
        let err = Error::from(io);
        assert_eq!(err.code(), ErrorCode::SystemError);
        assert!(err.message().contains("No such file"), "{}", err.message());
        let boxed: Box<dyn std::error::Error> = Box::new(err);
        assert!(boxed.to_string().starts_with("system error: "));
    }
}
