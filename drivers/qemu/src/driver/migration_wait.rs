//! Waiting on QEMU's migration status (`query-migrate`), for every stream QEMU sends
//! or loads: a save, a restore, an outgoing and an incoming migration. Each caller
//! says which statuses end its wait and how long it may last, and words the other
//! endings ([`Stop`]) as its libvirt job does.

use std::time::{Duration, Instant};

use rvirt_core::Error;
use serde_json::Value;

/// How a wait ends other than with one of the statuses it waited for.
#[derive(Debug)]
pub(crate) enum Stop {
    /// Asking QEMU failed.
    Query(Error),
    /// `cancelled`: the migration was cancelled (`domjobabort`).
    Cancelled,
    /// `failed`, with QEMU's `error-desc` if it gave one.
    Failed(Option<String>),
    /// The bound ran out.
    TimedOut,
}

/// How long a wait may last.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Bound {
    /// At most this long in all.
    Total(Duration),
    /// As long as QEMU's transferred count moves at least once in this long.
    Stall(Duration),
}

/// Polls `query` (QEMU's `query-migrate`) every `every` until its status is one of
/// `done`; QEMU's reply then.
pub(crate) fn wait_migration(
    mut query: impl FnMut() -> rvirt_core::Result<Value>,
    done: &[&str],
    bound: Bound,
    every: Duration,
) -> Result<Value, Stop> {
    let start = Instant::now();
    let mut moved = (start, 0u64);
    loop {
        let v = query().map_err(Stop::Query)?;
        match v.get("status").and_then(Value::as_str) {
            Some(s) if done.contains(&s) => return Ok(v),
            Some("cancelled") => return Err(Stop::Cancelled),
            Some("failed") => {
                let why = v.get("error-desc").and_then(Value::as_str);
                return Err(Stop::Failed(why.map(str::to_owned)));
            }
            _ => {}
        }
        let timed_out = match bound {
            Bound::Total(limit) => start.elapsed() > limit,
            Bound::Stall(limit) => {
                let sent = v
                    .pointer("/ram/transferred")
                    .and_then(Value::as_u64)
                    .unwrap_or(0);
                if sent != moved.1 {
                    moved = (Instant::now(), sent);
                }
                moved.0.elapsed() > limit
            }
        };
        if timed_out {
            return Err(Stop::TimedOut);
        }
        std::thread::sleep(every);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn replies(list: Vec<Value>) -> impl FnMut() -> rvirt_core::Result<Value> {
        let mut it = list.into_iter();
        move || Ok(it.next().unwrap_or(json!({"status": "active"})))
    }

    #[test]
    fn a_wait_ends_at_a_done_status_or_says_why_not() {
        let short = Bound::Total(Duration::from_millis(30));
        let ms = Duration::from_millis(1);
        let done = replies(vec![
            json!({"status": "active"}),
            json!({"status": "completed"}),
        ]);
        assert!(wait_migration(done, &["completed"], short, ms).is_ok());
        let post = replies(vec![json!({"status": "postcopy-active"})]);
        let got = wait_migration(post, &["completed", "postcopy-active"], short, ms).unwrap();
        assert_eq!(got["status"], "postcopy-active");
        let failed = replies(vec![json!({"status": "failed", "error-desc": "gone"})]);
        assert!(matches!(
            wait_migration(failed, &["completed"], short, ms),
            Err(Stop::Failed(Some(w))) if w == "gone"
        ));
        let cancelled = replies(vec![json!({"status": "cancelled"})]);
        assert!(matches!(
            wait_migration(cancelled, &["completed"], short, ms),
            Err(Stop::Cancelled)
        ));
        let never = replies(vec![]);
        assert!(matches!(
            wait_migration(never, &["completed"], short, ms),
            Err(Stop::TimedOut)
        ));
        let stuck = replies(vec![]);
        let stall = Bound::Stall(Duration::from_millis(30));
        assert!(matches!(
            wait_migration(stuck, &["completed"], stall, ms),
            Err(Stop::TimedOut)
        ));
    }
}
