//! [`Checkpoints`]: a driver's domain checkpoints (`virDomainCheckpoint*`). A driver opts
//! in through [`DriverConnection::checkpoints`](super::DriverConnection::checkpoints);
//! every method defaults to `VIR_ERR_NO_SUPPORT`. Checkpoints are named by their domain
//! and name.

use crate::{Error, ErrorDomain, Result};

use super::DomainRef;

fn unsupported<T>(api: &str) -> Result<T> {
    Err(Error::no_support(
        ErrorDomain::DomainCheckpoint,
        api.to_string(),
    ))
}

/// Checkpoint operations of one driver connection.
#[allow(unused_variables)]
pub trait Checkpoints: Send + Sync {
    /// Creates (or with REDEFINE records) a checkpoint from a `<domaincheckpoint>`
    /// document; returns its name (`virDomainCheckpointCreateXML`).
    fn checkpoint_create_xml(&self, dom: &DomainRef, xml: &str, flags: u32) -> Result<String> {
        unsupported("virDomainCheckpointCreateXML")
    }
    /// The checkpoint's XML (`virDomainCheckpointGetXMLDesc`).
    fn checkpoint_xml(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        unsupported("virDomainCheckpointGetXMLDesc")
    }
    /// Names of the checkpoints `flags` select (`virDomainListAllCheckpoints`).
    fn checkpoint_list(&self, dom: &DomainRef, flags: u32) -> Result<Vec<String>> {
        unsupported("virDomainListAllCheckpoints")
    }
    /// Names of `name`'s children or descendants
    /// (`virDomainCheckpointListAllChildren`).
    fn checkpoint_children(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<Vec<String>> {
        unsupported("virDomainCheckpointListAllChildren")
    }
    /// Checks that `name` exists (`virDomainCheckpointLookupByName`).
    fn checkpoint_lookup(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        unsupported("virDomainCheckpointLookupByName")
    }
    /// `name`'s parent (`virDomainCheckpointGetParent`).
    fn checkpoint_parent(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        unsupported("virDomainCheckpointGetParent")
    }
    /// Deletes `name` (`virDomainCheckpointDelete`).
    fn checkpoint_delete(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        unsupported("virDomainCheckpointDelete")
    }
}
