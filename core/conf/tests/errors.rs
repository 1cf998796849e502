//! Invalid input: each case must fail with libvirt's error code and message.

use rvirt_conf::{ConfError, DomainDef};

/// A minimal valid document with `extra` inserted before `</domain>`.
fn doc(extra: &str) -> String {
    format!(
        "<domain type='test'><name>x</name><memory>1024</memory>\
         <os><type>hvm</type></os>{extra}</domain>"
    )
}

fn err(xml: &str) -> ConfError {
    match DomainDef::from_xml(xml) {
        Ok(def) => panic!("accepted invalid XML: {xml}\n{def:?}"),
        Err(e) => e,
    }
}

#[test]
fn base_document_is_valid() {
    DomainDef::from_xml(&doc("")).unwrap();
}

#[test]
fn malformed_xml_is_xml_detail() {
    let e = err("<domain type='test'><name>x</name>");
    assert!(matches!(e, ConfError::Malformed { line: 1, .. }), "{e:?}");
    assert_eq!(e.libvirt_code(), 35);
    assert!(
        e.to_string()
            .contains("Premature end of data in tag domain"),
        "{e}"
    );

    let e = err("<domain type='test'>\n<name>x</nam></domain>");
    assert!(matches!(e, ConfError::Malformed { line: 2, .. }), "{e:?}");
    assert_eq!(e.libvirt_code(), 35);

    for bad in [
        "",
        "not xml at all",
        "<domain type='test' type='kvm'><name>x</name></domain>",
        "<domain type='test'><name>&bogus;</name></domain>",
        "<domain type='test'><name>x</name></domain><domain/>",
    ] {
        let e = err(bad);
        assert_eq!(e.libvirt_code(), 35, "{bad}: {e:?}");
    }
}

#[test]
fn malformed_metadata_is_rejected() {
    let e = err(&doc("<metadata><a:x xmlns:a='urn:a'><b></a:x></metadata>"));
    assert_eq!(e.libvirt_code(), 35, "{e:?}");
}

#[test]
fn wrong_root() {
    let e = err("<network><name>x</name></network>");
    assert_eq!(
        e,
        ConfError::WrongRoot {
            found: "network".into()
        }
    );
    assert_eq!(e.libvirt_code(), 27);
    assert_eq!(e.libvirt_domain(), 5);
    assert_eq!(
        e.to_string(),
        "XML error: expecting root element of 'domain', not 'network'"
    );
}

#[test]
fn missing_memory() {
    let e = err("<domain type='test'><name>x</name><os><type>hvm</type></os></domain>");
    assert_eq!(e, ConfError::MissingMemory);
    assert_eq!(e.libvirt_code(), 27);
    assert_eq!(e.libvirt_domain(), 20);
    assert_eq!(
        e.to_string(),
        "XML error: Memory size must be specified via <memory> or in the <numa> configuration"
    );
}

#[test]
fn missing_or_empty_name() {
    for xml in [
        "<domain type='test'><memory>1024</memory><os><type>hvm</type></os></domain>",
        "<domain type='test'><name></name><memory>1024</memory><os><type>hvm</type></os></domain>",
        "<domain type='test'><name>  </name><memory>1024</memory><os><type>hvm</type></os></domain>",
    ] {
        let e = err(xml);
        assert_eq!(e, ConfError::MissingName, "{xml}");
        assert_eq!(e.libvirt_code(), 21);
        assert_eq!(e.to_string(), "missing name information");
    }
}

#[test]
fn bad_uuid() {
    let e = err(&doc("<uuid>zzz</uuid>"));
    assert!(
        matches!(e, ConfError::MalformedUuid { ref value } if value == "zzz"),
        "{e:?}"
    );
    assert_eq!(e.libvirt_code(), 1);
    assert_eq!(e.to_string(), "internal error: malformed uuid element");
    // Not too short, not too long.
    assert_eq!(
        err(&doc("<uuid>6695eb01-f6a4-8304-79aa-97f2502e193</uuid>")).libvirt_code(),
        1
    );
    assert_eq!(
        err(&doc("<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f0</uuid>")).libvirt_code(),
        1
    );
}

#[test]
fn uuid_forms_accepted() {
    let want = rvirt_conf::Uuid::parse_str("6695eb01-f6a4-8304-79aa-97f2502e193f").unwrap();
    for text in [
        "6695eb01-f6a4-8304-79aa-97f2502e193f",
        "6695EB01-F6A4-8304-79AA-97F2502E193F",
        "6695eb01f6a4830479aa97f2502e193f",
        " 6695eb01-f6a4-8304-79aa-97f2502e193f\n",
    ] {
        let def = DomainDef::from_xml(&doc(&format!("<uuid>{text}</uuid>"))).unwrap();
        assert_eq!(def.uuid, Some(want), "{text:?}");
        assert!(
            def.to_xml()
                .unwrap()
                .contains("<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>")
        );
    }
}

#[test]
fn domain_type() {
    let e = err("<domain><name>x</name><memory>1</memory><os><type>hvm</type></os></domain>");
    assert_eq!(e, ConfError::MissingDomainType);
    assert_eq!(e.libvirt_code(), 1);
    assert_eq!(
        e.to_string(),
        "internal error: missing domain type attribute"
    );

    let e = err(
        "<domain type='foo'><name>x</name><memory>1</memory><os><type>hvm</type></os></domain>",
    );
    assert_eq!(
        e,
        ConfError::InvalidDomainType {
            value: "foo".into()
        }
    );
    assert_eq!(e.libvirt_code(), 67);
    assert_eq!(
        e.to_string(),
        "unsupported configuration: invalid domain type foo"
    );
}

#[test]
fn bad_memory_unit() {
    let e = err(
        "<domain type='test'><name>x</name><memory unit='XB'>1024</memory><os><type>hvm</type></os></domain>",
    );
    assert_eq!(e, ConfError::InvalidMemoryUnit { unit: "XB".into() });
    assert_eq!(e.libvirt_code(), 8);
    assert_eq!(e.libvirt_domain(), 0);
    assert_eq!(e.to_string(), "invalid argument: unknown suffix 'XB'");
    for unit in ["", "KiBB", "kb2", "bit", "Ki"] {
        let e = err(&format!(
            "<domain type='test'><name>x</name><memory unit='{unit}'>1</memory><os><type>hvm</type></os></domain>"
        ));
        assert_eq!(e.libvirt_code(), 8, "{unit}: {e:?}");
    }
    // currentMemory is checked too.
    let e = err(&doc("<currentMemory unit='Q'>1</currentMemory>"));
    assert_eq!(e, ConfError::InvalidMemoryUnit { unit: "Q".into() });
}

#[test]
fn bad_memory_value_and_overflow() {
    let e = err(
        "<domain type='test'><name>x</name><memory>abc</memory><os><type>hvm</type></os></domain>",
    );
    assert_eq!(e.libvirt_code(), 27);
    assert_eq!(
        e.to_string(),
        "XML error: Invalid value 'abc' for element or attribute './memory[1]'"
    );
    let e = err(
        "<domain type='test'><name>x</name><memory>-5</memory><os><type>hvm</type></os></domain>",
    );
    assert_eq!(e.libvirt_code(), 27);

    let e = err(
        "<domain type='test'><name>x</name><memory unit='E'>99999</memory><os><type>hvm</type></os></domain>",
    );
    assert_eq!(e.libvirt_code(), 82);
    assert_eq!(e.to_string(), "numerical overflow: value too large: 99999E");
    let e = err(&format!(
        "<domain type='test'><name>x</name><memory unit='KiB'>{}</memory><os><type>hvm</type></os></domain>",
        u64::MAX
    ));
    assert_eq!(e.libvirt_code(), 82);
}

#[test]
fn bad_vcpu() {
    let e = err(&doc("<vcpu>abc</vcpu>"));
    assert_eq!(e.libvirt_code(), 27);
    assert_eq!(
        e.to_string(),
        "XML error: maximum vcpus count must be an integer"
    );
}

#[test]
fn lifecycle_actions() {
    let e = err(&doc("<on_poweroff>foo</on_poweroff>"));
    assert_eq!(e.libvirt_code(), 67);
    assert_eq!(
        e.to_string(),
        "unsupported configuration: unknown on_poweroff action: foo"
    );

    let e = err(&doc("<on_poweroff>coredump-destroy</on_poweroff>"));
    assert_eq!(e.libvirt_code(), 67);
    assert_eq!(
        e.to_string(),
        "unsupported configuration: Lifecycle event 'poweroff' doesn't support 'coredump-destroy' action"
    );
    let e = err(&doc("<on_reboot>coredump-restart</on_reboot>"));
    assert!(
        matches!(e, ConfError::UnsupportedLifecycleAction { ref event, .. } if event == "reboot")
    );

    let def = DomainDef::from_xml(&doc("<on_crash>coredump-destroy</on_crash>")).unwrap();
    assert_eq!(
        def.on_crash,
        Some(rvirt_conf::LifecycleAction::CoredumpDestroy)
    );
}

#[test]
fn missing_os_type_and_bad_enums() {
    let e = err("<domain type='test'><name>x</name><memory>1</memory></domain>");
    assert_eq!(e.libvirt_code(), 27, "{e:?}");
    assert_eq!(e.to_string(), "XML error: an os <type> must be specified");
    let e = err(
        "<domain type='test'><name>x</name><memory>1</memory><os><type>dos</type></os></domain>",
    );
    assert_eq!(
        (e.libvirt_code(), e.libvirt_domain(), e.to_string().as_str()),
        (67, 20, "unsupported configuration: unknown OS type 'dos'")
    );
    let e = err(&doc(
        "<devices><disk type='floppy-tape'><target dev='a'/></disk></devices>",
    ));
    assert_eq!(
        (e.libvirt_code(), e.libvirt_domain(), e.to_string().as_str()),
        (
            27,
            5,
            "XML error: Invalid value for attribute 'type' in element 'disk': 'floppy-tape'."
        )
    );
    let e = err(&doc(
        "<devices><disk type='file'><source file='/x'/></disk></devices>",
    ));
    assert_eq!(
        (e.libvirt_code(), e.to_string().as_str()),
        (20, "missing target information for device /x")
    );
}

#[test]
fn errors_are_std_errors() {
    let e: Box<dyn std::error::Error> = Box::new(err("<a/>"));
    assert!(e.to_string().contains("'a'"));
}

#[test]
fn cpusets_and_names_are_checked_as_libvirt_checks_them() {
    // (input, code, domain, message) as libvirt 9.0's test driver reports them.
    for (vcpu, code, domain, message) in [
        (
            "aaa",
            8,
            0,
            "invalid argument: Failed to parse bitmap 'aaa'",
        ),
        (
            "99999",
            8,
            0,
            "invalid argument: Failed to parse bitmap '99999'",
        ),
        ("", 8, 0, "invalid argument: Failed to parse bitmap ''"),
        (
            "3-1",
            8,
            0,
            "invalid argument: Failed to parse bitmap '3-1'",
        ),
        (
            "^1",
            67,
            20,
            "unsupported configuration: Invalid value of 'cpuset': ^1",
        ),
    ] {
        let xml = format!(
            "<domain type='test'><name>x</name><memory>1024</memory>\
             <vcpu cpuset='{vcpu}'>1</vcpu><os><type>hvm</type></os></domain>"
        );
        let e = err(&xml);
        assert_eq!(
            (e.libvirt_code(), e.libvirt_domain(), e.to_string().as_str()),
            (code, domain, message),
            "{vcpu:?}"
        );
    }
    let mut def = DomainDef::from_xml(
        "<domain type='test'><name>x</name><memory>1024</memory>\
         <vcpu cpuset='0-3,^2,8'>1</vcpu><os><type>hvm</type></os></domain>",
    )
    .unwrap();
    def.fill_defaults();
    assert!(def.to_xml().unwrap().contains("cpuset='0-1,3,8'"));

    let e = err(
        "<domain type='test'><name>a/b</name><memory>1024</memory><os><type>hvm</type></os></domain>",
    );
    assert_eq!(
        (e.libvirt_code(), e.libvirt_domain(), e.to_string().as_str()),
        (27, 20, "XML error: name a/b cannot contain '/'")
    );
}
