//! A client's calls: decoded packets go to the call queue (keepalive is answered at
//! once); calls leave the queue's head for the server's worker pool while fewer than
//! the server's [`max_client_requests`](crate::Server::max_client_requests) run, and
//! each reply is queued as its call finishes, whatever the order (the client matches
//! replies by serial). An [exclusive](crate::Program::exclusive) call waits at the
//! head until the calls in flight have finished, then runs alone: the calls behind it
//! wait for its reply, so connection setup, authentication and event (de)registration
//! keep their order relative to everything else. STREAM packets go to their stream
//! ([`streams`](super)) at once, never through the queue.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rvirt_rpc::{KEEPALIVE_PROGRAM, Message, MessageType};

use super::Client;
use super::io::Io;
use crate::host::Outcome;
use crate::keepalive;
use crate::log::log;

/// What of a client's calls is running on the pool.
#[derive(Debug, Default)]
pub(super) struct Running {
    /// Calls started whose reply is not queued yet.
    calls: usize,
    /// The one running call is exclusive.
    exclusive: bool,
}

impl Running {
    /// True when no call of the client runs.
    pub(super) fn is_idle(&self) -> bool {
        self.calls == 0
    }
}

impl Client {
    /// Moves decoded packets into the call queue; keepalive is answered right here.
    pub(super) fn take_messages(&self, io: &mut Io) {
        while let Some(msg) = io.decoder.next_message() {
            if msg.header.prog == KEEPALIVE_PROGRAM {
                if let Some(frame) = keepalive::answer(&msg) {
                    self.queue_locked(io, &frame);
                }
            } else if msg.header.msg_type == MessageType::STREAM
                || msg.header.msg_type == MessageType::STREAM_HOLE
            {
                self.stream_packet(io, msg);
            } else if !io.close_after_flush {
                io.pending.push_back(msg);
            }
        }
    }

    /// Takes the calls that may start now off the queue's head and counts them as
    /// running: while below the limit and no exclusive call runs; an exclusive call
    /// only once nothing runs, and nothing after it until it finishes.
    pub(super) fn next_calls(&self, io: &mut Io) -> Vec<Message> {
        let mut start = Vec::new();
        if io.close_after_flush || io.stream.is_none() {
            return start;
        }
        let limit = self.server.max_client_requests();
        while let Some(head) = io.pending.front() {
            if io.running.exclusive || io.running.calls >= limit {
                break;
            }
            if self.server.host().exclusive(&head.header) {
                if io.running.calls > 0 {
                    break;
                }
                io.running.exclusive = true;
            }
            io.running.calls += 1;
            start.extend(io.pending.pop_front());
        }
        start
    }

    /// Hands calls taken by [`Client::next_calls`] to the server's pool.
    pub(super) fn submit_all(self: &Arc<Self>, calls: Vec<Message>) {
        for msg in calls {
            let me = self.clone();
            let ok = self.server.pool().submit(move || {
                let outcome = me.server.host().dispatch(&me, &msg);
                me.finish_call(outcome);
            });
            if !ok {
                self.close();
                return;
            }
        }
    }

    /// Queues a call's reply and starts the calls that may start now (worker thread).
    fn finish_call(self: &Arc<Self>, outcome: Outcome) {
        let mut io = self.lock_io();
        io.running.calls = io.running.calls.saturating_sub(1);
        io.running.exclusive = false;
        if outcome.close {
            // Before the reply is queued: the loop's flush writes it, then closes.
            io.close_after_flush = true;
            io.pending.clear();
        }
        if let Some(frame) = outcome.frame {
            self.queue_locked_with_fds(&mut io, &frame, outcome.fds);
        }
        if let Some((call, source)) = outcome.stream {
            self.start_stream(&mut io, call, source);
        }
        let next = self.next_calls(&mut io);
        self.update_interest(&mut io);
        drop(io);
        self.enforce_output_budget();
        self.submit_all(next);
    }

    /// Keepalive tick (loop thread): PINGs a client idle for `interval`, and closes it
    /// after `count` unanswered PINGs.
    pub(crate) fn keepalive_tick(self: &Arc<Self>, interval: Duration, count: u32) {
        if !self.keepalive.load(Ordering::Acquire) || interval.is_zero() {
            return;
        }
        let mut io = self.lock_io();
        if io.last_rx.elapsed() < interval {
            return;
        }
        if io.pings_unanswered >= count {
            drop(io);
            log!(
                "client {}: connection closed due to keepalive timeout",
                self.id
            );
            self.close();
            return;
        }
        io.pings_unanswered += 1;
        io.last_rx = Instant::now();
        self.queue_locked(&mut io, &keepalive::ping());
        drop(io);
        self.enforce_output_budget();
    }
}
