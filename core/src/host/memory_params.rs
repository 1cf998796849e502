//! The host's memory tunables as libvirt's `virNodeGetMemoryParameters` reports them:
//! the kernel's same-page merging (KSM) settings and counters from
//! `/sys/kernel/mm/ksm`, as `shm_*` typed parameters in libvirt's order.

use std::path::Path;

use crate::api::{TypedParam, TypedValue};
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// Where the kernel keeps KSM's files.
const KSM: &str = "/sys/kernel/mm/ksm";

/// `(file, parameter, unsigned int rather than unsigned long long)` in libvirt's order.
const FIELDS: [(&str, &str, bool); 8] = [
    ("pages_to_scan", "shm_pages_to_scan", true),
    ("sleep_millisecs", "shm_sleep_millisecs", true),
    ("pages_shared", "shm_pages_shared", false),
    ("pages_sharing", "shm_pages_sharing", false),
    ("pages_unshared", "shm_pages_unshared", false),
    ("pages_volatile", "shm_pages_volatile", false),
    ("full_scans", "shm_full_scans", false),
    ("merge_across_nodes", "shm_merge_across_nodes", true),
];

/// The parameters read from the KSM directory `dir`; `merge_across_nodes` is left
/// out where the kernel lacks it (no NUMA), as libvirt leaves it.
///
/// Errors: `VIR_ERR_SYSTEM_ERROR` naming the file that cannot be read or parsed.
pub fn memory_parameters_in(dir: &Path, domain: ErrorDomain) -> Result<Vec<TypedParam>> {
    let mut out = Vec::new();
    for (file, name, uint) in FIELDS {
        let path = dir.join(file);
        if file == "merge_across_nodes" && !path.exists() {
            continue;
        }
        let value: u64 = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|s| {
                s.trim()
                    .parse()
                    .map_err(|e: std::num::ParseIntError| e.to_string())
            })
            .map_err(|e| {
                Error::new(
                    ErrorCode::SystemError,
                    domain,
                    format!(
                        "unable to parse memory parameter value of '{}': {e}",
                        path.display()
                    ),
                )
            })?;
        out.push(TypedParam::new(
            name,
            if uint {
                TypedValue::UInt(u32::try_from(value).unwrap_or(u32::MAX))
            } else {
                TypedValue::ULLong(value)
            },
        ));
    }
    Ok(out)
}

/// [`memory_parameters_in`] of the host's `/sys/kernel/mm/ksm`.
pub fn memory_parameters(domain: ErrorDomain) -> Result<Vec<TypedParam>> {
    memory_parameters_in(Path::new(KSM), domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksm_files_become_libvirts_parameters() {
        let dir = std::env::temp_dir().join(format!("rvirt-ksm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (file, _, _) in FIELDS {
            let v = if file == "pages_to_scan" {
                "100\n"
            } else {
                "7\n"
            };
            std::fs::write(dir.join(file), v).unwrap();
        }
        let p = memory_parameters_in(&dir, ErrorDomain::Qemu).unwrap();
        assert_eq!(p.len(), 8);
        assert_eq!(
            p[0],
            TypedParam::new("shm_pages_to_scan", TypedValue::UInt(100))
        );
        assert_eq!(
            p[2],
            TypedParam::new("shm_pages_shared", TypedValue::ULLong(7))
        );
        assert_eq!(p[7].field, "shm_merge_across_nodes");
        std::fs::remove_file(dir.join("merge_across_nodes")).unwrap();
        assert_eq!(
            memory_parameters_in(&dir, ErrorDomain::Qemu).unwrap().len(),
            7
        );
        std::fs::write(dir.join("full_scans"), "x").unwrap();
        let e = memory_parameters_in(&dir, ErrorDomain::Qemu).unwrap_err();
        assert_eq!(e.code(), ErrorCode::SystemError);
        assert!(e.message().contains("full_scans"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
