//! Domain event registration: the callback API (one callbackID per registration,
//! MESSAGE 318…438) and the legacy per-event-id API (MESSAGE 107…311). Every one of
//! libvirt's 27 event ids is relayed; as in libvirtd, a legacy registration of an id
//! that has no legacy message (16 and up) is accepted and relays nothing.

use std::sync::Arc;

use rvirt_core::{Domain, DomainEvent, DomainEventId};
use rvirt_rpc::domain_events::EventForm;
use rvirt_rpc::types::{
    ConnectDomainEventCallbackDeregisterAnyArgs, ConnectDomainEventCallbackRegisterAnyArgs,
    ConnectDomainEventCallbackRegisterAnyRet, ConnectDomainEventRegisterAnyArgs,
};

use rvirt_rpc_server::CallResult;
use rvirt_rpc_server::error::{CallError, err};

use super::events;
use super::session::{EventKey, MAX_CALLBACKS_PER_CLIENT, Session};
use super::{Ctx, CtxExt};

/// The event id a client names, or libvirtd's "unsupported event ID N".
fn event_id(raw: i32) -> CallResult<DomainEventId> {
    DomainEventId::from_raw(raw).ok_or_else(|| {
        err(
            8,
            7,
            format!("invalid argument: unsupported event ID {raw}"),
        )
    })
}

/// "invalid argument: event callback already tracked" (8 / 0), as libvirtd answers a
/// second registration of the same event (and domain) on one connection.
fn already_tracked() -> CallError {
    err(8, 0, "invalid argument: event callback already tracked")
}

/// Refuses a registration beyond [`MAX_CALLBACKS_PER_CLIENT`].
fn check_room(session: &Session) -> CallResult<()> {
    if session.callback_count() >= MAX_CALLBACKS_PER_CLIENT {
        return Err(err(
            39,
            7,
            format!(
                "too many event callbacks on this connection (limit {MAX_CALLBACKS_PER_CLIENT})"
            ),
        ));
    }
    Ok(())
}

/// CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY.
pub(crate) fn register_any(
    ctx: &Ctx<'_>,
    args: ConnectDomainEventCallbackRegisterAnyArgs,
) -> CallResult<ConnectDomainEventCallbackRegisterAnyRet> {
    let id = event_id(args.event_id)?;
    let conn = ctx.conn()?;
    let filter = args.dom.as_ref().map(|d| ctx.domain(d)).transpose()?;
    let key: EventKey = (args.event_id, filter.as_ref().map(|d| *d.uuid()));
    let callback_id = {
        let mut s = ctx.state();
        check_room(&s)?;
        if !s.subscribed.insert(key) {
            return Err(already_tracked());
        }
        let id = s.next_callback;
        s.next_callback += 1;
        id
    };
    let client = Arc::downgrade(ctx.client());
    let registered = conn.domain_event_register_any(
        filter.as_ref(),
        id,
        move |dom: &Domain, ev: &DomainEvent| {
            if let Some(c) = client.upgrade()
                && let Some(frame) = events::frame(EventForm::Callback(callback_id), dom, ev)
            {
                c.queue_frame(&frame);
            }
        },
    );
    let rid = match registered {
        Ok(rid) => rid,
        Err(e) => {
            ctx.state().subscribed.remove(&key);
            return Err(e.into());
        }
    };
    ctx.state().callbacks.insert(callback_id, (rid, key));
    crate::log!(
        "client {}: {} event callback {callback_id} registered",
        ctx.client().id(),
        id.name()
    );
    Ok(ConnectDomainEventCallbackRegisterAnyRet { callback_id })
}

/// CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY.
pub(crate) fn deregister_any(
    ctx: &Ctx<'_>,
    args: ConnectDomainEventCallbackDeregisterAnyArgs,
) -> CallResult<()> {
    let conn = ctx.conn()?;
    let removed = {
        let mut s = ctx.state();
        let removed = s.callbacks.remove(&args.callback_id);
        if let Some((_, key)) = &removed {
            s.subscribed.remove(key);
        }
        removed
    };
    let Some((rid, _)) = removed else {
        return Err(err(
            1,
            7,
            format!(
                "internal error: domain event callback {} not registered",
                args.callback_id
            ),
        ));
    };
    Ok(conn.domain_event_deregister_any(rid)?)
}

/// CONNECT_DOMAIN_EVENT_REGISTER_ANY (legacy: one registration per event id).
pub(crate) fn legacy_register_any(
    ctx: &Ctx<'_>,
    args: ConnectDomainEventRegisterAnyArgs,
) -> CallResult<()> {
    let id = event_id(args.event_id)?;
    let conn = ctx.conn()?;
    {
        let s = ctx.state();
        if s.legacy.contains_key(&args.event_id) {
            return Err(err(
                1,
                7,
                format!(
                    "internal error: domain event {} already registered",
                    args.event_id
                ),
            ));
        }
        check_room(&s)?;
    }
    let client = Arc::downgrade(ctx.client());
    let rid = conn.domain_event_register_any(None, id, move |dom: &Domain, ev: &DomainEvent| {
        if let Some(c) = client.upgrade()
            && let Some(frame) = events::frame(EventForm::Legacy, dom, ev)
        {
            c.queue_frame(&frame);
        }
    })?;
    ctx.state().legacy.insert(args.event_id, rid);
    Ok(())
}

/// CONNECT_DOMAIN_EVENT_DEREGISTER_ANY (legacy).
pub(crate) fn legacy_deregister_any(
    ctx: &Ctx<'_>,
    args: ConnectDomainEventRegisterAnyArgs,
) -> CallResult<()> {
    let conn = ctx.conn()?;
    let rid = ctx.state().legacy.remove(&args.event_id);
    let Some(rid) = rid else {
        return Err(err(
            1,
            7,
            format!(
                "internal error: domain event {} not registered",
                args.event_id
            ),
        ));
    };
    Ok(conn.domain_event_deregister_any(rid)?)
}
