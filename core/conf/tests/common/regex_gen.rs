//! Strings matching the regular expressions of libvirt's schema (XML Schema regexes:
//! literals, escapes, classes, groups, alternation, `?` `*` `+` `{n,m}`), for the
//! generated-document test.

use super::rng_gen::Rand;

enum Re {
    Chars(Vec<(char, char)>, bool),
    Seq(Vec<Re>),
    Alt(Vec<Re>),
    Repeat(Box<Re>, u32, u32),
}

struct Parser<'a> {
    s: &'a [char],
    i: usize,
}

fn escape_class(c: char) -> Vec<(char, char)> {
    match c {
        'd' => vec![('0', '9')],
        's' => vec![(' ', ' ')],
        'w' => vec![('a', 'z'), ('A', 'Z'), ('0', '9')],
        'n' => vec![('\n', '\n')],
        other => vec![(other, other)],
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn alt(&mut self) -> Re {
        let mut alts = vec![self.seq()];
        while self.peek() == Some('|') {
            self.i += 1;
            alts.push(self.seq());
        }
        if alts.len() == 1 {
            alts.pop().unwrap()
        } else {
            Re::Alt(alts)
        }
    }

    fn seq(&mut self) -> Re {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom();
            items.push(self.quantified(atom));
        }
        Re::Seq(items)
    }

    fn number(&mut self) -> u32 {
        let mut n = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            n = n * 10 + d;
            self.i += 1;
        }
        n
    }

    fn quantified(&mut self, atom: Re) -> Re {
        match self.peek() {
            Some('?') => {
                self.i += 1;
                Re::Repeat(Box::new(atom), 0, 1)
            }
            Some('*') => {
                self.i += 1;
                Re::Repeat(Box::new(atom), 0, 3)
            }
            Some('+') => {
                self.i += 1;
                Re::Repeat(Box::new(atom), 1, 4)
            }
            Some('{') => {
                self.i += 1;
                let lo = self.number();
                let hi = if self.peek() == Some(',') {
                    self.i += 1;
                    if self.peek() == Some('}') {
                        lo + 3
                    } else {
                        self.number()
                    }
                } else {
                    lo
                };
                self.i += 1; // '}'
                Re::Repeat(Box::new(atom), lo, hi)
            }
            _ => atom,
        }
    }

    fn atom(&mut self) -> Re {
        let c = self.peek().unwrap();
        self.i += 1;
        match c {
            '(' => {
                let inner = self.alt();
                self.i += 1; // ')'
                inner
            }
            '[' => self.class(),
            '.' => Re::Chars(vec![('a', 'z')], false),
            '\\' => {
                let e = self.peek().unwrap();
                self.i += 1;
                Re::Chars(escape_class(e), false)
            }
            c => Re::Chars(vec![(c, c)], false),
        }
    }

    fn class(&mut self) -> Re {
        let negated = self.peek() == Some('^');
        if negated {
            self.i += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        while let Some(c) = self.peek() {
            if c == ']' && !first {
                break;
            }
            first = false;
            self.i += 1;
            let lo = if c == '\\' {
                let e = self.peek().unwrap();
                self.i += 1;
                let r = escape_class(e);
                if r.len() != 1 || r[0].0 != r[0].1 {
                    ranges.extend(r);
                    continue;
                }
                r[0].0
            } else {
                c
            };
            if self.peek() == Some('-') && self.s.get(self.i + 1).is_some_and(|n| *n != ']') {
                self.i += 1;
                let mut hi = self.peek().unwrap();
                self.i += 1;
                if hi == '\\' {
                    hi = self.peek().unwrap();
                    self.i += 1;
                }
                ranges.push((lo, hi));
            } else {
                ranges.push((lo, lo));
            }
        }
        self.i += 1; // ']'
        Re::Chars(ranges, negated)
    }
}

fn gen_into(re: &Re, r: &mut Rand, out: &mut String) {
    match re {
        Re::Chars(ranges, false) => {
            let (lo, hi) = ranges[r.below(ranges.len())];
            let span = hi as u32 - lo as u32 + 1;
            out.push(char::from_u32(lo as u32 + r.below(span as usize) as u32).unwrap_or(lo));
        }
        Re::Chars(ranges, true) => {
            let pool: Vec<char> = ('a'..='z')
                .chain('0'..='9')
                .filter(|c| !ranges.iter().any(|(lo, hi)| lo <= c && c <= hi))
                .collect();
            out.push(pool[r.below(pool.len())]);
        }
        Re::Seq(items) => items.iter().for_each(|i| gen_into(i, r, out)),
        Re::Alt(alts) => gen_into(&alts[r.below(alts.len())], r, out),
        Re::Repeat(inner, lo, hi) => {
            let n = lo + r.below((hi - lo + 1) as usize) as u32;
            for _ in 0..n {
                gen_into(inner, r, out);
            }
        }
    }
}

/// A random string matching `pattern`.
pub fn generate(pattern: &str, r: &mut Rand) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut p = Parser { s: &chars, i: 0 };
    let re = p.alt();
    let mut out = String::new();
    gen_into(&re, r, &mut out);
    out
}
