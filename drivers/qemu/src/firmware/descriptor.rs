//! QEMU's firmware descriptors (`docs/interop/firmware.json`): the JSON files firmware
//! packages install under `/usr/share/qemu/firmware` (Debian's `ovmf` ships three),
//! overridden by a file of the same name under `/etc/qemu/firmware`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Where descriptors are looked for, lowest precedence first (libvirt's order: a
/// file in a later directory replaces one of the same name in an earlier one).
pub const DESCRIPTOR_DIRS: &[&str] = &["/usr/share/qemu/firmware", "/etc/qemu/firmware"];

/// The largest descriptor read; bigger files are skipped (real ones are ~1 KiB).
pub const MAX_DESCRIPTOR_BYTES: u64 = 64 * 1024;

/// The most descriptors read from one directory.
pub const MAX_DESCRIPTORS: usize = 256;

/// One target of a descriptor: an architecture and the machine-type globs it runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `architecture` (`x86_64`).
    pub architecture: String,
    /// `machines` globs (`pc-q35-*`).
    pub machines: Vec<String>,
}

/// A parsed descriptor of a `flash` firmware (the only mapping the driver runs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    /// The descriptor file.
    pub file: PathBuf,
    /// `interface-types` (`uefi`, `bios`).
    pub interfaces: Vec<String>,
    /// `mapping.executable.filename`: the read-only code.
    pub executable: PathBuf,
    /// `mapping.executable.format` (`raw`).
    pub executable_format: String,
    /// `mapping.nvram-template.filename`, if the firmware keeps variables.
    pub nvram_template: Option<PathBuf>,
    /// `mapping.nvram-template.format`.
    pub nvram_format: String,
    /// `targets`.
    pub targets: Vec<Target>,
    /// `features` (`secure-boot`, `enrolled-keys`, `requires-smm`, …).
    pub features: Vec<String>,
}

impl Descriptor {
    /// Whether the firmware has `feature`.
    pub fn has(&self, feature: &str) -> bool {
        self.features.iter().any(|f| f == feature)
    }

    /// Parses one descriptor; `None` for another mapping than `flash`, or a malformed
    /// one (libvirt skips those too).
    pub fn parse(file: &Path, text: &str) -> Option<Descriptor> {
        let v: Value = serde_json::from_str(text).ok()?;
        let strings = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let mapping = v.get("mapping")?;
        if mapping.get("device")?.as_str()? != "flash" {
            return None;
        }
        let exe = mapping.get("executable")?;
        let path_of = |v: &Value| v.get("filename")?.as_str().map(PathBuf::from);
        let format_of = |v: &Value| {
            v.get("format")
                .and_then(Value::as_str)
                .unwrap_or("raw")
                .to_owned()
        };
        let template = mapping.get("nvram-template");
        let targets = v
            .get("targets")?
            .as_array()?
            .iter()
            .filter_map(|t| {
                Some(Target {
                    architecture: t.get("architecture")?.as_str()?.to_owned(),
                    machines: strings(t.get("machines")),
                })
            })
            .collect();
        Some(Descriptor {
            file: file.to_path_buf(),
            interfaces: strings(v.get("interface-types")),
            executable: path_of(exe)?,
            executable_format: format_of(exe),
            nvram_template: template.and_then(path_of),
            nvram_format: template.map(format_of).unwrap_or_else(|| "raw".into()),
            targets,
            features: strings(v.get("features")),
        })
    }
}

/// Reads the descriptors of `dirs` (lowest precedence first), ordered by file name as
/// libvirt orders them (the number prefix is the priority). Unreadable, oversized and
/// malformed files are skipped; so is a file name starting with `.`.
pub fn load(dirs: &[PathBuf]) -> Vec<Descriptor> {
    let mut by_name: BTreeMap<String, PathBuf> = BTreeMap::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in entries.flatten().take(MAX_DESCRIPTORS) {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !name.ends_with(".json") {
                continue;
            }
            by_name.insert(name, e.path());
        }
    }
    by_name
        .values()
        .filter_map(|path| {
            let f = std::fs::File::open(path).ok()?;
            let mut text = String::new();
            f.take(MAX_DESCRIPTOR_BYTES + 1)
                .read_to_string(&mut text)
                .ok()?;
            if text.len() as u64 > MAX_DESCRIPTOR_BYTES {
                return None;
            }
            Descriptor::parse(path, &text)
        })
        .collect()
}

/// Shell-style glob match (`*` and `?`), as QEMU's descriptors use for machine types.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECURE: &str = r#"{
        "description": "UEFI firmware for x86_64, with Secure Boot and SMM",
        "interface-types": ["uefi"],
        "mapping": {
            "device": "flash",
            "executable": {"filename": "/fw/CODE.secboot.fd", "format": "raw"},
            "nvram-template": {"filename": "/fw/VARS.fd", "format": "raw"}
        },
        "targets": [{"architecture": "x86_64", "machines": ["pc-q35-*"]}],
        "features": ["acpi-s3", "requires-smm", "secure-boot"],
        "tags": []
    }"#;

    #[test]
    fn parses_a_flash_descriptor() {
        let d = Descriptor::parse(Path::new("/d/50.json"), SECURE).unwrap();
        assert_eq!(d.interfaces, ["uefi"]);
        assert_eq!(d.executable, Path::new("/fw/CODE.secboot.fd"));
        assert_eq!(d.nvram_template.as_deref(), Some(Path::new("/fw/VARS.fd")));
        assert_eq!(d.targets[0].machines, ["pc-q35-*"]);
        assert!(d.has("secure-boot") && d.has("requires-smm") && !d.has("enrolled-keys"));
    }

    #[test]
    fn skips_other_mappings_and_garbage() {
        let memory = SECURE.replace("\"flash\"", "\"memory\"");
        assert!(Descriptor::parse(Path::new("m.json"), &memory).is_none());
        assert!(Descriptor::parse(Path::new("g.json"), "{not json").is_none());
        assert!(Descriptor::parse(Path::new("e.json"), "{}").is_none());
    }

    #[test]
    fn later_directories_override_by_name_and_order_is_by_name() {
        let root = std::env::temp_dir().join(format!("rvirt-fw-{}", std::process::id()));
        let (a, b) = (root.join("usr"), root.join("etc"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(a.join("60-plain.json"), SECURE.replace("secboot", "plain")).unwrap();
        std::fs::write(a.join("50-secure.json"), SECURE).unwrap();
        std::fs::write(b.join("50-secure.json"), SECURE.replace("secboot", "local")).unwrap();
        std::fs::write(a.join("70-huge.json"), " ".repeat(70 * 1024)).unwrap();
        let all = load(&[a, b]);
        let exes: Vec<_> = all.iter().map(|d| d.executable.clone()).collect();
        assert_eq!(
            exes,
            [
                PathBuf::from("/fw/CODE.local.fd"),
                PathBuf::from("/fw/CODE.plain.fd")
            ]
        );
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn globs() {
        assert!(glob_match("pc-q35-*", "pc-q35-7.2"));
        assert!(!glob_match("pc-q35-*", "pc-i440fx-7.2"));
        assert!(glob_match("pc-i440fx-?.?", "pc-i440fx-7.2"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("pc", "pc-q35-7.2"));
    }
}
