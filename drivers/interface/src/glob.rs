//! The shell pattern match (`fnmatch(3)` without flags) udev applies to attribute
//! values: `*`, `?`, bracket expressions (`[a-f]`, `[!0-9]`) and `\` escapes. Iterative
//! with backtracking to the last `*`, so a hostile pattern costs at most
//! pattern length × text length steps.

/// One bracket expression at the start of `p` (after its `[`): whether `c` matches,
/// and the length consumed including the closing `]`; `None` when unclosed (then `[`
/// is an ordinary character).
fn bracket(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 0;
    let negate = matches!(p.first(), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((hit != negate, i + 1));
        }
        first = false;
        let lo = p[i];
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            hit |= lo <= c && c <= p[i + 2];
            i += 3;
        } else {
            hit |= lo == c;
            i += 1;
        }
    }
    None
}

/// Whether `text` matches the pattern `pat`.
pub(crate) fn fnmatch(pat: &str, text: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi + 1, ti));
                pi += 1;
                continue;
            }
            Some('?') => Some(1),
            Some('[') => match bracket(&p[pi + 1..], t[ti]) {
                Some((true, n)) => Some(n + 1),
                Some((false, _)) => None,
                None => (t[ti] == '[').then_some(1),
            },
            Some('\\') if pi + 1 < p.len() => (p[pi + 1] == t[ti]).then_some(2),
            Some(&c) => (c == t[ti]).then_some(1),
            None => None,
        };
        match (step, star) {
            (Some(n), _) => {
                pi += n;
                ti += 1;
            }
            (None, Some((sp, st))) => {
                pi = sp;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            (None, None) => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::fnmatch;

    #[test]
    fn patterns() {
        let mac = "52:54:00:12:34:56";
        for (p, want) in [
            (mac, true),
            ("52:54:00:12:34:5", false),
            ("52:54:*", true),
            ("*", true),
            ("*:56", true),
            ("52:54:00:12:34:5?", true),
            ("52:54:00:12:34:5[0-9]", true),
            ("52:54:00:12:34:5[!0-9]", false),
            ("52:54:00:12:34:5[a-f]", false),
            ("52:54:00:12:34:56*", true),
            ("52:54:00:12:34:56?", false),
            ("52:54:00:12:34:5\\6", true),
            ("52:54:00:12:34:5[", false),
            ("5*4*6", true),
            ("5*7", false),
            ("", false),
            ("52:54:00:12:34:56".to_uppercase().as_str(), true),
        ] {
            // Upper case differs only where the MAC has no letters: it matches.
            assert_eq!(fnmatch(p, mac), want, "{p}");
        }
        assert!(!fnmatch("AA:*", "aa:bb"));
        assert!(fnmatch("[[]x", "[x"));
        assert!(fnmatch(&"*".repeat(200), "x"));
        assert!(!fnmatch(&"*a".repeat(100), &"a".repeat(99)));
    }
}
