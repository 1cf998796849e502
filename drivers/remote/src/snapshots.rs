//! [`Snapshots`] over the wire (the inverse of rvirtd's snapshot handlers).

use rvirt_core::Result;
use rvirt_core::driver::{DomainRef, Snapshots};
use rvirt_rpc::procs;
use rvirt_rpc::snapshots::*;
use rvirt_rpc::types::{DomainFlagsArgs, DomainGetXmlDescRet};

use crate::connection::RemoteConnection;
use crate::wire::to_wire;

fn snap(dom: &DomainRef, name: &str) -> RemoteNonnullDomainSnapshot {
    RemoteNonnullDomainSnapshot {
        name: name.to_string(),
        dom: to_wire(dom),
    }
}

fn snap_flags(dom: &DomainRef, name: &str, flags: u32) -> SnapshotFlagsArgs {
    SnapshotFlagsArgs {
        snap: snap(dom, name),
        flags,
    }
}

fn names(r: SnapshotListRet) -> Vec<String> {
    r.snapshots.into_iter().map(|s| s.name).collect()
}

impl Snapshots for RemoteConnection {
    fn snapshot_create_xml(&self, dom: &DomainRef, xml: &str, flags: u32) -> Result<String> {
        let args = DomainSnapshotCreateXmlArgs {
            dom: to_wire(dom),
            xml_desc: xml.to_string(),
            flags,
        };
        let r: SnapshotRet = self
            .client()
            .call(procs::DOMAIN_SNAPSHOT_CREATE_XML, &args)?;
        Ok(r.snap.name)
    }

    fn snapshot_xml(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        let r: DomainGetXmlDescRet = self.client().call(
            procs::DOMAIN_SNAPSHOT_GET_XML_DESC,
            &snap_flags(dom, name, flags),
        )?;
        Ok(r.xml)
    }

    fn snapshot_list(&self, dom: &DomainRef, flags: u32) -> Result<Vec<String>> {
        let args = DomainListAllSnapshotsArgs {
            dom: to_wire(dom),
            need_results: 1,
            flags,
        };
        let r: SnapshotListRet = self
            .client()
            .call(procs::DOMAIN_LIST_ALL_SNAPSHOTS, &args)?;
        Ok(names(r))
    }

    fn snapshot_children(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<Vec<String>> {
        let args = SnapshotListAllChildrenArgs {
            snapshot: snap(dom, name),
            need_results: 1,
            flags,
        };
        let r: SnapshotListRet = self
            .client()
            .call(procs::DOMAIN_SNAPSHOT_LIST_ALL_CHILDREN, &args)?;
        Ok(names(r))
    }

    fn snapshot_lookup(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        let args = DomainSnapshotLookupByNameArgs {
            dom: to_wire(dom),
            name: name.to_string(),
            flags,
        };
        let _: SnapshotRet = self
            .client()
            .call(procs::DOMAIN_SNAPSHOT_LOOKUP_BY_NAME, &args)?;
        Ok(())
    }

    fn snapshot_current(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        let args = DomainFlagsArgs {
            dom: to_wire(dom),
            flags,
        };
        let r: SnapshotRet = self.client().call(procs::DOMAIN_SNAPSHOT_CURRENT, &args)?;
        Ok(r.snap.name)
    }

    fn has_current_snapshot(&self, dom: &DomainRef, flags: u32) -> Result<bool> {
        let args = DomainFlagsArgs {
            dom: to_wire(dom),
            flags,
        };
        let r: IntRet = self
            .client()
            .call(procs::DOMAIN_HAS_CURRENT_SNAPSHOT, &args)?;
        Ok(r.value != 0)
    }

    fn snapshot_parent(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        let r: SnapshotRet = self.client().call(
            procs::DOMAIN_SNAPSHOT_GET_PARENT,
            &snap_flags(dom, name, flags),
        )?;
        Ok(r.snap.name)
    }

    fn snapshot_is_current(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<bool> {
        let r: IntRet = self.client().call(
            procs::DOMAIN_SNAPSHOT_IS_CURRENT,
            &snap_flags(dom, name, flags),
        )?;
        Ok(r.value != 0)
    }

    fn snapshot_has_metadata(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<bool> {
        let r: IntRet = self.client().call(
            procs::DOMAIN_SNAPSHOT_HAS_METADATA,
            &snap_flags(dom, name, flags),
        )?;
        Ok(r.value != 0)
    }

    fn revert_to_snapshot(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        self.client().call(
            procs::DOMAIN_REVERT_TO_SNAPSHOT,
            &snap_flags(dom, name, flags),
        )
    }

    fn snapshot_delete(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        self.client()
            .call(procs::DOMAIN_SNAPSHOT_DELETE, &snap_flags(dom, name, flags))
    }
}
