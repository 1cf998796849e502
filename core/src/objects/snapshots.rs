//! A domain's snapshot metadata (libvirt's `virDomainSnapshotObjList`): the tree of
//! snapshots with the current one, the listing filters of `virDomainListAllSnapshots`,
//! and the driver-independent part of create, revert and delete. What a snapshot does
//! to the guest (QEMU's `savevm`, the test driver's state change) is the driver's hook.

use crate::api::{DomainState, StateReason};
use crate::conf::DomainSnapshotDef;
use crate::driver::DomainRef;
use crate::objects::{DomainObj, Domains, Events};
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// `virDomainSnapshotListFlags`.
pub mod list_flags {
    /// Only roots (domain listing) or all descendants (children listing).
    pub const ROOTS_OR_DESCENDANTS: u32 = 1;
    /// With metadata.
    pub const METADATA: u32 = 2;
    /// Leaves only.
    pub const LEAVES: u32 = 4;
    /// Non-leaves only.
    pub const NO_LEAVES: u32 = 8;
    /// Without metadata.
    pub const NO_METADATA: u32 = 16;
    /// Taken while shut off.
    pub const INACTIVE: u32 = 32;
    /// Taken while running or paused.
    pub const ACTIVE: u32 = 64;
    /// Disk-only.
    pub const DISK_ONLY: u32 = 128;
    /// Internal.
    pub const INTERNAL: u32 = 256;
    /// External.
    pub const EXTERNAL: u32 = 512;
    /// Parents before children.
    pub const TOPOLOGICAL: u32 = 1024;
    /// Every flag.
    pub const ALL: u32 = 2047;
}

/// `virDomainSnapshotDeleteFlags`.
pub mod delete_flags {
    /// Delete the descendants too.
    pub const CHILDREN: u32 = 1;
    /// Only forget the metadata.
    pub const METADATA_ONLY: u32 = 2;
    /// Delete only the descendants.
    pub const CHILDREN_ONLY: u32 = 4;
}

/// `VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE`.
pub const CREATE_REDEFINE: u32 = 1;
/// `VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT`.
pub const CREATE_CURRENT: u32 = 2;

/// The snapshots of one domain, in creation order, and the current one.
#[derive(Clone, Debug, Default)]
pub struct SnapshotTree {
    snaps: Vec<DomainSnapshotDef>,
    current: Option<String>,
}

/// `VIR_ERR_NO_DOMAIN_SNAPSHOT` in `domain`.
pub fn no_snapshot(domain: ErrorDomain, message: impl Into<String>) -> Error {
    Error::new(ErrorCode::NoDomainSnapshot, domain, message)
}

fn name_of(s: &DomainSnapshotDef) -> &str {
    s.name.as_deref().unwrap_or_default()
}

impl SnapshotTree {
    /// How many snapshots there are.
    pub fn len(&self) -> usize {
        self.snaps.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.snaps.is_empty()
    }

    /// The snapshot named `name`.
    pub fn get(&self, name: &str) -> Option<&DomainSnapshotDef> {
        self.snaps.iter().find(|s| name_of(s) == name)
    }

    /// The current snapshot's name.
    pub fn current(&self) -> Option<&str> {
        self.current.as_deref()
    }

    /// Makes `name` current (or none).
    pub fn set_current(&mut self, name: Option<String>) {
        self.current = name;
    }

    fn children_of<'a>(
        &'a self,
        parent: Option<&'a str>,
    ) -> impl Iterator<Item = &'a DomainSnapshotDef> {
        self.snaps
            .iter()
            .filter(move |s| s.parent.as_deref() == parent)
    }

    fn descendants(&self, name: &str, out: &mut Vec<String>) {
        for c in self.children_of(Some(name)) {
            out.push(name_of(c).to_string());
            self.descendants(name_of(c), out);
        }
    }

    /// Every snapshot, parents before children (libvirt's topological order).
    fn topological(&self) -> Vec<String> {
        let mut out = Vec::new();
        for root in self.children_of(None) {
            out.push(name_of(root).to_string());
            self.descendants(name_of(root), &mut out);
        }
        out
    }

    fn accepts(&self, s: &DomainSnapshotDef, flags: u32) -> bool {
        use list_flags as f;
        let group = |yes: u32, no: u32, value: bool| match (flags & yes != 0, flags & no != 0) {
            (true, false) => value,
            (false, true) => !value,
            _ => true,
        };
        let leaf = self.children_of(Some(name_of(s))).next().is_none();
        if !group(f::LEAVES, f::NO_LEAVES, leaf) || !group(f::METADATA, f::NO_METADATA, true) {
            return false;
        }
        let state = s.state.as_deref().unwrap_or("shutoff");
        let kinds = flags & (f::INACTIVE | f::ACTIVE | f::DISK_ONLY);
        if kinds != 0 {
            let kind = match state {
                "shutoff" => f::INACTIVE,
                "disk-snapshot" => f::DISK_ONLY,
                _ => f::ACTIVE,
            };
            if kinds & kind == 0 {
                return false;
            }
        }
        let external = s.memory.as_deref() == Some("external")
            || s.disks.iter().any(|d| d.snapshot == "external");
        group(f::EXTERNAL, f::INTERNAL, external)
    }

    /// `virDomainListAllSnapshots`: the names `flags` select (roots only with
    /// `ROOTS_OR_DESCENDANTS`), parents before children.
    pub fn list(&self, flags: u32) -> Vec<String> {
        self.topological()
            .into_iter()
            .filter(|n| {
                let s = self.get(n).expect("listed");
                (flags & list_flags::ROOTS_OR_DESCENDANTS == 0 || s.parent.is_none())
                    && self.accepts(s, flags)
            })
            .collect()
    }

    /// `virDomainSnapshotListAllChildren`: direct children of `name`, or all its
    /// descendants with `ROOTS_OR_DESCENDANTS`.
    pub fn children(&self, name: &str, flags: u32) -> Vec<String> {
        let mut all = Vec::new();
        if flags & list_flags::ROOTS_OR_DESCENDANTS != 0 {
            self.descendants(name, &mut all);
        } else {
            all.extend(self.children_of(Some(name)).map(|s| name_of(s).to_string()));
        }
        all.into_iter()
            .filter(|n| self.accepts(self.get(n).expect("listed"), flags))
            .collect()
    }

    /// Adds `def` (named, complete); with `make_current` it becomes current.
    pub fn insert(&mut self, def: DomainSnapshotDef, make_current: bool) {
        let name = name_of(&def).to_string();
        self.snaps.retain(|s| name_of(s) != name);
        self.snaps.push(def);
        if make_current {
            self.current = Some(name);
        }
    }

    /// Removes `name` (and, with `with_children`, its descendants); children left
    /// behind move up to its parent, and a removed current snapshot passes the role to
    /// the parent. Returns the names removed.
    pub fn remove(&mut self, name: &str, with_children: bool, only_children: bool) -> Vec<String> {
        let Some(parent) = self.get(name).map(|s| s.parent.clone()) else {
            return Vec::new();
        };
        let mut gone = Vec::new();
        if with_children || only_children {
            self.descendants(name, &mut gone);
        }
        if !only_children {
            gone.push(name.to_string());
        }
        self.snaps.retain(|s| !gone.iter().any(|g| g == name_of(s)));
        for s in &mut self.snaps {
            if s.parent.as_deref() == Some(name) && !only_children {
                s.parent = parent.clone();
            }
        }
        if self.current.as_ref().is_some_and(|c| gone.contains(c)) {
            self.current = if only_children {
                Some(name.to_string())
            } else {
                parent
            };
        }
        gone
    }
}

/// The `<state>` name of a domain state (`virDomainSnapshotState`).
pub fn state_name(state: StateReason) -> &'static str {
    match state.state() {
        DomainState::Running => "running",
        DomainState::Blocked => "blocked",
        DomainState::Paused => "paused",
        DomainState::Shutdown => "shutdown",
        DomainState::Crashed => "crashed",
        DomainState::PmSuspended => "pmsuspended",
        DomainState::NoState => "nostate",
        DomainState::Shutoff => "shutoff",
    }
}

impl<R> Domains<R> {
    /// Runs `f` on a domain's snapshot tree (read-only).
    pub fn snapshots<T>(
        &self,
        dom: &DomainRef,
        f: impl FnOnce(&DomainObj<R>, &SnapshotTree) -> Result<T>,
    ) -> Result<T> {
        self.read(dom, |o| f(o, &o.snapshots))
    }

    /// `virDomainSnapshotCreateXML`'s common part: completes `def` (name = creation
    /// time, state, parent = current, the domain's definition, every disk internal),
    /// refuses a duplicate, lets the driver act (`take`), records it as current.
    /// With [`CREATE_REDEFINE`] the definition is taken as given (a name and a domain
    /// are required) and the driver is not asked.
    pub fn snapshot_create(
        &self,
        dom: &DomainRef,
        mut def: DomainSnapshotDef,
        flags: u32,
        now: i64,
        take: impl FnOnce(&mut DomainObj<R>, &DomainSnapshotDef, &mut Events) -> Result<()>,
    ) -> Result<String> {
        self.change_ref(dom, |o, ev| {
            let redefine = flags & CREATE_REDEFINE != 0;
            if redefine {
                if def.name.is_none() {
                    return Err(Error::new(
                        ErrorCode::InvalidArg,
                        ErrorDomain::Domain,
                        "a redefined snapshot must have a name",
                    ));
                }
                if def.domain.is_none() {
                    def.domain = Some(o.def.clone());
                }
            } else {
                def.name.get_or_insert_with(|| now.to_string());
                def.creation_time = Some(now);
                def.state = Some(state_name(o.state).to_string());
                def.parent = o.snapshots.current().map(str::to_string);
                def.memory = Some(if o.is_active() { "internal" } else { "no" }.to_string());
                def.disks = o
                    .def
                    .devices()
                    .iter()
                    .filter_map(|d| match d {
                        crate::conf::Device::Disk(d) => Some(crate::conf::SnapshotDisk {
                            name: d.target.dev.clone(),
                            snapshot: "internal".into(),
                            source: None,
                        }),
                        _ => None,
                    })
                    .collect();
                def.domain = Some(o.def.clone());
            }
            let name = name_of(&def).to_string();
            if o.snapshots.get(&name).is_some() && !redefine {
                return Err(Error::new(
                    ErrorCode::OperationFailed,
                    ErrorDomain::Domain,
                    format!("domain moment {name} already exists"),
                ));
            }
            if !redefine {
                take(o, &def, ev)?;
            }
            let current = !redefine || flags & CREATE_CURRENT != 0;
            o.snapshots.insert(def, current);
            Ok(name)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(name: &str, parent: Option<&str>, state: &str) -> DomainSnapshotDef {
        DomainSnapshotDef {
            name: Some(name.into()),
            parent: parent.map(Into::into),
            state: Some(state.into()),
            ..DomainSnapshotDef::default()
        }
    }

    fn tree() -> SnapshotTree {
        let mut t = SnapshotTree::default();
        t.insert(snap("a", None, "shutoff"), true);
        t.insert(snap("b", Some("a"), "running"), true);
        t.insert(snap("c", Some("b"), "running"), true);
        t.insert(snap("d", Some("a"), "paused"), false);
        t
    }

    #[test]
    fn listing_filters_follow_libvirt() {
        use list_flags as f;
        let t = tree();
        assert_eq!(t.list(0), ["a", "b", "c", "d"]);
        assert_eq!(t.list(f::ROOTS_OR_DESCENDANTS), ["a"]);
        assert_eq!(t.list(f::LEAVES), ["c", "d"]);
        assert_eq!(t.list(f::NO_LEAVES), ["a", "b"]);
        assert_eq!(t.list(f::INACTIVE), ["a"]);
        assert_eq!(t.list(f::ACTIVE), ["b", "c", "d"]);
        assert!(t.list(f::NO_METADATA).is_empty());
        assert!(t.list(f::EXTERNAL).is_empty());
        assert_eq!(t.children("a", 0), ["b", "d"]);
        assert_eq!(t.children("a", f::ROOTS_OR_DESCENDANTS), ["b", "c", "d"]);
        assert_eq!(t.current(), Some("c"));
    }

    #[test]
    fn removing_reparents_and_moves_current() {
        let mut t = tree();
        assert_eq!(t.remove("b", false, false), ["b"]);
        assert_eq!(t.get("c").unwrap().parent.as_deref(), Some("a"));
        assert_eq!(t.current(), Some("c"));
        let mut t = tree();
        assert_eq!(t.remove("a", false, true), ["b", "c", "d"]);
        assert_eq!(t.current(), Some("a"));
        let mut t = tree();
        t.remove("a", true, false);
        assert!(t.is_empty() && t.current().is_none());
    }
}
