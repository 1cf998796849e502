//! [`Checkpoints`] over the wire (the inverse of rvirtd's checkpoint handlers).

use rvirt_core::Result;
use rvirt_core::driver::{Checkpoints, DomainRef};
use rvirt_rpc::checkpoints::*;
use rvirt_rpc::procs;
use rvirt_rpc::types::DomainGetXmlDescRet;

use crate::connection::RemoteConnection;
use crate::wire::to_wire;

fn wire(dom: &DomainRef, name: &str) -> RemoteNonnullDomainCheckpoint {
    RemoteNonnullDomainCheckpoint {
        name: name.to_string(),
        dom: to_wire(dom),
    }
}

fn with_flags(dom: &DomainRef, name: &str, flags: u32) -> CheckpointFlagsArgs {
    CheckpointFlagsArgs {
        checkpoint: wire(dom, name),
        flags,
    }
}

fn names(r: CheckpointListRet) -> Vec<String> {
    r.checkpoints.into_iter().map(|c| c.name).collect()
}

impl Checkpoints for RemoteConnection {
    fn checkpoint_create_xml(&self, dom: &DomainRef, xml: &str, flags: u32) -> Result<String> {
        let args = DomainCheckpointCreateXmlArgs {
            dom: to_wire(dom),
            xml_desc: xml.to_string(),
            flags,
        };
        let r: CheckpointRet = self
            .client()
            .call(procs::DOMAIN_CHECKPOINT_CREATE_XML, &args)?;
        Ok(r.checkpoint.name)
    }

    fn checkpoint_xml(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        let r: DomainGetXmlDescRet = self.client().call(
            procs::DOMAIN_CHECKPOINT_GET_XML_DESC,
            &with_flags(dom, name, flags),
        )?;
        Ok(r.xml)
    }

    fn checkpoint_list(&self, dom: &DomainRef, flags: u32) -> Result<Vec<String>> {
        let args = DomainListAllCheckpointsArgs {
            dom: to_wire(dom),
            need_results: 1,
            flags,
        };
        let r: CheckpointListRet = self
            .client()
            .call(procs::DOMAIN_LIST_ALL_CHECKPOINTS, &args)?;
        Ok(names(r))
    }

    fn checkpoint_children(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<Vec<String>> {
        let args = CheckpointListAllChildrenArgs {
            checkpoint: wire(dom, name),
            need_results: 1,
            flags,
        };
        let r: CheckpointListRet = self
            .client()
            .call(procs::DOMAIN_CHECKPOINT_LIST_ALL_CHILDREN, &args)?;
        Ok(names(r))
    }

    fn checkpoint_lookup(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        let args = DomainCheckpointLookupByNameArgs {
            dom: to_wire(dom),
            name: name.to_string(),
            flags,
        };
        let _: CheckpointRet = self
            .client()
            .call(procs::DOMAIN_CHECKPOINT_LOOKUP_BY_NAME, &args)?;
        Ok(())
    }

    fn checkpoint_parent(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        let r: CheckpointRet = self.client().call(
            procs::DOMAIN_CHECKPOINT_GET_PARENT,
            &with_flags(dom, name, flags),
        )?;
        Ok(r.checkpoint.name)
    }

    fn checkpoint_delete(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        self.client().call(
            procs::DOMAIN_CHECKPOINT_DELETE,
            &with_flags(dom, name, flags),
        )
    }
}
