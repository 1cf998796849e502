//! Percent-escapes and the RFC 3986 character classes: which bytes each URI part
//! may hold raw, checking, decoding and encoding.

use super::syntax_error;
use crate::error::Result;

/// Checks that every byte of `raw` is allowed by `allowed` or starts a valid `%XX`.
pub(super) fn check(
    input: &str,
    what: &str,
    raw: &str,
    allowed: impl Fn(u8) -> bool,
) -> Result<()> {
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
pub(super) fn decode(input: &str, what: &str, raw: &str) -> Result<String> {
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
pub(super) fn encode(s: &str, keep: impl Fn(u8) -> bool) -> String {
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
pub(super) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// RFC 3986 "sub-delims".
pub(super) fn is_sub_delim(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

/// RFC 3986 "pchar" minus percent-escapes.
pub(super) fn is_pchar(b: u8) -> bool {
    is_unreserved(b) || is_sub_delim(b) || matches!(b, b':' | b'@')
}

/// Characters allowed raw in a query or fragment.
pub(super) fn is_query_char(b: u8) -> bool {
    is_pchar(b) || matches!(b, b'/' | b'?')
}

/// Characters left unescaped in a serialised query parameter name or value.
pub(super) fn is_param_char(b: u8) -> bool {
    is_unreserved(b) || matches!(b, b'/' | b':' | b'@')
}

/// Whether `s` looks like an IPv6 address (hex digits, ':' and '.' only, at least one
/// ':'), i.e. what may stand between `[` and `]`.
pub(super) fn is_ipv6_literal(s: &str) -> bool {
    s.contains(':')
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
}
