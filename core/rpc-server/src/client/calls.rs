//! A client's calls: decoded packets go to the call queue (keepalive is answered at
//! once), the queue's head runs on the server's worker pool, one call at a time, and
//! its reply is queued before the next call starts.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rvirt_rpc::{KEEPALIVE_PROGRAM, Message};

use super::Client;
use super::io::Io;
use crate::host::Outcome;
use crate::keepalive;
use crate::log::log;

impl Client {
    /// Moves decoded packets into the call queue; keepalive is answered right here.
    pub(super) fn take_messages(&self, io: &mut Io) {
        while let Some(msg) = io.decoder.next_message() {
            if msg.header.prog == KEEPALIVE_PROGRAM {
                if let Some(frame) = keepalive::answer(&msg) {
                    self.queue_locked(io, &frame);
                }
            } else if !io.close_after_flush {
                io.pending.push_back(msg);
            }
        }
    }

    /// The next call to run if none is running.
    pub(super) fn next_call(&self, io: &mut Io) -> Option<Message> {
        if io.busy || io.close_after_flush || io.stream.is_none() {
            return None;
        }
        let msg = io.pending.pop_front()?;
        io.busy = true;
        Some(msg)
    }

    pub(super) fn submit(self: &Arc<Self>, msg: Message) {
        let me = self.clone();
        let ok = self.server.pool().submit(move || {
            let outcome = me.server.host().dispatch(&me, &msg);
            me.finish_call(outcome);
        });
        if !ok {
            self.close();
        }
    }

    /// Queues a call's reply and starts the next call (worker thread).
    fn finish_call(self: &Arc<Self>, outcome: Outcome) {
        let mut io = self.lock_io();
        io.busy = false;
        if let Some(frame) = outcome.frame {
            self.queue_locked(&mut io, &frame);
        }
        if outcome.close {
            io.close_after_flush = true;
            io.pending.clear();
        }
        let next = self.next_call(&mut io);
        self.update_interest(&mut io);
        drop(io);
        self.enforce_output_budget();
        if let Some(msg) = next {
            self.submit(msg);
        }
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
