//! [`DomainCheckpoint`]: a handle on one checkpoint of a domain
//! (`virDomainCheckpointPtr`), and [`Domain`]'s checkpoint calls.

use super::Domain;
use crate::driver::Checkpoints;
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// A checkpoint handle: the domain and the checkpoint's name.
#[derive(Clone, Debug)]
pub struct DomainCheckpoint {
    domain: Domain,
    name: String,
}

impl Domain {
    fn checkpoints_driver(&self, api: &str) -> Result<&dyn Checkpoints> {
        self.connect()
            .driver()?
            .checkpoints()
            .ok_or_else(|| Error::no_support(ErrorDomain::DomainCheckpoint, api.to_string()))
    }

    fn checkpoint_handle(&self, name: String) -> DomainCheckpoint {
        DomainCheckpoint {
            domain: self.clone(),
            name,
        }
    }

    /// Creates a checkpoint (`virDomainCheckpointCreateXML`).
    pub fn checkpoint_create_xml(&self, xml: &str, flags: u32) -> Result<DomainCheckpoint> {
        self.connect()
            .check_writable("virDomainCheckpointCreateXML")?;
        // VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE needs REDEFINE.
        if flags & 4 != 0 && flags & 1 == 0 {
            return Err(Error::verbatim(
                ErrorCode::InvalidArg,
                ErrorDomain::DomainCheckpoint,
                "Flag 'VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE' is required by flag \
                 'VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE'",
            ));
        }
        let name = self
            .checkpoints_driver("virDomainCheckpointCreateXML")?
            .checkpoint_create_xml(self.domain_ref(), xml, flags)?;
        Ok(self.checkpoint_handle(name))
    }

    /// The checkpoints `flags` select (`virDomainListAllCheckpoints`).
    pub fn list_all_checkpoints(&self, flags: u32) -> Result<Vec<DomainCheckpoint>> {
        Ok(self
            .checkpoints_driver("virDomainListAllCheckpoints")?
            .checkpoint_list(self.domain_ref(), flags)?
            .into_iter()
            .map(|n| self.checkpoint_handle(n))
            .collect())
    }

    /// The checkpoint named `name` (`virDomainCheckpointLookupByName`).
    pub fn checkpoint_lookup_by_name(&self, name: &str, flags: u32) -> Result<DomainCheckpoint> {
        self.checkpoints_driver("virDomainCheckpointLookupByName")?
            .checkpoint_lookup(self.domain_ref(), name, flags)?;
        Ok(self.checkpoint_handle(name.to_string()))
    }
}

impl DomainCheckpoint {
    /// A handle on checkpoint `name` of `domain`, without asking the driver (what a
    /// server does with a checkpoint reference a client sends).
    pub fn new(domain: Domain, name: impl Into<String>) -> DomainCheckpoint {
        DomainCheckpoint {
            domain,
            name: name.into(),
        }
    }

    /// The checkpoint's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its domain.
    pub fn domain(&self) -> &Domain {
        &self.domain
    }

    fn driver(&self, api: &str) -> Result<&dyn Checkpoints> {
        self.domain.checkpoints_driver(api)
    }

    /// `virDomainCheckpointGetXMLDesc`.
    pub fn xml_desc(&self, flags: u32) -> Result<String> {
        self.driver("virDomainCheckpointGetXMLDesc")?
            .checkpoint_xml(self.domain.domain_ref(), &self.name, flags)
    }

    /// `virDomainCheckpointGetParent`.
    pub fn parent(&self, flags: u32) -> Result<DomainCheckpoint> {
        let name = self
            .driver("virDomainCheckpointGetParent")?
            .checkpoint_parent(self.domain.domain_ref(), &self.name, flags)?;
        Ok(self.domain.checkpoint_handle(name))
    }

    /// `virDomainCheckpointListAllChildren`.
    pub fn list_all_children(&self, flags: u32) -> Result<Vec<DomainCheckpoint>> {
        Ok(self
            .driver("virDomainCheckpointListAllChildren")?
            .checkpoint_children(self.domain.domain_ref(), &self.name, flags)?
            .into_iter()
            .map(|n| self.domain.checkpoint_handle(n))
            .collect())
    }

    /// `virDomainCheckpointDelete`.
    pub fn delete(&self, flags: u32) -> Result<()> {
        self.domain
            .connect()
            .check_writable("virDomainCheckpointDelete")?;
        // VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN and _CHILDREN_ONLY exclude each other.
        if flags & 5 == 5 {
            return Err(Error::verbatim(
                ErrorCode::InvalidArg,
                ErrorDomain::DomainCheckpoint,
                "Flags 'VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN' and \
                 'VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY' are mutually exclusive",
            ));
        }
        self.driver("virDomainCheckpointDelete")?.checkpoint_delete(
            self.domain.domain_ref(),
            &self.name,
            flags,
        )
    }
}
