//! Clients' unread output, counted against a process-wide budget.
//!
//! Each client may leave at most its service's `max_output` bytes unread (rvirtd's
//! `--max-client-output`); on top of that, all clients together may hold at most the
//! [`OutputBudget`] (`--max-total-output`). A client that never reads costs the process
//! memory for everything queued to it (replies, events), so twelve such clients could
//! otherwise pin twelve times the per-client limit. When the total goes over budget,
//! the client holding the most unread output is disconnected, with a log line.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The bytes all clients' output buffers hold, and the most they may hold.
#[derive(Debug)]
pub struct OutputBudget {
    used: AtomicUsize,
    limit: usize,
}

impl OutputBudget {
    /// A budget of `limit` bytes, none used.
    pub fn new(limit: usize) -> Arc<OutputBudget> {
        Arc::new(OutputBudget {
            used: AtomicUsize::new(0),
            limit,
        })
    }

    /// Bytes queued to clients and not yet written.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }

    /// The limit.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// True while more than the limit is queued.
    pub fn over(&self) -> bool {
        self.used() > self.limit
    }
}

/// One client's pending output: a byte queue whose size is counted in the budget.
#[derive(Debug)]
pub struct Output {
    buf: VecDeque<u8>,
    budget: Arc<OutputBudget>,
}

impl Output {
    /// An empty queue counted in `budget`.
    pub fn new(budget: Arc<OutputBudget>) -> Output {
        Output {
            buf: VecDeque::new(),
            budget,
        }
    }

    /// Appends `bytes`.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend(bytes);
        self.budget.used.fetch_add(bytes.len(), Ordering::AcqRel);
    }

    /// Bytes queued.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The first contiguous run of queued bytes.
    pub fn front(&self) -> &[u8] {
        self.buf.as_slices().0
    }

    /// Drops the first `n` bytes (written).
    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.buf.drain(..n);
        self.budget.used.fetch_sub(n, Ordering::AcqRel);
    }

    /// Drops everything queued.
    pub fn clear(&mut self) {
        self.consume(self.buf.len());
        self.buf.shrink_to_fit();
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_counts_every_queue() {
        let budget = OutputBudget::new(10);
        let mut a = Output::new(budget.clone());
        let mut b = Output::new(budget.clone());
        a.push(b"hello");
        b.push(b"world!");
        assert_eq!((budget.used(), budget.over()), (11, true));
        assert_eq!(a.front(), b"hello");
        a.consume(2);
        assert_eq!((a.len(), budget.used(), budget.over()), (3, 9, false));
        b.clear();
        assert!(b.is_empty());
        drop(a);
        assert_eq!(budget.used(), 0);
    }
}
