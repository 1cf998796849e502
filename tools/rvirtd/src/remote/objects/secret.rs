//! Secret procedures. Values travel only to writable clients (the table refuses
//! SECRET_GET_VALUE to read-only ones, as libvirtd does), and never for private
//! secrets.

use rvirt_core::api::Secret;
use rvirt_core::{Connect, Uuid};
use rvirt_rpc::types::*;
use rvirt_rpc_server::CallResult;

use super::{as_api, list_all, max_names, num};
use crate::remote::{Ctx, CtxExt};

fn secret(conn: Connect, w: RemoteNonnullSecret) -> Secret {
    Secret::from_ref(conn, w.into())
}

fn secret_ret(s: &Secret) -> SecretRet {
    ObjRet {
        obj: s.object_ref().into(),
    }
}

/// CONNECT_LIST_ALL_SECRETS.
pub(crate) fn list_all_secrets(
    ctx: &Ctx<'_>,
    a: ListAllArgs,
) -> CallResult<ListAllRet<RemoteNonnullSecret>> {
    let secrets = ctx.conn()?.list_all_secrets(a.flags)?;
    list_all(&secrets, a.need_results, SECRET_LIST_MAX, "secrets", |s| {
        s.object_ref().into()
    })
}

/// CONNECT_NUM_OF_SECRETS.
pub(crate) fn num_of_secrets(ctx: &Ctx<'_>, (): ()) -> CallResult<NumRet> {
    let secrets = as_api(ctx.conn()?.list_all_secrets(0), "virConnectNumOfSecrets")?;
    Ok(num(secrets.len()))
}

/// CONNECT_LIST_SECRETS.
pub(crate) fn list_secrets(
    ctx: &Ctx<'_>,
    a: ConnectListSecretsArgs,
) -> CallResult<ConnectListSecretsRet> {
    let max = max_names(a.maxuuids, SECRET_LIST_MAX, "REMOTE_SECRET_LIST_MAX")?;
    let secrets = as_api(ctx.conn()?.list_all_secrets(0), "virConnectListSecrets")?;
    Ok(ConnectListSecretsRet {
        uuids: secrets
            .iter()
            .take(max)
            .map(|s| s.uuid().hyphenated().to_string())
            .collect(),
    })
}

/// SECRET_LOOKUP_BY_UUID.
pub(crate) fn lookup_by_uuid(ctx: &Ctx<'_>, a: UuidArgs) -> CallResult<SecretRet> {
    Ok(secret_ret(
        &ctx.conn()?
            .lookup_secret_by_uuid(&Uuid::from_bytes(a.uuid))?,
    ))
}

/// SECRET_LOOKUP_BY_USAGE.
pub(crate) fn lookup_by_usage(ctx: &Ctx<'_>, a: SecretLookupByUsageArgs) -> CallResult<SecretRet> {
    Ok(secret_ret(
        &ctx.conn()?
            .lookup_secret_by_usage(a.usage_type, &a.usage_id)?,
    ))
}

/// SECRET_DEFINE_XML.
pub(crate) fn define_xml(ctx: &Ctx<'_>, a: XmlFlagsArgs) -> CallResult<SecretRet> {
    Ok(secret_ret(&ctx.conn()?.secret_define_xml(&a.xml, a.flags)?))
}

/// SECRET_GET_XML_DESC.
pub(crate) fn get_xml_desc(ctx: &Ctx<'_>, a: SecretFlagsArgs) -> CallResult<XmlRet> {
    Ok(XmlRet {
        xml: secret(ctx.conn()?, a.obj).xml_desc(a.flags)?,
    })
}

/// SECRET_SET_VALUE.
pub(crate) fn set_value(ctx: &Ctx<'_>, a: SecretSetValueArgs) -> CallResult<()> {
    Ok(secret(ctx.conn()?, a.secret).set_value(&a.value, a.flags)?)
}

/// SECRET_GET_VALUE.
pub(crate) fn get_value(ctx: &Ctx<'_>, a: SecretFlagsArgs) -> CallResult<SecretGetValueRet> {
    Ok(SecretGetValueRet {
        value: secret(ctx.conn()?, a.obj).value(a.flags)?,
    })
}

/// SECRET_UNDEFINE.
pub(crate) fn undefine(ctx: &Ctx<'_>, a: SecretArgs) -> CallResult<()> {
    Ok(secret(ctx.conn()?, a.obj).undefine()?)
}
