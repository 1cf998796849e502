//! Clients' unread output, counted against a process-wide budget.
//!
//! Each client may leave at most its service's `max_output` bytes unread (rvirtd's
//! `--max-client-output`); on top of that, all clients together may hold at most the
//! [`OutputBudget`] (`--max-total-output`). A client that never reads costs the process
//! memory for everything queued to it (replies, events), so twelve such clients could
//! otherwise pin twelve times the per-client limit. When the total goes over budget,
//! the client holding the most unread output is disconnected, with a log line.

use std::collections::VecDeque;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
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

/// One client's pending output: a byte queue whose size is counted in the budget, and
/// the file descriptors to pass (unix sockets) once the bytes before them are written.
#[derive(Debug)]
pub struct Output {
    buf: VecDeque<u8>,
    budget: Arc<OutputBudget>,
    /// Descriptors, each with the count of bytes pushed before it.
    fds: VecDeque<(u64, OwnedFd)>,
    pushed: u64,
    written: u64,
}

impl Output {
    /// An empty queue counted in `budget`.
    pub fn new(budget: Arc<OutputBudget>) -> Output {
        Output {
            buf: VecDeque::new(),
            budget,
            fds: VecDeque::new(),
            pushed: 0,
            written: 0,
        }
    }

    /// Appends `bytes`.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend(bytes);
        self.pushed += bytes.len() as u64;
        self.budget.used.fetch_add(bytes.len(), Ordering::AcqRel);
    }

    /// Appends `bytes`, then `fds`: each is due once `bytes` are written
    /// ([`Output::due_fd`]), as libvirt sends a REPLY_WITH_FDS's descriptors after it.
    pub fn push_with_fds(&mut self, bytes: &[u8], fds: Vec<OwnedFd>) {
        self.push(bytes);
        let at = self.pushed;
        self.fds.extend(fds.into_iter().map(|fd| (at, fd)));
    }

    /// The descriptor to send now: every byte before it is written.
    pub fn due_fd(&self) -> Option<BorrowedFd<'_>> {
        self.fds
            .front()
            .filter(|(at, _)| *at == self.written)
            .map(|(_, fd)| fd.as_fd())
    }

    /// The due descriptor was sent (it is closed here, the peer has its copy).
    pub fn fd_sent(&mut self) {
        self.fds.pop_front();
    }

    /// Bytes queued.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when nothing is queued, neither bytes nor descriptors.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty() && self.fds.is_empty()
    }

    /// The first contiguous run of queued bytes, up to the next descriptor.
    pub fn front(&self) -> &[u8] {
        let run = self.buf.as_slices().0;
        match self.fds.front() {
            Some((at, _)) => &run[..run.len().min((at - self.written) as usize)],
            None => run,
        }
    }

    /// Drops the first `n` bytes (written).
    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.buf.drain(..n);
        self.written += n as u64;
        self.budget.used.fetch_sub(n, Ordering::AcqRel);
    }

    /// Drops everything queued.
    pub fn clear(&mut self) {
        self.consume(self.buf.len());
        self.fds.clear();
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

    #[test]
    fn descriptors_wait_for_the_bytes_before_them() {
        let mut out = Output::new(OutputBudget::new(100));
        let (fd, _peer) = std::os::unix::net::UnixStream::pair().unwrap();
        out.push_with_fds(b"reply", vec![fd.into()]);
        out.push(b"next");
        assert!(out.due_fd().is_none());
        assert_eq!(out.front(), b"reply");
        out.consume(5);
        assert!(out.due_fd().is_some());
        assert_eq!(out.front(), b"");
        out.fd_sent();
        assert_eq!(out.front(), b"next");
        out.consume(4);
        assert!(out.is_empty());
    }
}
