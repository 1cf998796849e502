//! CLIENT_GET_INFO: who a client is, with libvirt's typed-parameter names and order.
//! Every client: `readonly` (boolean; its socket is read-only or it opened its
//! connection read-only). Unix socket clients: the peer's `SO_PEERCRED` identity —
//! `unix_user_id`, `unix_user_name`, `unix_group_id`, `unix_group_name` (names when
//! the system knows them), `unix_process_id`. TCP and TLS clients: `sock_addr`
//! (`host:port`, `[v6]:port`), and for TLS the certificate's `tls_x509_dname`.
//!
//! libvirtd only answers this once the client has opened a hypervisor connection
//! (before that it has no identity and says so); rvirtd knows the identity from the
//! moment the client connects and always reports it. No SASL or SELinux here, so
//! `sasl_user_name` and `selinux_context` never appear.

use std::net::SocketAddr;

use rvirt_rpc::admin::param as name;
use rvirt_rpc::admin::types::{ClientArgs, TypedParamsRet};
use rvirt_rpc::typed_param::{TypedParam, TypedParamValue};

use rvirt_rpc_server::{CallResult, Client, Transport};

use super::errors::{Wording, check_flags};
use super::{Ctx, client, registry, server, users};

/// CLIENT_GET_INFO.
pub(crate) fn get(ctx: &Ctx<'_>, args: ClientArgs) -> CallResult<TypedParamsRet> {
    let registry = registry(ctx)?;
    let srv = server(&registry, &args.clnt.srv.name, Wording::Admin)?;
    let c = client(&registry, &srv, args.clnt.id, Wording::Admin)?;
    check_flags(args.flags, "adminClientGetInfo")?;
    Ok(TypedParamsRet {
        params: identity(&c),
    })
}

/// The client's identity parameters.
fn identity(c: &Client) -> Vec<TypedParam> {
    let string = |f: &str, v: String| TypedParam::new(f, TypedParamValue::String(v));
    let int = |f: &str, v: i32| TypedParam::new(f, TypedParamValue::Int(v));
    let mut params = vec![TypedParam::new(
        name::CLIENT_INFO_READONLY,
        TypedParamValue::Boolean(c.is_read_only()),
    )];
    if c.service().transport == Transport::Unix {
        if let Some(p) = c.peer() {
            params.push(int(name::CLIENT_INFO_UNIX_USER_ID, p.uid as i32));
            if let Some(n) = users::user_name(p.uid) {
                params.push(string(name::CLIENT_INFO_UNIX_USER_NAME, n));
            }
            params.push(int(name::CLIENT_INFO_UNIX_GROUP_ID, p.gid as i32));
            if let Some(n) = users::group_name(p.gid) {
                params.push(string(name::CLIENT_INFO_UNIX_GROUP_NAME, n));
            }
            params.push(int(name::CLIENT_INFO_UNIX_PROCESS_ID, p.pid));
        }
        return params;
    }
    if let Some(addr) = c.peer_addr() {
        params.push(string(name::CLIENT_INFO_SOCKET_ADDR, sock_addr(addr)));
    }
    if let Some(dn) = c.tls_dn() {
        params.push(string(name::CLIENT_INFO_X509_DISTINGUISHED_NAME, dn));
    }
    params
}

/// `host:port`, brackets around IPv6 hosts (libvirt's URI form).
fn sock_addr(addr: SocketAddr) -> String {
    addr.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_forms() {
        assert_eq!(
            sock_addr("127.0.0.1:34270".parse().unwrap()),
            "127.0.0.1:34270"
        );
        assert_eq!(sock_addr("[::1]:16514".parse().unwrap()), "[::1]:16514");
    }
}
