//! Procedures of libvirt's protocol that rvirtd does not serve but whose public
//! function libvirt has: answered as libvirtd answers a driver without the function,
//! `VIR_ERR_NO_SUPPORT` naming it ("this function is not supported by the connection
//! driver: virDomainGetJobStats"), in the error domain of libvirt's public source file,
//! instead of "unknown procedure: N". Numbers libvirt does not have stay unknown.

use rvirt_rpc_server::error::detailed;
use rvirt_rpc_server::{CallResult, Ctx, Procedure};

use super::api_names::API_NAMES;
use crate::remote::{Access, Session};

/// `VIR_ERR_NO_SUPPORT`.
const NO_SUPPORT: i32 = 3;

/// The function procedure `number` stands for, with its error domain.
pub(crate) fn api_of(number: i32) -> Option<(&'static str, i32)> {
    API_NAMES
        .binary_search_by_key(&number, |&(n, _, _)| n)
        .ok()
        .map(|i| (API_NAMES[i].1, API_NAMES[i].2))
}

fn refuse(ctx: &Ctx<'_, Session>) -> CallResult<Vec<u8>> {
    let (api, domain) = api_of(ctx.procedure()).unwrap_or(("this call", 20));
    Err(detailed(
        NO_SUPPORT,
        domain,
        "this function is not supported by the connection driver",
        api.to_string(),
    ))
}

/// A row answering "not supported" for every libvirt function whose number is not in
/// `served`.
pub(crate) fn rows(served: &[i32]) -> Vec<Procedure<Session, Access>> {
    API_NAMES
        .iter()
        .filter(|(n, _, _)| !served.contains(n))
        .map(|&(number, _, _)| Procedure {
            number,
            access: Access::Open,
            handler: refuse,
        })
        .collect()
}
