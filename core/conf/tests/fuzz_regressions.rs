//! Inputs found while fuzzing `DomainDef::from_xml` (`fuzz/fuzz_targets/domain_xml.rs`)
//! that crashed the process or took far too long. Domain XML arrives from clients (up
//! to `REMOTE_STRING_MAX`, 4 MiB, per string), so each must be answered quickly with a
//! typed result.

use std::time::{Duration, Instant};

use rvirt_conf::DomainDef;

/// Time one document may take: 1 s (the fuzzing timeout) in an optimised build, ten
/// times that in an unoptimised test build. Linear parsing needs well under half of it;
/// the quadratic paths these tests pin take minutes.
const BUDGET: Duration = if cfg!(debug_assertions) {
    Duration::from_secs(10)
} else {
    Duration::from_secs(1)
};

fn doc(body: &str) -> String {
    format!(
        "<domain type='kvm'><name>g</name><memory unit='MiB'>64</memory>\
         <os><type>hvm</type></os>{body}</domain>"
    )
}

/// Parses on a thread with a 2 MiB stack (the default for Rust threads, so also for
/// daemon workers and test threads) and returns whether the document was accepted and
/// how long it took.
fn parse_on_worker(xml: String) -> (bool, Duration) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let start = Instant::now();
            let ok = DomainDef::from_xml(&xml)
                .map(|d| d.to_xml().expect("accepted XML prints"))
                .is_ok();
            (ok, start.elapsed())
        })
        .unwrap()
        .join()
        .expect("from_xml panicked")
}

#[test]
fn deeply_nested_elements_are_rejected_without_overflowing_the_stack() {
    const DEPTH: usize = 100_000; // 700 KB of XML
    let nest = format!("{}{}", "<a>".repeat(DEPTH), "</a>".repeat(DEPTH));
    // Under the root (unsupported anyway) and inside <metadata> (otherwise kept).
    for xml in [doc(&nest), doc(&format!("<metadata>{nest}</metadata>"))] {
        let (ok, took) = parse_on_worker(xml);
        assert!(!ok, "{DEPTH} nested elements must be rejected");
        assert!(took < BUDGET, "took {took:?}");
    }
}

/// Nesting as deep as libxml2 allows by default (256 levels) stays accepted in
/// `<metadata>`.
#[test]
fn metadata_nesting_within_libxml2_limit_is_kept() {
    let depth = 200;
    let nest = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    let def = DomainDef::from_xml(&doc(&format!("<metadata>{nest}</metadata>"))).unwrap();
    let mut el = def.metadata.as_ref().unwrap();
    let mut levels = 0;
    while let Some(child) = el.child("a") {
        el = child;
        levels += 1;
    }
    assert_eq!(levels, depth);
}

#[test]
fn many_devices_parse_in_linear_time() {
    const INPUTS: usize = 20_000; // 600 KB of XML
    let input = "<input type='mouse' bus='ps2'/>";
    let xml = doc(&format!("<devices>{}</devices>", input.repeat(INPUTS)));
    let (ok, took) = parse_on_worker(xml);
    assert!(ok);
    assert!(took < BUDGET, "{INPUTS} devices took {took:?}");
}

#[test]
fn many_boot_elements_parse_in_linear_time() {
    const BOOTS: usize = 20_000; // 320 KB of XML
    let xml = format!(
        "<domain type='kvm'><name>g</name><memory unit='MiB'>64</memory>\
         <os><type>hvm</type>{}</os></domain>",
        "<boot dev='hd'/>".repeat(BOOTS)
    );
    let (_, took) = parse_on_worker(xml);
    assert!(took < BUDGET, "{BOOTS} <boot> elements took {took:?}");
}

#[test]
fn many_attributes_are_answered_in_linear_time() {
    const ATTRS: usize = 50_000; // 600 KB of XML
    let attrs: Vec<String> = (0..ATTRS).map(|i| format!("a{i}='1'")).collect();
    let xml = format!(
        "<domain type='kvm' {}><name>g</name><memory>1</memory>\
         <os><type>hvm</type></os></domain>",
        attrs.join(" ")
    );
    let (ok, took) = parse_on_worker(xml);
    assert!(ok, "unknown attributes are kept");
    assert!(took < BUDGET, "{ATTRS} attributes took {took:?}");
}

/// Duplicate attributes stay an error once the check is made linear.
#[test]
fn duplicate_attribute_is_still_rejected() {
    let err = DomainDef::from_xml(
        "<domain type='kvm' type='qemu'><name>g</name><memory>1</memory>\
         <os><type>hvm</type></os></domain>",
    )
    .unwrap_err();
    assert!(err.to_string().contains("duplicate"), "{err}");
}

/// Panics with where `a` and `b` first differ unless they are equal.
fn assert_same(a: &DomainDef, b: &DomainDef, what: &str, xml: &str) {
    if a != b {
        let (a, b) = (format!("{a:?}"), format!("{b:?}"));
        let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
        let from = at.saturating_sub(300);
        panic!(
            "{what} differs once printed and re-parsed:\n  before: …{}\n  after:  …{}\n{xml}",
            &a[from..(at + 200).min(a.len())],
            &b[from..(at + 200).min(b.len())]
        );
    }
}

/// Prints `def`, re-parses it and checks the result is equal and prints the same.
fn round_trip(def: &DomainDef, what: &str) {
    let xml = def.to_xml().unwrap();
    let back = DomainDef::from_xml(&xml).unwrap();
    assert_same(def, &back, what, &xml);
    assert_eq!(back.to_xml().unwrap(), xml, "{what}: printing not stable");
}

/// What `define` stores prints and re-parses to the same definition, for the fuzzing
/// seeds (real documents) and each driver's post-parse defaults.
#[test]
fn defined_seeds_round_trip() {
    use rvirt_conf::Defaults;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/seeds/domain_xml");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let Ok(def) = DomainDef::from_xml(&std::fs::read_to_string(&path).unwrap()) else {
            continue;
        };
        seen += 1;
        round_trip(&def, &format!("{} as parsed", path.display()));
        for (name, defaults) in [
            ("test", Defaults::test_driver()),
            ("qemu", Defaults::qemu()),
            ("lxc", Defaults::lxc()),
        ] {
            let mut defined = def.clone();
            if defined.prepare_define(&defaults).is_ok() {
                round_trip(&defined, &format!("{} after {name} define", path.display()));
            }
        }
    }
    assert!(seen >= 10, "seeds missing: {seen}");
}
