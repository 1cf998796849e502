//! `remote_error`: the payload of an ERROR reply, and its mapping to
//! [`rvirt_core::Error`].

use rvirt_core::error::{ErrorCode, ErrorDomain, ErrorLevel};
use serde::{Deserialize, Serialize};

use crate::types::{RemoteNonnullDomain, RemoteNonnullNetwork};

/// The payload of a REPLY (or STREAM) with status ERROR (`remote_error`, alias
/// `virNetMessageError`). Field order is the wire order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteError {
    /// `virErrorNumber`.
    pub code: i32,
    /// `virErrorDomain`.
    pub domain: i32,
    /// The full message shown to users (clients print "Unknown error" when absent).
    pub message: Option<String>,
    /// `virErrorLevel` (libvirtd sends 2, ERROR).
    pub level: i32,
    /// Object the error concerns; libvirtd always sends NULL.
    pub dom: Option<RemoteNonnullDomain>,
    /// Extra string 1; libvirtd puts the message's format prefix here.
    pub str1: Option<String>,
    /// Extra string 2; the detail text.
    pub str2: Option<String>,
    /// Extra string 3.
    pub str3: Option<String>,
    /// Extra integer 1; libvirtd sends -1.
    pub int1: i32,
    /// Extra integer 2; libvirtd sends -1.
    pub int2: i32,
    /// Network the error concerns; always NULL.
    pub net: Option<RemoteNonnullNetwork>,
}

impl RemoteError {
    /// An error the way libvirtd sends one without extra detail: `message` and `str1`
    /// both set to `message`, level ERROR, ints -1, no objects.
    ///
    /// `RemoteError::new(42, 12, "Domain not found")` is byte-identical to libvirtd
    /// 9.0's reply to looking up a missing domain in the test driver.
    pub fn new(code: i32, domain: i32, message: impl Into<String>) -> Self {
        let message = message.into();
        RemoteError {
            code,
            domain,
            message: Some(message.clone()),
            level: ErrorLevel::Error.as_raw(),
            dom: None,
            str1: Some(message),
            str2: None,
            str3: None,
            int1: -1,
            int2: -1,
            net: None,
        }
    }

    /// The reply to an unimplemented procedure, exactly as libvirtd words it
    /// (39 RPC / 7 RPC, "unknown procedure: N"). Clients turn it into
    /// `VIR_ERR_NO_SUPPORT` and fall back to older procedures.
    pub fn unknown_procedure(proc_: i32) -> Self {
        Self::new(
            ErrorCode::Rpc.as_raw(),
            ErrorDomain::Rpc.as_raw(),
            format!("unknown procedure: {proc_}"),
        )
    }

    /// Whether a client would treat this as "not supported": libvirt's client
    /// rewrites RPC errors (from RPC or REMOTE) whose message starts with
    /// "unknown procedure" to `VIR_ERR_NO_SUPPORT`.
    pub fn is_unknown_procedure(&self) -> bool {
        self.code == ErrorCode::Rpc.as_raw()
            && (self.domain == ErrorDomain::Rpc.as_raw()
                || self.domain == ErrorDomain::Remote.as_raw())
            && self.level == ErrorLevel::Error.as_raw()
            && self
                .message
                .as_deref()
                .is_some_and(|m| m.starts_with("unknown procedure"))
    }

    /// Converts to an [`rvirt_core::Error`] the way libvirt's client does.
    ///
    /// * "unknown procedure" errors become [`ErrorCode::NoSupport`] (see
    ///   [`is_unknown_procedure`](Self::is_unknown_procedure)).
    /// * Unknown codes become [`ErrorCode::InternalError`] and unknown domains
    ///   [`ErrorDomain::Remote`], keeping the text; unknown levels become ERROR.
    /// * A missing message becomes "Unknown error".
    /// * libvirt's message usually starts with the code's description
    ///   ("Domain not found: …"), which `rvirt_core::Error`'s `Display` adds itself;
    ///   that prefix is stripped so it is not shown twice. A message without it (an
    ///   argument check's) becomes a [verbatim](rvirt_core::Error::verbatim) error.
    pub fn to_error(&self) -> rvirt_core::Error {
        let mut code = ErrorCode::from_raw(self.code).unwrap_or(ErrorCode::InternalError);
        if self.is_unknown_procedure() {
            code = ErrorCode::NoSupport;
        }
        let domain = ErrorDomain::from_raw(self.domain).unwrap_or(ErrorDomain::Remote);
        let level = ErrorLevel::from_raw(self.level).unwrap_or(ErrorLevel::Error);
        let text = self.message.as_deref().unwrap_or("Unknown error");
        let prefix = code.description();
        if text == prefix {
            return rvirt_core::Error::new(code, domain, "").with_level(level);
        }
        match text
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix(": "))
        {
            Some(rest) => rvirt_core::Error::new(code, domain, rest).with_level(level),
            None => rvirt_core::Error::verbatim(code, domain, text).with_level(level),
        }
    }
}

impl From<RemoteError> for rvirt_core::Error {
    fn from(e: RemoteError) -> Self {
        e.to_error()
    }
}

impl From<&RemoteError> for rvirt_core::Error {
    fn from(e: &RemoteError) -> Self {
        e.to_error()
    }
}

impl From<&rvirt_core::Error> for RemoteError {
    /// Builds the wire error for a local error: numbers unchanged, `message` (and
    /// `str1`) set to the error's full `Display` text, as libvirtd would print it.
    fn from(e: &rvirt_core::Error) -> Self {
        let mut r = RemoteError::new(e.code().as_raw(), e.domain().as_raw(), e.to_string());
        r.level = e.level().as_raw();
        r
    }
}

impl From<rvirt_core::Error> for RemoteError {
    fn from(e: rvirt_core::Error) -> Self {
        RemoteError::from(&e)
    }
}
