//! libvirt connection URIs.
//!
//! A connection URI has the shape
//! `driver[+transport]://[user@][host][:port][/path][?name=value&…][#fragment]`,
//! for example `qemu:///system`, `test:///default`, `qemu+ssh://root@host/system`,
//! `test+tcp://[::1]:16509/default` or `qemu:///embed?root=/var/tmp/vm`.
//!
//! [`Uri::parse`] splits such a string into its parts, percent-decoding the user, host,
//! path, query parameters and fragment, and fails with the same [`ErrorCode`]s and
//! [`ErrorDomain`]s libvirt uses for the same mistakes:
//!
//! | Failure | Code | Domain |
//! |---|---|---|
//! | empty string, no `scheme:` (relative reference), no `//` after the scheme | [`ErrorCode::NoConnect`] | [`ErrorDomain::None`] |
//! | syntax error: bad scheme character, bad port, bad `%` escape, bad IPv6 literal, illegal character | [`ErrorCode::InternalError`] | [`ErrorDomain::Uri`] |
//! | `qemu://system` / `qemu://session` (missing third slash) | [`ErrorCode::InternalError`] | [`ErrorDomain::None`] |
//! | unknown transport, `+unix` together with a host | [`ErrorCode::InvalidArg`] | [`ErrorDomain::Remote`] |
//!
//! [`Display`](fmt::Display) re-serialises a [`Uri`], percent-encoding what needs it, so
//! that `Uri::parse(&uri.to_string()) == Ok(uri)`.
//!
//! ```
//! use rvirt_core::uri::Uri;
//!
//! let uri = Uri::parse("qemu+ssh://root@host.example/system?keyfile=/k").unwrap();
//! assert_eq!(uri.driver(), "qemu");
//! assert_eq!(uri.transport(), Some("ssh"));
//! assert_eq!(uri.user(), Some("root"));
//! assert_eq!(uri.host(), Some("host.example"));
//! assert_eq!(uri.path(), "/system");
//! assert_eq!(uri.query_param("keyfile"), Some("/k"));
//! assert!(uri.is_remote());
//! ```

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::error::{Error, ErrorCode, ErrorDomain, Result};

mod escape;
mod parse;
mod print;
#[cfg(test)]
mod tests;

/// A parsed libvirt connection URI.
///
/// Equality compares the parsed parts only, not the original spelling: `test:///a%2Db`
/// equals `test:///a-b`.
#[derive(Clone, Debug)]
pub struct Uri {
    original: String,
    scheme: String,
    transport: Option<&'static str>,
    user: Option<String>,
    host: Option<String>,
    port: Option<u16>,
    path: String,
    query: Vec<(String, String)>,
    fragment: Option<String>,
}

impl Uri {
    /// The string this URI was parsed from, unchanged.
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// The whole scheme as written, e.g. `"qemu+unix"`.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The driver part of the scheme (before any `+`), e.g. `"qemu"`.
    pub fn driver(&self) -> &str {
        match self.scheme.split_once('+') {
            Some((driver, _)) => driver,
            None => &self.scheme,
        }
    }

    /// The transport part of the scheme (after `+`), lower-cased: one of `"tls"`,
    /// `"unix"`, `"ssh"`, `"libssh2"`, `"ext"`, `"tcp"`, `"libssh"`; `None` if the scheme
    /// has no `+`.
    pub fn transport(&self) -> Option<&str> {
        self.transport
    }

    /// The percent-decoded user name before `@`, if any (an empty one counts as absent).
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The percent-decoded host, if any; an IPv6 literal is returned without its
    /// brackets (`"::1"`).
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// The explicit port, if any.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The percent-decoded path: `"/system"`, `"/default"`, `"/abs/node.xml"`, `"/"`, or
    /// `""` when the URI has none.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query parameters in order, names and values percent-decoded.
    ///
    /// Parameters are separated by `&` or `;`; a parameter without `=` has an empty
    /// value; empty parameters and ones with an empty name (`=value`) are dropped, as
    /// libvirt does. `+` is not treated as a space.
    pub fn query(&self) -> &[(String, String)] {
        &self.query
    }

    /// The value of the first query parameter called `name`, compared ASCII
    /// case-insensitively as libvirt does.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The percent-decoded fragment after `#`, if any (libvirt drivers ignore it).
    pub fn fragment(&self) -> Option<&str> {
        self.fragment.as_deref()
    }

    /// Whether the remote driver, not a local one, must handle this URI: true when
    /// the scheme names a transport or the URI names a host (libvirt's rule).
    pub fn is_remote(&self) -> bool {
        self.transport.is_some() || self.host.is_some()
    }

    /// Whether the path asks for the in-process (embedded) driver, i.e. is exactly
    /// `/embed`.
    pub fn is_embed(&self) -> bool {
        self.path == "/embed"
    }

    /// The root directory of an embedded-driver URI such as `qemu:///embed?root=/abs`.
    ///
    /// Returns `Ok(None)` unless the path is exactly `/embed`.
    ///
    /// # Errors
    ///
    /// For an embed URI it applies libvirt's checks, in libvirt's order:
    ///
    /// * the scheme must consist of lower-case ASCII letters only (so no transport):
    ///   otherwise [`ErrorCode::NoConnect`] in [`ErrorDomain::None`];
    /// * a `root` parameter (name matched case-insensitively) must be present:
    ///   otherwise [`ErrorCode::InvalidArg`] in [`ErrorDomain::Uri`];
    /// * it must be an absolute path: otherwise [`ErrorCode::ConfigUnsupported`] in
    ///   [`ErrorDomain::None`].
    pub fn embed_root(&self) -> Result<Option<PathBuf>> {
        if !self.is_embed() {
            return Ok(None);
        }
        if self.scheme.is_empty() || !self.scheme.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(Error::new(
                ErrorCode::NoConnect,
                ErrorDomain::None,
                format!(
                    "scheme '{}' cannot select an embedded driver: only lower-case letters are allowed",
                    self.scheme
                ),
            ));
        }
        let Some(root) = self.query_param("root") else {
            return Err(Error::invalid_arg(
                ErrorDomain::Uri,
                format!(
                    "URI '{}' lacks the mandatory 'root' parameter",
                    self.original
                ),
            ));
        };
        if !root.starts_with('/') {
            return Err(Error::new(
                ErrorCode::ConfigUnsupported,
                ErrorDomain::None,
                format!("embedded driver root '{root}' is not an absolute path"),
            ));
        }
        Ok(Some(PathBuf::from(root)))
    }
}

impl PartialEq for Uri {
    fn eq(&self, other: &Self) -> bool {
        self.scheme == other.scheme
            && self.user == other.user
            && self.host == other.host
            && self.port == other.port
            && self.path == other.path
            && self.query == other.query
            && self.fragment == other.fragment
    }
}

impl Eq for Uri {}

impl FromStr for Uri {
    type Err = Error;

    fn from_str(s: &str) -> Result<Uri> {
        Uri::parse(s)
    }
}

/// A syntax error, reported the way libvirt reports URIs its parser rejects.
fn syntax_error(input: &str, reason: impl fmt::Display) -> Error {
    Error::internal(
        ErrorDomain::Uri,
        format!("unable to parse URI '{input}': {reason}"),
    )
}
