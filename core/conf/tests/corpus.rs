//! XML from real tools: what Debian's virt-install writes for a spread of OS variants
//! and options (`tests/data/virt-install`, see `gen-virt-install.sh`) and the examples
//! of libvirt's domain XML documentation (`tests/data/docs`, see
//! `gen-docs-examples.py`). Each document must be accepted, printed back without loss
//! and schema-valid; after define it must print as libvirt's own test driver printed
//! it (`NAME.libvirt.xml`), except for the differences listed here with their reason.

mod common;

use std::path::Path;

use common::corpus::{Known, check_dir, check_schema};
use common::data_path;

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

#[test]
fn real_world_xml_is_accepted_kept_valid_and_defined_like_libvirt() {
    let known = Known {
        different: KNOWN_DIFFERENT.iter().map(|(l, _)| l.to_string()).collect(),
        accepted: KNOWN_ACCEPTED.iter().map(|(l, _)| l.to_string()).collect(),
    };
    let mut failures = Vec::new();
    let mut outcomes = Vec::new();
    for dir in ["virt-install", "docs"] {
        check_dir(
            Path::new(&data_path(dir)),
            dir,
            &known,
            &mut failures,
            &mut outcomes,
        );
    }
    assert!(outcomes.len() > 150, "corpus too small: {}", outcomes.len());
    check_schema(&outcomes, &[], &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The corpus files exist where the test expects them.
#[test]
fn corpus_is_present() {
    for dir in ["virt-install", "docs"] {
        assert!(Path::new(&data_path(dir)).is_dir(), "{dir}");
    }
}
