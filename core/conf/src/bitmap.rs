//! CPU sets as libvirt writes them (`cpuset='0-3,^2,8'`): parsed with libvirt's grammar
//! and limits, written back in its canonical form (`0-1,3,8`).

use std::collections::BTreeSet;

/// The largest CPU number a domain's CPU masks may name, plus one
/// (`VIR_DOMAIN_CPUMASK_LEN`).
pub const CPUMASK_LEN: u32 = 16384;

/// A parsed CPU set: the CPU numbers it names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CpuSet(pub BTreeSet<u32>);

impl CpuSet {
    /// Parses a comma-separated list of `N`, `N-M` (inclusive) and `^N` (remove `N`
    /// from what the items before it set), with blanks allowed around items and a
    /// trailing comma, every number below [`CPUMASK_LEN`]. `None` where libvirt fails
    /// with "Failed to parse bitmap".
    ///
    /// ```
    /// use rvirt_conf::bitmap::CpuSet;
    /// let set = CpuSet::parse("0-3,^2, 8").unwrap();
    /// assert_eq!(set.to_string(), "0-1,3,8");
    /// assert!(CpuSet::parse("aaa").is_none());
    /// ```
    pub fn parse(text: &str) -> Option<CpuSet> {
        let mut set = BTreeSet::new();
        let mut cur = text.trim_start();
        if cur.is_empty() {
            return None;
        }
        loop {
            let neg = if let Some(rest) = cur.strip_prefix('^') {
                cur = rest;
                true
            } else {
                false
            };
            let (start, rest) = number(cur)?;
            cur = rest.trim_start();
            if let Some(rest) = cur.strip_prefix('-') {
                if neg {
                    return None;
                }
                let (last, rest) = number(rest.trim_start())?;
                if last < start {
                    return None;
                }
                set.extend(start..=last);
                cur = rest.trim_start();
            } else if neg {
                set.remove(&start);
            } else {
                set.insert(start);
            }
            if let Some(rest) = cur.strip_prefix(',') {
                cur = rest.trim_start();
                if cur.is_empty() {
                    break;
                }
            } else if cur.is_empty() {
                break;
            } else {
                return None;
            }
        }
        Some(CpuSet(set))
    }

    /// True if no CPU is in the set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A decimal number below [`CPUMASK_LEN`] at the start of `s`, and the rest.
fn number(s: &str) -> Option<(u32, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let n: u32 = s[..digits].parse().ok()?;
    (n < CPUMASK_LEN).then_some((n, &s[digits..]))
}

impl std::fmt::Display for CpuSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut first = true;
        let mut it = self.0.iter().copied().peekable();
        while let Some(start) = it.next() {
            let mut end = start;
            while it.peek() == Some(&(end + 1)) {
                end += 1;
                it.next();
            }
            if !first {
                f.write_str(",")?;
            }
            first = false;
            if end == start {
                write!(f, "{start}")?;
            } else {
                write!(f, "{start}-{end}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_libvirt() {
        // Accepted by libvirt 9.0, and its canonical form.
        for (input, canonical) in [
            ("0-3,^2,8", "0-1,3,8"),
            (" 1 , 2 ", "1-2"),
            ("1,", "1"),
            ("5", "5"),
            ("0-2,4-5,7", "0-2,4-5,7"),
            ("16383", "16383"),
            ("^1", ""),
        ] {
            let set = CpuSet::parse(input).unwrap_or_else(|| panic!("{input:?}"));
            assert_eq!(set.to_string(), canonical, "{input:?}");
        }
        // Refused by libvirt 9.0 with "Failed to parse bitmap".
        for input in [
            "aaa", "", " ", "99999", "16384", "3-1", "1,,2", "^1-2", "1-", "-1", "1 2", "1;2",
            "0x1",
        ] {
            assert_eq!(CpuSet::parse(input), None, "{input:?}");
        }
    }
}
