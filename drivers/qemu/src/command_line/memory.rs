//! Guest RAM: `<memoryBacking>` (hugepages, memfd/file sources, shared access,
//! discard, preallocation, `<locked/>`, `<nosharepages/>`), `<cpu><numa>` cells and
//! their distances, and `<numatune>` host nodes — libvirt's `qemuBuildMemCommandLine`,
//! `qemuBuildMemoryBackendProps` and `qemuBuildNumaCommandLine`.
//!
//! Each NUMA cell gets a `memory-backend-*` object `ram-nodeN` and `-numa node,…,memdev=`;
//! without cells, RAM gets a backend `pc.ram` (`-machine memory-backend=pc.ram`) only
//! when something asks for one, as libvirt does.

use std::path::PathBuf;

use rvirt_core::conf::DomainDef;
use rvirt_core::conf::bitmap::CpuSet;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::{Value, json};

use super::unsupported;

/// What the host offers a guest's RAM, resolved for one start by the driver.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostMemory {
    /// The domain's directory on each hugetlbfs mount: `(page size in KiB, dir)`.
    pub hugepage_dirs: Vec<(u64, PathBuf)>,
    /// The default huge page size in KiB.
    pub default_hugepage_kib: Option<u64>,
    /// The domain's directory for file-backed RAM (libvirt's `memory_backing_dir`).
    pub ram_dir: PathBuf,
    /// The host's NUMA nodes.
    pub numa_nodes: Vec<u32>,
}

/// The memory arguments.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct MemoryArgs {
    /// `,memory-backend=pc.ram` and `,mem-merge=off` for `-machine`.
    pub machine: String,
    /// `-m` value.
    pub size: String,
    /// `-object` of `pc.ram` (right after `-m`).
    pub default_backend: Option<String>,
    /// `-overcommit` value.
    pub overcommit: Option<String>,
    /// The `-object` and `-numa` pairs of the cells, then `-numa dist`s, in order.
    pub numa: Vec<(&'static str, String)>,
}

fn xml_attr<'a>(e: Option<&'a rvirt_core::conf::xml::Element>, name: &str) -> Option<&'a str> {
    e.and_then(|e| e.attr(name))
}

/// `<numatune>`: the mode of the whole guest, its nodeset, and each cell's.
struct Numatune {
    mode: Option<&'static str>,
    nodeset: Option<CpuSet>,
    cells: Vec<(u32, &'static str, CpuSet)>,
}

fn policy(mode: Option<&str>) -> Result<&'static str> {
    Ok(match mode.unwrap_or("strict") {
        "strict" => "bind",
        "preferred" => "preferred",
        "interleave" => "interleave",
        other => {
            return Err(unsupported(format!(
                "numatune memory mode '{other}' is not supported yet"
            )));
        }
    })
}

fn nodeset(text: &str) -> Result<CpuSet> {
    CpuSet::parse(text)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| unsupported(format!("invalid nodeset '{text}'")))
}

fn numatune(def: &DomainDef) -> Result<Numatune> {
    let mut out = Numatune {
        mode: None,
        nodeset: None,
        cells: Vec::new(),
    };
    let Some(nt) = &def.numatune else {
        return Ok(out);
    };
    if let Some(m) = &nt.memory {
        if m.placement.is_some_and(|p| p.to_string() == "auto") {
            return Err(unsupported(
                "numatune placement 'auto' needs numad, which this driver does not use",
            ));
        }
        if let Some(ns) = &m.nodeset {
            out.mode = Some(policy(m.mode.as_deref())?);
            out.nodeset = Some(nodeset(ns)?);
        }
    }
    for n in &nt.memnodes {
        let ns = n
            .nodeset
            .as_deref()
            .ok_or_else(|| unsupported("numatune memnode needs a nodeset"))?;
        out.cells
            .push((n.cellid, policy(n.mode.as_deref())?, nodeset(ns)?));
    }
    Ok(out)
}

/// Refuses host nodes the host does not have (libvirt's "NUMA node N is unavailable").
fn check_nodes(set: &CpuSet, host: Option<&HostMemory>) -> Result<()> {
    if let Some(h) = host
        && let Some(bad) = set.0.iter().find(|n| !h.numa_nodes.contains(n))
    {
        return Err(unsupported(format!("NUMA node {bad} is unavailable")));
    }
    Ok(())
}

/// QEMU's list form of a node or CPU set: `0-1,3` → `["0-1", "3"]`.
fn ranges(set: &CpuSet) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = set.0.iter().copied().peekable();
    while let Some(start) = it.next() {
        let mut end = start;
        while it.peek() == Some(&(end + 1)) {
            end = it.next().unwrap_or(end);
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
    }
    out
}

/// One backend's request.
struct Backend<'a> {
    id: String,
    size_kib: u64,
    cell: Option<u32>,
    mem_access: Option<&'a str>,
    discard: bool,
    numa: Option<(&'static str, &'a CpuSet)>,
}

/// The page size in KiB of `<hugepages>` for `cell` (the page whose nodeset has the
/// cell, else the one without a nodeset), if RAM is huge-page backed there.
fn hugepage_kib(
    def: &DomainDef,
    cell: Option<u32>,
    host: Option<&HostMemory>,
) -> Result<Option<u64>> {
    let Some(hp) = def
        .memory_backing
        .as_ref()
        .and_then(|b| b.hugepages.as_ref())
    else {
        return Ok(None);
    };
    let default = host.and_then(|h| h.default_hugepage_kib).unwrap_or(2048);
    if hp.pages.is_empty() {
        return Ok(Some(default));
    }
    for p in &hp.pages {
        match (&p.nodeset, cell) {
            (None, _) => return Ok(Some(p.size)),
            (Some(ns), Some(c)) if nodeset(ns)?.0.contains(&c) => return Ok(Some(p.size)),
            (Some(_), None) => {
                return Err(unsupported(
                    "hugepages with a nodeset need <cpu><numa> cells",
                ));
            }
            _ => {}
        }
    }
    Ok(None)
}

fn backing_child_attr(def: &DomainDef, child: &str, attr: &str) -> Option<String> {
    let b = def.memory_backing.as_ref()?;
    let e = match child {
        "source" => b.source.as_ref(),
        "access" => b.access.as_ref(),
        _ => b.allocation.as_ref(),
    };
    xml_attr(e, attr).map(str::to_owned)
}

fn backend_props(def: &DomainDef, b: &Backend<'_>, host: Option<&HostMemory>) -> Result<Value> {
    let source = backing_child_attr(def, "source", "type");
    let access = b
        .mem_access
        .map(str::to_owned)
        .or_else(|| backing_child_attr(def, "access", "mode"));
    let shared = match access.as_deref() {
        None | Some("default") | Some("private") => false,
        Some("shared") => true,
        Some(other) => return Err(unsupported(format!("unknown memory access mode '{other}'"))),
    };
    let prealloc = match backing_child_attr(def, "allocation", "mode").as_deref() {
        None | Some("ondemand") => false,
        Some("immediate") => true,
        Some(other) => {
            return Err(unsupported(format!(
                "unknown memory allocation mode '{other}'"
            )));
        }
    };
    let huge = hugepage_kib(def, b.cell, host)?;
    let mut props = serde_json::Map::new();
    let kind = match (huge, source.as_deref()) {
        (Some(kib), Some("memfd")) => {
            props.insert("hugetlb".into(), true.into());
            props.insert("hugetlbsize".into(), (kib * 1024).into());
            "memory-backend-memfd"
        }
        (Some(kib), None | Some("file")) => {
            let dir = match host {
                None => PathBuf::from("/dev/hugepages"),
                Some(h) => match h.hugepage_dirs.iter().find(|(k, _)| *k == kib) {
                    Some((_, d)) => d.clone(),
                    None if h.hugepage_dirs.is_empty() => {
                        return Err(Error::new(
                            ErrorCode::InternalError,
                            ErrorDomain::Qemu,
                            "hugetlbfs filesystem is not mounted or disabled by administrator config",
                        ));
                    }
                    None => {
                        return Err(Error::new(
                            ErrorCode::InternalError,
                            ErrorDomain::Qemu,
                            format!("Unable to find any usable hugetlbfs mount for {kib} KiB"),
                        ));
                    }
                },
            };
            props.insert("mem-path".into(), dir.to_string_lossy().into_owned().into());
            "memory-backend-file"
        }
        (Some(_), Some(other)) => {
            return Err(unsupported(format!(
                "hugepages with memory source '{other}' are not supported"
            )));
        }
        (None, Some("memfd")) => "memory-backend-memfd",
        (None, Some("file")) | (None, None) if shared || source.as_deref() == Some("file") => {
            let dir = host.map_or_else(
                || PathBuf::from("/var/lib/rvirt/qemu/ram"),
                |h| h.ram_dir.clone(),
            );
            props.insert("mem-path".into(), dir.to_string_lossy().into_owned().into());
            "memory-backend-file"
        }
        (None, None | Some("anonymous")) => "memory-backend-ram",
        (None, Some(other)) => {
            return Err(unsupported(format!("unknown memory source type '{other}'")));
        }
    };
    let mut obj = json!({"qom-type": kind, "id": b.id});
    let o = obj.as_object_mut().expect("object");
    o.extend(props);
    if shared {
        o.insert("share".into(), true.into());
    }
    if huge.is_some() && kind == "memory-backend-file" || prealloc {
        o.insert("prealloc".into(), true.into());
    }
    if b.discard && kind == "memory-backend-file" {
        o.insert("discard-data".into(), true.into());
    }
    o.insert("size".into(), (b.size_kib * 1024).into());
    if let Some((policy, nodes)) = b.numa {
        check_nodes(nodes, host)?;
        let list: Vec<u32> = nodes.0.iter().copied().collect();
        o.insert("host-nodes".into(), json!(list));
        o.insert("policy".into(), policy.into());
    }
    Ok(obj)
}

/// The memory arguments of `def`.
///
/// Errors: `VIR_ERR_CONFIG_UNSUPPORTED` for what is refused (see the messages),
/// host nodes the host lacks, and cell ids that are not 0..N in order;
/// `VIR_ERR_INTERNAL_ERROR` (libvirt's) for huge pages without hugetlbfs.
pub(super) fn memory_args(def: &DomainDef, host: Option<&HostMemory>) -> Result<MemoryArgs> {
    let mut out = MemoryArgs::default();
    let backing = def.memory_backing.as_ref();
    if let Some(b) = backing {
        if b.locked {
            out.overcommit = Some("mem-lock=on".into());
        }
        if b.nosharepages {
            out.machine.push_str(",mem-merge=off");
        }
    }
    let global_discard = backing.is_some_and(|b| b.discard);
    let tune = numatune(def)?;
    let cells = def
        .cpu
        .as_ref()
        .and_then(|c| c.numa.as_ref())
        .map(|n| n.cells.as_slice())
        .unwrap_or_default();
    if cells.is_empty() {
        out.size = format!("size={}k", def.memory_kib());
        if !tune.cells.is_empty() {
            return Err(unsupported("numatune memnode needs <cpu><numa> cells"));
        }
        let wants_backend = backing.is_some_and(|b| {
            b.hugepages.is_some()
                || b.source.is_some()
                || b.access.is_some()
                || b.discard
                || b.allocation.is_some()
        }) || tune.nodeset.is_some();
        if wants_backend {
            let be = Backend {
                id: "pc.ram".into(),
                size_kib: def.memory_kib(),
                cell: None,
                mem_access: None,
                discard: global_discard,
                numa: tune.mode.zip(tune.nodeset.as_ref()),
            };
            out.default_backend = Some(backend_props(def, &be, host)?.to_string());
            out.machine.push_str(",memory-backend=pc.ram");
        }
        return Ok(out);
    }
    let total: u64 = cells.iter().map(|c| c.memory_kib()).sum();
    out.size = format!("size={total}k");
    let n = cells.len() as u32;
    for (i, cell) in cells.iter().enumerate() {
        let id = cell.id.unwrap_or(i as u32);
        if id != i as u32 {
            return Err(unsupported(format!(
                "NUMA cell ids must be 0..{n} in order, got {id} at position {i}"
            )));
        }
        let cell_tune = tune.cells.iter().find(|(c, _, _)| *c == id);
        let numa = match cell_tune {
            Some((_, p, s)) => Some((*p, s)),
            None => tune.mode.zip(tune.nodeset.as_ref()),
        };
        let be = Backend {
            id: format!("ram-node{id}"),
            size_kib: cell.memory_kib(),
            cell: Some(id),
            mem_access: cell.mem_access.as_deref(),
            discard: cell
                .discard
                .map_or(global_discard, |d| d.to_string() == "yes"),
            numa,
        };
        out.numa
            .push(("-object", backend_props(def, &be, host)?.to_string()));
        let mut node = format!("node,nodeid={id}");
        if let Some(cpus) = &cell.cpus {
            let set = CpuSet::parse(cpus)
                .ok_or_else(|| unsupported(format!("invalid NUMA cell cpus '{cpus}'")))?;
            if let Some(bad) = set.0.iter().find(|c| **c >= def.max_vcpus()) {
                return Err(unsupported(format!(
                    "NUMA cell {id} names vCPU {bad}, beyond the {} vCPUs",
                    def.max_vcpus()
                )));
            }
            for r in ranges(&set) {
                node.push_str(&format!(",cpus={r}"));
            }
        }
        node.push_str(&format!(",memdev=ram-node{id}"));
        out.numa.push(("-numa", node));
    }
    if let Some((c, _, _)) = tune.cells.iter().find(|(c, _, _)| *c >= n) {
        return Err(unsupported(format!(
            "numatune memnode {c} has no NUMA cell"
        )));
    }
    for (i, cell) in cells.iter().enumerate() {
        let Some(d) = &cell.distances else { continue };
        for s in d.elements().filter(|e| e.name == "sibling") {
            let (Some(dst), Some(val)) = (
                s.attr("id").and_then(|v| v.parse::<u32>().ok()),
                s.attr("value").and_then(|v| v.parse::<u32>().ok()),
            ) else {
                return Err(unsupported(
                    "NUMA distance sibling needs numeric id and value",
                ));
            };
            if dst >= n || !(10..=255).contains(&val) {
                return Err(unsupported(format!(
                    "invalid NUMA distance from cell {i} to {dst}: {val}"
                )));
            }
            out.numa
                .push(("-numa", format!("dist,src={i},dst={dst},val={val}")));
        }
    }
    Ok(out)
}
