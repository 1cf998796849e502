//! The errors libvirt's shared domain code raises, in the driver's error domain where
//! libvirt reports it there.

use uuid::Uuid;

use crate::{Error, ErrorCode, ErrorDomain};

/// `VIR_ERR_NO_DOMAIN`: "no domain with matching WHAT" (WHAT: `name 'x'`, `id 3`,
/// `uuid 'U'`, or `uuid 'U' (name)` for a handle whose domain is gone).
pub fn no_domain(domain: ErrorDomain, what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::NoDomain,
        domain,
        format!("no domain with matching {what}"),
    )
}

/// `VIR_ERR_NO_DOMAIN` for a handle (`uuid`, `name`) whose domain is gone.
pub(crate) fn domain_gone(domain: ErrorDomain, uuid: &Uuid, name: &str) -> Error {
    no_domain(
        domain,
        format_args!("uuid '{}' ({name})", uuid.hyphenated()),
    )
}

/// `VIR_ERR_OPERATION_INVALID` "domain is not running".
pub fn not_running() -> Error {
    Error::operation_invalid(ErrorDomain::Domain, "domain is not running")
}

/// `VIR_ERR_OPERATION_INVALID` "domain 'NAME' is already active".
pub fn already_active(name: &str) -> Error {
    Error::operation_invalid(
        ErrorDomain::Domain,
        format!("domain '{name}' is already active"),
    )
}

/// `VIR_ERR_OPERATION_FAILED`: a definition clashes with another domain.
pub(crate) fn clash(message: String) -> Error {
    Error::new(ErrorCode::OperationFailed, ErrorDomain::Domain, message)
}
