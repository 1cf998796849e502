//! Corpus checks shared by the tests over real-world XML: losslessness (everything in
//! the input is in the output) and schema validation in bulk.

use std::path::{Path, PathBuf};
use std::process::Command;

use rvirt_conf::{Defaults, DomainDef};

use super::{Tree, tree};

fn number(s: &str) -> Option<u128> {
    let s = s.trim();
    if let Some(h) = s.strip_prefix("0x") {
        u128::from_str_radix(h, 16).ok()
    } else {
        s.parse().ok()
    }
}

/// A UUID in any of the spellings libvirt reads (case, hyphens) is the same UUID.
fn uuid(s: &str) -> Option<String> {
    let hex: String = s.trim().chars().filter(|c| *c != '-').collect();
    (hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| hex.to_ascii_lowercase())
}

fn same_value(a: &str, b: &str) -> bool {
    a == b
        || a.trim() == b.trim()
        || matches!((number(a), number(b)), (Some(x), Some(y)) if x == y)
        || matches!((uuid(a), uuid(b)), (Some(x), Some(y)) if x == y)
}

/// Memory units in any of libvirt's spellings (`G`, `GiB`, `g`) are the same unit.
fn same_unit(a: &str, b: &str) -> bool {
    match (
        a.parse::<rvirt_conf::MemoryUnit>(),
        b.parse::<rvirt_conf::MemoryUnit>(),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Why `input` is not contained in `output`, if it is not: every attribute (same value,
/// numbers compared as numbers), non-blank text and child element of the input must
/// have a counterpart in the output (children matched by name, in any order).
pub fn missing(input: &Tree, output: &Tree, path: &str) -> Option<String> {
    for (n, v) in &input.attrs {
        match output.attrs.iter().find(|(m, _)| m == n) {
            Some((_, w)) if same_value(v, w) || (n == "unit" && same_unit(v, w)) => {}
            Some((_, w)) => return Some(format!("{path}/@{n}: '{v}' became '{w}'")),
            None => return Some(format!("{path}/@{n} lost")),
        }
    }
    if !input.text.is_empty() && !same_value(&input.text, &output.text) {
        return Some(format!(
            "{path}: text '{}' became '{}'",
            input.text, output.text
        ));
    }
    let mut used = vec![false; output.children.len()];
    for c in &input.children {
        let cpath = format!("{path}/{}", c.name);
        let found = output
            .children
            .iter()
            .enumerate()
            .position(|(i, o)| !used[i] && o.name == c.name && missing(c, o, &cpath).is_none());
        match found {
            Some(i) => used[i] = true,
            None => {
                let why = output
                    .children
                    .iter()
                    .enumerate()
                    .find(|(i, o)| !used[*i] && o.name == c.name)
                    .and_then(|(_, o)| missing(c, o, &cpath))
                    .unwrap_or_else(|| format!("{cpath} lost"));
                return Some(why);
            }
        }
    }
    None
}

/// Whether the XML document `input` is contained in `output` (see [`missing`]).
pub fn lossless(input: &str, output: &str) -> Result<(), String> {
    match missing(&tree(input), &tree(output), "") {
        None => Ok(()),
        Some(why) => Err(why),
    }
}

/// The files `DIR/*.xml` that are inputs (not `*.libvirt.xml`), sorted.
pub fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.ends_with(".xml") && !n.ends_with(".libvirt.xml")
        })
        .collect();
    v.sort();
    v
}

/// Validates every `(label, xml)` against libvirt's domain schema in one `xmllint`
/// run; the labels that fail, or `None` when xmllint or the schema is missing (a
/// failure when `CI` is set).
pub fn schema_failures(docs: &[(String, String)]) -> Option<Vec<String>> {
    let schema = Path::new("/usr/share/libvirt/schemas/domain.rng");
    let have = schema.exists() && Command::new("xmllint").arg("--version").output().is_ok();
    if !have {
        assert!(
            std::env::var_os("CI").is_none(),
            "xmllint and libvirt's schemas are required when CI is set"
        );
        eprintln!("skipping schema validation: xmllint or domain.rng missing");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("rvirt-conf-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for (i, (_, xml)) in docs.iter().enumerate() {
        let f = dir.join(format!("{i}.xml"));
        std::fs::write(&f, xml).unwrap();
        files.push(f);
    }
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--relaxng")
        .arg(schema)
        .args(&files)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut failed = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let needle = format!("{} fails to validate", f.display());
        if stderr.contains(&needle) {
            failed.push(docs[i].0.clone());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Some(failed)
}

/// Documents whose check differs from the default, by label (`DIR/NAME.xml`).
#[derive(Default)]
pub struct Known {
    /// Defined, they print differently from libvirt's test driver.
    pub different: Vec<String>,
    /// libvirt's test driver refuses them and rvirt accepts them.
    pub accepted: Vec<String>,
}

/// What one accepted document became.
pub struct Outcome {
    pub label: String,
    pub printed: String,
    pub defined: Option<String>,
}

/// libvirt's refusal of a document: its code, domain and message, from
/// `NAME.libvirt.err` (written by `libvirt-define.py`).
fn libvirt_refusal(path: &Path) -> Option<(i32, i32, String)> {
    let text = std::fs::read_to_string(path.with_extension("libvirt.err")).ok()?;
    let mut it = text.trim().splitn(3, ' ');
    let code = it.next()?.parse().ok()?;
    let domain = it.next()?.parse().ok()?;
    Some((code, domain, it.next().unwrap_or_default().to_owned()))
}

fn diff(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let first = w
        .iter()
        .zip(&g)
        .position(|(a, b)| a != b)
        .unwrap_or(w.len().min(g.len()));
    format!(
        "  libvirt: {}\n  rvirt:   {}",
        w.get(first).unwrap_or(&"<end>"),
        g.get(first).unwrap_or(&"<end>")
    )
}

/// Checks every input of `dir` (labelled `NAME/FILE` with `name`): accepted, or
/// refused with libvirt's code and domain; printed back without loss and read back
/// the same; defined as libvirt's test driver defines it (`NAME.libvirt.xml`), or
/// refused where it refuses (`NAME.libvirt.err`), except where `known` says otherwise
/// — and a known difference that is gone is a failure too, so the lists stay true.
pub fn check_dir(
    dir: &Path,
    name: &str,
    known: &Known,
    failures: &mut Vec<String>,
    outcomes: &mut Vec<Outcome>,
) {
    for path in inputs(dir) {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let label = format!("{name}/{file}");
        let input = std::fs::read_to_string(&path).unwrap();
        let refusal = libvirt_refusal(&path);
        let refused_like_libvirt =
            |e: &rvirt_conf::ConfError, failures: &mut Vec<String>| match &refusal {
                Some((code, domain, msg)) => {
                    if (e.libvirt_code(), e.libvirt_domain()) != (*code, *domain) {
                        failures.push(format!(
                            "{label}: refused with {} {} ({e}); libvirt: {code} {domain} ({msg})",
                            e.libvirt_code(),
                            e.libvirt_domain()
                        ));
                    }
                }
                None => failures.push(format!("{label}: refused: {e}")),
            };
        let is = |list: &[String]| list.contains(&label);
        let def = match DomainDef::from_xml(&input) {
            Ok(d) => d,
            Err(e) => {
                refused_like_libvirt(&e, failures);
                if is(&known.accepted) {
                    failures.push(format!("{label}: listed as accepted but now refused"));
                }
                continue;
            }
        };
        let printed = def.to_xml().unwrap();
        if let Err(why) = lossless(&input, &printed) {
            failures.push(format!("{label}: not lossless: {why}"));
        }
        match DomainDef::from_xml(&printed) {
            Ok(again) if again == def => {}
            Ok(_) => failures.push(format!("{label}: printed XML parses differently")),
            Err(e) => failures.push(format!("{label}: printed XML refused: {e}")),
        }
        let libvirt = std::fs::read_to_string(path.with_extension("libvirt.xml")).ok();
        let mut defined = def.clone();
        let defined = match defined.prepare_define(&Defaults::test_driver()) {
            Ok(()) => Some(defined.to_xml().unwrap()),
            Err(e) => {
                refused_like_libvirt(&e, failures);
                None
            }
        };
        match (&libvirt, &defined) {
            (Some(want), Some(got)) => {
                let listed = is(&known.different);
                if (want == got) == listed {
                    failures.push(if listed {
                        format!("{label}: listed as different but now matches libvirt")
                    } else {
                        format!(
                            "{label}: differs from libvirt after define:\n{}",
                            diff(want, got)
                        )
                    });
                }
            }
            (None, Some(_)) if !is(&known.accepted) => {
                failures.push(format!(
                    "{label}: libvirt refuses it at define ({refusal:?}), rvirt accepts"
                ));
            }
            (None, None) if is(&known.accepted) => {
                failures.push(format!("{label}: listed as accepted but now refused"));
            }
            _ => {}
        }
        outcomes.push(Outcome {
            label,
            printed,
            defined,
        });
    }
}

/// The schema check of what `outcomes` printed and defined: the labels not valid,
/// except those of inputs that are not valid themselves (`exempt`).
pub fn check_schema(outcomes: &[Outcome], exempt: &[String], failures: &mut Vec<String>) {
    let mut docs = Vec::new();
    for o in outcomes.iter().filter(|o| !exempt.contains(&o.label)) {
        docs.push((format!("{} (printed)", o.label), o.printed.clone()));
        if let Some(d) = &o.defined {
            docs.push((format!("{} (defined)", o.label), d.clone()));
        }
    }
    if let Some(invalid) = schema_failures(&docs) {
        failures.extend(
            invalid
                .into_iter()
                .map(|l| format!("{l}: not schema-valid")),
        );
    }
}
