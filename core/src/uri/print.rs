//! [`Display`](fmt::Display) for [`Uri`]: the canonical, re-encoded spelling.

use std::fmt;

use super::Uri;
use super::escape::{
    encode, is_ipv6_literal, is_param_char, is_pchar, is_query_char, is_sub_delim, is_unreserved,
};

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
