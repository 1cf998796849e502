//! SERVER_GET/SET_THREADPOOL_PARAMETERS: a server's worker pool
//! ([`rvirt_rpc_server::workers::Pool`]). `minWorkers` and `maxWorkers` really change the pool
//! (a higher minimum starts workers at once; a lower maximum retires the surplus once
//! idle). rvirtd has no priority calls and hence no priority workers: `prioWorkers`
//! reads 0, and setting it to anything else is refused (74 ARGUMENT_UNSUPPORTED),
//! before anything is changed. `nWorkers`, `freeWorkers` and `jobQueueDepth` are read
//! only, as in libvirt.

use rvirt_rpc::admin::SERVER_THREADPOOL_PARAMETERS_MAX;
use rvirt_rpc::admin::param::{
    THREADPOOL_JOB_QUEUE_DEPTH as QUEUE, THREADPOOL_WORKERS_CURRENT as CURRENT,
    THREADPOOL_WORKERS_FREE as FREE, THREADPOOL_WORKERS_MAX as MAX, THREADPOOL_WORKERS_MIN as MIN,
    THREADPOOL_WORKERS_PRIORITY as PRIO,
};
use rvirt_rpc::admin::types::{ServerArgs, ServerSetParamsArgs, TypedParamsRet};

use super::errors::{
    FROM_ADMIN, FROM_NONE, Wording, check_flags, invalid_arg, system, unsupported_arg,
};
use super::params::{bounded, check_names, uint, uint_param, validate_uints};
use super::{registry, server};
use rvirt_rpc_server::CallResult;

use super::Ctx;
use crate::log;
use rvirt_rpc_server::workers::{MAX_WORKERS, PoolError};

/// SERVER_GET_THREADPOOL_PARAMETERS: minWorkers, maxWorkers, nWorkers, freeWorkers,
/// prioWorkers, jobQueueDepth (all `uint`, libvirt's order).
pub(crate) fn get(ctx: &Ctx<'_>, args: ServerArgs) -> CallResult<TypedParamsRet> {
    let srv = server(&*registry(ctx)?, &args.srv.name, Wording::Rpc)?;
    check_flags(args.flags, "adminServerGetThreadPoolParameters")?;
    let s = srv.pool().stats();
    Ok(TypedParamsRet {
        params: vec![
            uint_param(MIN, s.min_workers),
            uint_param(MAX, s.max_workers),
            uint_param(CURRENT, s.workers),
            uint_param(FREE, s.free_workers),
            uint_param(PRIO, 0),
            uint_param(QUEUE, s.queue_depth),
        ],
    })
}

/// SERVER_SET_THREADPOOL_PARAMETERS: minWorkers, maxWorkers (and prioWorkers = 0).
pub(crate) fn set(ctx: &Ctx<'_>, args: ServerSetParamsArgs) -> CallResult<()> {
    bounded(&args.params, SERVER_THREADPOOL_PARAMETERS_MAX)?;
    let srv = server(&*registry(ctx)?, &args.srv.name, Wording::Admin)?;
    check_names(&args.params)?;
    check_flags(args.flags, "adminServerSetThreadPoolParameters")?;
    validate_uints(&args.params, &[MIN, MAX, PRIO])?;
    if uint(&args.params, PRIO).is_some_and(|n| n != 0) {
        return Err(unsupported_arg(
            FROM_ADMIN,
            format!("rvirtd has no priority workers: {PRIO} must be 0"),
        ));
    }
    let min = uint(&args.params, MIN).map(|n| n as usize);
    let max = uint(&args.params, MAX).map(|n| n as usize);
    srv.pool().set_bounds(min, max).map_err(|e| match e {
        PoolError::MinAboveMax => invalid_arg(
            FROM_NONE,
            "minWorkers cannot be larger than maxWorkers".into(),
        ),
        PoolError::ZeroMax => invalid_arg(
            FROM_NONE,
            "maxWorkers must not be switched from zero to non-zero and vice versa".into(),
        ),
        PoolError::TooMany(n) => invalid_arg(
            FROM_NONE,
            format!("{n} workers is more than the limit of {MAX_WORKERS}"),
        ),
        PoolError::Spawn(e) => system("Failed to create thread", &e),
    })?;
    let s = srv.pool().stats();
    log!(
        "admin client {}: server {} workers now {}..{} ({} running)",
        ctx.client().id(),
        srv.name(),
        s.min_workers,
        s.max_workers,
        s.workers
    );
    Ok(())
}
