//! Procedures of the secondary drivers: networks and their ports ([`network`]),
//! storage pools ([`pool`]) and volumes ([`volume`]), node devices ([`nodedev`]), host
//! interfaces ([`iface`]), secrets ([`secret`]), network filters ([`nwfilter`]), and
//! the registration of their events ([`events`]). Handlers turn the wire references
//! into `rvirt-core` handles (no lookup: the driver resolves them, as libvirtd's
//! `get_nonnull_*` do) and call the connection's secondary drivers.

pub(crate) mod events;
pub(crate) mod iface;
pub(crate) mod network;
pub(crate) mod nodedev;
pub(crate) mod nwfilter;
pub(crate) mod pool;
pub(crate) mod secret;
pub(crate) mod volume;

use rvirt_core::{Error, ErrorCode};
use rvirt_rpc::types::{IntRet, ListAllRet, NumRet};
use rvirt_rpc_server::CallResult;
use rvirt_rpc_server::error::err;

/// `{int value}` of a yes/no answer.
pub(crate) fn yes(b: bool) -> IntRet {
    IntRet {
        value: i32::from(b),
    }
}

/// A count as the wire's `int`.
pub(crate) fn num(n: usize) -> NumRet {
    NumRet {
        num: i32::try_from(n).unwrap_or(i32::MAX),
    }
}

/// A `CONNECT_LIST_ALL_*` answer: the count, and the objects when asked for; more than
/// the protocol allows is refused as libvirtd refuses it.
pub(crate) fn list_all<T, W>(
    items: &[T],
    need_results: i32,
    max: usize,
    what: &str,
    wire: impl Fn(&T) -> W,
) -> CallResult<ListAllRet<W>> {
    if items.len() > max {
        return Err(err(
            1,
            7,
            format!(
                "internal error: too many {what} '{}' for limit '{max}'",
                items.len()
            ),
        ));
    }
    Ok(ListAllRet {
        items: if need_results != 0 {
            items.iter().map(wire).collect()
        } else {
            Vec::new()
        },
        ret: items.len() as u32,
    })
}

/// The `maxnames` of an old listing call, checked as libvirtd's dispatcher does.
pub(crate) fn max_names(maxnames: i32, max: usize, limit: &str) -> CallResult<usize> {
    let n = usize::try_from(maxnames).map_err(|_| err(39, 7, "maxnames must be non-negative"))?;
    if n > max {
        return Err(err(39, 7, format!("maxnames > {limit}")));
    }
    Ok(n)
}

/// `r`, with a "not supported" refusal naming `api`, the old call the client made,
/// rather than the newer one rvirt-core answered it with (as libvirtd names it).
pub(crate) fn as_api<T>(r: rvirt_core::Result<T>, api: &str) -> rvirt_core::Result<T> {
    r.map_err(|e| {
        if e.code() == ErrorCode::NoSupport {
            Error::no_support(e.domain(), api)
        } else {
            e
        }
    })
}
