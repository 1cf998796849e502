//! The host's SMBIOS tables as `<sysinfo type='smbios'>` (`virConnectGetSysinfo`),
//! shared by the drivers that run guests on this host: read with `dmidecode`, as
//! libvirt reads them on x86, and formatted as libvirt formats them. Hosts without
//! DMI tables (many containers and VMs) have none; the drivers then answer libvirt's
//! "Host SMBIOS information is not available".

use std::process::Command;
use std::sync::OnceLock;

/// `dmidecode`'s structure types libvirt asks for: BIOS, system, base board, chassis,
/// processor, OEM strings, memory device.
const TYPES: &str = "0,1,2,3,4,11,17";

/// One `<sysinfo>` section: its element and libvirt's entry names for dmidecode's
/// keys, in libvirt's order.
struct Section {
    dmi: &'static str,
    element: &'static str,
    keys: &'static [(&'static str, &'static str)],
}

const SECTIONS: [Section; 6] = [
    Section {
        dmi: "BIOS Information",
        element: "bios",
        keys: &[
            ("Vendor", "vendor"),
            ("Version", "version"),
            ("Release Date", "date"),
            ("BIOS Revision", "release"),
        ],
    },
    Section {
        dmi: "System Information",
        element: "system",
        keys: &[
            ("Manufacturer", "manufacturer"),
            ("Product Name", "product"),
            ("Version", "version"),
            ("Serial Number", "serial"),
            ("UUID", "uuid"),
            ("SKU Number", "sku"),
            ("Family", "family"),
        ],
    },
    Section {
        dmi: "Base Board Information",
        element: "baseBoard",
        keys: &[
            ("Manufacturer", "manufacturer"),
            ("Product Name", "product"),
            ("Version", "version"),
            ("Serial Number", "serial"),
            ("Asset Tag", "asset"),
            ("Location In Chassis", "location"),
        ],
    },
    Section {
        dmi: "Chassis Information",
        element: "chassis",
        keys: &[
            ("Manufacturer", "manufacturer"),
            ("Version", "version"),
            ("Serial Number", "serial"),
            ("Asset Tag", "asset"),
            ("SKU Number", "sku"),
        ],
    },
    Section {
        dmi: "Processor Information",
        element: "processor",
        keys: &[
            ("Socket Designation", "socket_destination"),
            ("Type", "type"),
            ("Family", "family"),
            ("Manufacturer", "manufacturer"),
            ("Signature", "signature"),
            ("Version", "version"),
            ("External Clock", "external_clock"),
            ("Max Speed", "max_speed"),
            ("Status", "status"),
            ("Serial Number", "serial_number"),
            ("Part Number", "part_number"),
        ],
    },
    Section {
        dmi: "Memory Device",
        element: "memory_device",
        keys: &[
            ("Size", "size"),
            ("Form Factor", "form_factor"),
            ("Locator", "locator"),
            ("Bank Locator", "bank_locator"),
            ("Type", "type"),
            ("Type Detail", "type_detail"),
            ("Speed", "speed"),
            ("Manufacturer", "manufacturer"),
            ("Serial Number", "serial_number"),
            ("Part Number", "part_number"),
        ],
    },
];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
}

/// The blocks of `dmidecode -q` output: a title line, then tab-indented `Key: value`
/// lines (continuation lines of lists are skipped).
fn blocks(text: &str) -> Vec<(&str, Vec<(&str, &str)>)> {
    let mut out: Vec<(&str, Vec<(&str, &str)>)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.starts_with('\t') {
            out.push((line.trim(), Vec::new()));
        } else if !line.starts_with("\t\t")
            && let (Some(block), Some((k, v))) = (out.last_mut(), line.trim().split_once(':'))
        {
            block.1.push((k.trim(), v.trim()));
        }
    }
    out
}

/// `<sysinfo type='smbios'>` from `dmidecode -q -t 0,1,2,3,4,11,17` output, as libvirt
/// formats it; `None` when the output holds none of the tables (no DMI).
///
/// ```
/// let out = "BIOS Information\n\tVendor: SeaBIOS\n\tVersion: 1.16.0\n\
///            \tRelease Date: 04/01/2014\n\tBIOS Revision: 0.0\n";
/// let xml = rvirt_core::sysinfo::from_dmidecode(out).unwrap();
/// assert!(xml.contains("<entry name='vendor'>SeaBIOS</entry>"));
/// assert!(rvirt_core::sysinfo::from_dmidecode("# No SMBIOS nor DMI entry point found, sorry.\n").is_none());
/// ```
pub fn from_dmidecode(text: &str) -> Option<String> {
    let blocks = blocks(text);
    let mut body = String::new();
    // bios, system, baseBoard, chassis: the first of each; processors and memory
    // devices: each (a slot without a module skipped, as libvirt skips it).
    for section in &SECTIONS {
        let many = matches!(section.element, "processor" | "memory_device");
        let found = blocks.iter().filter(|(t, _)| *t == section.dmi);
        for (_, kv) in found.take(if many { usize::MAX } else { 1 }) {
            let get = |k: &str| kv.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
            if section.element == "memory_device" && get("Size") == Some("No Module Installed") {
                continue;
            }
            let entries: Vec<String> = section
                .keys
                .iter()
                .filter_map(|(dmi, name)| {
                    get(dmi)
                        .filter(|v| !v.is_empty())
                        .map(|v| format!("    <entry name='{name}'>{}</entry>\n", escape(v)))
                })
                .collect();
            if entries.is_empty() {
                continue;
            }
            body.push_str(&format!("  <{}>\n", section.element));
            body.extend(entries);
            body.push_str(&format!("  </{}>\n", section.element));
        }
    }
    let oem: Vec<&str> = blocks
        .iter()
        .filter(|(t, _)| *t == "OEM Strings")
        .flat_map(|(_, kv)| kv.iter().map(|(_, v)| *v))
        .collect();
    if !oem.is_empty() {
        body.push_str("  <oemStrings>\n");
        for s in oem {
            body.push_str(&format!("    <entry>{}</entry>\n", escape(s)));
        }
        body.push_str("  </oemStrings>\n");
    }
    if body.is_empty() {
        return None;
    }
    Some(format!("<sysinfo type='smbios'>\n{body}</sysinfo>\n"))
}

/// The host's `<sysinfo>`, read once per process (`None` without DMI tables or
/// without `dmidecode`).
pub fn host_sysinfo() -> Option<&'static str> {
    static HOST: OnceLock<Option<String>> = OnceLock::new();
    HOST.get_or_init(|| {
        let out = Command::new("dmidecode")
            .args(["-q", "-t", TYPES])
            .output()
            .ok()?;
        from_dmidecode(&String::from_utf8_lossy(&out.stdout))
    })
    .as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "BIOS Information
\tVendor: LENOVO
\tVersion: G4ETA1WW (2.61 )
\tRelease Date: 05/07/2014
\tAddress: 0xE0000
\tCharacteristics:
\t\tPCI is supported
\tBIOS Revision: 2.61

System Information
\tManufacturer: LENOVO
\tProduct Name: 20BE0061MC
\tVersion: ThinkPad T540p
\tSerial Number: PB1ABCDE
\tUUID: 1a2b3c4d-0000-0000-0000-000000000000
\tWake-up Type: Power Switch
\tSKU Number: LENOVO_MT_20BE
\tFamily: ThinkPad T540p

Processor Information
\tSocket Designation: CPU Socket - U3E1
\tType: Central Processor
\tFamily: Core i7
\tManufacturer: Intel(R) Corporation
\tSignature: Type 0, Family 6, Model 60, Stepping 3
\tVersion: Intel(R) Core(TM) i7-4900MQ CPU @ 2.80GHz
\tExternal Clock: 100 MHz
\tMax Speed: 2800 MHz
\tStatus: Populated, Enabled
\tSerial Number: None
\tPart Number: None

OEM Strings
\tString 1: vendor <string>

Memory Device
\tSize: No Module Installed
\tLocator: ChannelA-DIMM1

Memory Device
\tSize: 4096 MB
\tForm Factor: SODIMM
\tLocator: ChannelB-DIMM0
\tBank Locator: BANK 2
\tType: DDR3
\tType Detail: Synchronous
\tSpeed: 1600 MT/s
\tManufacturer: Samsung
\tSerial Number: 12345678
\tPart Number: M471B5173QH0-YK0
";

    #[test]
    fn dmidecode_tables_become_libvirts_sysinfo() {
        let xml = from_dmidecode(SAMPLE).unwrap();
        assert!(
            xml.starts_with(
                "<sysinfo type='smbios'>\n  <bios>\n    <entry name='vendor'>LENOVO</entry>\n"
            ),
            "{xml}"
        );
        assert!(
            xml.contains("<entry name='release'>2.61</entry>\n  </bios>"),
            "{xml}"
        );
        assert!(
            xml.contains("<entry name='sku'>LENOVO_MT_20BE</entry>"),
            "{xml}"
        );
        assert!(
            xml.contains("<entry name='socket_destination'>CPU Socket - U3E1</entry>"),
            "{xml}"
        );
        assert_eq!(
            xml.matches("<memory_device>").count(),
            1,
            "empty slot skipped: {xml}"
        );
        assert!(xml.contains("<entry name='size'>4096 MB</entry>"), "{xml}");
        assert!(
            xml.contains("<oemStrings>\n    <entry>vendor &lt;string&gt;</entry>"),
            "{xml}"
        );
        assert!(!xml.contains("Wake-up"), "{xml}");
        assert!(xml.ends_with("</sysinfo>\n"));
    }
}
