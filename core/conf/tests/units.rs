//! Memory unit parsing and conversion, checked against libvirt's rules.

use rvirt_conf::{Defaults, DomainDef, Memory, MemoryUnit};

#[test]
fn unit_conversion_table() {
    // (unit as written, value, bytes, KiB as libvirt stores it, canonical unit)
    let table: &[(&str, u64, u64, u64, &str)] = &[
        ("b", 1000, 1000, 1, "bytes"),
        ("byte", 1000, 1000, 1, "bytes"),
        ("bytes", 2048, 2048, 2, "bytes"),
        ("B", 1, 1, 1, "bytes"),
        ("k", 1000, 1_024_000, 1000, "KiB"),
        ("K", 1, 1024, 1, "KiB"),
        ("KiB", 4_194_304, 4_294_967_296, 4_194_304, "KiB"),
        ("kib", 7, 7 * 1024, 7, "KiB"),
        ("KB", 1, 1000, 1, "KB"),
        ("kB", 1024, 1_024_000, 1000, "KB"),
        ("M", 1, 1 << 20, 1024, "MiB"),
        ("MiB", 512, 512 << 20, 512 * 1024, "MiB"),
        ("MB", 1, 1_000_000, 977, "MB"),
        ("G", 2, 2 << 30, 2 << 20, "GiB"),
        ("GiB", 1, 1 << 30, 1 << 20, "GiB"),
        ("GB", 1, 1_000_000_000, 976_563, "GB"),
        ("T", 1, 1 << 40, 1 << 30, "TiB"),
        ("TB", 1, 1_000_000_000_000, 976_562_500, "TB"),
        ("P", 1, 1 << 50, 1 << 40, "PiB"),
        ("PB", 1, 1_000_000_000_000_000, 976_562_500_000, "PB"),
        ("E", 1, 1 << 60, 1 << 50, "EiB"),
        (
            "EB",
            1,
            1_000_000_000_000_000_000,
            976_562_500_000_000,
            "EB",
        ),
        ("eib", 15, 15 << 60, 15 << 50, "EiB"),
    ];
    for &(unit, value, bytes, kib, canonical) in table {
        let u: MemoryUnit = unit.parse().unwrap_or_else(|e| panic!("{unit}: {e}"));
        assert_eq!(u.as_str(), canonical, "{unit}");
        let m = Memory::new(value, u);
        assert_eq!(m.bytes(), Some(bytes), "{value} {unit} in bytes");
        assert_eq!(m.kib(), kib, "{value} {unit} in KiB");

        // Through the XML front door, and back out in canonical spelling.
        let def = DomainDef::from_xml(&format!(
            "<domain type='test'><name>u</name><memory unit='{unit}'>{value}</memory>\
             <os><type>hvm</type></os></domain>"
        ))
        .unwrap();
        assert_eq!(def.memory_kib(), kib, "{value} {unit}");
        assert_eq!(def.current_memory_kib(), kib);
        let out = def.to_xml().unwrap();
        assert!(
            out.contains(&format!("<memory unit='{canonical}'>{value}</memory>")),
            "{out}"
        );
    }
}

#[test]
fn missing_unit_means_kib_and_is_written_explicitly() {
    let def = DomainDef::from_xml(
        "<domain type='test'><name>u</name><memory>2048</memory><os><type>hvm</type></os></domain>",
    )
    .unwrap();
    assert_eq!(def.memory.unit, MemoryUnit::KiB);
    assert_eq!(def.memory_kib(), 2048);
    assert!(
        def.to_xml()
            .unwrap()
            .contains("<memory unit='KiB'>2048</memory>")
    );
}

#[test]
fn invalid_units_rejected() {
    for unit in ["", "x", "KiBs", "iB", "Kb2", "kilo", "bitsy", "Z", "ZiB"] {
        assert!(unit.parse::<MemoryUnit>().is_err(), "{unit:?} accepted");
    }
}

#[test]
fn overflow_detection() {
    let m = Memory::new(16, MemoryUnit::EiB);
    assert_eq!(m.bytes(), None);
    assert_eq!(m.kib(), 16 << 50); // still representable in KiB
    assert!(m.check_overflow().is_err());
    let m = Memory::new(15, MemoryUnit::EiB);
    assert!(m.check_overflow().is_ok());
}

#[test]
fn fill_defaults_normalises_to_kib() {
    let mut def = DomainDef::from_xml(
        "<domain type='test'><name>u</name><memory unit='MB'>1</memory>\
         <currentMemory unit='GiB'>4</currentMemory><os><type>hvm</type></os></domain>",
    )
    .unwrap();
    def.fill_defaults();
    assert_eq!(def.memory, Memory::from_kib(977));
    // currentMemory larger than memory is clamped, as libvirt does.
    assert_eq!(def.current_memory, Some(Memory::from_kib(977)));
}

#[test]
fn numa_cells_make_up_the_memory_where_define_updates_the_abi() {
    let xml = "<domain type='kvm'><name>n</name><memory unit='GiB'>4</memory>\
         <maxMemory slots='4' unit='GiB'>8</maxMemory><vcpu>2</vcpu>\
         <os><type>hvm</type></os><cpu><numa>\
         <cell id='0' cpus='0' memory='512' unit='MiB'/>\
         <cell id='1' cpus='1' memory='1' unit='GiB'/></numa></cpu>\
         <devices><memory model='dimm'><target><size unit='MiB'>256</size>\
         <node>1</node></target></memory></devices></domain>";
    // The QEMU driver's define (libvirt's VIR_DOMAIN_DEF_PARSE_ABI_UPDATE): the cells
    // and the memory devices.
    let mut def = DomainDef::from_xml(xml).unwrap();
    def.post_parse(&Defaults::qemu()).unwrap();
    assert_eq!(def.memory, Memory::from_kib((1536 + 256) * 1024));
    assert_eq!(
        def.current_memory,
        Some(Memory::from_kib((1536 + 256) * 1024))
    );
    // The test driver keeps <memory> as written.
    let mut def = DomainDef::from_xml(xml).unwrap();
    def.post_parse(&Defaults::test_driver()).unwrap();
    assert_eq!(def.memory, Memory::from_kib(4 * 1024 * 1024));
}

#[test]
fn a_memory_device_must_sit_on_an_existing_numa_node() {
    let xml = "<domain type='kvm'><name>n</name><memory unit='GiB'>1</memory>\
         <maxMemory slots='4' unit='GiB'>8</maxMemory><vcpu>1</vcpu>\
         <os><type>hvm</type></os><cpu><numa><cell id='0' cpus='0' memory='1' unit='GiB'/>\
         </numa></cpu><devices><memory model='dimm'><target><size unit='MiB'>256</size>\
         <node>1</node></target></memory></devices></domain>";
    let mut def = DomainDef::from_xml(xml).unwrap();
    let e = def.post_parse(&Defaults::qemu()).unwrap_err();
    assert_eq!((e.libvirt_code(), e.libvirt_domain()), (35, 20));
    assert_eq!(
        e.to_string(),
        "can't add memory backend for guest node '1' as the guest has only '1' NUMA nodes \
         configured"
    );
}
