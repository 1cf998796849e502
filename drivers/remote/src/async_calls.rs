//! The remote driver's native asynchronous operations: each [`AsyncOp`] becomes one REMOTE
//! call, written at once ([`Client::call_async`]); its reply is decoded and the operation
//! completed by the handler the client runs where it reads the reply, normally the
//! connection's event loop. No thread waits.
//!
//! Without an event loop nothing would read the replies, so the operation is declined
//! and rvirt-core runs the blocking form on a worker thread instead.

use rvirt_core::driver::{AsyncOp, AsyncReply, Completer, Declined, DomainRef};
use rvirt_core::{Error, ErrorDomain, Result};
use rvirt_rpc::Message;
use rvirt_rpc::procs;
use rvirt_rpc::types::{
    ConnectListAllDomainsArgs, ConnectListAllDomainsRet, DomainArgs, DomainCreateXmlArgs,
    DomainDefineXmlArgs, DomainFlagsArgs, DomainGetInfoRet, DomainGetStateRet, DomainGetXmlDescRet,
    DomainLookupByIdArgs, DomainLookupByNameArgs, DomainLookupByUuidArgs, DomainRet,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::{Client, ReplyHandler};
use crate::connection::{domain_info, state_reason};
use crate::wire::{decode_reply, to_ref, to_wire};

/// Starts `op` on `client` (see the module documentation).
pub(crate) fn start(
    client: &Client,
    op: AsyncOp,
    done: Completer,
) -> std::result::Result<(), Declined> {
    if !client.has_event_loop() {
        return Err(Declined(op, done));
    }
    let domain = |r: DomainRet| AsyncReply::Domain(to_ref(r.dom));
    let unit = |()| AsyncReply::Unit;
    match op {
        AsyncOp::ListAllDomains(flags) => {
            let args = ConnectListAllDomainsArgs {
                need_results: 1,
                flags: flags.0,
            };
            send(
                client,
                procs::CONNECT_LIST_ALL_DOMAINS,
                &args,
                done,
                |r: ConnectListAllDomainsRet| {
                    AsyncReply::Domains(r.domains.into_iter().map(to_ref).collect())
                },
            );
        }
        AsyncOp::LookupById(id) => match i32::try_from(id) {
            Ok(id) => send(
                client,
                procs::DOMAIN_LOOKUP_BY_ID,
                &DomainLookupByIdArgs { id },
                done,
                domain,
            ),
            Err(_) => done.complete(Err(Error::invalid_arg(
                ErrorDomain::Remote,
                format!("id {id} is too large"),
            ))),
        },
        AsyncOp::LookupByName(name) => {
            let args = DomainLookupByNameArgs { name };
            send(client, procs::DOMAIN_LOOKUP_BY_NAME, &args, done, domain);
        }
        AsyncOp::LookupByUuid(uuid) => {
            let args = DomainLookupByUuidArgs {
                uuid: *uuid.as_bytes(),
            };
            send(client, procs::DOMAIN_LOOKUP_BY_UUID, &args, done, domain);
        }
        AsyncOp::DefineXml(xml) => {
            send(
                client,
                procs::DOMAIN_DEFINE_XML,
                &DomainDefineXmlArgs { xml },
                done,
                domain,
            );
        }
        AsyncOp::CreateXml { xml, flags } => {
            let args = DomainCreateXmlArgs {
                xml_desc: xml,
                flags,
            };
            send(client, procs::DOMAIN_CREATE_XML, &args, done, domain);
        }
        AsyncOp::Create(d, flags) => {
            send(
                client,
                procs::DOMAIN_CREATE_WITH_FLAGS,
                &flags_args(&d, flags),
                done,
                domain,
            );
        }
        AsyncOp::Destroy(d, 0) => send(client, procs::DOMAIN_DESTROY, &dom_args(&d), done, unit),
        AsyncOp::Destroy(d, flags) => {
            send(
                client,
                procs::DOMAIN_DESTROY_FLAGS,
                &flags_args(&d, flags),
                done,
                unit,
            );
        }
        AsyncOp::Shutdown(d, 0) => send(client, procs::DOMAIN_SHUTDOWN, &dom_args(&d), done, unit),
        AsyncOp::Shutdown(d, flags) => {
            send(
                client,
                procs::DOMAIN_SHUTDOWN_FLAGS,
                &flags_args(&d, flags),
                done,
                unit,
            );
        }
        AsyncOp::Suspend(d) => send(client, procs::DOMAIN_SUSPEND, &dom_args(&d), done, unit),
        AsyncOp::Resume(d) => send(client, procs::DOMAIN_RESUME, &dom_args(&d), done, unit),
        AsyncOp::Undefine(d, flags) => {
            send(
                client,
                procs::DOMAIN_UNDEFINE_FLAGS,
                &flags_args(&d, flags),
                done,
                unit,
            );
        }
        AsyncOp::Info(d) => send(
            client,
            procs::DOMAIN_GET_INFO,
            &dom_args(&d),
            done,
            |r: DomainGetInfoRet| AsyncReply::Info(domain_info(r)),
        ),
        AsyncOp::State(d) => send(
            client,
            procs::DOMAIN_GET_STATE,
            &flags_args(&d, 0),
            done,
            |r: DomainGetStateRet| AsyncReply::State(state_reason(r.state, r.reason)),
        ),
        AsyncOp::XmlDesc(d, flags) => {
            send(
                client,
                procs::DOMAIN_GET_XML_DESC,
                &flags_args(&d, flags),
                done,
                |r: DomainGetXmlDescRet| AsyncReply::Text(r.xml),
            );
        }
        op => return Err(Declined(op, done)),
    }
    Ok(())
}

fn dom_args(d: &DomainRef) -> DomainArgs {
    DomainArgs { dom: to_wire(d) }
}

fn flags_args(d: &DomainRef, flags: u32) -> DomainFlagsArgs {
    DomainFlagsArgs {
        dom: to_wire(d),
        flags,
    }
}

/// Writes call `proc_` and completes `done` with `convert` of its decoded reply.
fn send<A, R>(
    client: &Client,
    proc_: i32,
    args: &A,
    done: Completer,
    convert: impl FnOnce(R) -> AsyncReply + Send + 'static,
) where
    A: Serialize + ?Sized,
    R: DeserializeOwned + 'static,
{
    let handler = Decode {
        done,
        convert: Box::new(move |m: &Message| decode_reply::<R>(proc_, m).map(convert)),
    };
    client.call_async(proc_, args, Box::new(handler));
}

/// Decodes a REPLY message into an operation's result.
type Convert = Box<dyn FnOnce(&Message) -> Result<AsyncReply> + Send>;

/// Completes an operation with its decoded reply.
struct Decode {
    done: Completer,
    convert: Convert,
}

impl ReplyHandler for Decode {
    fn reply(self: Box<Self>, reply: Result<Message>) {
        let Decode { done, convert } = *self;
        if done.is_abandoned() {
            return;
        }
        done.complete(reply.and_then(|m| convert(&m)));
    }

    fn is_abandoned(&self) -> bool {
        self.done.is_abandoned()
    }
}
