//! The QEMU driver's snapshot queries (`rvirt_core::driver::Snapshots`). The driver
//! takes no snapshots yet (`virDomainSnapshotCreateXML` stays `VIR_ERR_NO_SUPPORT`), so
//! no domain has snapshot metadata: the listings are empty, there is no current
//! snapshot, and every call naming a snapshot answers libvirt's
//! `VIR_ERR_NO_DOMAIN_SNAPSHOT`, as libvirt's QEMU driver answers for a domain
//! without snapshots. Each call still checks the domain (`VIR_ERR_NO_DOMAIN`) and its
//! flags (`VIR_ERR_INVALID_ARG`) first, like libvirt's.

use rvirt_core::driver::{DomainRef, Snapshots};
use rvirt_core::objects::{list_flags, no_snapshot};
use rvirt_core::{Error, ErrorDomain, Result};

use super::connection::{QemuConnection, check_flags};

/// `VIR_DOMAIN_SNAPSHOT_XML_SECURE`.
const XML_SECURE: u32 = 1;
/// `VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING | PAUSED | FORCE | RESET_NVRAM`.
const REVERT_FLAGS: u32 = 1 | 2 | 4 | 8;
/// `VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN | METADATA_ONLY | CHILDREN_ONLY`.
const DELETE_FLAGS: u32 = 1 | 2 | 4;

fn missing(name: &str) -> Error {
    no_snapshot(
        ErrorDomain::Qemu,
        format!("no domain snapshot with matching name '{name}'"),
    )
}

impl QemuConnection {
    /// Checks that `dom` exists and `flags` are allowed for `function`.
    fn snapshot_query(
        &self,
        dom: &DomainRef,
        flags: u32,
        allowed: u32,
        function: &str,
    ) -> Result<()> {
        check_flags(flags, allowed, function)?;
        self.read(dom, |_| Ok(()))
    }

    /// A call about the snapshot `name` of `dom`, which cannot exist.
    fn no_such_snapshot<T>(
        &self,
        dom: &DomainRef,
        name: &str,
        flags: u32,
        allowed: u32,
        function: &str,
    ) -> Result<T> {
        self.snapshot_query(dom, flags, allowed, function)?;
        Err(missing(name))
    }
}

impl Snapshots for QemuConnection {
    fn snapshot_list(&self, dom: &DomainRef, flags: u32) -> Result<Vec<String>> {
        self.snapshot_query(dom, flags, list_flags::ALL, "qemuDomainListAllSnapshots")?;
        Ok(Vec::new())
    }

    fn snapshot_children(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<Vec<String>> {
        self.no_such_snapshot(
            dom,
            name,
            flags,
            list_flags::ALL,
            "qemuDomainSnapshotListAllChildren",
        )
    }

    fn snapshot_xml(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        self.no_such_snapshot(dom, name, flags, XML_SECURE, "qemuDomainSnapshotGetXMLDesc")
    }

    fn snapshot_lookup(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        self.no_such_snapshot(dom, name, flags, 0, "qemuDomainSnapshotLookupByName")
    }

    fn snapshot_current(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        self.snapshot_query(dom, flags, 0, "qemuDomainSnapshotCurrent")?;
        Err(no_snapshot(
            ErrorDomain::Qemu,
            "the domain does not have a current snapshot",
        ))
    }

    fn has_current_snapshot(&self, dom: &DomainRef, flags: u32) -> Result<bool> {
        self.snapshot_query(dom, flags, 0, "qemuDomainHasCurrentSnapshot")?;
        Ok(false)
    }

    fn snapshot_parent(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        self.no_such_snapshot(dom, name, flags, 0, "qemuDomainSnapshotGetParent")
    }

    fn snapshot_is_current(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<bool> {
        self.no_such_snapshot(dom, name, flags, 0, "qemuDomainSnapshotIsCurrent")
    }

    fn snapshot_has_metadata(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<bool> {
        self.no_such_snapshot(dom, name, flags, 0, "qemuDomainSnapshotHasMetadata")
    }

    fn revert_to_snapshot(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        self.no_such_snapshot(dom, name, flags, REVERT_FLAGS, "qemuDomainRevertToSnapshot")
    }

    fn snapshot_delete(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        self.no_such_snapshot(dom, name, flags, DELETE_FLAGS, "qemuDomainSnapshotDelete")
    }
}
