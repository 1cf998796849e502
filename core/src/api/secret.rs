//! [`Secret`] handles and the secret calls of [`Connect`].

use uuid::Uuid;

use super::Connect;
use super::secondary::handle;
use crate::driver::SecretRef;
use crate::{ErrorDomain, Result};

const D: ErrorDomain = ErrorDomain::Secret;

handle!(
    /// A secret (libvirt's `virSecretPtr`).
    Secret,
    SecretRef
);

impl Connect {
    /// Secrets matching `virConnectListAllSecretsFlags` (0 = all).
    pub fn list_all_secrets(&self, flags: u32) -> Result<Vec<Secret>> {
        let refs = self
            .secret_driver("virConnectListAllSecrets")?
            .list_all_secrets(flags)?;
        Ok(refs
            .into_iter()
            .map(|r| Secret::from_ref(self.clone(), r))
            .collect())
    }

    /// A secret by UUID (`VIR_ERR_NO_SECRET` when there is none).
    pub fn lookup_secret_by_uuid(&self, uuid: &Uuid) -> Result<Secret> {
        let r = self
            .secret_driver("virSecretLookupByUUID")?
            .secret_lookup_by_uuid(uuid)?;
        Ok(Secret::from_ref(self.clone(), r))
    }

    /// A secret by usage type and id.
    pub fn lookup_secret_by_usage(&self, usage_type: i32, usage_id: &str) -> Result<Secret> {
        let r = self
            .secret_driver("virSecretLookupByUsage")?
            .secret_lookup_by_usage(usage_type, usage_id)?;
        Ok(Secret::from_ref(self.clone(), r))
    }

    /// Defines (or redefines) a secret (`virSecretDefineXML`).
    pub fn secret_define_xml(&self, xml: &str, flags: u32) -> Result<Secret> {
        let api = "virSecretDefineXML";
        self.deny_read_only(D, api)?;
        let r = self.secret_driver(api)?.secret_define_xml(xml, flags)?;
        Ok(Secret::from_ref(self.clone(), r))
    }
}

impl Secret {
    /// UUID.
    pub fn uuid(&self) -> &Uuid {
        &self.r.uuid
    }

    /// `virSecretUsageType` number.
    pub fn usage_type(&self) -> i32 {
        self.r.usage_type
    }

    /// The usage id.
    pub fn usage_id(&self) -> &str {
        &self.r.usage_id
    }

    /// Its XML.
    pub fn xml_desc(&self, flags: u32) -> Result<String> {
        self.conn
            .secret_driver("virSecretGetXMLDesc")?
            .secret_xml_desc(&self.r, flags)
    }

    /// Sets its value (`virSecretSetValue`).
    pub fn set_value(&self, value: &[u8], flags: u32) -> Result<()> {
        let api = "virSecretSetValue";
        self.conn.deny_read_only(D, api)?;
        self.conn
            .secret_driver(api)?
            .secret_set_value(&self.r, value, flags)
    }

    /// Its value (`virSecretGetValue`): refused on read-only connections and for
    /// private secrets.
    pub fn value(&self, flags: u32) -> Result<Vec<u8>> {
        let api = "virSecretGetValue";
        self.conn.deny_read_only(D, api)?;
        self.conn
            .secret_driver(api)?
            .secret_get_value(&self.r, flags, false)
    }

    /// Removes it (`virSecretUndefine`).
    pub fn undefine(&self) -> Result<()> {
        let api = "virSecretUndefine";
        self.conn.deny_read_only(D, api)?;
        self.conn.secret_driver(api)?.secret_undefine(&self.r)
    }
}
