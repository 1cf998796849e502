//! libvirt 9.0's own domain XML test inputs (its `qemuxml2argvdata` and
//! `genericxml2xmlindata`, about 1,100 documents, fetched by
//! `tools/fetch-libvirt-test-xml.sh` with what libvirt's test driver answered for each):
//! each must be accepted, or refused with libvirt's code and domain; printed back
//! without loss and schema-valid; defined as libvirt defines it. The differences left
//! are listed, with their reason, in `tests/data/libvirt-suite-known.txt`; a listed one
//! that goes away fails the test too, so the list stays true.

mod common;

use common::corpus::{Known, check_dir, check_schema, inputs, schema_failures};
use common::data_path;
use common::suite_cache::fetched;

/// The known differences: `KIND LABEL  # reason` lines, KIND `different` or `accepted`.
fn known() -> Known {
    let text = std::fs::read_to_string(data_path("libvirt-suite-known.txt")).unwrap();
    let mut k = Known::default();
    for line in text.lines() {
        let line = line.split('#').next().unwrap().trim();
        let mut it = line.split_whitespace();
        match (it.next(), it.next()) {
            (Some("different"), Some(l)) => k.different.push(l.to_owned()),
            (Some("accepted"), Some(l)) => k.accepted.push(l.to_owned()),
            (None, _) => {}
            _ => panic!("bad line in libvirt-suite-known.txt: {line}"),
        }
    }
    k
}

#[test]
fn libvirt_test_xml_is_accepted_kept_valid_and_defined_like_libvirt() {
    let Some(dir) = fetched("VERSION") else {
        return;
    };
    let known = known();
    let mut failures = Vec::new();
    let mut outcomes = Vec::new();
    let mut exempt = Vec::new();
    for name in ["qemuxml2argv", "genericxml2xml"] {
        let d = dir.join(name);
        check_dir(&d, name, &known, &mut failures, &mut outcomes);
        // Inputs that are not schema-valid themselves (libvirt accepts some) are not
        // held to a schema-valid output.
        let docs: Vec<(String, String)> = inputs(&d)
            .iter()
            .map(|p| {
                let file = p.file_name().unwrap().to_string_lossy();
                (
                    format!("{name}/{file}"),
                    std::fs::read_to_string(p).unwrap(),
                )
            })
            .collect();
        exempt.extend(schema_failures(&docs).unwrap_or_default());
    }
    assert!(outcomes.len() > 1000, "suite too small: {}", outcomes.len());
    check_schema(&outcomes, &exempt, &mut failures);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
