//! XML the typed model does not know is kept where it was and printed back, never
//! refused (libvirt's schema allows far more than any driver acts on).

use rvirt_conf::{Device, DomainDef};

fn doc(extra: &str) -> String {
    format!(
        "<domain type='test'><name>x</name><memory>1024</memory>\
         <os><type>hvm</type></os>{extra}</domain>"
    )
}

fn round_trip(xml: &str) -> (DomainDef, String) {
    let def = DomainDef::from_xml(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let out = def.to_xml().unwrap();
    assert_eq!(DomainDef::from_xml(&out).unwrap(), def, "{out}");
    (def, out)
}

#[test]
fn unknown_top_level_element_is_kept() {
    let (def, out) = round_trip(&doc("<foo a='1'><bar/></foo>"));
    assert_eq!(def.extra.child("foo").unwrap().attr("a"), Some("1"));
    assert!(
        out.contains("  <foo a='1'>\n    <bar/>\n  </foo>\n"),
        "{out}"
    );
}

#[test]
fn unknown_device_is_kept_in_place() {
    let (def, out) = round_trip(&doc(
        "<devices><disk type='file'><source file='/a'/><target dev='vda'/></disk><foo/></devices>",
    ));
    assert!(matches!(&def.devices()[1], Device::Other(e) if e.name == "foo"));
    assert!(out.contains("<foo/>"), "{out}");
}

#[test]
fn disk_tuning_and_backing_chains_are_kept() {
    let (def, out) = round_trip(&doc("<devices>\
           <disk type='file'><source file='/b'/><target dev='vdb'/><iotune><total_iops_sec>5</total_iops_sec>\
           <read_bytes_sec_max>7</read_bytes_sec_max></iotune></disk>\
           <disk type='file'><source file='/a'/>\
           <backingStore type='file'><format type='qcow2'/><source file='/base'/></backingStore>\
           <target dev='vda'/></disk></devices>"));
    let disk = |dev: &str| def.disks().find(|d| d.target.dev == dev).unwrap();
    assert_eq!(disk("vdb").iotune.as_ref().unwrap().total_iops_sec, Some(5));
    let backing = disk("vda").backing_store.as_ref().unwrap();
    assert_eq!(
        backing.source.as_ref().unwrap().file.as_deref(),
        Some("/base")
    );
    assert!(
        out.contains("<read_bytes_sec_max>7</read_bytes_sec_max>"),
        "{out}"
    );
}

#[test]
fn unknown_attributes_are_kept() {
    let (def, out) = round_trip(&doc(
        "<devices><disk type='file' frobnicate='yes'><source file='/a'/><target dev='vda'/></disk></devices>\
         <features><apic eoi='on' bogus='1'/></features>",
    ));
    assert_eq!(
        def.disks().next().unwrap().extra.attr("frobnicate"),
        Some("yes")
    );
    assert!(out.contains("<apic eoi='on' bogus='1'/>"), "{out}");
}

#[test]
fn driver_namespaces_are_kept() {
    let xml = "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\
         <name>x</name><memory>1</memory><os><type>hvm</type></os>\
         <qemu:commandline><qemu:arg value='-s'/><qemu:env name='A' value='b'/></qemu:commandline></domain>";
    let (def, out) = round_trip(xml);
    assert_eq!(
        def.extra.attr("xmlns:qemu"),
        Some("http://libvirt.org/schemas/domain/qemu/1.0")
    );
    assert!(
        out.starts_with(
            "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
        ),
        "{out}"
    );
    assert!(
        out.ends_with(
            "  <qemu:commandline>\n    <qemu:arg value='-s'/>\n    <qemu:env name='A' value='b'/>\n  \
             </qemu:commandline>\n</domain>\n"
        ),
        "{out}"
    );
}

#[test]
fn text_where_the_model_expects_none_is_kept() {
    let (def, out) = round_trip(&doc("<features><acpi>yes please</acpi></features>"));
    // Not the plain <acpi/> flag, so it stays as written.
    assert!(!def.features.as_ref().unwrap().acpi);
    assert!(out.contains("<acpi>yes please</acpi>"), "{out}");
}

#[test]
fn cpu_model_without_name_is_accepted() {
    let (def, out) = round_trip(&doc(
        "<cpu mode='host-model' check='partial'><model fallback='allow'/></cpu>",
    ));
    let model = def.cpu.as_ref().unwrap().model.as_ref().unwrap();
    assert_eq!(model.name, None);
    assert!(
        out.contains(
            "<cpu mode='host-model' check='partial'>\n    <model fallback='allow'/>\n  </cpu>"
        ),
        "{out}"
    );
}
