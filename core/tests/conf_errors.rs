//! Bad domain XML surfaces as rvirt_core::Error with libvirt's numbers.

use rvirt_core::conf::DomainDef;
use rvirt_core::{Error, ErrorCode};

fn err(xml: &str) -> Error {
    DomainDef::from_xml(xml).unwrap_err().into()
}

#[test]
fn xml_errors_carry_libvirt_codes() {
    let e = err("<domain type='kvm'><name>x</name>");
    assert_eq!(e.code(), ErrorCode::XmlDetail);
    let e = err("<domain type='kvm'><name>x</name><os><type>hvm</type></os></domain>");
    assert_eq!(e.code(), ErrorCode::XmlError);
    assert!(e.message().contains("Memory size must be specified"), "{e}");
    let e = err("<network><name>x</name></network>");
    assert_eq!(e.code(), ErrorCode::XmlError);
    let e = err("<domain type='kvm'><name>x</name><memory>1024</memory>\
         <os><type>dos</type></os></domain>");
    assert_eq!(e.code().as_raw(), 67);
    assert!(e.message().contains("unknown OS type 'dos'"), "{e}");
    // What the model does not know is kept, not refused.
    assert!(
        DomainDef::from_xml(
            "<domain type='kvm'><name>x</name><memory>1024</memory>\
             <os><type>hvm</type></os><frobnicate/></domain>"
        )
        .is_ok()
    );
}
