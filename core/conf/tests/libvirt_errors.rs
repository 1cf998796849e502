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

/// A definition the driver stored itself is read without the whole-definition rules
/// (libvirt's `VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE` for its own files): one stored
/// before a rule existed still loads, while a client's copy of it is refused.
#[test]
fn stored_definitions_skip_the_whole_definition_rules() {
    let xml = "<domain type='test'><name>x</name><memory>1024</memory>\
        <os><type>hvm</type></os><devices><serial type='file'><target port='0'/></serial>\
        <video><model type='vga' primary='yes'/></video><video><model type='qxl' primary='yes'/></video>\
        </devices></domain>";
    let e = DomainDef::from_xml(xml).unwrap_err();
    assert_eq!(
        e.to_string(),
        "unsupported configuration: Only one primary video device is supported"
    );
    let mut def = DomainDef::from_stored_xml(xml).unwrap();
    def.prepare_stored(&Defaults::test_driver()).unwrap();
    assert_eq!(def.name, "x");
    // The per-value checks still hold there.
    assert!(DomainDef::from_stored_xml("<domain type='test'><name>x</name></domain>").is_err());
}

/// An I/O thread count is bounded before anything is allocated for it (libvirt would
/// allocate one id per thread); up to the bound, ids are filled in as libvirt fills them.
#[test]
fn an_io_thread_count_is_bounded() {
    let doc = |n: u64| {
        format!(
            "<domain type='test'><name>x</name><memory>1024</memory><iothreads>{n}</iothreads>\
             <iothreadids><iothread id='3'/></iothreadids><os><type>hvm</type></os></domain>"
        )
    };
    for n in [16385, 4_000_000_000] {
        let e = DomainDef::from_xml(&doc(n)).unwrap_err();
        assert_eq!((e.libvirt_code(), e.libvirt_domain()), (67, 20));
        assert_eq!(
            e.to_string(),
            format!("unsupported configuration: I/O thread count {n} exceeds the maximum of 16384")
        );
    }
    let mut def = DomainDef::from_xml(&doc(16384)).unwrap();
    def.prepare_define(&Defaults::test_driver()).unwrap();
    let ids: Vec<u32> = def
        .iothreadids
        .as_ref()
        .unwrap()
        .iothreads
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(ids.len(), 16384);
    // The listed id first, then the lowest free ones.
    assert_eq!(&ids[..4], &[3, 1, 2, 4]);
    assert_eq!(ids.last(), Some(&16384));
}
