//! Error constructors with the codes and error domains libvirt's test driver reports
//! (checked against libvirt 9.0 through python3-libvirt).

use rvirt_core::conf::ConfError;
use rvirt_core::{Error, ErrorCode, ErrorDomain};

/// `VIR_ERR_INTERNAL_ERROR` in the test domain: what the test driver raises for
/// suspend/resume/shutdown/create in the wrong state.
pub(crate) fn internal(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InternalError, ErrorDomain::Test, message)
}

/// `VIR_ERR_INVALID_ARG` for flags this driver does not know (libvirt's `virCheckFlags`).
pub(crate) fn check_flags(flags: u32, known: u32, function: &str) -> Result<(), Error> {
    let unknown = flags & !known;
    if unknown != 0 {
        return Err(Error::verbatim(
            ErrorCode::InvalidArg,
            ErrorDomain::Test,
            format!("unsupported flags (0x{unknown:x}) in function {function}"),
        ));
    }
    Ok(())
}

/// `VIR_ERR_XML_ERROR` in the test domain: a bad node file.
pub(crate) fn node_xml(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::XmlError, ErrorDomain::Test, message)
}

/// Maps a domain XML error to an rvirt error with the code and domain libvirt reports.
pub fn conf_error(e: &ConfError) -> Error {
    let code = ErrorCode::from_raw(e.libvirt_code()).unwrap_or(ErrorCode::InternalError);
    let domain = ErrorDomain::from_raw(e.libvirt_domain()).unwrap_or(ErrorDomain::Domain);
    let detail = e.detail();
    // A detail that only repeats the code's description ("missing name information")
    // is shown once, as libvirt shows it.
    if detail == code.description() {
        return Error::new(code, domain, "");
    }
    Error::new(code, domain, detail)
}
