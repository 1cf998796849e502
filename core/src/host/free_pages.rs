//! Free pages of each size on the host's NUMA cells, as libvirt's
//! `virNodeGetFreePages` reports them: the system page size from a cell's `MemFree`,
//! huge pages from the cell's `hugepages-SIZEkB/free_hugepages` (the host's
//! `/proc/meminfo` and `/sys/kernel/mm/hugepages` without NUMA in sysfs).

use std::path::{Path, PathBuf};

use crate::host::node::{mem_free_kib, parse_list};
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// Where sysfs describes NUMA nodes.
const NODE_DIR: &str = "/sys/devices/system/node";

/// The system page size, KiB.
fn system_page_kib() -> u64 {
    // SAFETY: sysconf(3) has no preconditions.
    let bytes = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(bytes).map_or(4, |b| b / 1024)
}

/// The host's cells: their directory under `root` (`None`: the host as one cell).
fn cells(root: &Path) -> Vec<(u32, Option<PathBuf>)> {
    let online = std::fs::read_to_string(root.join("online"))
        .map(|t| parse_list(&t))
        .unwrap_or_default();
    if online.is_empty() {
        return vec![(0, None)];
    }
    online
        .into_iter()
        .map(|n| (n, Some(root.join(format!("node{n}")))))
        .collect()
}

/// Free pages of `page_kib` KiB on a cell (its sysfs directory, or the whole host).
fn free_of(cell: u32, dir: Option<&Path>, page_kib: u32, domain: ErrorDomain) -> Result<u64> {
    let page = u64::from(page_kib);
    if page == system_page_kib() {
        let meminfo = match dir {
            Some(d) => d.join("meminfo"),
            None => PathBuf::from("/proc/meminfo"),
        };
        let text = std::fs::read_to_string(&meminfo).map_err(|e| {
            Error::new(
                ErrorCode::SystemError,
                domain,
                format!("unable to read {}: {e}", meminfo.display()),
            )
        })?;
        return Ok(mem_free_kib(&text).unwrap_or(0) / page);
    }
    let pool = match dir {
        Some(d) => d.join(format!("hugepages/hugepages-{page_kib}kB/free_hugepages")),
        None => PathBuf::from(format!(
            "/sys/kernel/mm/hugepages/hugepages-{page_kib}kB/free_hugepages"
        )),
    };
    std::fs::read_to_string(&pool)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| {
            Error::new(
                ErrorCode::OperationFailed,
                domain,
                format!("page size {page_kib} is not available on node {cell}"),
            )
        })
}

/// [`free_pages`] of the NUMA sysfs tree at `root`.
pub fn free_pages_in(
    root: &Path,
    pages: &[u32],
    start: i32,
    count: u32,
    domain: ErrorDomain,
) -> Result<Vec<u64>> {
    let cells = cells(root);
    let last = cells.iter().map(|(n, _)| *n).max().unwrap_or(0);
    let Some(first) = u32::try_from(start).ok().filter(|&s| s <= last) else {
        return Err(Error::internal(
            domain,
            format!("start cell {start} out of range (0-{last})"),
        ));
    };
    let end = first.saturating_add(count).min(last + 1);
    let mut out = Vec::new();
    for (cell, dir) in cells.iter().filter(|(n, _)| (first..end).contains(n)) {
        for &page in pages {
            out.push(free_of(*cell, dir.as_deref(), page, domain)?);
        }
    }
    if out.is_empty() {
        return Err(Error::new(
            ErrorCode::OperationFailed,
            domain,
            "no suitable info found",
        ));
    }
    Ok(out)
}

/// `virNodeGetFreePages`: free pages of each size in `pages` (KiB) on the cells
/// `start..start+count` that exist, cell after cell.
///
/// Errors: a start beyond the last cell ("start cell N out of range (0-M)"), a page
/// size the host has no pool of ("page size N is not available on node C").
pub fn free_pages(pages: &[u32], start: i32, count: u32, domain: ErrorDomain) -> Result<Vec<u64>> {
    free_pages_in(Path::new(NODE_DIR), pages, start, count, domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_pages_and_refusals() {
        let root = std::env::temp_dir().join(format!("rvirt-numa-{}", std::process::id()));
        let pool = root.join("node0/hugepages/hugepages-2048kB");
        std::fs::create_dir_all(&pool).unwrap();
        std::fs::create_dir_all(root.join("node1")).unwrap();
        std::fs::write(root.join("online"), "0-1\n").unwrap();
        let page = system_page_kib();
        std::fs::write(
            root.join("node0/meminfo"),
            format!("Node 0 MemFree: {} kB\n", 100 * page),
        )
        .unwrap();
        std::fs::write(
            root.join("node1/meminfo"),
            format!("Node 1 MemFree: {} kB\n", 7 * page),
        )
        .unwrap();
        std::fs::write(pool.join("free_hugepages"), "3\n").unwrap();
        let page32 = page as u32;
        assert_eq!(
            free_pages_in(&root, &[page32, 2048], 0, 1, ErrorDomain::Qemu).unwrap(),
            [100, 3]
        );
        assert_eq!(
            free_pages_in(&root, &[page32], 0, 9, ErrorDomain::Qemu).unwrap(),
            [100, 7]
        );
        let e = free_pages_in(&root, &[2048], 1, 1, ErrorDomain::Qemu).unwrap_err();
        assert_eq!(e.message(), "page size 2048 is not available on node 1");
        let e = free_pages_in(&root, &[page32], 5, 1, ErrorDomain::Qemu).unwrap_err();
        assert_eq!(e.message(), "start cell 5 out of range (0-1)");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
