//! [`SecretDriver`]: secrets (libvirt's `virSecretDriver`).

use uuid::Uuid;

use super::refs::SecretRef;
use crate::{Error, ErrorDomain, Result};

fn unsupported<T>(api: &str) -> Result<T> {
    Err(Error::no_support(ErrorDomain::Secret, api))
}

/// The secret operations of one connection. Every method defaults to
/// `VIR_ERR_NO_SUPPORT` in `VIR_FROM_SECRET`, naming libvirt's function.
#[allow(unused_variables)]
pub trait SecretDriver: Send + Sync {
    /// Secrets matching `virConnectListAllSecretsFlags`.
    fn list_all_secrets(&self, flags: u32) -> Result<Vec<SecretRef>> {
        unsupported("virConnectListAllSecrets")
    }
    /// A secret by UUID.
    fn secret_lookup_by_uuid(&self, uuid: &Uuid) -> Result<SecretRef> {
        unsupported("virSecretLookupByUUID")
    }
    /// A secret by usage.
    fn secret_lookup_by_usage(&self, usage_type: i32, usage_id: &str) -> Result<SecretRef> {
        unsupported("virSecretLookupByUsage")
    }
    /// Defines (or redefines) a secret.
    fn secret_define_xml(&self, xml: &str, flags: u32) -> Result<SecretRef> {
        unsupported("virSecretDefineXML")
    }
    /// The XML.
    fn secret_xml_desc(&self, secret: &SecretRef, flags: u32) -> Result<String> {
        unsupported("virSecretGetXMLDesc")
    }
    /// Sets the value.
    fn secret_set_value(&self, secret: &SecretRef, value: &[u8], flags: u32) -> Result<()> {
        unsupported("virSecretSetValue")
    }
    /// The value. `internal` is libvirt's `VIR_SECRET_GET_VALUE_INTERNAL_CALL`: a
    /// driver asking (a QEMU disk's passphrase), which private secrets answer too.
    fn secret_get_value(&self, secret: &SecretRef, flags: u32, internal: bool) -> Result<Vec<u8>> {
        unsupported("virSecretGetValue")
    }
    /// Removes the secret.
    fn secret_undefine(&self, secret: &SecretRef) -> Result<()> {
        unsupported("virSecretUndefine")
    }
    /// The first callback for secret event `event_id` was registered, or the last
    /// one went.
    fn secret_event_interest(&self, event_id: i32, wanted: bool) -> Result<()> {
        Ok(())
    }
}
