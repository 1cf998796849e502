//! libvirt's value checks, case by case: `tests/data/errors/cases.txt` holds invalid
//! definitions, `expected.txt` what libvirt 9.0's test driver answered when defining
//! each (regenerate with `gen-errors.py`). rvirt must refuse each with the same error
//! code, domain and message.

mod common;

use common::data_path;
use rvirt_conf::{Defaults, DomainDef};

const BASE: (&str, &str) = (
    "<domain type='test'><name>x</name><memory>1024</memory><os><type>hvm</type></os>",
    "</domain>",
);

fn define(xml: &str) -> Result<(), rvirt_conf::ConfError> {
    let mut def = DomainDef::from_xml(xml)?;
    def.prepare_define(&Defaults::test_driver())
}

#[test]
fn refused_like_libvirt() {
    let cases = std::fs::read_to_string(data_path("errors/cases.txt")).unwrap();
    let expected = std::fs::read_to_string(data_path("errors/expected.txt")).unwrap();
    let cases: Vec<&str> = cases
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let expected: Vec<&str> = expected.lines().collect();
    assert_eq!(cases.len(), expected.len(), "regenerate expected.txt");
    let mut failures = Vec::new();
    for (case, want) in cases.iter().zip(&expected) {
        let xml = if case.starts_with("<domain") || case.starts_with("<network") {
            case.to_string()
        } else {
            format!("{}{case}{}", BASE.0, BASE.1)
        };
        let got = match define(&xml) {
            Ok(()) => "OK".to_string(),
            Err(e) => format!("{} {} {e}", e.libvirt_code(), e.libvirt_domain()),
        };
        if got != *want {
            failures.push(format!("{case}\n  libvirt: {want}\n  rvirt:   {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
