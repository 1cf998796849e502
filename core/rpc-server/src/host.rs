//! The programs a server hosts and the per-client state they share, and the generic
//! half of dispatch: a CALL goes to the program its number and version name
//! ("Cannot find program N version V" otherwise), its status must be OK, and the reply
//! (return value or error) is encoded here.

use std::any::Any;
use std::fmt;
use std::sync::{Arc, Mutex};

use rvirt_rpc::{
    Header, Message, MessageStatus, MessageType, RemoteError, encode_message, encode_message_with,
};

use crate::client::Client;
use crate::ctx::Ctx;
use crate::error::{CallResult, ERR_RPC, FROM_RPC, err, no_program, unknown};
use crate::program::Program;
use crate::service::Service;

/// The state a client builds up through its calls (libvirt's client private data),
/// shared by every program of its server; one per client, created when it connects.
pub trait ClientState: Send + 'static {
    /// The client disconnected: release what the state holds (a hypervisor
    /// connection, event registrations). Called once, with the state locked, after the
    /// socket was closed; the default does nothing.
    fn disconnected(&mut self) {}
}

impl ClientState for () {}

/// The programs of one server, over one per-client state type `S`.
pub struct Programs<S> {
    programs: Vec<Box<dyn Run<S>>>,
    new_state: Box<dyn Fn(&Service) -> S + Send + Sync>,
}

impl<S: ClientState> Programs<S> {
    /// No program yet; `new_state` makes each new client's state (it is given the
    /// settings of the socket the client came in on).
    pub fn new(new_state: impl Fn(&Service) -> S + Send + Sync + 'static) -> Self {
        Programs {
            programs: Vec::new(),
            new_state: Box::new(new_state),
        }
    }

    /// Adds `program`.
    ///
    /// # Panics
    /// If its procedure table is not sorted by number, or a program of the same number
    /// is already there: both are mistakes in the program's definition.
    pub fn with<A: Sync + 'static>(mut self, program: Program<S, A>) -> Self {
        assert!(
            program.is_sorted(),
            "program {}: procedure table not sorted",
            program.name
        );
        assert!(
            self.programs.iter().all(|p| p.id().0 != program.number),
            "program {:#x} hosted twice",
            program.number
        );
        self.programs.push(Box::new(program));
        self
    }
}

impl<S> fmt::Debug for Programs<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<_> = self.programs.iter().map(|p| p.id()).collect();
        f.debug_struct("Programs").field("programs", &ids).finish()
    }
}

/// A program with its access-rule type erased.
trait Run<S>: Send + Sync {
    fn id(&self) -> (u32, u32);
    fn is_exclusive(&self, number: i32) -> bool;
    fn call(&self, ctx: &Ctx<'_, S>) -> CallResult<Vec<u8>>;
}

impl<S: 'static, A: Sync + 'static> Run<S> for Program<S, A> {
    fn id(&self) -> (u32, u32) {
        (self.number, self.version)
    }

    fn is_exclusive(&self, number: i32) -> bool {
        Program::is_exclusive(self, number)
    }

    fn call(&self, ctx: &Ctx<'_, S>) -> CallResult<Vec<u8>> {
        self.run(ctx)
    }
}

/// What a call's handling produced.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// The encoded reply packet, if any.
    pub frame: Option<Vec<u8>>,
    /// Close the connection once the reply is written.
    pub close: bool,
    /// The stream the call opened, started once its reply is queued.
    pub stream: Option<(Header, crate::stream::StreamSource)>,
    /// Descriptors passed after the reply (a REPLY_WITH_FDS).
    pub fds: Vec<std::os::fd::OwnedFd>,
}

/// A server's programs, their state type erased.
pub(crate) trait Host: Send + Sync + fmt::Debug {
    /// A new client's state.
    fn new_state(&self, service: &Service) -> Box<dyn Any + Send + Sync>;
    /// True when the packet must run alone on its client: a CALL of a procedure its
    /// program names [`exclusive`](Program::exclusive).
    fn exclusive(&self, header: &Header) -> bool;
    /// Handles one packet of the client's call queue.
    fn dispatch(&self, client: &Arc<Client>, msg: &Message) -> Outcome;
    /// The client is gone.
    fn disconnected(&self, client: &Client);
}

impl<S: ClientState> Host for Programs<S> {
    fn new_state(&self, service: &Service) -> Box<dyn Any + Send + Sync> {
        Box::new(Mutex::new((self.new_state)(service)))
    }

    fn exclusive(&self, h: &Header) -> bool {
        (h.msg_type == MessageType::CALL || h.msg_type == MessageType::CALL_WITH_FDS)
            && self
                .programs
                .iter()
                .any(|p| p.id() == (h.prog, h.vers) && p.is_exclusive(h.proc_))
    }

    fn dispatch(&self, client: &Arc<Client>, msg: &Message) -> Outcome {
        let h = msg.header;
        if h.msg_type != MessageType::CALL && h.msg_type != MessageType::CALL_WITH_FDS {
            // Replies, stray stream packets and unknown types are ignored, as by libvirtd.
            return Outcome::default();
        }
        let Some(state) = client.state_any().downcast_ref::<Mutex<S>>() else {
            return reply(
                msg,
                Err(err(1, FROM_RPC, "internal error: no client state")),
            );
        };
        let ctx = Ctx::new(client, msg, state);
        let program = self.programs.iter().find(|p| p.id() == (h.prog, h.vers));
        let result = match program {
            None => Err(no_program(h.prog, h.vers)),
            Some(_) if h.status != MessageStatus::OK => Err(err(
                ERR_RPC,
                FROM_RPC,
                format!("Unexpected message status {}", h.status.0),
            )),
            // No procedure takes file descriptors.
            Some(_) if h.msg_type == MessageType::CALL_WITH_FDS => Err(unknown(h.proc_)),
            Some(p) => p.call(&ctx),
        };
        let fds = ctx.take_fds();
        if result.is_ok() && !fds.is_empty() {
            return reply_with_fds(client, msg, result, fds);
        }
        let close = result.is_ok() && ctx.close_requested();
        let stream = ctx.take_stream().filter(|_| result.is_ok()).map(|s| (h, s));
        Outcome {
            close,
            stream,
            ..reply(msg, result)
        }
    }

    fn disconnected(&self, client: &Client) {
        if let Some(state) = client.state_any().downcast_ref::<Mutex<S>>() {
            state
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .disconnected();
        }
    }
}

/// The REPLY_WITH_FDS packet of a successful call that passes `fds`: their count
/// (XDR `u32`) before the return value; the descriptors follow the packet. Only unix
/// socket clients can take them (libvirtd fails the others the same way).
fn reply_with_fds(
    client: &Client,
    msg: &Message,
    result: CallResult<Vec<u8>>,
    fds: Vec<std::os::fd::OwnedFd>,
) -> Outcome {
    if client.service().transport != crate::service::Transport::Unix {
        return reply(
            msg,
            Err(err(
                ERR_OPERATION_INVALID,
                FROM_RPC,
                "Sending file descriptors is not supported on this socket",
            )),
        );
    }
    let mut payload = (fds.len() as u32).to_be_bytes().to_vec();
    payload.extend(result.unwrap_or_default());
    let mut header = msg.header.reply(MessageStatus::OK);
    header.msg_type = MessageType::REPLY_WITH_FDS;
    match encode_message(&header, &payload) {
        Ok(frame) => Outcome {
            frame: Some(frame),
            fds,
            ..Outcome::default()
        },
        Err(e) => reply(
            msg,
            Err(err(ERR_RPC, FROM_RPC, format!("cannot encode reply: {e}"))),
        ),
    }
}

/// `VIR_ERR_OPERATION_INVALID`.
const ERR_OPERATION_INVALID: i32 = 55;

/// The REPLY packet of a call: its return value, or its error.
fn reply(msg: &Message, result: CallResult<Vec<u8>>) -> Outcome {
    let h = msg.header;
    let frame = match result {
        Ok(payload) => encode_message(&h.reply(MessageStatus::OK), &payload),
        Err(e) => encode_message_with(&h.reply(MessageStatus::ERROR), &*e.0),
    };
    let frame = frame.or_else(|e| {
        let err = RemoteError::new(ERR_RPC, FROM_RPC, format!("cannot encode reply: {e}"));
        encode_message_with(&h.reply(MessageStatus::ERROR), &err)
    });
    Outcome {
        frame: frame.ok(),
        ..Outcome::default()
    }
}
