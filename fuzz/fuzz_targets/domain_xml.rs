//! Domain XML parsing, with round-trip properties.
//!
//! Whatever [`DomainDef::from_xml`] accepts must print with [`DomainDef::to_xml`], and
//! that XML must parse back to an equal definition and print the same again. The same
//! must hold after libvirt's post-parse for the test, QEMU and LXC drivers
//! ([`DomainDef::prepare_define`], what `define` stores) when it succeeds, and the
//! drivers' checks of what they carry out ([`DomainDef::unsupported_part`]) must
//! answer without panicking. Refusals must carry a libvirt error code.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rvirt_conf::{Defaults, DomainDef, Support};

fn round_trip(def: &DomainDef, what: &str) -> String {
    let xml = def
        .to_xml()
        .unwrap_or_else(|e| panic!("{what}: to_xml failed: {e}"));
    let back = DomainDef::from_xml(&xml)
        .unwrap_or_else(|e| panic!("{what}: to_xml output does not re-parse: {e}\n{xml}"));
    assert_eq!(&back, def, "{what}: re-parsed definition differs\n{xml}");
    let again = back.to_xml().unwrap();
    assert_eq!(again, xml, "{what}: printing is not stable");
    xml
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
            let support = Support::new(&["@type", "name", "memory", "os", "os/type", "devices/**"]);
            let _ = def.unsupported_part(&support);
            for (name, defaults) in [
                ("test", Defaults::test_driver()),
                ("qemu", Defaults::qemu()),
                ("lxc", Defaults::lxc()),
            ] {
                let mut defined = def.clone();
                match defined.prepare_define(&defaults) {
                    Ok(()) => {
                        round_trip(&defined, name);
                        let _ = defined.unsupported_part(&support);
                    }
                    Err(e) => assert!(e.libvirt_code() > 0, "{name}: {e:?}"),
                }
            }
            let mut filled = def.clone();
            filled.fill_defaults();
            round_trip(&filled, "defaulted");
        }
        Err(e) => {
            assert!(e.libvirt_code() > 0, "{e:?}");
            let _ = (e.to_string(), e.libvirt_domain(), e.detail());
        }
    }
});
