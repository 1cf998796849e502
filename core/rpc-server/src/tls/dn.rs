//! A client certificate's Distinguished Name as libvirt shows and matches it
//! (`tls_allowed_dn_list`, `virt-pki-query-dn`): the subject's attributes in
//! certificate order, `TYPE=value` joined by `,` (`+` inside a multi-valued RDN), with
//! RFC 4514 escaping — `C=GB,O=Acme\, Inc.,CN=client1` — and the `*`/`?` wildcard
//! patterns matched against it.
//!
//! Only the few DER structures on the way to the subject are parsed here.

/// Short names of the usual attribute types, by OID.
const NAMES: &[(&str, &str)] = &[
    ("2.5.4.3", "CN"),
    ("2.5.4.5", "serialNumber"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "ST"),
    ("2.5.4.9", "street"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("2.5.4.12", "title"),
    ("0.9.2342.19200300.100.1.1", "UID"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("1.2.840.113549.1.9.1", "EMAIL"),
];

/// One DER element: its tag, its contents, and its whole encoding.
struct Tlv<'a> {
    tag: u8,
    body: &'a [u8],
    whole: &'a [u8],
}

/// Splits the first DER element off `input`.
fn split<'a>(input: &mut &'a [u8]) -> Option<Tlv<'a>> {
    let data = *input;
    let tag = *data.first()?;
    let first = *data.get(1)? as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *data.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    let whole = data.get(..end)?;
    *input = &data[end..];
    Some(Tlv {
        tag,
        body: &whole[header..],
        whole,
    })
}

/// The subject Name (its DER contents) of a DER certificate.
fn subject(cert: &[u8]) -> Option<&[u8]> {
    let mut input = cert;
    let certificate = split(&mut input).filter(|t| t.tag == 0x30)?;
    let mut body = certificate.body;
    let tbs = split(&mut body).filter(|t| t.tag == 0x30)?;
    let mut fields = tbs.body;
    if split(&mut fields)?.tag == 0xa0 {
        // That was the optional [0] version; this is the serial number.
        split(&mut fields)?;
    }
    // signature, issuer, validity; then the subject.
    for _ in 0..3 {
        split(&mut fields)?;
    }
    let subject = split(&mut fields).filter(|t| t.tag == 0x30)?;
    Some(subject.body)
}

fn oid_string(body: &[u8]) -> Option<String> {
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for (i, &b) in body.iter().enumerate() {
        value = value.checked_mul(128)? | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
        } else if i + 1 == body.len() {
            return None;
        }
    }
    if arcs.is_empty() {
        return None;
    }
    Some(
        arcs.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}

/// The text of a directory string, or `None` for other value types.
fn text(tlv: &Tlv<'_>) -> Option<String> {
    match tlv.tag {
        // UTF8String, NumericString, PrintableString, IA5String, VisibleString.
        0x0c | 0x12 | 0x13 | 0x16 | 0x1a => String::from_utf8(tlv.body.to_vec()).ok(),
        // TeletexString, read as Latin-1.
        0x14 => Some(tlv.body.iter().map(|&b| char::from(b)).collect()),
        // BMPString (UTF-16BE).
        0x1e => {
            let units: Vec<u16> = tlv
                .body
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        // UniversalString (UTF-32BE).
        0x1c => tlv
            .body
            .chunks_exact(4)
            .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        _ => None,
    }
}

/// RFC 4514 escaping of an attribute value.
fn escape(value: &str, out: &mut String) {
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, '"' | '+' | ',' | ';' | '<' | '>' | '\\')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == last && c == ' ');
        if c == '\0' {
            out.push_str("\\00");
            continue;
        }
        if special {
            out.push('\\');
        }
        out.push(c);
    }
}

/// The subject Distinguished Name of DER certificate `cert`, in libvirt's format;
/// `None` if the certificate cannot be parsed.
pub fn subject_dn(cert: &[u8]) -> Option<String> {
    let mut rdns = subject(cert)?;
    let mut out = String::new();
    while !rdns.is_empty() {
        let set = split(&mut rdns).filter(|t| t.tag == 0x31)?;
        if !out.is_empty() {
            out.push(',');
        }
        let mut atvs = set.body;
        let mut first = true;
        while !atvs.is_empty() {
            let atv = split(&mut atvs).filter(|t| t.tag == 0x30)?;
            let mut parts = atv.body;
            let oid = split(&mut parts).filter(|t| t.tag == 0x06)?;
            let value = split(&mut parts)?;
            let oid = oid_string(oid.body)?;
            if !first {
                out.push('+');
            }
            first = false;
            let name = NAMES.iter().find(|(o, _)| *o == oid).map(|(_, n)| *n);
            out.push_str(name.unwrap_or(&oid));
            out.push('=');
            match (name, text(&value)) {
                (Some(_), Some(t)) => escape(&t, &mut out),
                _ => {
                    out.push('#');
                    for b in value.whole {
                        out.push_str(&format!("{b:02x}"));
                    }
                }
            }
        }
    }
    Some(out)
}

/// Shell-style wildcard match of the whole `text`: `*` is any run of characters, `?`
/// exactly one (GLib's `g_pattern_match_simple`, which libvirt uses).
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was, and the text position it currently stands for.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("C=GB,CN=*", "C=GB,CN=client1"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("C=??,*", "C=GB,O=x"));
        assert!(wildcard_match("*CN=a*b", "O=x,CN=a123b"));
        assert!(!wildcard_match("C=GB,CN=*", "C=FR,CN=client1"));
        assert!(!wildcard_match("C=GB", "C=GB,CN=x"));
        assert!(!wildcard_match("?", ""));
        assert!(wildcard_match("a*b*c", "aXbYbZc"));
    }

    #[test]
    fn escaping() {
        let mut s = String::new();
        escape(" Acme, Inc.+x ", &mut s);
        assert_eq!(s, "\\ Acme\\, Inc.\\+x\\ ");
    }

    #[test]
    fn oids() {
        assert_eq!(oid_string(&[0x55, 0x04, 0x03]).unwrap(), "2.5.4.3");
        assert_eq!(
            oid_string(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01]).unwrap(),
            "1.2.840.113549.1.9.1"
        );
        assert!(oid_string(&[0x86]).is_none());
    }

    #[test]
    fn garbage_is_none() {
        assert!(subject_dn(&[]).is_none());
        assert!(subject_dn(&[0x30, 0x03, 0x02, 0x01]).is_none());
    }
}
