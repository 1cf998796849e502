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

/// Transports the remote driver understands, as they appear after `+` in a scheme.
const TRANSPORTS: [&str; 7] = ["tls", "unix", "ssh", "libssh2", "ext", "tcp", "libssh"];

/// Schemes whose drivers require a path, so `scheme://system` is almost certainly a
/// typo for `scheme:///system`.
const PATH_MANDATORY_SCHEMES: [&str; 3] = ["qemu", "vbox", "vz"];

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
    /// Parses a connection URI.
    ///
    /// # Errors
    ///
    /// See the [module documentation](self) for the accepted syntax and the error
    /// code and domain of each failure.
    pub fn parse(input: &str) -> Result<Uri> {
        let (scheme, rest) = split_scheme(input)?;
        let Some(rest) = rest.strip_prefix("//") else {
            return Err(Error::new(
                ErrorCode::NoConnect,
                ErrorDomain::None,
                format!(
                    "URI '{input}' has no '//' after '{scheme}:'; expected {scheme}://[host]/path"
                ),
            ));
        };

        // Fragment first (it may contain '?'), then query, then authority/path.
        let (rest, fragment) = match rest.split_once('#') {
            Some((before, frag)) => (before, Some(frag)),
            None => (rest, None),
        };
        let (rest, raw_query) = match rest.split_once('?') {
            Some((before, query)) => (before, Some(query)),
            None => (rest, None),
        };
        let (authority, raw_path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };

        let (user, host, port) = parse_authority(input, authority)?;

        check(input, "path", raw_path, |b| is_pchar(b) || b == b'/')?;
        let path = decode(input, "path", raw_path)?;

        let query = match raw_query {
            Some(raw) => parse_query(input, raw)?,
            None => Vec::new(),
        };

        let fragment = match fragment {
            Some(raw) => {
                check(input, "fragment", raw, is_query_char)?;
                Some(decode(input, "fragment", raw)?)
            }
            None => None,
        };

        let transport = match scheme.split_once('+') {
            None => None,
            Some((_, name)) => {
                let lower = name.to_ascii_lowercase();
                let Some(&known) = TRANSPORTS.iter().find(|t| **t == lower) else {
                    return Err(Error::invalid_arg(
                        ErrorDomain::Remote,
                        format!(
                            "unknown transport '{name}' in URI '{input}' (expected one of {})",
                            TRANSPORTS.join(", ")
                        ),
                    ));
                };
                Some(known)
            }
        };

        if transport == Some("unix")
            && let Some(host) = &host
        {
            return Err(Error::invalid_arg(
                ErrorDomain::Remote,
                format!("URI '{input}' names host '{host}', which the unix transport cannot reach"),
            ));
        }

        if let Some(server) = host.as_deref()
            && PATH_MANDATORY_SCHEMES.contains(&scheme)
            && (server == "system" || server == "session")
        {
            return Err(Error::internal(
                ErrorDomain::None,
                format!("invalid URI '{input}': did you mean {scheme}:///{server}?"),
            ));
        }

        Ok(Uri {
            original: input.to_owned(),
            scheme: scheme.to_owned(),
            transport,
            user,
            host,
            port,
            path,
            query,
            fragment,
        })
    }

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

impl fmt::Display for Uri {
    /// Writes the URI in canonical form: parts re-encoded, IPv6 hosts bracketed and
    /// query parameters joined with `&`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.scheme)?;
        if let Some(user) = &self.user {
            write!(
                f,
                "{}@",
                encode(user, |b| is_unreserved(b) || is_sub_delim(b) || b == b':')
            )?;
        }
        if let Some(host) = &self.host {
            if is_ipv6_literal(host) {
                write!(f, "[{host}]")?;
            } else {
                f.write_str(&encode(host, |b| is_unreserved(b) || is_sub_delim(b)))?;
            }
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        f.write_str(&encode(&self.path, |b| is_pchar(b) || b == b'/'))?;
        for (i, (name, value)) in self.query.iter().enumerate() {
            let sep = if i == 0 { '?' } else { '&' };
            write!(
                f,
                "{sep}{}={}",
                encode(name, is_param_char),
                encode(value, is_param_char)
            )?;
        }
        if let Some(fragment) = &self.fragment {
            write!(f, "#{}", encode(fragment, is_query_char))?;
        }
        Ok(())
    }
}

/// A syntax error, reported the way libvirt reports URIs its parser rejects.
fn syntax_error(input: &str, reason: impl fmt::Display) -> Error {
    Error::internal(
        ErrorDomain::Uri,
        format!("unable to parse URI '{input}': {reason}"),
    )
}

/// Splits off and validates the scheme; returns it and what follows the `:`.
fn split_scheme(input: &str) -> Result<(&str, &str)> {
    let first_delim = input.find([':', '/', '?', '#']);
    match first_delim {
        Some(i) if input.as_bytes()[i] == b':' => {
            let scheme = &input[..i];
            let mut bytes = scheme.bytes();
            let valid = bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
                && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
            if !valid {
                return Err(syntax_error(
                    input,
                    format!(
                        "invalid scheme '{scheme}' (must start with a letter, then letters, digits, '+', '-' or '.')"
                    ),
                ));
            }
            Ok((scheme, &input[i + 1..]))
        }
        _ => {
            // A relative reference: well-formed ones parse but name no driver.
            check(input, "URI", input, |b| is_query_char(b) || b == b'#')?;
            Err(Error::new(
                ErrorCode::NoConnect,
                ErrorDomain::None,
                format!("URI '{input}' does not start with a driver name ('driver:')"),
            ))
        }
    }
}

/// Parses `[user@]host[:port]`; empty user and host become `None`.
fn parse_authority(
    input: &str,
    authority: &str,
) -> Result<(Option<String>, Option<String>, Option<u16>)> {
    let (userinfo, hostport) = match authority.split_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let user = match userinfo {
        Some(raw) => {
            check(input, "user", raw, |b| {
                is_unreserved(b) || is_sub_delim(b) || b == b':'
            })?;
            Some(decode(input, "user", raw)?).filter(|u| !u.is_empty())
        }
        None => None,
    };

    let (host, raw_port) = if let Some(bracketed) = hostport.strip_prefix('[') {
        let Some((literal, after)) = bracketed.split_once(']') else {
            return Err(syntax_error(input, "unterminated '[' in IPv6 host"));
        };
        if !is_ipv6_literal(literal) {
            return Err(syntax_error(
                input,
                format!("invalid IPv6 address '{literal}'"),
            ));
        }
        let raw_port = match after {
            "" => None,
            _ => match after.strip_prefix(':') {
                Some(port) => Some(port),
                None => {
                    return Err(syntax_error(
                        input,
                        format!("unexpected '{after}' after IPv6 address"),
                    ));
                }
            },
        };
        (Some(literal.to_owned()), raw_port)
    } else {
        let (raw_host, raw_port) = match hostport.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        };
        check(input, "host", raw_host, |b| {
            is_unreserved(b) || is_sub_delim(b)
        })?;
        let host = decode(input, "host", raw_host)?;
        (Some(host).filter(|h| !h.is_empty()), raw_port)
    };

    let port = match raw_port {
        None | Some("") => None,
        Some(raw) => {
            if !raw.bytes().all(|b| b.is_ascii_digit()) {
                return Err(syntax_error(input, format!("invalid port '{raw}'")));
            }
            match raw.parse::<u16>() {
                Ok(port) => Some(port),
                Err(_) => return Err(syntax_error(input, format!("port {raw} is out of range"))),
            }
        }
    };
    Ok((user, host, port))
}

/// Splits and decodes the query string into parameters.
fn parse_query(input: &str, raw: &str) -> Result<Vec<(String, String)>> {
    check(input, "query", raw, is_query_char)?;
    let mut params = Vec::new();
    for part in raw.split(['&', ';']) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        if name.is_empty() {
            continue; // "" (from "&&") or "=value": ignored, like libvirt.
        }
        params.push((
            decode(input, "query", name)?,
            decode(input, "query", value)?,
        ));
    }
    Ok(params)
}

/// Checks that every byte of `raw` is allowed by `allowed` or starts a valid `%XX`.
fn check(input: &str, what: &str, raw: &str, allowed: impl Fn(u8) -> bool) -> Result<()> {
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let escape = bytes.get(i + 1..i + 3);
            if !escape.is_some_and(|e| e.iter().all(u8::is_ascii_hexdigit)) {
                // Up to three characters, not bytes: the escape may end inside one.
                let shown: String = raw[i..].chars().take(3).collect();
                return Err(syntax_error(
                    input,
                    format!("bad percent-escape '{shown}' in {what}"),
                ));
            }
            i += 3;
        } else if allowed(b) {
            i += 1;
        } else {
            let c = raw[i..].chars().next().unwrap_or('\u{fffd}');
            return Err(syntax_error(
                input,
                format!("character {c:?} is not allowed in {what}"),
            ));
        }
    }
    Ok(())
}

/// Percent-decodes `raw`, which [`check`] has already validated.
fn decode(input: &str, what: &str, raw: &str) -> Result<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let value = bytes
                .get(i + 1..i + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok());
            let Some(value) = value else {
                return Err(syntax_error(input, format!("bad percent-escape in {what}")));
            };
            out.push(value);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| syntax_error(input, format!("{what} is not valid UTF-8 once decoded")))
}

/// Percent-encodes every byte of `s` that `keep` rejects.
fn encode(s: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// RFC 3986 "unreserved".
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// RFC 3986 "sub-delims".
fn is_sub_delim(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

/// RFC 3986 "pchar" minus percent-escapes.
fn is_pchar(b: u8) -> bool {
    is_unreserved(b) || is_sub_delim(b) || matches!(b, b':' | b'@')
}

/// Characters allowed raw in a query or fragment.
fn is_query_char(b: u8) -> bool {
    is_pchar(b) || matches!(b, b'/' | b'?')
}

/// Characters left unescaped in a serialised query parameter name or value.
fn is_param_char(b: u8) -> bool {
    is_unreserved(b) || matches!(b, b'/' | b':' | b'@')
}

/// Whether `s` looks like an IPv6 address (hex digits, ':' and '.' only, at least one
/// ':'), i.e. what may stand between `[` and `]`.
fn is_ipv6_literal(s: &str) -> bool {
    s.contains(':')
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected parts of a good URI.
    struct Good {
        uri: &'static str,
        scheme: &'static str,
        driver: &'static str,
        transport: Option<&'static str>,
        user: Option<&'static str>,
        host: Option<&'static str>,
        port: Option<u16>,
        path: &'static str,
        query: &'static [(&'static str, &'static str)],
        remote: bool,
    }

    const fn good(
        uri: &'static str,
        scheme: &'static str,
        driver: &'static str,
        path: &'static str,
    ) -> Good {
        Good {
            uri,
            scheme,
            driver,
            transport: None,
            user: None,
            host: None,
            port: None,
            path,
            query: &[],
            remote: false,
        }
    }

    fn good_table() -> Vec<Good> {
        vec![
            good("test:///default", "test", "test", "/default"),
            good("test:///tmp/node.xml", "test", "test", "/tmp/node.xml"),
            good("qemu:///system", "qemu", "qemu", "/system"),
            good("qemu:///session", "qemu", "qemu", "/session"),
            Good {
                query: &[("root", "/tmp/x")],
                ..good("qemu:///embed?root=/tmp/x", "qemu", "qemu", "/embed")
            },
            Good {
                transport: Some("unix"),
                query: &[("socket", "/run/x.sock")],
                remote: true,
                ..good(
                    "qemu+unix:///system?socket=/run/x.sock",
                    "qemu+unix",
                    "qemu",
                    "/system",
                )
            },
            Good {
                transport: Some("unix"),
                query: &[("socket", "/tmp/a b")],
                remote: true,
                ..good(
                    "test+unix:///default?socket=%2Ftmp%2Fa%20b",
                    "test+unix",
                    "test",
                    "/default",
                )
            },
            Good {
                transport: Some("tcp"),
                host: Some("host"),
                port: Some(16509),
                remote: true,
                ..good(
                    "qemu+tcp://host:16509/system",
                    "qemu+tcp",
                    "qemu",
                    "/system",
                )
            },
            Good {
                transport: Some("ssh"),
                user: Some("user"),
                host: Some("host"),
                remote: true,
                ..good("qemu+ssh://user@host/system", "qemu+ssh", "qemu", "/system")
            },
            Good {
                transport: Some("tcp"),
                host: Some("::1"),
                port: Some(1234),
                remote: true,
                ..good(
                    "test+tcp://[::1]:1234/default",
                    "test+tcp",
                    "test",
                    "/default",
                )
            },
            good("lxc:///", "lxc", "lxc", "/"),
            good("lxc://", "lxc", "lxc", ""),
            Good {
                host: Some("example.org"),
                remote: true,
                ..good("qemu://example.org/system", "qemu", "qemu", "/system")
            },
            Good {
                transport: Some("libssh2"),
                user: Some("r@t"),
                host: Some("10.0.0.1"),
                query: &[("no_verify", "1"), ("keyfile", "/k"), ("flag", "")],
                remote: true,
                ..good(
                    "qemu+LibSSH2://r%40t@10.0.0.1/system?no_verify=1;keyfile=/k&&flag&=dropped",
                    "qemu+LibSSH2",
                    "qemu",
                    "/system",
                )
            },
            Good {
                transport: Some("ext"),
                query: &[("command", "/bin/x a&b=c")],
                remote: true,
                ..good(
                    "test+ext:///default?command=/bin/x%20a%26b%3Dc",
                    "test+ext",
                    "test",
                    "/default",
                )
            },
            good("test:///tmp/caf%C3%A9.xml", "test", "test", "/tmp/café.xml"),
            Good {
                transport: Some("tls"),
                host: Some("fe80::1"),
                remote: true,
                ..good("xen+tls://[fe80::1]/", "xen+tls", "xen", "/")
            },
            Good {
                host: Some("h"),
                remote: true,
                ..good("vz.x-1://h:/", "vz.x-1", "vz.x-1", "/")
            },
        ]
    }

    #[test]
    fn parses_good_uris() {
        for g in good_table() {
            let u = Uri::parse(g.uri).unwrap_or_else(|e| panic!("{}: {e}", g.uri));
            assert_eq!(u.as_str(), g.uri);
            assert_eq!(u.scheme(), g.scheme, "{}", g.uri);
            assert_eq!(u.driver(), g.driver, "{}", g.uri);
            assert_eq!(u.transport(), g.transport, "{}", g.uri);
            assert_eq!(u.user(), g.user, "{}", g.uri);
            assert_eq!(u.host(), g.host, "{}", g.uri);
            assert_eq!(u.port(), g.port, "{}", g.uri);
            assert_eq!(u.path(), g.path, "{}", g.uri);
            let query: Vec<(&str, &str)> = u
                .query()
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            assert_eq!(query, g.query, "{}", g.uri);
            assert_eq!(u.is_remote(), g.remote, "{}", g.uri);
            assert_eq!(u.fragment(), None);
        }
    }

    #[test]
    fn display_round_trips() {
        let extra = [
            "test:///default#frag%20x?y",
            "qemu+ssh://us%20er:pw@h/system",
            "test:///a%2Fb/c%3Fd%23e",
            "qemu+tcp://h%C3%A9/system",
            "qemu+tcp://:16509/system",
            "qemu+ssh://user@/system",
            "test:///default?%3D%26=%3B%2B%25",
        ];
        let all = good_table().into_iter().map(|g| g.uri).chain(extra);
        for s in all {
            let u = Uri::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            let shown = u.to_string();
            let again = Uri::parse(&shown).unwrap_or_else(|e| panic!("{s} -> {shown}: {e}"));
            assert_eq!(again, u, "{s} -> {shown}");
            assert_eq!(again.to_string(), shown, "display is not stable for {s}");
        }
    }

    #[test]
    fn display_is_canonical() {
        let table = [
            ("qemu:///system", "qemu:///system"),
            (
                "test+unix:///default?socket=%2Ftmp%2Fa%20b",
                "test+unix:///default?socket=/tmp/a%20b",
            ),
            (
                "test+tcp://[::1]:1234/default",
                "test+tcp://[::1]:1234/default",
            ),
            ("qemu+ssh://user@host/system", "qemu+ssh://user@host/system"),
            ("test:///default?a=1;b=2", "test:///default?a=1&b=2"),
            ("test:///a%2db", "test:///a-b"),
            ("lxc://", "lxc://"),
        ];
        for (input, shown) in table {
            assert_eq!(Uri::parse(input).unwrap().to_string(), shown);
        }
        let u: Uri = "test:///a%2db".parse().unwrap();
        assert_eq!(u, Uri::parse("test:///a-b").unwrap());
    }

    #[test]
    fn rejects_bad_uris() {
        use ErrorCode::{InternalError, InvalidArg, NoConnect};
        let table = [
            ("", NoConnect, ErrorDomain::None),
            ("/system", NoConnect, ErrorDomain::None),
            ("default", NoConnect, ErrorDomain::None),
            ("test:/default", NoConnect, ErrorDomain::None),
            ("qemu:system", NoConnect, ErrorDomain::None),
            ("qemu:", NoConnect, ErrorDomain::None),
            ("foo bar", InternalError, ErrorDomain::Uri),
            ("1qemu:///system", InternalError, ErrorDomain::Uri),
            ("qe_mu:///system", InternalError, ErrorDomain::Uri),
            ("qemu system:///", InternalError, ErrorDomain::Uri),
            (":///system", InternalError, ErrorDomain::Uri),
            ("+unix:///system", InternalError, ErrorDomain::Uri),
            (
                "qemu+tcp://host:abc/system",
                InternalError,
                ErrorDomain::Uri,
            ),
            ("qemu+tcp://host:-1/system", InternalError, ErrorDomain::Uri),
            (
                "qemu+tcp://host:65536/system",
                InternalError,
                ErrorDomain::Uri,
            ),
            ("test:///tmp/a%zzb", InternalError, ErrorDomain::Uri),
            ("test:///tmp/a%2", InternalError, ErrorDomain::Uri),
            ("test:///default?x=%", InternalError, ErrorDomain::Uri),
            ("test:///%FF", InternalError, ErrorDomain::Uri),
            (
                "test+tcp://[::1:1234/default",
                InternalError,
                ErrorDomain::Uri,
            ),
            ("test+tcp://[::1]x/default", InternalError, ErrorDomain::Uri),
            ("test+tcp://[zz]/default", InternalError, ErrorDomain::Uri),
            ("test+tcp://::1/default", InternalError, ErrorDomain::Uri),
            ("test+tcp://a[b/default", InternalError, ErrorDomain::Uri),
            ("qemu:///sys tem", InternalError, ErrorDomain::Uri),
            ("qemu:///system#a#b", InternalError, ErrorDomain::Uri),
            ("qemu:///system?a=<b>", InternalError, ErrorDomain::Uri),
            ("qemu:///café", InternalError, ErrorDomain::Uri),
            ("qemu://system", InternalError, ErrorDomain::None),
            ("qemu://session/", InternalError, ErrorDomain::None),
            ("qemu+foo:///system", InvalidArg, ErrorDomain::Remote),
            ("qemu+:///system", InvalidArg, ErrorDomain::Remote),
            ("qemu+ssh+tcp://h/system", InvalidArg, ErrorDomain::Remote),
            ("qemu+unix://host/system", InvalidArg, ErrorDomain::Remote),
        ];
        for (input, code, domain) in table {
            match Uri::parse(input) {
                Ok(u) => panic!("{input:?} parsed as {u:?}"),
                Err(e) => {
                    assert_eq!((e.code(), e.domain()), (code, domain), "{input:?}: {e}");
                    assert!(!e.message().is_empty());
                }
            }
        }
        // Not a typo of the /system form: these are fine.
        for ok in [
            "test://system/default",
            "qemu+tcp://system/system",
            "qemu://systemd/system",
        ] {
            Uri::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn query_param_lookup() {
        let u = Uri::parse("qemu:///system?Socket=/a&socket=/b&empty").unwrap();
        assert_eq!(u.query_param("socket"), Some("/a"));
        assert_eq!(u.query_param("SOCKET"), Some("/a"));
        assert_eq!(u.query_param("empty"), Some(""));
        assert_eq!(u.query_param("missing"), None);
    }

    #[test]
    fn embed_root_rules() {
        let ok = [
            ("qemu:///embed?root=/tmp/x", Some("/tmp/x")),
            ("secret:///embed?ROOT=/var/r%20s", Some("/var/r s")),
            ("qemu:///system", None),
            ("qemu:///embed/", None),
            ("qemu+unix:///system?root=rel", None),
        ];
        for (input, root) in ok {
            let u = Uri::parse(input).unwrap();
            assert_eq!(u.embed_root().unwrap(), root.map(PathBuf::from), "{input}");
            assert_eq!(u.is_embed(), root.is_some(), "{input}");
        }

        let bad = [
            ("qemu:///embed", ErrorCode::InvalidArg, ErrorDomain::Uri),
            (
                "qemu:///embed?rootdir=/x",
                ErrorCode::InvalidArg,
                ErrorDomain::Uri,
            ),
            (
                "qemu:///embed?root=rel/dir",
                ErrorCode::ConfigUnsupported,
                ErrorDomain::None,
            ),
            (
                "qemu:///embed?root=",
                ErrorCode::ConfigUnsupported,
                ErrorDomain::None,
            ),
            (
                "qemu+unix:///embed?root=/x",
                ErrorCode::NoConnect,
                ErrorDomain::None,
            ),
            (
                "QEMU:///embed?root=/x",
                ErrorCode::NoConnect,
                ErrorDomain::None,
            ),
            (
                "qemu2:///embed?root=/x",
                ErrorCode::NoConnect,
                ErrorDomain::None,
            ),
        ];
        for (input, code, domain) in bad {
            let e = Uri::parse(input).unwrap().embed_root().unwrap_err();
            assert_eq!((e.code(), e.domain()), (code, domain), "{input}: {e}");
        }
    }
}
