//! The host's memory facts a guest's RAM backing needs: hugetlbfs mounts and their
//! page sizes (`/proc/thread-self/mounts`, `/proc/meminfo`), free huge pages
//! (`/sys/kernel/mm/hugepages`) and the NUMA nodes (`/sys/devices/system/node`).

use std::path::{Path, PathBuf};

/// One hugetlbfs mount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hugetlbfs {
    /// The page size in KiB.
    pub page_kib: u64,
    /// The mount point.
    pub mount: PathBuf,
}

/// The default huge page size in KiB (`Hugepagesize` of `/proc/meminfo`).
pub fn default_hugepage_kib() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_meminfo_hugepagesize(&text)
}

fn parse_meminfo_hugepagesize(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix("Hugepagesize:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// A size as written in a `pagesize=` mount option (`2M`, `1G`, `2048k`) in KiB.
fn parse_size_kib(s: &str) -> Option<u64> {
    let (num, mult) = match s.chars().last()? {
        'k' | 'K' => (&s[..s.len() - 1], 1),
        'm' | 'M' => (&s[..s.len() - 1], 1024),
        'g' | 'G' => (&s[..s.len() - 1], 1024 * 1024),
        _ => (s, 0),
    };
    let n: u64 = num.parse().ok()?;
    Some(if mult == 0 { n / 1024 } else { n * mult })
}

/// The hugetlbfs mounts of a `/proc/mounts` text; a mount without `pagesize=` has
/// `default_kib` pages.
pub fn parse_mounts(text: &str, default_kib: Option<u64>) -> Vec<Hugetlbfs> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (_, mount, fstype, opts) = (f.next()?, f.next()?, f.next()?, f.next()?);
            if fstype != "hugetlbfs" {
                return None;
            }
            let page_kib = opts
                .split(',')
                .find_map(|o| o.strip_prefix("pagesize="))
                .and_then(parse_size_kib)
                .or(default_kib)?;
            // /proc/mounts escapes spaces as \040.
            let mount = PathBuf::from(mount.replace("\\040", " "));
            Some(Hugetlbfs { page_kib, mount })
        })
        .collect()
}

/// The hugetlbfs mounts the calling thread sees: its own mount namespace's
/// (`/proc/thread-self/mounts`; `/proc/mounts` would show the main thread's), which
/// is also the namespace of the QEMU it forks.
pub fn hugetlbfs_mounts() -> Vec<Hugetlbfs> {
    std::fs::read_to_string("/proc/thread-self/mounts")
        .or_else(|_| std::fs::read_to_string("/proc/mounts"))
        .map(|t| parse_mounts(&t, default_hugepage_kib()))
        .unwrap_or_default()
}

/// Free huge pages of `page_kib` KiB on the host.
pub fn free_hugepages(page_kib: u64) -> u64 {
    let p = format!("/sys/kernel/mm/hugepages/hugepages-{page_kib}kB/free_hugepages");
    std::fs::read_to_string(p)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

/// The host's NUMA node numbers (node 0 alone on a host without NUMA sysfs).
pub fn numa_nodes() -> Vec<u32> {
    numa_nodes_in(Path::new("/sys/devices/system/node"))
}

fn numa_nodes_in(dir: &Path) -> Vec<u32> {
    let mut nodes: Vec<u32> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.file_name().to_str()?.strip_prefix("node")?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    nodes.sort_unstable();
    if nodes.is_empty() {
        nodes.push(0);
    }
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts_and_sizes() {
        let text = "proc /proc proc rw 0 0\n\
                    hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n\
                    none /mnt/huge\\0401g hugetlbfs rw,pagesize=1024M 0 0\n\
                    none /mnt/dflt hugetlbfs rw 0 0\n";
        let m = parse_mounts(text, Some(2048));
        assert_eq!(
            m,
            [
                Hugetlbfs {
                    page_kib: 2048,
                    mount: "/dev/hugepages".into()
                },
                Hugetlbfs {
                    page_kib: 1024 * 1024,
                    mount: "/mnt/huge 1g".into()
                },
                Hugetlbfs {
                    page_kib: 2048,
                    mount: "/mnt/dflt".into()
                },
            ]
        );
        assert_eq!(
            parse_meminfo_hugepagesize("MemTotal: 1 kB\nHugepagesize:       2048 kB\n"),
            Some(2048)
        );
        assert!(numa_nodes().contains(&0));
    }
}
