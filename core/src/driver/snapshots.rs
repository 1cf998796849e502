//! [`Snapshots`]: a driver's domain snapshots (`virDomainSnapshot*`). A driver opts in
//! through [`DriverConnection::snapshots`](super::DriverConnection::snapshots); every
//! method defaults to `VIR_ERR_NO_SUPPORT`. Snapshots are named by their domain and
//! name.

use crate::{Error, ErrorDomain, Result};

use super::DomainRef;

fn unsupported<T>(api: &str) -> Result<T> {
    Err(Error::no_support(
        ErrorDomain::DomainSnapshot,
        api.to_string(),
    ))
}

/// Snapshot operations of one driver connection.
#[allow(unused_variables)]
pub trait Snapshots: Send + Sync {
    /// Takes a snapshot from a `<domainsnapshot>` document; returns its name
    /// (`virDomainSnapshotCreateXML`).
    fn snapshot_create_xml(&self, dom: &DomainRef, xml: &str, flags: u32) -> Result<String> {
        unsupported("virDomainSnapshotCreateXML")
    }
    /// The snapshot's XML (`virDomainSnapshotGetXMLDesc`).
    fn snapshot_xml(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        unsupported("virDomainSnapshotGetXMLDesc")
    }
    /// Names of the snapshots `flags` select (`virDomainListAllSnapshots`).
    fn snapshot_list(&self, dom: &DomainRef, flags: u32) -> Result<Vec<String>> {
        unsupported("virDomainListAllSnapshots")
    }
    /// Names of `name`'s children or descendants (`virDomainSnapshotListAllChildren`).
    fn snapshot_children(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<Vec<String>> {
        unsupported("virDomainSnapshotListAllChildren")
    }
    /// Checks that `name` exists (`virDomainSnapshotLookupByName`).
    fn snapshot_lookup(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        unsupported("virDomainSnapshotLookupByName")
    }
    /// The current snapshot (`virDomainSnapshotCurrent`); `VIR_ERR_NO_DOMAIN_SNAPSHOT`
    /// when there is none.
    fn snapshot_current(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        unsupported("virDomainSnapshotCurrent")
    }
    /// Whether there is a current snapshot (`virDomainHasCurrentSnapshot`).
    fn has_current_snapshot(&self, dom: &DomainRef, flags: u32) -> Result<bool> {
        unsupported("virDomainHasCurrentSnapshot")
    }
    /// `name`'s parent (`virDomainSnapshotGetParent`).
    fn snapshot_parent(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        unsupported("virDomainSnapshotGetParent")
    }
    /// Whether `name` is current (`virDomainSnapshotIsCurrent`).
    fn snapshot_is_current(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<bool> {
        unsupported("virDomainSnapshotIsCurrent")
    }
    /// Whether `name` has metadata (`virDomainSnapshotHasMetadata`).
    fn snapshot_has_metadata(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<bool> {
        unsupported("virDomainSnapshotHasMetadata")
    }
    /// Reverts the domain to `name` (`virDomainRevertToSnapshot`).
    fn revert_to_snapshot(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        unsupported("virDomainRevertToSnapshot")
    }
    /// Deletes `name` (`virDomainSnapshotDelete`).
    fn snapshot_delete(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        unsupported("virDomainSnapshotDelete")
    }
}
