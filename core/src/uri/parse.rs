//! [`Uri::parse`]: splitting a URI string into scheme, authority, path, query and
//! fragment, with libvirt's error codes for each mistake.

use super::escape::{
    check, decode, is_ipv6_literal, is_pchar, is_query_char, is_sub_delim, is_unreserved,
};
use super::{Uri, syntax_error};
use crate::error::{Error, ErrorCode, ErrorDomain, Result};

/// Transports the remote driver understands, as they appear after `+` in a scheme.
const TRANSPORTS: [&str; 7] = ["tls", "unix", "ssh", "libssh2", "ext", "tcp", "libssh"];

/// Schemes whose drivers require a path, so `scheme://system` is almost certainly a
/// typo for `scheme:///system`.
const PATH_MANDATORY_SCHEMES: [&str; 3] = ["qemu", "vbox", "vz"];

impl Uri {
    /// Parses a connection URI.
    ///
    /// # Errors
    ///
    /// See the [module documentation](crate::uri) for the accepted syntax and the error
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
