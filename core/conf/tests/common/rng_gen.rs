//! Random documents from libvirt's RELAX NG domain schema
//! (`/usr/share/libvirt/schemas/domain.rng` and its includes), for the
//! generated-document test. The walk follows the grammar: optional parts and
//! repetitions are taken at random (less often deeper down), choices picked at random,
//! data generated from its type or pattern. Not every document it writes is valid
//! (a few schema constraints are beyond it), so the test keeps those xmllint accepts.

use std::collections::HashMap;
use std::path::Path;

use rvirt_conf::xml::{Element, Node};

use super::regex_gen;

/// A small deterministic generator (xorshift64*).
pub struct Rand(u64);

impl Rand {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rand {
        Rand(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// True with probability `p` percent.
    pub fn chance(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
}

/// The grammar: its start pattern and named definitions.
pub struct Grammar {
    start: Element,
    defines: HashMap<String, Element>,
}

type Parts = HashMap<String, Vec<(Option<String>, Element)>>;

fn load(dir: &Path, file: &str, parts: &mut Parts, start: &mut Option<Element>) {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let root = Element::parse(&text).unwrap();
    for el in root.elements() {
        match el.name.as_str() {
            "include" => load(dir, el.attr("href").unwrap(), parts, start),
            "start" => *start = el.elements().next().cloned(),
            "define" => {
                let mut body = Element::new("group");
                body.children = el.children.clone();
                parts
                    .entry(el.attr("name").unwrap().to_owned())
                    .or_default()
                    .push((el.attr("combine").map(str::to_owned), body));
            }
            _ => {}
        }
    }
}

/// Definitions of the same name combined as RELAX NG combines them.
fn combine(parts: Parts) -> HashMap<String, Element> {
    parts
        .into_iter()
        .map(|(name, mut bodies)| {
            if bodies.len() == 1 {
                return (name, bodies.pop().unwrap().1);
            }
            let how = bodies
                .iter()
                .find_map(|(c, _)| c.clone())
                .unwrap_or_else(|| "choice".into());
            let mut merged = Element::new(how);
            for (_, b) in bodies {
                merged.push(b);
            }
            (name, merged)
        })
        .collect()
}

impl Grammar {
    /// libvirt's domain grammar from `dir` (`/usr/share/libvirt/schemas`).
    pub fn domain(dir: &Path) -> Grammar {
        let mut parts = Parts::new();
        let mut start = None;
        load(dir, "domain.rng", &mut parts, &mut start);
        Grammar {
            start: start.expect("a <start>"),
            defines: combine(parts),
        }
    }

    /// A random document (possibly invalid, see the module docs), or `None` when the
    /// walk grew too deep or too large.
    pub fn generate(&self, r: &mut Rand) -> Option<Element> {
        let mut g = Gen {
            g: self,
            r,
            elements: 0,
        };
        let mut out = Out::default();
        g.pattern(&self.start, &mut out, 0).ok()?;
        match out.children.into_iter().next() {
            Some(Node::Element(mut e)) => {
                complete(&mut e);
                Some(e)
            }
            _ => None,
        }
    }
}

/// Values the schema allows but that make a definition no hypervisor could run (or
/// overflow sizes), replaced by plausible ones so more documents get past libvirt's
/// semantic checks: units that keep sizes small, CPU sets in increasing order, no
/// `current` beyond the maximum.
fn plausible(attr: &str, value: String, r: &mut Rand) -> String {
    const UNITS: &[&str] = &["KiB", "MiB", "k", "M", "b", "KB"];
    match attr {
        "unit" => UNITS[r.below(UNITS.len())].into(),
        "cpuset" | "cpus" | "nodeset" | "vcpus" | "iothreads" => {
            ["0", "0-1", "1"][r.below(3)].into()
        }
        "current" => "1".into(),
        _ => value,
    }
}

/// Makes a generated `<domain>` more likely to pass libvirt's semantic checks: a
/// `<memory>`, an `<os><type>`, and a few vCPUs.
pub fn complete(el: &mut Element) {
    if el.child("memory").is_none() {
        let mut m = Element::new("memory");
        m.push_text("1048576");
        el.push(m);
    }
    let os = match el.child_mut("os") {
        Some(os) => os,
        None => {
            el.push(Element::new("os"));
            el.child_mut("os").unwrap()
        }
    };
    if os.child("type").is_none() {
        let mut t = Element::new("type");
        t.push_text("hvm");
        os.children.insert(0, Node::Element(t));
    }
    match el.child_mut("vcpu") {
        Some(v) => {
            v.children.retain(|n| !matches!(n, Node::Text(_)));
            v.push_text("4");
        }
        None => {
            let mut v = Element::new("vcpu");
            v.push_text("4");
            el.push(v);
        }
    }
}

#[derive(Default)]
struct Out {
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

struct Gen<'a> {
    g: &'a Grammar,
    r: &'a mut Rand,
    elements: usize,
}

struct TooBig;

const MAX_DEPTH: usize = 60;
const MAX_ELEMENTS: usize = 300;

impl Gen<'_> {
    fn name_of(&mut self, el: &Element) -> String {
        if let Some(n) = el.attr("name") {
            return n.to_owned();
        }
        match el.elements().next() {
            Some(nc) if nc.name == "name" => nc.text().trim().to_owned(),
            Some(nc) if nc.name == "choice" => {
                let names: Vec<String> = nc
                    .elements()
                    .filter(|c| c.name == "name")
                    .map(|c| c.text().trim().to_owned())
                    .collect();
                if names.is_empty() {
                    "rvirt:gen".into()
                } else {
                    names[self.r.below(names.len())].clone()
                }
            }
            _ => format!("rvirt:gen{}", self.r.below(1000)),
        }
    }

    fn content<'e>(&self, el: &'e Element) -> Vec<&'e Element> {
        let skip_name_class = el.attr("name").is_none();
        el.elements().skip(usize::from(skip_name_class)).collect()
    }

    fn pattern(&mut self, p: &Element, out: &mut Out, depth: usize) -> Result<(), TooBig> {
        self.pattern_ns(p, out, depth, None)
    }

    fn pattern_ns(
        &mut self,
        p: &Element,
        out: &mut Out,
        depth: usize,
        inherited: Option<&str>,
    ) -> Result<(), TooBig> {
        let ns = p.attr("ns").or(inherited).filter(|n| !n.is_empty());
        if depth > MAX_DEPTH || self.elements > MAX_ELEMENTS {
            return Err(TooBig);
        }
        let shy = depth / 8; // deeper down, optional parts are rarer
        match p.name.as_str() {
            "element" => {
                self.elements += 1;
                let mut name = self.name_of(p);
                let mut inner = Out::default();
                if name.starts_with("rvirt:") {
                    inner
                        .attrs
                        .push(("xmlns:rvirt".into(), "urn:rvirt:generated".into()));
                }
                if let Some(ns) = ns {
                    name = format!("gen:{name}");
                    inner.attrs.push(("xmlns:gen".into(), ns.into()));
                }
                for c in self.content(p) {
                    self.pattern_ns(c, &mut inner, depth + 1, ns)?;
                }
                let mut el = Element::new(name);
                el.attrs = inner.attrs;
                el.children = inner.children;
                out.children.push(Node::Element(el));
            }
            "attribute" => {
                let name = self.name_of(p);
                let mut inner = Out::default();
                let body = self.content(p);
                if body.is_empty() {
                    inner.children.push(Node::Text(self.word()));
                }
                for c in body {
                    self.pattern(c, &mut inner, depth + 1)?;
                }
                let value: String = inner
                    .children
                    .iter()
                    .filter_map(|n| match n {
                        Node::Text(t) => Some(t.as_str()),
                        Node::Element(_) => None,
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                if name.starts_with("rvirt:") || out.attrs.iter().any(|(n, _)| *n == name) {
                    return Ok(());
                }
                let value = plausible(&name, value, self.r);
                out.attrs.push((name, value));
            }
            "group" | "define" => {
                for c in p.elements() {
                    self.pattern_ns(c, out, depth, ns)?;
                }
            }
            "interleave" => {
                // In schema order: libxml2's validator (xmllint) refuses some valid
                // interleavings, and the parser puts everything in libvirt's order
                // anyway.
                for c in p.elements() {
                    self.pattern_ns(c, out, depth, ns)?;
                }
            }
            "choice" => {
                let kids: Vec<&Element> = p.elements().filter(|c| c.name != "notAllowed").collect();
                if !kids.is_empty() {
                    let pick = kids[self.r.below(kids.len())];
                    self.pattern_ns(pick, out, depth, ns)?;
                }
            }
            "optional" if self.r.chance(55usize.saturating_sub(shy * 10)) => {
                for c in p.elements() {
                    self.pattern_ns(c, out, depth, ns)?;
                }
            }
            "zeroOrMore" | "oneOrMore" => {
                let min = usize::from(p.name == "oneOrMore");
                let extra = if self.r.chance(50usize.saturating_sub(shy * 10)) {
                    1 + self.r.below(2)
                } else {
                    0
                };
                for _ in 0..min + extra {
                    for c in p.elements() {
                        self.pattern_ns(c, out, depth, ns)?;
                    }
                }
            }
            "mixed" => {
                for c in p.elements() {
                    self.pattern_ns(c, out, depth, ns)?;
                }
            }
            "ref" | "parentRef" => {
                let name = p.attr("name").unwrap();
                let def = self.g.defines.get(name).expect("defined");
                self.pattern(def, out, depth + 1)?;
            }
            "empty" | "notAllowed" => {}
            "text" => {
                let w = self.word();
                out.children.push(Node::Text(w));
            }
            "value" => out.children.push(Node::Text(p.text().trim().to_owned())),
            "data" => {
                let v = self.data(p);
                out.children.push(Node::Text(v));
            }
            "list" => {
                let mut inner = Out::default();
                for c in p.elements() {
                    self.pattern(c, &mut inner, depth)?;
                }
                let words: Vec<String> = inner
                    .children
                    .into_iter()
                    .filter_map(|n| match n {
                        Node::Text(t) => Some(t),
                        Node::Element(_) => None,
                    })
                    .collect();
                out.children.push(Node::Text(words.join(" ")));
            }
            _ => {}
        }
        Ok(())
    }

    fn word(&mut self) -> String {
        const WORDS: &[&str] = &["alpha", "beta", "gamma", "rvirt", "x1", "y2"];
        WORDS[self.r.below(WORDS.len())].to_owned()
    }

    fn data(&mut self, p: &Element) -> String {
        let param = |n: &str| {
            p.elements()
                .find(|c| c.name == "param" && c.attr("name") == Some(n))
                .map(|c| c.text())
        };
        if let Some(pattern) = param("pattern") {
            return regex_gen::generate(&pattern, self.r);
        }
        let lo: i64 = param("minInclusive")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let hi: i64 = param("maxInclusive")
            .and_then(|v| v.parse().ok())
            .unwrap_or(lo + 16)
            .min(lo + 16);
        let number = |r: &mut Rand, lo: i64, hi: i64| {
            (lo + r.below((hi - lo + 1) as usize) as i64).to_string()
        };
        match p.attr("type").unwrap_or("string") {
            "unsignedInt" | "unsignedLong" | "unsignedShort" | "unsignedByte"
            | "nonNegativeInteger" => number(self.r, lo.max(0), hi.max(lo.max(0))),
            "positiveInteger" => number(self.r, lo.max(1), hi.max(lo.max(1))),
            "int" | "integer" | "long" | "short" => number(self.r, lo, hi),
            "dateTime" => "2026-01-01T00:00:00".into(),
            "boolean" => "true".into(),
            "double" | "decimal" | "float" => "1.5".into(),
            _ => self.word(),
        }
    }
}
