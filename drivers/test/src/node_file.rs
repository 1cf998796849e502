//! Loading a `test:///ABSOLUTE/PATH.xml` node description into a fresh [`World`].
//!
//! The root `<node>` holds `<cpu>` and `<memory>` host facts and `<domain>`, `<network>`,
//! `<pool>` (with `<volume>`s), `<interface>` and `<device>` objects, each inline or as `<domain file="rel.xml"/>`
//! (resolved against the node file's directory). Domains may carry the test namespace's
//! `<test:runstate>` (a `virDomainState` number, default running) and
//! `<test:transient/>`.

use std::path::{Path, PathBuf};

use rvirt_core::api::{
    CrashedReason, DomainState, NodeInfo, PausedReason, RunningReason, ShutdownReason,
    ShutoffReason, StateReason,
};
use rvirt_core::conf::{Defaults, DomainDef};
use rvirt_core::driver::files::{ReadError, read_bounded};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::errors::{conf_error, node_xml};
use crate::objects::{HostObjects, load_node_object};
use crate::state::World;
use crate::world_default;
use crate::xml::{self, Element, TEST_NS};

/// Largest node file (or file a node file names) read: a path must never make the
/// driver swallow a device or a huge file.
pub const MAX_NODE_FILE_BYTES: u64 = 64 << 20;

/// Reads a file, reporting a missing or unreadable one the way libvirt does. Only
/// regular files of at most [`MAX_NODE_FILE_BYTES`] are read, and opening never blocks
/// (a FIFO is refused, not waited on).
fn read(path: &Path) -> Result<String> {
    read_bounded(path, MAX_NODE_FILE_BYTES).map_err(|e| {
        let why = match e {
            ReadError::Io(_) | ReadError::NotText => String::new(),
            other => format!(": {other}"),
        };
        node_xml(format!(
            "failed to parse xml document '{}'{why}",
            path.display()
        ))
    })
}

/// The XML text of a node child: inline, or the file its `file` attribute names.
fn child_source(el: &Element, src: &str, dir: &Path) -> Result<(String, String)> {
    match el.attr("file") {
        Some(file) => {
            let path: PathBuf = dir.join(file);
            Ok((read(&path)?, path.display().to_string()))
        }
        None => Ok((src[el.start..el.end].to_string(), String::new())),
    }
}

fn number<T: std::str::FromStr>(text: &str, what: &str) -> Result<T> {
    text.trim()
        .parse()
        .map_err(|_| node_xml(format!("invalid node {what} value '{}'", text.trim())))
}

/// A state with reason "unknown", as libvirt gives preloaded domains.
fn state_of(state: DomainState) -> StateReason {
    match state {
        DomainState::NoState => StateReason::NoState,
        DomainState::Running => StateReason::Running(RunningReason::Unknown),
        DomainState::Blocked => StateReason::Blocked,
        DomainState::Paused => StateReason::Paused(PausedReason::Unknown),
        DomainState::Shutdown => StateReason::Shutdown(ShutdownReason::Unknown),
        DomainState::Shutoff => StateReason::Shutoff(ShutoffReason::Unknown),
        DomainState::Crashed => StateReason::Crashed(CrashedReason::Unknown),
        DomainState::PmSuspended => StateReason::PmSuspended,
    }
}

fn load_node_info(root: &Element, node: &mut NodeInfo) -> Result<()> {
    if let Some(cpu) = root.child("cpu") {
        if let Some(v) = cpu.child_text("nodes") {
            node.nodes = number(v, "cpu nodes")?;
        }
        if let Some(v) = cpu.child_text("sockets") {
            node.sockets = number(v, "cpu sockets")?;
        }
        if let Some(v) = cpu.child_text("cores") {
            node.cores = number(v, "cpu cores")?;
        }
        if let Some(v) = cpu.child_text("threads") {
            node.threads = number(v, "cpu threads")?;
        }
        node.cpus = node.nodes * node.sockets * node.cores * node.threads;
        if let Some(v) = cpu.child_text("active") {
            let active: u32 = number(v, "active cpu")?;
            if active <= node.cpus {
                node.cpus = active;
            }
        }
        if let Some(v) = cpu.child_text("mhz") {
            node.mhz = number(v, "cpu mhz")?;
        }
        if let Some(v) = cpu.child_text("model") {
            node.model = v.to_string();
        }
    }
    if let Some(v) = root.child_text("memory") {
        node.memory_kib = number(v, "memory")?;
    }
    Ok(())
}

fn load_domain(
    el: &Element,
    src: &str,
    dir: &Path,
    path: &str,
    prefixes: &[String],
    world: &World,
) -> Result<()> {
    let (text, name) = child_source(el, src, dir)?;
    let source_name = if name.is_empty() { path } else { &name };
    let (clean, ext) = xml::strip_test_namespace(&text, source_name, prefixes)?;
    let mut def = DomainDef::from_xml(&clean).map_err(|e| conf_error(&e))?;
    def.post_parse(&Defaults::test_driver())
        .map_err(|e| conf_error(&e))?;
    let state = match ext.runstate.as_deref().map(str::trim) {
        None => DomainState::Running,
        Some(raw) => raw
            .parse::<i32>()
            .ok()
            .and_then(DomainState::from_raw)
            .ok_or_else(|| node_xml(format!("runstate '{raw}' out of range'")))?,
    };
    if ext.transient && state == DomainState::Shutoff {
        return Err(node_xml("transient domain cannot have runstate 'shutoff'"));
    }
    if ext.has_managed_save && state != DomainState::Shutoff {
        return Err(node_xml(
            "domain with managed save image must have runstate 'shutoff'",
        ));
    }
    world.preload(def, state_of(state), !ext.transient, ext.has_managed_save)
}

fn load_object(
    el: &Element,
    src: &str,
    dir: &Path,
    path: &str,
    objects: &mut HostObjects,
) -> Result<()> {
    let (text, name) = child_source(el, src, dir)?;
    let source_name = if name.is_empty() { path } else { &name };
    load_node_object(&el.name, &text, source_name, objects)
}

/// Builds a world from the node file at `path` (absolute).
pub(crate) fn load(path: &Path) -> Result<World> {
    let src = read(path)?;
    let shown = path.display().to_string();
    let root = xml::parse_tree(&src, &shown)?;
    if root.name != "node" {
        return Err(Error::new(
            ErrorCode::XmlError,
            ErrorDomain::Xml,
            format!("expecting root element of 'node', not '{}'", root.name),
        ));
    }
    let dir = path.parent().unwrap_or(Path::new("/"));
    let prefixes: Vec<String> = root
        .attrs
        .iter()
        .filter(|(k, v)| k.starts_with("xmlns:") && v == TEST_NS)
        .map(|(k, _)| k["xmlns:".len()..].to_string())
        .chain(std::iter::once("test".to_string()))
        .collect();
    let mut node = world_default::node_info();
    load_node_info(&root, &mut node)?;
    let mut objects = HostObjects::default();
    for el in &root.children {
        if matches!(
            el.name.as_str(),
            "network" | "pool" | "interface" | "device"
        ) {
            load_object(el, &src, dir, &shown, &mut objects)?;
        }
    }
    let world = World::new(node, objects);
    for el in root.children.iter().filter(|el| el.name == "domain") {
        load_domain(el, &src, dir, &shown, &prefixes, &world)?;
    }
    Ok(world)
}
