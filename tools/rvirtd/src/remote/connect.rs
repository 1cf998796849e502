//! Connection-level procedures: features, open/close, URI, versions, node facts,
//! close callbacks.

use rvirt_core::driver::DomainCapsQuery;
use rvirt_core::{Connect, ErrorCode, OpenOptions};
use rvirt_rpc::types::{
    ConnectGetCapabilitiesRet, ConnectGetDomainCapabilitiesArgs, ConnectGetDomainCapabilitiesRet,
    ConnectGetHostnameRet, ConnectGetLibVersionRet, ConnectGetTypeRet, ConnectGetUriRet,
    ConnectGetVersionRet, ConnectIsSecureRet, ConnectOpenArgs, ConnectSupportsFeatureArgs,
    ConnectSupportsFeatureRet, NodeGetInfoRet,
};
use rvirt_rpc_server::CallResult;
use rvirt_rpc_server::error::{err, unknown};

use super::{Ctx, CtxExt};
use crate::LIB_VERSION;

/// `VIR_CONNECT_RO`.
const CONNECT_RO: u32 = 1;

/// Driver features (`virDrvFeature`) rvirtd supports.
mod feature {
    /// Calls may pass file descriptors (DOMAIN_OPEN_GRAPHICS_FD's reply does).
    pub const FD_PASSING: i32 = 8;
    pub const TYPED_PARAM_STRING: i32 = 9;
    pub const PROGRAM_KEEPALIVE: i32 = 10;
    pub const REMOTE_EVENT_CALLBACK: i32 = 14;
    pub const REMOTE_CLOSE_CALLBACK: i32 = 15;
    /// NETWORK_UPDATE carries command and section in the order of their names (older
    /// clients and servers swapped them; clients that see this send them unswapped).
    pub const NETWORK_UPDATE_HAS_CORRECT_ORDER: i32 = 16;
}

/// CONNECT_SUPPORTS_FEATURE. Keepalive may be asked before CONNECT_OPEN (and turns
/// on the daemon's PINGs for this client); the rest needs an open connection.
pub(crate) fn supports_feature(
    ctx: &Ctx<'_>,
    args: ConnectSupportsFeatureArgs,
) -> CallResult<ConnectSupportsFeatureRet> {
    let supported = match args.feature {
        feature::PROGRAM_KEEPALIVE => {
            ctx.client().enable_keepalive();
            1
        }
        f => {
            let conn = ctx.conn()?;
            if conn.supports_migration_feature(f) {
                return Ok(ConnectSupportsFeatureRet { supported: 1 });
            }
            matches!(
                f,
                feature::FD_PASSING
                    | feature::TYPED_PARAM_STRING
                    | feature::REMOTE_EVENT_CALLBACK
                    | feature::REMOTE_CLOSE_CALLBACK
                    | feature::NETWORK_UPDATE_HAS_CORRECT_ORDER
            ) as i32
        }
    };
    Ok(ConnectSupportsFeatureRet { supported })
}

/// CONNECT_OPEN: opens the URI through rvirt-core's driver registry.
pub(crate) fn open(ctx: &Ctx<'_>, args: ConnectOpenArgs) -> CallResult<()> {
    let client = ctx.client();
    let config = {
        let session = ctx.state();
        if session.conn.is_some() {
            return Err(err(1, 7, "internal error: connection already open"));
        }
        session.config.clone()
    };
    // The operator's default URI is opened as configured; a client's own URI only
    // if the daemon serves it.
    let uri = match args.name.as_deref() {
        None | Some("") => config.default_uri.clone(),
        Some(u) => {
            if let Err(e) = config.served.check(u) {
                crate::log!("client {}: refused to open {u:?}", client.id());
                return Err(e);
            }
            u.to_string()
        }
    };
    let read_only = client.service().read_only || args.flags & CONNECT_RO != 0;
    let conn = Connect::open_with(
        &uri,
        OpenOptions {
            event_loop: None,
            read_only,
        },
    )?;
    // The callbacks only queue a MESSAGE for this client (written at once when its
    // socket is idle): no round through the loop between a change and its event.
    conn.dispatch_events_inline();
    crate::log!(
        "client {}: opened {uri}{}",
        client.id(),
        if read_only { " read-only" } else { "" }
    );
    let mut session = ctx.state();
    client.set_read_only(read_only);
    session.conn = Some(conn);
    Ok(())
}

/// CONNECT_CLOSE: the reply is sent, then the socket is closed (which releases the
/// driver connection).
pub(crate) fn close(ctx: &Ctx<'_>, (): ()) -> CallResult<()> {
    ctx.close_after_reply();
    Ok(())
}

/// CONNECT_GET_URI.
pub(crate) fn get_uri(ctx: &Ctx<'_>, (): ()) -> CallResult<ConnectGetUriRet> {
    Ok(ConnectGetUriRet {
        uri: ctx.conn()?.uri().to_string(),
    })
}

/// CONNECT_GET_TYPE.
pub(crate) fn get_type(ctx: &Ctx<'_>, (): ()) -> CallResult<ConnectGetTypeRet> {
    Ok(ConnectGetTypeRet {
        type_: ctx.conn()?.hypervisor_type()?,
    })
}

/// CONNECT_GET_VERSION: libvirt's test driver reports 2 (0.0.2); other drivers their
/// hypervisor's version, and "unknown procedure" when they have none.
pub(crate) fn get_version(ctx: &Ctx<'_>, (): ()) -> CallResult<ConnectGetVersionRet> {
    let conn = ctx.conn()?;
    if conn.driver_name() == "test" {
        return Ok(ConnectGetVersionRet { hv_ver: 2 });
    }
    match conn.hypervisor_version() {
        Ok(hv_ver) => Ok(ConnectGetVersionRet { hv_ver }),
        Err(e) if e.code() == ErrorCode::NoSupport => Err(unknown(ctx.procedure())),
        Err(e) => Err(e.into()),
    }
}

/// CONNECT_GET_LIB_VERSION.
pub(crate) fn get_lib_version(_: &Ctx<'_>, (): ()) -> CallResult<ConnectGetLibVersionRet> {
    Ok(ConnectGetLibVersionRet {
        lib_ver: LIB_VERSION,
    })
}

/// CONNECT_GET_HOSTNAME.
pub(crate) fn get_hostname(ctx: &Ctx<'_>, (): ()) -> CallResult<ConnectGetHostnameRet> {
    Ok(ConnectGetHostnameRet {
        hostname: ctx.conn()?.hostname()?,
    })
}

/// CONNECT_GET_CAPABILITIES.
pub(crate) fn get_capabilities(ctx: &Ctx<'_>, (): ()) -> CallResult<ConnectGetCapabilitiesRet> {
    Ok(ConnectGetCapabilitiesRet {
        capabilities: ctx.conn()?.capabilities()?,
    })
}

/// CONNECT_GET_SYSINFO.
pub(crate) fn get_sysinfo(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::types::ConnectGetSysinfoArgs,
) -> CallResult<rvirt_rpc::types::ConnectGetSysinfoRet> {
    Ok(rvirt_rpc::types::ConnectGetSysinfoRet {
        sysinfo: ctx.conn()?.sysinfo(args.flags)?,
    })
}

/// CONNECT_GET_MAX_VCPUS.
pub(crate) fn get_max_vcpus(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::types::ConnectGetMaxVcpusArgs,
) -> CallResult<rvirt_rpc::types::ConnectGetMaxVcpusRet> {
    let max = ctx.conn()?.max_vcpus(args.r#type.as_deref())?;
    Ok(rvirt_rpc::types::ConnectGetMaxVcpusRet {
        max_vcpus: i32::try_from(max).unwrap_or(i32::MAX),
    })
}

/// CONNECT_GET_DOMAIN_CAPABILITIES.
pub(crate) fn get_domain_capabilities(
    ctx: &Ctx<'_>,
    args: ConnectGetDomainCapabilitiesArgs,
) -> CallResult<ConnectGetDomainCapabilitiesRet> {
    let query = DomainCapsQuery {
        emulator: args.emulatorbin,
        arch: args.arch,
        machine: args.machine,
        virt_type: args.virttype,
        flags: args.flags,
    };
    Ok(ConnectGetDomainCapabilitiesRet {
        capabilities: ctx.conn()?.domain_capabilities(&query)?,
    })
}

/// CONNECT_IS_SECURE: 1 on unix sockets and TLS, 0 on plain TCP.
pub(crate) fn is_secure(ctx: &Ctx<'_>, (): ()) -> CallResult<ConnectIsSecureRet> {
    Ok(ConnectIsSecureRet {
        secure: ctx.client().is_secure() as i32,
    })
}

/// NODE_GET_INFO.
pub(crate) fn node_get_info(ctx: &Ctx<'_>, (): ()) -> CallResult<NodeGetInfoRet> {
    let info = ctx.conn()?.node_info()?;
    let mut model = [0u8; 32];
    let bytes = info.model.as_bytes();
    let n = bytes.len().min(31);
    model[..n].copy_from_slice(&bytes[..n]);
    let int = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    Ok(NodeGetInfoRet {
        model,
        memory: info.memory_kib,
        cpus: int(info.cpus),
        mhz: int(info.mhz),
        nodes: int(info.nodes),
        sockets: int(info.sockets),
        cores: int(info.cores),
        threads: int(info.threads),
    })
}

/// CONNECT_REGISTER_CLOSE_CALLBACK.
pub(crate) fn register_close_callback(ctx: &Ctx<'_>, (): ()) -> CallResult<()> {
    ctx.state().close_callback = true;
    Ok(())
}

/// CONNECT_UNREGISTER_CLOSE_CALLBACK.
pub(crate) fn unregister_close_callback(ctx: &Ctx<'_>, (): ()) -> CallResult<()> {
    ctx.state().close_callback = false;
    Ok(())
}

/// CONNECT_GET_CPU_MODEL_NAMES.
pub(crate) fn get_cpu_model_names(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::monitoring::ConnectGetCpuModelNamesArgs,
) -> CallResult<rvirt_rpc::monitoring::ConnectGetCpuModelNamesRet> {
    let models = ctx.conn()?.cpu_model_names(&args.arch, args.flags)?;
    if models.len() > rvirt_rpc::monitoring::CPU_MODELS_MAX {
        return Err(rvirt_core::Error::internal(
            rvirt_core::ErrorDomain::Rpc,
            "Too many model names",
        )
        .into());
    }
    Ok(rvirt_rpc::monitoring::ConnectGetCpuModelNamesRet {
        ret: i32::try_from(models.len()).unwrap_or(i32::MAX),
        models: if args.need_results != 0 {
            models
        } else {
            Vec::new()
        },
    })
}
