//! URIs, roots and definitions (no container is started: runs anywhere).

use rvirt_core::api::ListFlags;
use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, ErrorCode, OpenOptions};

const XML: &str = "<domain type='lxc'><name>def1</name><memory unit='MiB'>32</memory>\
                   <os><type>exe</type><init>/bin/sh</init></os></domain>";

#[test]
fn system_uri_uses_the_configured_root_and_persists_definitions_atomically() {
    rvirt_driver_lxc::register().unwrap();
    let root = std::env::temp_dir().join(format!("rvl-sys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    rvirt_driver_lxc::set_system_root(&root);
    assert_eq!(rvirt_driver_lxc::system_root(), root);
    let l = DefaultLoop::new().unwrap();
    for uri in ["lxc:///system", "lxc:///"] {
        let conn = Connect::open_with_loop(uri, l.shared()).unwrap();
        assert_eq!(conn.hypervisor_type().unwrap(), "LXC");
        let dom = match conn.lookup_domain_by_name("def1") {
            Ok(d) => d,
            Err(_) => conn.define_xml(XML).unwrap(),
        };
        assert!(root.join("etc/lxc/def1.xml").is_file());
        let listed = conn.list_all_domains(ListFlags::INACTIVE).unwrap();
        assert_eq!(listed.len(), 1);
        let xml = dom.xml_desc(0).unwrap();
        assert!(xml.contains("<init>/bin/sh</init>"), "{xml}");
        conn.close().unwrap();
    }
    // No temp file is left next to the definition.
    let names: Vec<_> = std::fs::read_dir(root.join("etc/lxc"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, ["def1.xml"]);
    let conn = Connect::open_with_loop("lxc:///system", l.shared()).unwrap();
    let dom = conn.lookup_domain_by_name("def1").unwrap();
    dom.undefine().unwrap();
    assert!(!root.join("etc/lxc/def1.xml").exists());
    assert_eq!(
        conn.lookup_domain_by_name("def1").unwrap_err().code(),
        ErrorCode::NoDomain
    );
    conn.close().unwrap();
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn bad_uris_definitions_and_missing_loops_are_refused() {
    rvirt_driver_lxc::register().unwrap();
    let l = DefaultLoop::new().unwrap();
    let e = Connect::open_with_loop("lxc:///nowhere", l.shared()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoSupport);
    let e = Connect::open_with_loop("lxc:///embed", l.shared()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg);
    let e = Connect::open_with("lxc:///embed?root=/tmp/rvl-noloop", OpenOptions::default())
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigUnsupported);

    let root = std::env::temp_dir().join(format!("rvl-bad-{}", std::process::id()));
    let conn =
        Connect::open_with_loop(&format!("lxc:///embed?root={}", root.display()), l.shared())
            .unwrap();
    let hvm = XML.replace("<type>exe</type>", "<type>hvm</type>");
    assert_eq!(
        conn.define_xml(&hvm).unwrap_err().code(),
        ErrorCode::ConfigUnsupported
    );
    let kvm = XML.replace("type='lxc'", "type='kvm'");
    assert_eq!(
        conn.define_xml(&kvm).unwrap_err().code(),
        ErrorCode::ConfigUnsupported
    );
    let no_mem = XML.replace("<memory unit='MiB'>32</memory>", "");
    assert_eq!(
        conn.define_xml(&no_mem).unwrap_err().code(),
        ErrorCode::XmlError
    );
    assert!(!root.join("etc/lxc/def1.xml").exists());
    // Starting and stopping what is not running.
    let dom = conn.define_xml(XML).unwrap();
    assert_eq!(
        dom.destroy().unwrap_err().code(),
        ErrorCode::OperationInvalid
    );
    assert_eq!(
        dom.shutdown().unwrap_err().code(),
        ErrorCode::OperationInvalid
    );
    conn.close().unwrap();
    std::fs::remove_dir_all(&root).unwrap();
}
