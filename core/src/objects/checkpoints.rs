//! A domain's checkpoint metadata (libvirt's `virDomainCheckpointObjList`): the tree of
//! checkpoints with the current one, the listing filters of `virDomainListAllCheckpoints`,
//! redefinition checks and the tree part of deletion. What a checkpoint does to the disks
//! (QEMU's persistent dirty bitmaps) is the driver's business.
//!
//! Siblings are kept newest first, as libvirt links a new child in front of its
//! siblings: topological listings and children come out in libvirt's order.

use crate::conf::{ConfError, DomainCheckpointDef};
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// `virDomainCheckpointListFlags`.
pub mod checkpoint_list_flags {
    /// Roots only (domain listing) or all descendants (children listing).
    pub const ROOTS_OR_DESCENDANTS: u32 = 1;
    /// Parents before children.
    pub const TOPOLOGICAL: u32 = 2;
    /// Leaves only.
    pub const LEAVES: u32 = 4;
    /// Non-leaves only.
    pub const NO_LEAVES: u32 = 8;
    /// Every flag.
    pub const ALL: u32 = 15;
}

/// `virDomainCheckpointDeleteFlags`.
pub mod checkpoint_delete_flags {
    /// Delete the descendants too.
    pub const CHILDREN: u32 = 1;
    /// Only forget the metadata.
    pub const METADATA_ONLY: u32 = 2;
    /// Delete only the descendants.
    pub const CHILDREN_ONLY: u32 = 4;
}

/// `virDomainCheckpointCreateFlags`.
pub mod checkpoint_create_flags {
    /// Redefine metadata of a checkpoint taken earlier.
    pub const REDEFINE: u32 = 1;
    /// Quiesce the guest's file systems.
    pub const QUIESCE: u32 = 2;
    /// With REDEFINE: check the bitmaps exist.
    pub const REDEFINE_VALIDATE: u32 = 4;
}

/// `virDomainCheckpointXMLFlags`.
pub mod checkpoint_xml_flags {
    /// Show secrets of the embedded domain.
    pub const SECURE: u32 = 1;
    /// Leave the domain definition out.
    pub const NO_DOMAIN: u32 = 2;
    /// Report each bitmap's size.
    pub const SIZE: u32 = 4;
}

/// `VIR_ERR_NO_DOMAIN_CHECKPOINT` in `domain`.
pub fn no_checkpoint(domain: ErrorDomain, message: impl Into<String>) -> Error {
    Error::new(ErrorCode::NoDomainCheckpoint, domain, message)
}

/// libvirt's "no domain checkpoint with matching name" in `domain`.
pub fn checkpoint_not_found(domain: ErrorDomain, name: &str) -> Error {
    no_checkpoint(
        domain,
        format!("no domain checkpoint with matching name '{name}'"),
    )
}

/// Parses a `<domaincheckpoint>` as libvirt's `virDomainCheckpointDefParseString` does,
/// with its errors: a wrong root, a name the schema refuses, and for a redefinition a
/// missing name or creation time.
pub fn parse_checkpoint_xml(xml: &str, redefine: bool) -> Result<DomainCheckpointDef> {
    let def = DomainCheckpointDef::from_xml(xml).map_err(|e| match e {
        ConfError::WrongRoot { found } => Error::new(
            ErrorCode::XmlError,
            ErrorDomain::Xml,
            format!("expecting root element of 'domaincheckpoint', not '{found}'"),
        ),
        ConfError::Invalid {
            code: 92, message, ..
        } => Error::verbatim(
            ErrorCode::XmlInvalidSchema,
            ErrorDomain::Xml,
            format!("XML document failed to validate against schema: {message}"),
        ),
        e => Error::from(e),
    })?;
    if redefine {
        if def.name.is_none() {
            return Err(Error::xml(
                ErrorDomain::DomainCheckpoint,
                "a redefined checkpoint must have a name",
            ));
        }
        if def.creation_time.is_none() {
            return Err(Error::internal(
                ErrorDomain::DomainCheckpoint,
                "missing creationTime from existing checkpoint",
            ));
        }
    }
    Ok(def)
}

/// libvirt's check of a redefinition's embedded domain: it must be this domain
/// (`VIR_ERR_INVALID_ARG` otherwise).
pub fn check_redefined_domain(def: &DomainCheckpointDef, uuid: &uuid::Uuid) -> Result<()> {
    match def.domain.as_ref().and_then(|d| d.uuid) {
        Some(u) if u != *uuid => Err(Error::invalid_arg(
            ErrorDomain::DomainCheckpoint,
            format!(
                "definition for checkpoint {} must use uuid {uuid}",
                name_of(def)
            ),
        )),
        _ => Ok(()),
    }
}

/// Maps an error of [`DomainCheckpointDef::align_disks`] to libvirt's.
pub fn align_error(e: ConfError) -> Error {
    Error::from(e)
}

fn name_of(c: &DomainCheckpointDef) -> &str {
    c.name.as_deref().unwrap_or_default()
}

/// The checkpoints of one domain and the current one.
#[derive(Clone, Debug, Default)]
pub struct CheckpointTree {
    /// Newest first among siblings.
    items: Vec<DomainCheckpointDef>,
    current: Option<String>,
}

impl CheckpointTree {
    /// How many checkpoints there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The checkpoint named `name`.
    pub fn get(&self, name: &str) -> Option<&DomainCheckpointDef> {
        self.items.iter().find(|c| name_of(c) == name)
    }

    /// Every checkpoint (in no particular order).
    pub fn all(&self) -> impl Iterator<Item = &DomainCheckpointDef> {
        self.items.iter()
    }

    /// The current checkpoint's name.
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
    ) -> impl Iterator<Item = &'a DomainCheckpointDef> {
        self.items
            .iter()
            .filter(move |c| c.parent.as_deref() == parent)
    }

    fn descendants(&self, name: &str, out: &mut Vec<String>) {
        for c in self.children_of(Some(name)) {
            out.push(name_of(c).to_string());
            self.descendants(name_of(c), out);
        }
    }

    fn is_leaf(&self, name: &str) -> bool {
        self.children_of(Some(name)).next().is_none()
    }

    fn leaf_filter(&self, flags: u32, name: &str) -> bool {
        use checkpoint_list_flags as f;
        // Both LEAVES and NO_LEAVES select nothing, as in libvirt's moment lists.
        (flags & f::LEAVES == 0 || self.is_leaf(name))
            && (flags & f::NO_LEAVES == 0 || !self.is_leaf(name))
    }

    /// `virDomainListAllCheckpoints`: the names `flags` select (roots only with
    /// `ROOTS_OR_DESCENDANTS`), parents before children.
    pub fn list(&self, flags: u32) -> Vec<String> {
        let mut all = Vec::new();
        for root in self.children_of(None) {
            all.push(name_of(root).to_string());
            if flags & checkpoint_list_flags::ROOTS_OR_DESCENDANTS == 0 {
                self.descendants(name_of(root), &mut all);
            }
        }
        all.retain(|n| self.leaf_filter(flags, n));
        all
    }

    /// `virDomainCheckpointListAllChildren`: direct children of `name`, or all its
    /// descendants with `ROOTS_OR_DESCENDANTS`.
    pub fn children(&self, name: &str, flags: u32) -> Vec<String> {
        let mut all = Vec::new();
        if flags & checkpoint_list_flags::ROOTS_OR_DESCENDANTS != 0 {
            self.descendants(name, &mut all);
        } else {
            all.extend(self.children_of(Some(name)).map(|c| name_of(c).to_string()));
        }
        all.retain(|n| self.leaf_filter(flags, n));
        all
    }

    /// A tree rebuilt from stored checkpoints (a new driver instance reading its
    /// metadata back): newer ones in front of older siblings, a parent that is missing
    /// or would close a cycle dropped (the checkpoint becomes a root), an unknown
    /// current one ignored.
    pub fn from_stored(mut defs: Vec<DomainCheckpointDef>, current: Option<String>) -> Self {
        defs.sort_by_key(|c| std::cmp::Reverse(c.creation_time.unwrap_or(0)));
        let parents: std::collections::HashMap<String, Option<String>> = defs
            .iter()
            .map(|c| (name_of(c).to_string(), c.parent.clone()))
            .collect();
        let ends = |name: &str| {
            let mut at = name;
            for _ in 0..=parents.len() {
                match parents.get(at) {
                    Some(Some(p)) if p == name => return false,
                    Some(Some(p)) => at = p,
                    Some(None) => return true,
                    None => return false,
                }
            }
            false
        };
        for c in &mut defs {
            if !ends(name_of(c)) {
                c.parent = None;
            }
        }
        let current = current.filter(|n| defs.iter().any(|c| name_of(c) == n));
        CheckpointTree {
            items: defs,
            current,
        }
    }

    /// Adds a new checkpoint (named, complete, its parent the current one) in front of
    /// its siblings and makes it current.
    pub fn insert_new(&mut self, def: DomainCheckpointDef) {
        self.current = Some(name_of(&def).to_string());
        self.items.insert(0, def);
    }

    /// libvirt's checks of a redefinition's parent (`virDomainCheckpointCheckCycles`):
    /// not itself, existing, and no cycle through a checkpoint being replaced.
    pub fn check_redefine(&self, def: &DomainCheckpointDef) -> Result<()> {
        let name = name_of(def);
        let Some(parent) = def.parent.as_deref() else {
            return Ok(());
        };
        let invalid = |m: String| Err(Error::invalid_arg(ErrorDomain::Domain, m));
        if parent == name {
            return invalid(format!("cannot set moment {name} as its own parent"));
        }
        if self.get(parent).is_none() {
            return invalid(format!("parent {parent} for moment {name} not found"));
        }
        // Walk up from the new parent: the ancestor whose parent is `name` closes a cycle
        // (libvirt names that one).
        let mut at = self.get(parent);
        let mut steps = 0;
        while let Some(c) = at {
            if c.parent.as_deref() == Some(name) {
                return invalid(format!(
                    "parent {} would create cycle to {name}",
                    name_of(c)
                ));
            }
            steps += 1;
            if steps > self.items.len() {
                break;
            }
            at = c.parent.as_deref().and_then(|p| self.get(p));
        }
        Ok(())
    }

    /// Records a redefined checkpoint (after [`check_redefine`](Self::check_redefine)):
    /// an existing one is replaced where it stands, a new one goes in front of its
    /// siblings. It becomes current when its parent is current. Returns whether it did.
    pub fn redefine(&mut self, def: DomainCheckpointDef) -> bool {
        let name = name_of(&def).to_string();
        let make_current = def.parent.is_some() && def.parent.as_deref() == self.current();
        match self.items.iter_mut().find(|c| name_of(c) == name) {
            Some(slot) => *slot = def,
            None => self.items.insert(0, def),
        }
        if make_current {
            self.current = Some(name);
        }
        make_current
    }

    /// What deleting `name` with `flags` (`checkpoint_delete_flags`) removes, in the
    /// order libvirt discards them (descendants first when asked, then `name`).
    pub fn delete_plan(&self, name: &str, flags: u32) -> Vec<DomainCheckpointDef> {
        use checkpoint_delete_flags as f;
        let mut names = Vec::new();
        if flags & (f::CHILDREN | f::CHILDREN_ONLY) != 0 {
            self.descendants(name, &mut names);
        }
        if flags & f::CHILDREN_ONLY == 0 {
            names.push(name.to_string());
        }
        names.iter().filter_map(|n| self.get(n).cloned()).collect()
    }

    /// Applies a deletion planned by [`delete_plan`](Self::delete_plan): removes the
    /// checkpoints, moves the children of a checkpoint deleted alone up to its parent
    /// (in front of their new siblings, in their order) and passes the current role as
    /// libvirt does. Returns the names of checkpoints whose parent changed.
    pub fn delete(&mut self, name: &str, flags: u32) -> Vec<String> {
        use checkpoint_delete_flags as f;
        let Some(parent) = self.get(name).map(|c| c.parent.clone()) else {
            return Vec::new();
        };
        let mut gone = Vec::new();
        let mut moved = Vec::new();
        if flags & (f::CHILDREN | f::CHILDREN_ONLY) != 0 {
            self.descendants(name, &mut gone);
            if self.current.as_ref().is_some_and(|c| gone.contains(c)) {
                self.current = Some(name.to_string());
            }
        } else {
            let (mut kids, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.items)
                .into_iter()
                .partition(|c| c.parent.as_deref() == Some(name));
            for k in &mut kids {
                k.parent = parent.clone();
                moved.push(name_of(k).to_string());
            }
            kids.extend(rest);
            self.items = kids;
        }
        if flags & f::CHILDREN_ONLY == 0 {
            gone.push(name.to_string());
            if self.current.as_deref() == Some(name) {
                self.current = parent.filter(|p| self.get(p).is_some());
            }
        }
        self.items.retain(|c| !gone.iter().any(|g| g == name_of(c)));
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp(name: &str, parent: Option<&str>) -> DomainCheckpointDef {
        DomainCheckpointDef {
            name: Some(name.into()),
            parent: parent.map(Into::into),
            ..DomainCheckpointDef::default()
        }
    }

    /// a ─ b ─ c, a ─ a2 (redefined later, so listed before b).
    fn tree() -> CheckpointTree {
        let mut t = CheckpointTree::default();
        t.insert_new(cp("a", None));
        t.insert_new(cp("b", Some("a")));
        t.insert_new(cp("c", Some("b")));
        t.check_redefine(&cp("a2", Some("a"))).unwrap();
        assert!(!t.redefine(cp("a2", Some("a"))));
        t.redefine(cp("r", None));
        t
    }

    #[test]
    fn listings_follow_libvirts_order() {
        use checkpoint_list_flags as f;
        let t = tree();
        assert_eq!(t.list(f::TOPOLOGICAL), ["r", "a", "a2", "b", "c"]);
        assert_eq!(t.list(f::ROOTS_OR_DESCENDANTS), ["r", "a"]);
        assert_eq!(t.list(f::LEAVES), ["r", "a2", "c"]);
        assert_eq!(t.list(f::NO_LEAVES), ["a", "b"]);
        assert!(t.list(f::LEAVES | f::NO_LEAVES).is_empty());
        assert_eq!(t.children("a", 0), ["a2", "b"]);
        assert_eq!(t.children("a", f::ROOTS_OR_DESCENDANTS), ["a2", "b", "c"]);
        assert_eq!(t.current(), Some("c"));
    }

    #[test]
    fn redefinitions_are_checked_like_libvirts() {
        let t = tree();
        let msg = |d| t.check_redefine(&d).unwrap_err().message().to_string();
        assert_eq!(
            msg(cp("x", Some("x"))),
            "cannot set moment x as its own parent"
        );
        assert_eq!(msg(cp("x", Some("zz"))), "parent zz for moment x not found");
        assert_eq!(msg(cp("a", Some("c"))), "parent b would create cycle to a");
    }

    #[test]
    fn deleting_reparents_children_in_front_and_moves_current() {
        let mut t = tree();
        assert_eq!(t.delete("a", 0), ["a2", "b"]);
        assert_eq!(
            t.list(checkpoint_list_flags::ROOTS_OR_DESCENDANTS),
            ["a2", "b", "r"]
        );
        let mut t = tree();
        assert_eq!(
            t.delete_plan("a", checkpoint_delete_flags::CHILDREN_ONLY)
                .len(),
            3
        );
        t.delete("a", checkpoint_delete_flags::CHILDREN_ONLY);
        assert_eq!(t.current(), Some("a"));
        assert_eq!(t.len(), 2);
        t.delete("a", 0);
        assert_eq!(t.current(), None);
        let mut t = tree();
        t.delete("c", 0);
        assert_eq!(t.current(), Some("b"));
    }
}
