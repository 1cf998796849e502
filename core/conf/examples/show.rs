fn main() {
    for s in [
        "<domain type='test'><name>x</name><memory> 1024 </memory><os><type>hvm</type></os></domain>",
        "<domain type='test'><name>x</name><memory>1024</memory><vcpu> 2 </vcpu><os><type>hvm</type></os></domain>",
        "<domain type='test'><name>x</name><memory>1024</memory><os><boot dev='hd'/><type>hvm</type><boot dev='cdrom'/></os></domain>",
        "<domain type='test'><name>x</name><memory>1024</memory><os><type>hvm</type></os><name>y</name></domain>",
        "<domain type='test'><name>x</name><memory>1024</memory><os><type>hvm</type></os><devices/></domain>",
        "<domain type='test'><name>x</name><memory>1024</memory><os><type>hvm</type></os><features/></domain>",
        "<domain type='test'><name>x</name><memory>1024</memory><os><type> hvm </type></os></domain>",
        "<domain type='test'><name>x</name><memory>1024</memory><os><type>hvm</type><loader readonly='yes'/></os></domain>",
        "<domain type='test'><name>x</name><memory>1024</memory><os><type>hvm</type></os><on_crash> destroy </on_crash></domain>",
        "<domain type='test'><name>x</name><memory>1024</memory><os><type>hvm</type></os><devices><emulator/></devices></domain>",
        "<domain type='test'><name>x</name><title/><memory>1024</memory><os><type>hvm</type></os></domain>",
    ] {
        match rvirt_conf::DomainDef::from_xml(s) {
            Ok(d) => println!("OK {:?}\n{}", d, d.to_xml().unwrap()),
            Err(e) => println!("ERR {} {}", e.libvirt_code(), e),
        }
    }
}
