//! XML from real tools: what Debian's virt-install writes for a spread of OS variants
//! and options (`tests/data/virt-install`, see `gen-virt-install.sh`) and the examples
//! of libvirt's domain XML documentation (`tests/data/docs`, see
//! `gen-docs-examples.py`). Each document must be accepted, printed back without loss
//! and schema-valid; after define it must print as libvirt's own test driver printed
//! it (`NAME.libvirt.xml`), except for the differences listed here with their reason.

mod common;

use std::path::Path;

use common::corpus::{inputs, lossless, schema_failures};
use common::data_path;
use rvirt_conf::{Defaults, DomainDef};

/// Documents whose defined form is known to differ from libvirt's test driver, and why.
const KNOWN_DIFFERENT: &[(&str, &str)] = &[
    (
        "virt-install/qemu-commandline.xml",
        "libvirt's test driver drops the QEMU namespace; rvirt keeps every driver namespace",
    ),
    (
        "docs/056-devices.xml",
        "libvirt generates a random interfaceid for the Open vSwitch port",
    ),
];

/// Documents libvirt's test driver refuses and rvirt accepts, and why.
const KNOWN_ACCEPTED: &[(&str, &str)] = &[(
    "docs/089-devices.xml",
    "libvirt checks that a route's address is a network address; rvirt does not yet",
)];

/// libvirt's refusal of a document: its code and domain, from `NAME.libvirt.err`.
fn libvirt_refusal(path: &Path) -> Option<(i32, i32, String)> {
    let text = std::fs::read_to_string(path.with_extension("libvirt.err")).ok()?;
    let mut it = text.trim().splitn(3, ' ');
    let code = it.next()?.parse().ok()?;
    let domain = it.next()?.parse().ok()?;
    Some((code, domain, it.next().unwrap_or_default().to_owned()))
}

struct Outcome {
    label: String,
    printed: String,
    defined: Option<String>,
}

fn run(dir: &str, failures: &mut Vec<String>, outcomes: &mut Vec<Outcome>) {
    for path in inputs(&data_path(dir)) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let label = format!("{dir}/{name}");
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
        let def = match DomainDef::from_xml(&input) {
            Ok(d) => d,
            Err(e) => {
                refused_like_libvirt(&e, failures);
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
                let known = KNOWN_DIFFERENT.iter().any(|(l, _)| *l == label);
                if (want == got) == known {
                    failures.push(if known {
                        format!("{label}: listed as different but now matches libvirt")
                    } else {
                        format!(
                            "{label}: differs from libvirt after define:\n{}",
                            diff(want, got)
                        )
                    });
                }
            }
            (None, Some(_)) if !KNOWN_ACCEPTED.iter().any(|(l, _)| *l == label) => {
                failures.push(format!(
                    "{label}: libvirt refuses it at define ({:?}), rvirt accepts",
                    refusal
                ));
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

#[test]
fn real_world_xml_is_accepted_kept_valid_and_defined_like_libvirt() {
    let mut failures = Vec::new();
    let mut outcomes = Vec::new();
    run("virt-install", &mut failures, &mut outcomes);
    run("docs", &mut failures, &mut outcomes);
    assert!(outcomes.len() > 150, "corpus too small: {}", outcomes.len());
    let mut docs = Vec::new();
    for o in &outcomes {
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
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The corpus files exist where the test expects them.
#[test]
fn corpus_is_present() {
    for dir in ["virt-install", "docs"] {
        assert!(Path::new(&data_path(dir)).is_dir(), "{dir}");
    }
}
