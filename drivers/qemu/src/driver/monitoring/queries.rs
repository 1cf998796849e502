//! The monitor queries behind statistics, sent as one batch per domain — and, for many
//! domains, every batch before waiting for any reply — so one stats call costs about
//! one monitor round trip however many domains and groups it covers.

use std::time::Instant;

use rvirt_core::{Error, ErrorDomain, Result};
use serde_json::{Value, json};

use super::super::monitor::{Monitor, Pending};

/// The balloon device's QOM path (the command line names it `balloon0`).
const BALLOON_PATH: &str = "/machine/peripheral/balloon0";

/// One monitor query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Query {
    /// `query-balloon`.
    Balloon,
    /// The balloon's `guest-stats`.
    GuestStats,
    /// `query-cpus-fast`.
    Cpus,
    /// `query-blockstats`.
    BlockStats,
    /// `query-named-block-nodes` (flat).
    Nodes,
    /// `query-dirty-rate`.
    DirtyRate,
    /// `query-block`.
    Block,
    /// `query-iothreads`.
    IoThreads,
}

impl Query {
    fn command(self) -> (&'static str, Option<Value>) {
        match self {
            Query::Balloon => ("query-balloon", None),
            Query::GuestStats => (
                "qom-get",
                Some(json!({"path": BALLOON_PATH, "property": "guest-stats"})),
            ),
            Query::Cpus => ("query-cpus-fast", None),
            Query::BlockStats => ("query-blockstats", None),
            Query::Nodes => ("query-named-block-nodes", Some(json!({"flat": true}))),
            Query::DirtyRate => ("query-dirty-rate", None),
            Query::Block => ("query-block", None),
            Query::IoThreads => ("query-iothreads", None),
        }
    }
}

/// Queries sent on one monitor, replies not yet taken.
#[derive(Debug)]
pub(super) struct Batch(Vec<(Query, Result<Pending>)>);

impl Batch {
    /// Sends `queries` on `mon` (none waits for another).
    pub(super) fn send(mon: &Monitor, queries: &[Query]) -> Batch {
        Batch(
            queries
                .iter()
                .map(|&q| {
                    let (name, args) = q.command();
                    (q, mon.start(name, args))
                })
                .collect(),
        )
    }

    /// Waits (until `deadline` at the latest) for every reply.
    pub(super) fn wait(self, deadline: Instant) -> Replies {
        Replies(
            self.0
                .into_iter()
                .map(|(q, p)| (q, p.and_then(|p| p.wait(deadline))))
                .collect(),
        )
    }
}

/// The replies of a [`Batch`].
#[derive(Debug, Default)]
pub(super) struct Replies(Vec<(Query, Result<Value>)>);

impl Replies {
    /// The reply to `q`, if it was asked and answered.
    pub(super) fn get(&self, q: Query) -> Option<&Value> {
        self.0
            .iter()
            .find(|(k, _)| *k == q)
            .and_then(|(_, r)| r.as_ref().ok())
    }

    /// The reply to `q`, or why there is none (the monitor's error).
    pub(super) fn take(&mut self, q: Query) -> Result<Value> {
        let i = self.0.iter().position(|(k, _)| *k == q).ok_or_else(|| {
            Error::internal(ErrorDomain::Qemu, format!("monitor query {q:?} not sent"))
        })?;
        self.0.swap_remove(i).1
    }
}
