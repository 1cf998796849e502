//! The REMOTE procedures that run alone on their client ([`Program::exclusive`]):
//! those whose effect later calls depend on, or which undo what earlier calls set up.
//! Every other call of a client runs concurrently with its others, up to the server's
//! `max_client_requests`, as libvirtd runs them.
//!
//! * CONNECT_OPEN and CONNECT_CLOSE: calls after an open must see the connection;
//!   the close must come after every call sent before it.
//! * AUTH_LIST and AUTH_POLKIT: what a client may call depends on them.
//! * Event and close-callback (de)registration: a deregistration must find the
//!   registration sent before it, and the callback ids they hand out follow the order
//!   of the calls.
//!
//! libvirt's `priority: high` marks something else (calls that may use the priority
//! workers when all others hang on a busy guest), not an order; rvirtd's pool has no
//! priority workers.
//!
//! [`Program::exclusive`]: rvirt_rpc_server::Program::exclusive

use rvirt_rpc::procs as p;

/// Procedures that run alone, each after the calls before it and before the calls
/// after it.
pub(crate) static EXCLUSIVE: &[i32] = &[
    p::CONNECT_OPEN,
    p::CONNECT_CLOSE,
    p::AUTH_LIST,
    p::AUTH_POLKIT,
    p::CONNECT_DOMAIN_EVENT_REGISTER_ANY,
    p::CONNECT_DOMAIN_EVENT_DEREGISTER_ANY,
    p::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
    p::CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
    p::CONNECT_NETWORK_EVENT_REGISTER_ANY,
    p::CONNECT_NETWORK_EVENT_DEREGISTER_ANY,
    p::CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY,
    p::CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY,
    p::CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY,
    p::CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY,
    p::CONNECT_SECRET_EVENT_REGISTER_ANY,
    p::CONNECT_SECRET_EVENT_DEREGISTER_ANY,
    p::CONNECT_REGISTER_CLOSE_CALLBACK,
    p::CONNECT_UNREGISTER_CLOSE_CALLBACK,
];
