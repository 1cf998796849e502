//! Turning one CALL into its REPLY: program/version/status checks (a server answers
//! only its own program: REMOTE on the "libvirtd" sockets, ADMIN on the admin
//! socket), the procedure tables ([`table`], [`admin`]), access rules (authenticated,
//! needs an open connection, refused when read-only), argument decoding and error
//! encoding as libvirtd does them.

pub mod admin;
mod auth;
mod connect;
mod domain;
mod events;
pub mod table;

use std::sync::Arc;

use rvirt_core::{Connect, Domain, Uuid};
use rvirt_rpc::{
    Message, MessageStatus, MessageType, RemoteError, RemoteNonnullDomain, encode_message,
    encode_message_with, procs,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::{Client, Outcome};
use crate::server::Program;

/// libvirt's `VIR_ERR_RPC` / `VIR_FROM_RPC`.
const RPC: (i32, i32) = (39, 7);

/// The result of a procedure step: by default its encoded return value; or the
/// error to send.
pub type CallResult<T = Vec<u8>> = Result<T, CallError>;

/// The `remote_error` a call fails with (boxed: it is large and travels through
/// every `?`).
#[derive(Debug)]
pub struct CallError(pub Box<RemoteError>);

impl From<RemoteError> for CallError {
    fn from(e: RemoteError) -> Self {
        CallError(Box::new(e))
    }
}

impl From<rvirt_core::Error> for CallError {
    fn from(e: rvirt_core::Error) -> Self {
        CallError(Box::new(RemoteError::from(&e)))
    }
}

/// An error as libvirtd sends it without details (see [`RemoteError::new`]).
pub fn err(code: i32, domain: i32, message: impl Into<String>) -> CallError {
    RemoteError::new(code, domain, message).into()
}

/// "unknown procedure: N" (39 / 7): clients turn it into `VIR_ERR_NO_SUPPORT`.
pub fn unknown(proc_: i32) -> CallError {
    RemoteError::unknown_procedure(proc_).into()
}

/// What a procedure handler sees.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// The calling client.
    pub client: &'a Arc<Client>,
    /// The call.
    pub msg: &'a Message,
}

impl Ctx<'_> {
    /// Decodes the call's arguments ("Unable to decode message payload" on failure).
    pub fn args<T: DeserializeOwned>(&self) -> CallResult<T> {
        self.msg.decode_payload().map_err(|e| {
            crate::log!(
                "client {}: proc {}: bad arguments: {e}",
                self.client.id(),
                self.msg.header.proc_
            );
            bad_payload()
        })
    }

    /// The open driver connection, or libvirtd's "not open" error.
    pub fn conn(&self) -> CallResult<Connect> {
        self.client.session().conn.clone().ok_or_else(not_open)
    }

    /// True when writes are refused on this connection.
    pub fn read_only(&self) -> bool {
        self.client.is_read_only()
    }

    /// Resolves a domain reference by UUID (its name and id may be stale).
    pub fn domain(&self, dom: &RemoteNonnullDomain) -> CallResult<Domain> {
        Ok(self
            .conn()?
            .lookup_domain_by_uuid(&Uuid::from_bytes(dom.uuid))?)
    }
}

/// libvirtd's answer to arguments that do not decode (39 / 7 "Unable to decode message
/// payload"), also when an array is longer than the protocol allows.
pub fn bad_payload() -> CallError {
    err(RPC.0, RPC.1, "Unable to decode message payload")
}

/// Encodes a return value.
pub fn ret<T: Serialize>(value: &T) -> CallResult {
    Message::with_body(rvirt_rpc::Header::call(0, 0, 0, 0), value)
        .map(|m| m.payload)
        .map_err(|e| {
            err(
                RPC.0,
                RPC.1,
                format!("Unable to encode message payload: {e}"),
            )
        })
}

/// A void return value.
pub fn void() -> CallResult {
    Ok(Vec::new())
}

/// "internal error: hypervisor connection not open" (1 / 7), as libvirtd.
pub fn not_open() -> CallError {
    err(1, RPC.1, "internal error: hypervisor connection not open")
}

/// libvirtd's refusal of a write on a read-only connection (29 / 20).
pub fn read_only_denied(api: &str) -> CallError {
    denied(format!("read only access prevents {api}"))
}

/// "operation forbidden: DETAIL" (29 OPERATION_DENIED / 20 DOMAIN).
pub fn denied(detail: String) -> CallError {
    detailed(29, 20, "operation forbidden", detail)
}

/// An error whose message is the code's description and a detail, as libvirt words
/// them: message "PREFIX: DETAIL", str1 "PREFIX: %s", str2 DETAIL.
pub fn detailed(code: i32, domain: i32, prefix: &str, detail: String) -> CallError {
    let mut e = RemoteError::new(code, domain, format!("{prefix}: {detail}"));
    e.str1 = Some(format!("{prefix}: %s"));
    e.str2 = Some(detail);
    e.into()
}

/// Handles one packet taken from the client's call queue.
pub fn dispatch(client: &Arc<Client>, msg: &Message) -> Outcome {
    let h = msg.header;
    if h.msg_type != MessageType::CALL && h.msg_type != MessageType::CALL_WITH_FDS {
        // Replies, stray stream packets and unknown types are ignored, as by libvirtd.
        return Outcome::default();
    }
    let program = client.server().program();
    let (prog, vers) = program.id();
    let result = if h.prog != prog || h.vers != vers {
        Err(err(
            RPC.0,
            RPC.1,
            format!("Cannot find program {} version {}", h.prog, h.vers),
        ))
    } else if h.status != MessageStatus::OK {
        Err(err(
            RPC.0,
            RPC.1,
            format!("Unexpected message status {}", h.status.0),
        ))
    } else if h.msg_type == MessageType::CALL_WITH_FDS {
        // No procedure rvirtd implements takes file descriptors.
        Err(unknown(h.proc_))
    } else {
        let ctx = Ctx { client, msg };
        match program {
            Program::Remote => table::run(&ctx),
            Program::Admin => admin::run(&ctx),
        }
    };
    let close_proc = match program {
        Program::Remote => procs::CONNECT_CLOSE,
        Program::Admin => rvirt_rpc::admin::procs::CONNECT_CLOSE,
    };
    let close = h.proc_ == close_proc && h.prog == prog && result.is_ok();
    let frame = match result {
        Ok(payload) => encode_message(&h.reply(MessageStatus::OK), &payload),
        Err(e) => encode_message_with(&h.reply(MessageStatus::ERROR), &*e.0),
    };
    let frame = frame.or_else(|e| {
        let err = RemoteError::new(RPC.0, RPC.1, format!("cannot encode reply: {e}"));
        encode_message_with(&h.reply(MessageStatus::ERROR), &err)
    });
    Outcome {
        frame: frame.ok(),
        close,
    }
}
