//! Domain snapshots in the QEMU driver (`rvirt_core::driver::Snapshots`), as libvirt's
//! QEMU driver takes them:
//!
//! * internal snapshots of every (qcow2) disk: of a running or paused guest with its
//!   memory, through QEMU's `snapshot-save` job ([`jobs`]); of a shut-off one with
//!   `qemu-img snapshot -c` ([`qemu_img`]);
//! * external disk-only snapshots: a new qcow2 overlay over each disk's image, switched
//!   to with `blockdev-add` + `blockdev-snapshot` (a QMP `transaction`) while the guest
//!   runs, or written into the definition while it is shut off ([`external`]);
//! * revert ([`revert`]): a running guest is stopped and started again from the
//!   snapshot (`snapshot-load` before it runs), a shut-off snapshot is applied with
//!   `qemu-img snapshot -a`; delete ([`delete`]) with or without the descendants;
//! * metadata ([`store`]): libvirt's tree with its current snapshot in
//!   `ROOT/lib/qemu/snapshot/DOMAIN/NAME.xml`, read back by the next driver instance.

mod create;
mod delete;
pub(crate) mod disks;
pub(crate) mod external;
pub(crate) mod jobs;
pub(crate) mod live;
pub(crate) mod qemu_img;
mod revert;
pub(crate) mod store;

use rvirt_core::driver::{DomainRef, Snapshots};
use rvirt_core::objects::{list_flags, no_snapshot};
use rvirt_core::{Error, ErrorDomain, Result};

use super::connection::{QemuConnection, check_flags};
use super::instance::Shared;
use super::running::Vm;

/// `VIR_DOMAIN_SNAPSHOT_XML_SECURE`.
const XML_SECURE: u32 = 1;

/// `VIR_ERR_NO_DOMAIN_SNAPSHOT` for `name`.
pub(crate) fn missing(name: &str) -> Error {
    no_snapshot(
        ErrorDomain::Qemu,
        format!("no domain snapshot with matching name '{name}'"),
    )
}

impl Shared {
    /// The root's snapshot metadata store.
    pub(crate) fn snapshot_store(&self) -> store::Store {
        store::Store::new(&self.dirs().lib)
    }

    /// Writes `vm`'s snapshot metadata as its tree now is.
    pub(crate) fn save_snapshots(&self, vm: &Vm) -> Result<()> {
        self.snapshot_store().sync(vm.name(), &vm.snapshots)
    }

    /// At start-up: every domain's snapshot metadata read back; that of domains no
    /// longer here (transient ones that stopped unwatched) removed, as libvirt removes
    /// it with the domain.
    pub(crate) fn load_snapshots(&self) {
        let store = self.snapshot_store();
        let mut names = Vec::new();
        for entry in self.domains.list.entries() {
            let mut vm = entry.lock();
            let tree = store.load(vm.name());
            vm.snapshots = tree;
            names.push(vm.name().to_string());
        }
        store.remove_others(&names);
    }

    /// Removes a transient domain whose run ended, with its snapshot metadata
    /// (libvirt's `qemuDomainRemoveInactive`).
    pub(crate) fn forget_if_transient(&self, entry: &super::instance::Entry) {
        let name = entry.name().to_string();
        if self.domains.list.remove_if_transient(&entry.uuid())
            && self.domains.list.find_by_name(&name).is_none()
        {
            let _ = self.snapshot_store().remove_all(&name);
            let _ = self.checkpoint_store().remove_all(&name);
        }
    }
}

impl QemuConnection {
    /// Runs `f` on `dom` after checking `flags`.
    fn snapshot_read<T>(
        &self,
        dom: &DomainRef,
        flags: u32,
        allowed: u32,
        function: &str,
        f: impl FnOnce(&Vm) -> Result<T>,
    ) -> Result<T> {
        check_flags(flags, allowed, function)?;
        self.read(dom, f)
    }

    /// [`Self::snapshot_read`] of the snapshot `name` (`VIR_ERR_NO_DOMAIN_SNAPSHOT`
    /// when `dom` has none of that name).
    fn with_snapshot<T>(
        &self,
        dom: &DomainRef,
        name: &str,
        flags: u32,
        allowed: u32,
        function: &str,
        f: impl FnOnce(&Vm, &rvirt_core::conf::DomainSnapshotDef) -> Result<T>,
    ) -> Result<T> {
        self.snapshot_read(dom, flags, allowed, function, |vm| {
            let snap = vm.snapshots.get(name).ok_or_else(|| missing(name))?;
            f(vm, snap)
        })
    }
}

impl Snapshots for QemuConnection {
    fn snapshot_create_xml(&self, dom: &DomainRef, xml: &str, flags: u32) -> Result<String> {
        create::create(&self.shared, dom, xml, flags)
    }

    fn snapshot_xml(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        self.with_snapshot(
            dom,
            name,
            flags,
            XML_SECURE,
            "qemuDomainSnapshotGetXMLDesc",
            |_, s| {
                let mut s = s.clone();
                if flags & XML_SECURE == 0
                    && let Some(d) = s.domain.as_mut()
                {
                    d.hide_secrets();
                }
                Ok(s.to_xml())
            },
        )
    }

    fn snapshot_list(&self, dom: &DomainRef, flags: u32) -> Result<Vec<String>> {
        self.snapshot_read(
            dom,
            flags,
            list_flags::ALL,
            "qemuDomainListAllSnapshots",
            |vm| Ok(vm.snapshots.list(flags)),
        )
    }

    fn snapshot_children(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<Vec<String>> {
        self.with_snapshot(
            dom,
            name,
            flags,
            list_flags::ALL,
            "qemuDomainSnapshotListAllChildren",
            |vm, _| Ok(vm.snapshots.children(name, flags)),
        )
    }

    fn snapshot_lookup(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        self.with_snapshot(
            dom,
            name,
            flags,
            0,
            "qemuDomainSnapshotLookupByName",
            |_, _| Ok(()),
        )
    }

    fn snapshot_current(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        self.snapshot_read(dom, flags, 0, "qemuDomainSnapshotCurrent", |vm| {
            vm.snapshots.current().map(str::to_string).ok_or_else(|| {
                no_snapshot(
                    ErrorDomain::Qemu,
                    "the domain does not have a current snapshot",
                )
            })
        })
    }

    fn has_current_snapshot(&self, dom: &DomainRef, flags: u32) -> Result<bool> {
        self.snapshot_read(dom, flags, 0, "qemuDomainHasCurrentSnapshot", |vm| {
            Ok(vm.snapshots.current().is_some())
        })
    }

    fn snapshot_parent(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        self.with_snapshot(
            dom,
            name,
            flags,
            0,
            "qemuDomainSnapshotGetParent",
            |_, s| {
                s.parent.clone().ok_or_else(|| {
                    no_snapshot(
                        ErrorDomain::Qemu,
                        format!("snapshot '{name}' does not have a parent"),
                    )
                })
            },
        )
    }

    fn snapshot_is_current(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<bool> {
        self.with_snapshot(
            dom,
            name,
            flags,
            0,
            "qemuDomainSnapshotIsCurrent",
            |vm, _| Ok(vm.snapshots.current() == Some(name)),
        )
    }

    fn snapshot_has_metadata(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<bool> {
        self.with_snapshot(
            dom,
            name,
            flags,
            0,
            "qemuDomainSnapshotHasMetadata",
            |_, _| Ok(true),
        )
    }

    fn revert_to_snapshot(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        revert::revert(&self.shared, dom, name, flags)
    }

    fn snapshot_delete(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        delete::delete(&self.shared, dom, name, flags)
    }
}
