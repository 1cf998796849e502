//! [`DomainSnapshot`]: a handle on one snapshot of a domain (`virDomainSnapshotPtr`),
//! and [`Domain`]'s snapshot calls.

use super::Domain;
use crate::driver::Snapshots;
use crate::{Error, ErrorDomain, Result};

/// A snapshot handle: the domain and the snapshot's name.
#[derive(Clone, Debug)]
pub struct DomainSnapshot {
    domain: Domain,
    name: String,
}

impl Domain {
    fn snapshots_driver(&self, api: &str) -> Result<&dyn Snapshots> {
        self.connect()
            .driver()?
            .snapshots()
            .ok_or_else(|| Error::no_support(ErrorDomain::DomainSnapshot, api.to_string()))
    }

    fn snapshot_handle(&self, name: String) -> DomainSnapshot {
        DomainSnapshot {
            domain: self.clone(),
            name,
        }
    }

    /// Takes a snapshot (`virDomainSnapshotCreateXML`).
    pub fn snapshot_create_xml(&self, xml: &str, flags: u32) -> Result<DomainSnapshot> {
        self.connect()
            .check_writable("virDomainSnapshotCreateXML")?;
        let name = self
            .snapshots_driver("virDomainSnapshotCreateXML")?
            .snapshot_create_xml(self.domain_ref(), xml, flags)?;
        Ok(self.snapshot_handle(name))
    }

    /// The snapshots `flags` select (`virDomainListAllSnapshots`).
    pub fn list_all_snapshots(&self, flags: u32) -> Result<Vec<DomainSnapshot>> {
        Ok(self
            .snapshots_driver("virDomainListAllSnapshots")?
            .snapshot_list(self.domain_ref(), flags)?
            .into_iter()
            .map(|n| self.snapshot_handle(n))
            .collect())
    }

    /// The snapshot named `name` (`virDomainSnapshotLookupByName`).
    pub fn snapshot_lookup_by_name(&self, name: &str, flags: u32) -> Result<DomainSnapshot> {
        self.snapshots_driver("virDomainSnapshotLookupByName")?
            .snapshot_lookup(self.domain_ref(), name, flags)?;
        Ok(self.snapshot_handle(name.to_string()))
    }

    /// The current snapshot (`virDomainSnapshotCurrent`).
    pub fn snapshot_current(&self, flags: u32) -> Result<DomainSnapshot> {
        let name = self
            .snapshots_driver("virDomainSnapshotCurrent")?
            .snapshot_current(self.domain_ref(), flags)?;
        Ok(self.snapshot_handle(name))
    }

    /// Whether there is a current snapshot (`virDomainHasCurrentSnapshot`).
    pub fn has_current_snapshot(&self, flags: u32) -> Result<bool> {
        self.snapshots_driver("virDomainHasCurrentSnapshot")?
            .has_current_snapshot(self.domain_ref(), flags)
    }

    /// Reverts to `snapshot` (`virDomainRevertToSnapshot`).
    pub fn revert_to_snapshot(&self, snapshot: &DomainSnapshot, flags: u32) -> Result<()> {
        self.connect().check_writable("virDomainRevertToSnapshot")?;
        self.snapshots_driver("virDomainRevertToSnapshot")?
            .revert_to_snapshot(self.domain_ref(), &snapshot.name, flags)
    }
}

impl DomainSnapshot {
    /// A handle on snapshot `name` of `domain`, without asking the driver (what a
    /// server does with a snapshot reference a client sends).
    pub fn new(domain: Domain, name: impl Into<String>) -> DomainSnapshot {
        DomainSnapshot {
            domain,
            name: name.into(),
        }
    }

    /// The snapshot's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its domain.
    pub fn domain(&self) -> &Domain {
        &self.domain
    }

    fn driver(&self, api: &str) -> Result<&dyn Snapshots> {
        self.domain.snapshots_driver(api)
    }

    /// `virDomainSnapshotGetXMLDesc`.
    pub fn xml_desc(&self, flags: u32) -> Result<String> {
        self.driver("virDomainSnapshotGetXMLDesc")?.snapshot_xml(
            self.domain.domain_ref(),
            &self.name,
            flags,
        )
    }

    /// `virDomainSnapshotGetParent`.
    pub fn parent(&self, flags: u32) -> Result<DomainSnapshot> {
        let name = self.driver("virDomainSnapshotGetParent")?.snapshot_parent(
            self.domain.domain_ref(),
            &self.name,
            flags,
        )?;
        Ok(self.domain.snapshot_handle(name))
    }

    /// `virDomainSnapshotListAllChildren`.
    pub fn list_all_children(&self, flags: u32) -> Result<Vec<DomainSnapshot>> {
        Ok(self
            .driver("virDomainSnapshotListAllChildren")?
            .snapshot_children(self.domain.domain_ref(), &self.name, flags)?
            .into_iter()
            .map(|n| self.domain.snapshot_handle(n))
            .collect())
    }

    /// `virDomainSnapshotIsCurrent`.
    pub fn is_current(&self, flags: u32) -> Result<bool> {
        self.driver("virDomainSnapshotIsCurrent")?
            .snapshot_is_current(self.domain.domain_ref(), &self.name, flags)
    }

    /// `virDomainSnapshotHasMetadata`.
    pub fn has_metadata(&self, flags: u32) -> Result<bool> {
        self.driver("virDomainSnapshotHasMetadata")?
            .snapshot_has_metadata(self.domain.domain_ref(), &self.name, flags)
    }

    /// `virDomainSnapshotDelete`.
    pub fn delete(&self, flags: u32) -> Result<()> {
        self.domain
            .connect()
            .check_writable("virDomainSnapshotDelete")?;
        self.driver("virDomainSnapshotDelete")?.snapshot_delete(
            self.domain.domain_ref(),
            &self.name,
            flags,
        )
    }
}
