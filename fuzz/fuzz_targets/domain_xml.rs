//! Domain XML parsing, with a round-trip property.
//!
//! Whatever [`DomainDef::from_xml`] accepts must serialise with
//! [`DomainDef::to_xml`], and that XML must parse back to an equal definition. The
//! same must hold after [`DomainDef::fill_defaults`] (what `define` stores).

#![no_main]

use libfuzzer_sys::fuzz_target;
use rvirt_conf::DomainDef;

fn round_trip(def: &DomainDef, what: &str) {
    let xml = def
        .to_xml()
        .unwrap_or_else(|e| panic!("{what}: to_xml failed: {e}"));
    let back = DomainDef::from_xml(&xml)
        .unwrap_or_else(|e| panic!("{what}: to_xml output does not re-parse: {e}\n{xml}"));
    assert_eq!(&back, def, "{what}: re-parsed definition differs\n{xml}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    match DomainDef::from_xml(xml) {
        Ok(def) => {
            let _ = (def.memory_kib(), def.current_memory_kib());
            let _ = (def.max_vcpus(), def.current_vcpus(), def.devices().len());
            round_trip(&def, "parsed");
            let mut filled = def.clone();
            filled.fill_defaults();
            round_trip(&filled, "defaulted");
        }
        Err(e) => {
            let _ = (
                e.to_string(),
                e.libvirt_code(),
                e.libvirt_domain(),
                e.detail(),
            );
        }
    }
});
