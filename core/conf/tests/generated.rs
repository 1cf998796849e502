//! Documents generated from libvirt's domain schema itself (see
//! `common/rng_gen.rs`): every one xmllint accepts must be accepted or refused with a
//! libvirt error (never a panic), and every accepted one printed back losslessly,
//! schema-valid, and parsed again to the same definition; after define too.

mod common;

use std::path::Path;

use common::corpus::{lossless, schema_failures};
use common::rng_gen::{Grammar, Rand};
use rvirt_conf::{Defaults, DomainDef};

const SCHEMAS: &str = "/usr/share/libvirt/schemas";
const DOCUMENTS: u64 = 500;

#[test]
fn documents_generated_from_the_schema() {
    if !Path::new(SCHEMAS).join("domain.rng").exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "libvirt's schemas are required on CI"
        );
        return;
    }
    let grammar = Grammar::domain(Path::new(SCHEMAS));
    let mut docs = Vec::new();
    for seed in 0..DOCUMENTS {
        let mut r = Rand::new(seed);
        if let Some(mut el) = grammar.generate(&mut r) {
            // libxml2 (xmllint) refuses some valid interleavings; libvirt's order is
            // one it accepts.
            el.sort_like_libvirt();
            docs.push((format!("seed {seed}"), el.to_xml_string()));
        }
    }
    let Some(invalid) = schema_failures(&docs) else {
        return;
    };
    let valid: Vec<&(String, String)> = docs.iter().filter(|(l, _)| !invalid.contains(l)).collect();
    assert!(
        valid.len() >= DOCUMENTS as usize / 5,
        "only {} of {} generated documents are schema-valid",
        valid.len(),
        docs.len()
    );
    let mut failures = Vec::new();
    let mut outputs = Vec::new();
    let mut accepted = 0;
    for (label, xml) in &valid {
        let def = match DomainDef::from_xml(xml) {
            Ok(d) => d,
            // A libvirt-style refusal (semantic checks libvirt makes too).
            Err(e) => {
                assert!(e.libvirt_code() > 0, "{label}: {e:?}");
                continue;
            }
        };
        accepted += 1;
        let out = def.to_xml().unwrap();
        if let Err(why) = lossless(xml, &out) {
            failures.push(format!("{label}: not lossless: {why}\n{xml}"));
        }
        match DomainDef::from_xml(&out) {
            Ok(again) if again == def => {}
            Ok(_) => failures.push(format!("{label}: printed XML parses differently\n{out}")),
            Err(e) => failures.push(format!("{label}: printed XML refused: {e}\n{out}")),
        }
        outputs.push((format!("{label} (printed)"), out));
        let mut defined = def.clone();
        if defined.prepare_define(&Defaults::test_driver()).is_ok() {
            let out = defined.to_xml().unwrap();
            match DomainDef::from_xml(&out) {
                Ok(_) => outputs.push((format!("{label} (defined)"), out)),
                Err(e) => failures.push(format!("{label}: defined XML refused: {e}\n{out}")),
            }
        }
    }
    if let Some(invalid) = schema_failures(&outputs) {
        for l in invalid {
            let xml = &outputs.iter().find(|(k, _)| *k == l).unwrap().1;
            failures.push(format!("{l}: output not schema-valid\n{xml}"));
        }
    }
    eprintln!(
        "{} generated, {} schema-valid, {} accepted",
        docs.len(),
        valid.len(),
        accepted
    );
    // Random values make most documents semantically invalid (libvirt refuses them
    // too); enough must get through for the properties above to mean something.
    assert!(
        accepted >= 20,
        "only {accepted} of {} schema-valid documents accepted",
        valid.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Writes generated documents to `$RVIRT_GEN_DIR` for inspection (ignored test).
#[test]
#[ignore]
fn dump_generated_documents() {
    let dir = std::env::var("RVIRT_GEN_DIR").unwrap();
    let grammar = Grammar::domain(Path::new(SCHEMAS));
    for seed in 0..DOCUMENTS {
        let mut r = Rand::new(seed);
        if let Some(mut el) = grammar.generate(&mut r) {
            el.sort_like_libvirt();
            std::fs::write(format!("{dir}/{seed}.xml"), el.to_xml_string()).unwrap();
        }
    }
}
