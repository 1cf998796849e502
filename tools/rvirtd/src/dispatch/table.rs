//! The procedure table: number → access rule → handler, in one place. Numbers not in
//! the table get "unknown procedure: N" (39 / 7), which clients turn into
//! `VIR_ERR_NO_SUPPORT` and fall back from. As in libvirtd, a known procedure other
//! than AUTH_LIST and AUTH_POLKIT from a client that is not authenticated yet gets
//! "authentication required" (39 / 7) before its arguments are even decoded.

use rvirt_rpc::procs as p;

use super::{
    CallResult, Ctx, auth as a, connect as c, domain as d, events as e, read_only_denied, unknown,
};

/// Who may call a procedure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Before CONNECT_OPEN too (the handler checks the rest itself).
    Always,
    /// Needs an open connection.
    Open,
    /// Needs an open, writable connection; the string is the API name libvirtd's
    /// refusal message names.
    Write(&'static str),
}

/// A procedure handler.
pub type Handler = fn(&Ctx<'_>) -> CallResult;

/// Every procedure rvirtd answers, sorted by number.
pub static TABLE: &[(i32, Access, Handler)] = &[
    (p::CONNECT_OPEN, Access::Always, c::open),
    (p::CONNECT_CLOSE, Access::Always, c::close),
    (p::CONNECT_GET_TYPE, Access::Open, c::get_type),
    (p::CONNECT_GET_VERSION, Access::Open, c::get_version),
    (p::NODE_GET_INFO, Access::Open, c::node_get_info),
    (
        p::CONNECT_GET_CAPABILITIES,
        Access::Open,
        c::get_capabilities,
    ),
    (
        p::DOMAIN_CREATE,
        Access::Write("virDomainCreate"),
        d::create,
    ),
    (
        p::DOMAIN_CREATE_XML,
        Access::Write("virDomainCreateXML"),
        d::create_xml,
    ),
    (
        p::DOMAIN_DEFINE_XML,
        Access::Write("virDomainDefineXML"),
        d::define_xml,
    ),
    (
        p::DOMAIN_DESTROY,
        Access::Write("virDomainDestroy"),
        d::destroy,
    ),
    (p::DOMAIN_GET_XML_DESC, Access::Open, d::get_xml_desc),
    (p::DOMAIN_GET_AUTOSTART, Access::Open, d::get_autostart),
    (p::DOMAIN_GET_INFO, Access::Open, d::get_info),
    (p::DOMAIN_GET_OS_TYPE, Access::Open, d::get_os_type),
    (
        p::CONNECT_LIST_DEFINED_DOMAINS,
        Access::Open,
        d::list_defined_domains,
    ),
    (p::DOMAIN_LOOKUP_BY_ID, Access::Open, d::lookup_by_id),
    (p::DOMAIN_LOOKUP_BY_NAME, Access::Open, d::lookup_by_name),
    (p::DOMAIN_LOOKUP_BY_UUID, Access::Open, d::lookup_by_uuid),
    (
        p::CONNECT_NUM_OF_DEFINED_DOMAINS,
        Access::Open,
        d::num_of_defined_domains,
    ),
    (
        p::DOMAIN_REBOOT,
        Access::Write("virDomainReboot"),
        d::reboot,
    ),
    (
        p::DOMAIN_RESUME,
        Access::Write("virDomainResume"),
        d::resume,
    ),
    (
        p::DOMAIN_SHUTDOWN,
        Access::Write("virDomainShutdown"),
        d::shutdown,
    ),
    (
        p::DOMAIN_SUSPEND,
        Access::Write("virDomainSuspend"),
        d::suspend,
    ),
    (
        p::DOMAIN_UNDEFINE,
        Access::Write("virDomainUndefine"),
        d::undefine,
    ),
    (p::CONNECT_LIST_DOMAINS, Access::Open, d::list_domains),
    (p::CONNECT_NUM_OF_DOMAINS, Access::Open, d::num_of_domains),
    (p::CONNECT_GET_HOSTNAME, Access::Open, c::get_hostname),
    (
        p::CONNECT_SUPPORTS_FEATURE,
        Access::Always,
        c::supports_feature,
    ),
    (p::AUTH_LIST, Access::Always, a::auth_list),
    (p::AUTH_POLKIT, Access::Always, a::auth_polkit),
    (p::CONNECT_GET_URI, Access::Open, c::get_uri),
    (
        p::NODE_GET_SECURITY_MODEL,
        Access::Open,
        c::node_get_security_model,
    ),
    (p::CONNECT_IS_SECURE, Access::Always, c::is_secure),
    (p::DOMAIN_IS_ACTIVE, Access::Open, d::is_active),
    (p::DOMAIN_IS_PERSISTENT, Access::Open, d::is_persistent),
    (
        p::CONNECT_GET_LIB_VERSION,
        Access::Always,
        c::get_lib_version,
    ),
    (
        p::CONNECT_DOMAIN_EVENT_REGISTER_ANY,
        Access::Open,
        e::legacy_register_any,
    ),
    (
        p::CONNECT_DOMAIN_EVENT_DEREGISTER_ANY,
        Access::Open,
        e::legacy_deregister_any,
    ),
    (
        p::DOMAIN_HAS_MANAGED_SAVE_IMAGE,
        Access::Open,
        d::has_managed_save_image,
    ),
    (p::DOMAIN_SNAPSHOT_NUM, Access::Open, d::snapshot_num),
    (
        p::DOMAIN_CREATE_WITH_FLAGS,
        Access::Write("virDomainCreateWithFlags"),
        d::create_with_flags,
    ),
    (p::DOMAIN_GET_STATE, Access::Open, d::get_state),
    (
        p::DOMAIN_UNDEFINE_FLAGS,
        Access::Write("virDomainUndefineFlags"),
        d::undefine_flags,
    ),
    (
        p::DOMAIN_DESTROY_FLAGS,
        Access::Write("virDomainDestroyFlags"),
        d::destroy_flags,
    ),
    (
        p::DOMAIN_SHUTDOWN_FLAGS,
        Access::Write("virDomainShutdownFlags"),
        d::shutdown_flags,
    ),
    (
        p::CONNECT_LIST_ALL_DOMAINS,
        Access::Open,
        d::list_all_domains,
    ),
    (
        p::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
        Access::Open,
        e::register_any,
    ),
    (
        p::CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
        Access::Open,
        e::deregister_any,
    ),
    (
        p::DOMAIN_DEFINE_XML_FLAGS,
        Access::Write("virDomainDefineXMLFlags"),
        d::define_xml_flags,
    ),
    (
        p::CONNECT_REGISTER_CLOSE_CALLBACK,
        Access::Open,
        c::register_close_callback,
    ),
    (
        p::CONNECT_UNREGISTER_CLOSE_CALLBACK,
        Access::Open,
        c::unregister_close_callback,
    ),
    (p::DOMAIN_GET_MESSAGES, Access::Open, d::get_messages),
];

/// Looks a procedure up.
pub fn find(proc_: i32) -> Option<(Access, Handler)> {
    TABLE
        .binary_search_by_key(&proc_, |&(n, _, _)| n)
        .ok()
        .map(|i| (TABLE[i].1, TABLE[i].2))
}

/// Runs the call in `ctx` after its access checks.
pub fn run(ctx: &Ctx<'_>) -> CallResult {
    let proc_ = ctx.msg.header.proc_;
    let Some((access, handler)) = find(proc_) else {
        return Err(unknown(proc_));
    };
    if !matches!(proc_, p::AUTH_LIST | p::AUTH_POLKIT) && !ctx.client.session().authenticated {
        return Err(a::required());
    }
    match access {
        Access::Always => {}
        Access::Open => {
            ctx.conn()?;
        }
        Access::Write(api) => {
            ctx.conn()?;
            if ctx.read_only() {
                return Err(read_only_denied(api));
            }
        }
    }
    handler(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_named() {
        assert!(TABLE.windows(2).all(|w| w[0].0 < w[1].0));
        for &(n, _, _) in TABLE {
            assert!(
                p::name(n).is_some(),
                "proc {n} missing from rvirt_rpc::procs"
            );
        }
        assert!(find(p::DOMAIN_GET_SECURITY_LABEL).is_none());
        assert_eq!(
            find(p::DOMAIN_DESTROY).unwrap().0,
            Access::Write("virDomainDestroy")
        );
    }
}
