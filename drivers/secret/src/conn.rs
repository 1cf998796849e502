//! [`SecretConn`]: the secret driver of one connection (a view on the host state).

use std::sync::Arc;

use rvirt_core::driver::{SecretDriver, SecretRef};
use rvirt_core::{Error, ErrorDomain, Result, Uuid};

use crate::state::{LIST_EPHEMERAL, LIST_NO_EPHEMERAL, LIST_NO_PRIVATE, LIST_PRIVATE, State};

/// libvirt's `virCheckFlags`: unknown flags are `VIR_ERR_INVALID_ARG` naming the
/// driver function.
fn check(flags: u32, known: u32, function: &str) -> Result<()> {
    let unknown = flags & !known;
    if unknown != 0 {
        return Err(Error::invalid_arg(
            ErrorDomain::Secret,
            format!("unsupported flags (0x{unknown:x}) in function {function}"),
        ));
    }
    Ok(())
}

/// The secret calls of one connection.
#[derive(Debug)]
pub(crate) struct SecretConn {
    pub(crate) state: Arc<State>,
}

impl SecretDriver for SecretConn {
    fn list_all_secrets(&self, flags: u32) -> Result<Vec<SecretRef>> {
        let all = LIST_EPHEMERAL | LIST_NO_EPHEMERAL | LIST_PRIVATE | LIST_NO_PRIVATE;
        check(flags, all, "secretConnectListAllSecrets")?;
        Ok(self.state.list(flags))
    }

    fn secret_lookup_by_uuid(&self, uuid: &Uuid) -> Result<SecretRef> {
        self.state.with(uuid, |list, i| Ok(list[i].reference()))
    }

    fn secret_lookup_by_usage(&self, usage_type: i32, usage_id: &str) -> Result<SecretRef> {
        self.state.find_usage(usage_type, usage_id)
    }

    fn secret_define_xml(&self, xml: &str, flags: u32) -> Result<SecretRef> {
        // VIR_SECRET_DEFINE_VALIDATE: accepted; the parser's checks are the validation.
        check(flags, 1, "secretDefineXML")?;
        self.state.define(xml)
    }

    fn secret_xml_desc(&self, secret: &SecretRef, flags: u32) -> Result<String> {
        check(flags, 0, "secretGetXMLDesc")?;
        self.state
            .with(&secret.uuid, |list, i| Ok(list[i].def.to_xml()))
    }

    fn secret_set_value(&self, secret: &SecretRef, value: &[u8], flags: u32) -> Result<()> {
        check(flags, 0, "secretSetValue")?;
        self.state.set_value(&secret.uuid, value)
    }

    fn secret_get_value(&self, secret: &SecretRef, flags: u32, internal: bool) -> Result<Vec<u8>> {
        check(flags, 0, "secretGetValue")?;
        self.state.value(&secret.uuid, internal)
    }

    fn secret_undefine(&self, secret: &SecretRef) -> Result<()> {
        self.state.undefine(&secret.uuid)
    }
}
