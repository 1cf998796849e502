//! Domain checkpoints in the QEMU driver (`rvirt_core::driver::Checkpoints`), as
//! libvirt's QEMU driver keeps them: a checkpoint is a persistent dirty bitmap named
//! after it in each covered (qcow2) disk ([`bitmaps`]), added or removed through QMP
//! while the guest runs and with `qemu-img bitmap` while it is shut off
//! ([`create`], [`delete`]); its metadata (the core [`CheckpointTree`] with the current
//! checkpoint) lives in `ROOT/lib/qemu/checkpoint/DOMAIN/NAME.xml` ([`store`]) and is
//! read back by the next driver instance.

mod bitmaps;
mod create;
mod delete;
pub(crate) mod store;

use rvirt_core::conf::DomainCheckpointDef;
use rvirt_core::driver::{Checkpoints, DomainRef};
use rvirt_core::objects::{
    CheckpointTree, checkpoint_list_flags as list, checkpoint_not_found,
    checkpoint_xml_flags as xml_flags, no_checkpoint,
};
use rvirt_core::{ErrorDomain, Result};

use super::connection::{QemuConnection, check_flags};
use super::instance::Shared;
use super::running::Vm;

impl Shared {
    /// The root's checkpoint metadata store.
    pub(crate) fn checkpoint_store(&self) -> store::Store {
        store::Store::new(&self.dirs().lib)
    }

    /// Writes `vm`'s checkpoint metadata as its tree now is.
    pub(crate) fn save_checkpoints(&self, vm: &Vm) -> Result<()> {
        self.checkpoint_store().sync(vm.name(), &vm.checkpoints)
    }

    /// At start-up: every domain's checkpoint metadata read back; that of domains no
    /// longer here removed, as libvirt removes it with the domain.
    pub(crate) fn load_checkpoints(&self) {
        let store = self.checkpoint_store();
        let mut names = Vec::new();
        for entry in self.domains.list.entries() {
            let mut vm = entry.lock();
            vm.checkpoints = store.load(vm.name());
            names.push(vm.name().to_string());
        }
        store.remove_others(&names);
    }
}

/// Fills in the disk sizes of `c` from the running QEMU of `dom`, inside a job as
/// libvirt does (`VIR_ERR_OPERATION_INVALID` when the domain is not running).
fn xml_size(shared: &Shared, dom: &DomainRef, c: &mut DomainCheckpointDef) -> Result<()> {
    let entry = shared.domains.list.get(dom)?;
    let job = entry.begin_job("virDomainCheckpointGetXMLDesc")?;
    let (mon, def) = {
        let vm = job.lock();
        let mon = crate::driver::running::running_monitor(&vm)?;
        (mon, vm.def.clone())
    };
    bitmaps::sizes(&mon, &def, c)
}

impl QemuConnection {
    /// Runs `f` on `dom`'s checkpoint `name` after checking `flags`.
    fn with_checkpoint<T>(
        &self,
        dom: &DomainRef,
        name: &str,
        (flags, allowed, function): (u32, u32, &str),
        f: impl FnOnce(&CheckpointTree, &DomainCheckpointDef) -> Result<T>,
    ) -> Result<T> {
        check_flags(flags, allowed, function)?;
        self.read(dom, |vm| {
            let c = vm
                .checkpoints
                .get(name)
                .ok_or_else(|| checkpoint_not_found(ErrorDomain::Qemu, name))?;
            f(&vm.checkpoints, c)
        })
    }
}

impl Checkpoints for QemuConnection {
    fn checkpoint_create_xml(&self, dom: &DomainRef, xml: &str, flags: u32) -> Result<String> {
        create::create(&self.shared, dom, xml, flags)
    }

    fn checkpoint_xml(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        let allowed = xml_flags::SECURE | xml_flags::NO_DOMAIN | xml_flags::SIZE;
        let function = "qemuDomainCheckpointGetXMLDesc";
        let mut c =
            self.with_checkpoint(dom, name, (flags, allowed, function), |_, c| Ok(c.clone()))?;
        if flags & xml_flags::SIZE != 0 {
            xml_size(&self.shared, dom, &mut c)?;
        }
        if flags & xml_flags::SECURE == 0
            && let Some(d) = c.domain.as_mut()
        {
            d.hide_secrets();
        }
        Ok(c.to_xml(flags & xml_flags::NO_DOMAIN != 0))
    }

    fn checkpoint_list(&self, dom: &DomainRef, flags: u32) -> Result<Vec<String>> {
        check_flags(flags, list::ALL, "qemuDomainListAllCheckpoints")?;
        self.read(dom, |vm| Ok(vm.checkpoints.list(flags)))
    }

    fn checkpoint_children(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<Vec<String>> {
        self.with_checkpoint(
            dom,
            name,
            (flags, list::ALL, "qemuDomainCheckpointListAllChildren"),
            |t, _| Ok(t.children(name, flags)),
        )
    }

    fn checkpoint_lookup(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        self.with_checkpoint(
            dom,
            name,
            (flags, 0, "qemuDomainCheckpointLookupByName"),
            |_, _| Ok(()),
        )
    }

    fn checkpoint_parent(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        self.with_checkpoint(
            dom,
            name,
            (flags, 0, "qemuDomainCheckpointGetParent"),
            |_, c| {
                c.parent.clone().ok_or_else(|| {
                    no_checkpoint(
                        ErrorDomain::Qemu,
                        format!("checkpoint '{name}' does not have a parent"),
                    )
                })
            },
        )
    }

    fn checkpoint_delete(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        delete::delete(&self.shared, dom, name, flags)
    }
}
