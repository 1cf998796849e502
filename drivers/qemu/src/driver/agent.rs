//! A domain's guest-agent connection (libvirt's `qemuAgent`): the host end of the
//! `org.qemu.guest_agent.0` channel socket, watched on the driver's event loop like the
//! monitor. Only the loop's watch reads or writes the socket ([`Agent::pump`]); an API
//! caller queues its command ([`Agent::command`]) and waits on a condition variable,
//! so a silent agent costs the caller its timeout, never the loop.
//!
//! One command at a time (libvirt's agent job): each opens with the codec's sync
//! handshake ([`crate::agent::AgentCodec`]), bounded by [`SYNC_TIMEOUT`] or the
//! domain's response timeout if shorter, then waits for the reply as long as the
//! caller's timeout says.

use std::io::{ErrorKind, Read};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use rvirt_core::event::{Interest, SharedLoop, WatchId};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::Value;

use crate::agent::{AgentCodec, AgentError, AgentOutput};

/// How long the sync handshake may take (libvirt's `QEMU_AGENT_WAIT_TIME`).
pub(crate) const SYNC_TIMEOUT: Duration = Duration::from_secs(5);

/// libvirt's default agent response timeout (`VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_DEFAULT`).
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a command waits for the one in flight to finish (libvirt's job wait).
const TURN_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a `guest-shutdown` may take (`VIR_DOMAIN_QEMU_AGENT_COMMAND_SHUTDOWN`).
pub(crate) const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(60);

/// The error of an agent that does not answer in time or is gone, worded as libvirt's
/// `VIR_ERR_AGENT_UNRESPONSIVE`.
pub(crate) fn unresponsive(why: &str) -> Error {
    Error::verbatim(
        ErrorCode::AgentUnresponsive,
        ErrorDomain::Qemu,
        format!("Guest agent is not responding: {why}"),
    )
}

/// A domain's agent connection. Cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct Agent {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    fd: RawFd,
    event_loop: SharedLoop,
    state: Mutex<State>,
    replied: Condvar,
    /// Held by the one command in flight.
    exclusive: Mutex<()>,
    /// How long the handshake may take ([`SYNC_TIMEOUT`]; shorter in tests).
    sync_timeout: Duration,
}

#[derive(Debug)]
struct State {
    stream: UnixStream,
    codec: AgentCodec,
    out: Vec<u8>,
    watch: Option<WatchId>,
    interest: Interest,
    eof: bool,
    /// When the handshake of the command in flight completed.
    synced_at: Option<Instant>,
    /// The reply of the command in flight, once decoded.
    reply: Option<std::result::Result<Value, Failure>>,
    /// The command in flight powers the guest off or resets it: QEMU's report of that
    /// (or the agent going away) is its success.
    awaits_guest_reset: bool,
    /// A caller waits in [`Agent::command`].
    in_flight: bool,
}

/// How a command failed, before it is worded with the command's name.
#[derive(Debug)]
enum Failure {
    Refused { desc: String },
    Protocol(AgentError),
    Gone,
}

/// What a caller asks of [`Agent::command`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Request<'a> {
    /// The command object (`{"execute": …}`).
    pub command: &'a Value,
    /// How long to wait for the reply after the handshake; `None` blocks.
    pub timeout: Option<Duration>,
    /// The domain's response timeout (`None`: blocking): when shorter than the
    /// handshake's own bound it bounds the handshake too, as in libvirt.
    pub agent_timeout: Option<Duration>,
    /// The command resets or powers off the guest (`guest-shutdown`).
    pub resets_guest: bool,
}

fn sync_id() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    // Kept below 2^53 so any JSON reader keeps it exact.
    h.finish() & ((1 << 53) - 1)
}

impl Agent {
    /// Connects to the channel socket at `path` (QEMU listens there).
    pub(crate) fn connect(path: &Path, event_loop: SharedLoop) -> Result<Agent> {
        Self::connect_with(path, event_loop, SYNC_TIMEOUT)
    }

    /// [`Agent::connect`] with another handshake timeout.
    fn connect_with(path: &Path, event_loop: SharedLoop, sync_timeout: Duration) -> Result<Agent> {
        let stream = UnixStream::connect(path)?;
        stream.set_nonblocking(true)?;
        Ok(Agent {
            inner: Arc::new(Inner {
                fd: stream.as_raw_fd(),
                event_loop,
                state: Mutex::new(State {
                    stream,
                    codec: AgentCodec::new(),
                    out: Vec::new(),
                    watch: None,
                    interest: Interest::READABLE,
                    eof: false,
                    synced_at: None,
                    reply: None,
                    awaits_guest_reset: false,
                    in_flight: false,
                }),
                replied: Condvar::new(),
                exclusive: Mutex::new(()),
                sync_timeout,
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Watches the socket on the loop; the watch holds the agent weakly.
    pub(crate) fn watch(&self) -> Result<()> {
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        let watch = self.inner.event_loop.add_handle(
            self.inner.fd,
            Interest::READABLE,
            Box::new(move |_watch, _fd, ready| {
                if let Some(inner) = weak.upgrade() {
                    let agent = Agent { inner };
                    if agent.pump(ready) {
                        agent.close();
                    }
                }
            }),
        )?;
        let mut st = self.lock();
        st.watch = Some(watch);
        self.update_interest(&mut st);
        Ok(())
    }

    /// Stops watching the socket; a waiting caller fails (or, waiting for the guest
    /// to reset, succeeds). The socket closes with the last handle.
    pub(crate) fn close(&self) {
        let watch = {
            let mut st = self.lock();
            st.eof = true;
            finish_waiter(&mut st, Err(Failure::Gone));
            st.watch.take()
        };
        self.inner.replied.notify_all();
        if let Some(w) = watch {
            let _ = self.inner.event_loop.remove_handle(w);
        }
    }

    /// QEMU reported that the guest powered off or reset, or closed its port: a
    /// `guest-shutdown` in flight has done its job.
    pub(crate) fn guest_reset(&self) {
        let mut st = self.lock();
        if st.in_flight && st.awaits_guest_reset && st.reply.is_none() {
            st.reply = Some(Ok(Value::Object(Default::default())));
            drop(st);
            self.inner.replied.notify_all();
        }
    }

    fn update_interest(&self, st: &mut State) {
        let want = if st.out.is_empty() {
            Interest::READABLE
        } else {
            Interest::READABLE | Interest::WRITABLE
        };
        if want != st.interest
            && let Some(w) = st.watch
            && self.inner.event_loop.update_handle(w, want).is_ok()
        {
            st.interest = want;
        }
    }

    /// The loop's watch callback: writes what is queued, reads what arrived, hands a
    /// reply to the waiting caller. Never blocks. True when the socket is finished.
    pub(crate) fn pump(&self, ready: Interest) -> bool {
        let mut st = self.lock();
        if ready.intersects(Interest::WRITABLE) {
            write_some(&mut st);
        }
        read_available(&mut st);
        let mut woke = false;
        while let Some(out) = st.codec.next_output() {
            match out {
                AgentOutput::Synced(cmd) => {
                    st.synced_at = Some(Instant::now());
                    st.out.extend_from_slice(&cmd);
                    write_some(&mut st);
                    // The caller's deadline is now the response timeout's.
                    woke = true;
                }
                AgentOutput::Return(v) => woke |= finish_waiter(&mut st, Ok(v)),
                AgentOutput::Error { desc, .. } => {
                    woke |= finish_waiter(&mut st, Err(Failure::Refused { desc }))
                }
                AgentOutput::Failed(e) => woke |= finish_waiter(&mut st, Err(Failure::Protocol(e))),
            }
        }
        if st.eof {
            woke |= finish_waiter(&mut st, Err(Failure::Gone));
        }
        self.update_interest(&mut st);
        let eof = st.eof;
        drop(st);
        if woke {
            self.inner.replied.notify_all();
        }
        eof
    }

    /// Waits (at most [`TURN_TIMEOUT`]) until no other command is in flight: libvirt's
    /// agent job, whose wait fails with "cannot acquire state change lock".
    fn take_turn(&self) -> Result<MutexGuard<'_, ()>> {
        let deadline = Instant::now() + TURN_TIMEOUT;
        loop {
            match self.inner.exclusive.try_lock() {
                Ok(turn) => return Ok(turn),
                Err(std::sync::TryLockError::Poisoned(p)) => return Ok(p.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(std::sync::TryLockError::WouldBlock) => {
                    return Err(Error::new(
                        ErrorCode::OperationTimeout,
                        ErrorDomain::Qemu,
                        "cannot acquire state change lock (held by agent)",
                    ));
                }
            }
        }
    }

    /// The loop's part, for a caller on the loop's thread: waits (at most `left`, and
    /// 100 ms) for the socket and runs what the watch would.
    fn run_loop_part(&self, writing: bool, left: Duration) {
        let mut pfd = libc::pollfd {
            fd: self.inner.fd,
            events: if writing {
                libc::POLLIN | libc::POLLOUT
            } else {
                libc::POLLIN
            },
            revents: 0,
        };
        let ms = libc::c_int::try_from(left.as_millis().clamp(1, 100)).unwrap_or(100);
        // SAFETY: one valid, initialised pollfd.
        if unsafe { libc::poll(&mut pfd, 1, ms) } <= 0 {
            return;
        }
        let mut ready = Interest::NONE;
        for (bit, interest) in [
            (libc::POLLIN, Interest::READABLE),
            (libc::POLLOUT, Interest::WRITABLE),
            (libc::POLLHUP, Interest::HANGUP),
            (libc::POLLERR, Interest::ERROR),
        ] {
            if pfd.revents & bit != 0 {
                ready |= interest;
            }
        }
        if self.pump(ready) {
            self.close();
        }
    }

    /// Runs one command: the handshake (at most [`SYNC_TIMEOUT`]), then the command,
    /// waiting `req.timeout` for its reply. Call with no domain lock held.
    ///
    /// Errors as libvirt's: `VIR_ERR_AGENT_UNRESPONSIVE` "Guest agent is not
    /// responding: Guest agent not available for now" on a timeout;
    /// `VIR_ERR_AGENT_UNSYNCED` when the handshake fails; `VIR_ERR_INTERNAL_ERROR`
    /// "unable to execute QEMU agent command 'NAME': DESC" when the agent refuses.
    pub(crate) fn command(&self, req: Request<'_>) -> Result<Value> {
        let name = req
            .command
            .get("execute")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned();
        // A caller that is the loop's thread would wait for itself: it does the
        // loop's part in place (as the monitor does).
        let inline = self.inner.event_loop.is_loop_thread();
        let _one = self.take_turn()?;
        let start = Instant::now();
        let sync_bound = req
            .agent_timeout
            .map_or(self.inner.sync_timeout, |t| t.min(self.inner.sync_timeout));
        let mut st = self.lock();
        if st.eof {
            return Err(unresponsive("QEMU guest agent is not connected"));
        }
        let hello = st.codec.begin_json(sync_id(), req.command);
        st.out.clear();
        st.out.extend_from_slice(&hello);
        st.reply = None;
        st.synced_at = None;
        st.awaits_guest_reset = req.resets_guest;
        st.in_flight = true;
        self.update_interest(&mut st);
        let result = loop {
            if let Some(r) = st.reply.take() {
                break r;
            }
            let deadline = match st.synced_at {
                None => Some(start + sync_bound),
                Some(at) => req.timeout.map(|t| at + t),
            };
            let now = Instant::now();
            if let Some(d) = deadline
                && now >= d
            {
                st.codec.cancel();
                st.out.clear();
                st.awaits_guest_reset = false;
                st.in_flight = false;
                self.update_interest(&mut st);
                return Err(unresponsive("Guest agent not available for now"));
            }
            let wait = deadline.map_or(Duration::from_secs(1), |d| d - now);
            if inline {
                let writing = !st.out.is_empty();
                drop(st);
                self.run_loop_part(writing, wait);
                st = self.lock();
            } else {
                st = self
                    .inner
                    .replied
                    .wait_timeout(st, wait)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
        };
        let awaited_reset = std::mem::take(&mut st.awaits_guest_reset);
        st.in_flight = false;
        if !st.codec.is_idle() {
            st.codec.cancel();
        }
        drop(st);
        result.or_else(|f| match f {
            Failure::Gone if awaited_reset => Ok(Value::Object(Default::default())),
            Failure::Gone => Err(unresponsive("Guest agent disconnected")),
            Failure::Refused { desc } => Err(Error::internal(
                ErrorDomain::Qemu,
                format!("unable to execute QEMU agent command '{name}': {desc}"),
            )),
            Failure::Protocol(AgentError::Unsynced(why)) => {
                Err(Error::new(ErrorCode::AgentUnsynced, ErrorDomain::Qemu, why))
            }
            Failure::Protocol(e) => Err(Error::internal(ErrorDomain::Qemu, e.to_string())),
        })
    }
}

/// Hands `result` to the caller waiting, if one is; true if so.
fn finish_waiter(st: &mut State, result: std::result::Result<Value, Failure>) -> bool {
    if !st.in_flight || st.reply.is_some() {
        return false;
    }
    st.reply = Some(result);
    true
}

fn write_some(st: &mut State) {
    if super::socket_io::write_pending(&mut st.stream, &mut st.out) {
        st.eof = true;
    }
}

/// Most bytes one watch callback reads: the guest writes to its end of the channel
/// whenever it likes, and a guest that never stops must not keep the loop's thread
/// (the watch is level-triggered: the rest is read on the next iteration).
const READ_PER_PUMP: usize = 256 * 1024;

fn read_available(st: &mut State) {
    let mut buf = [0u8; 16384];
    let mut total = 0;
    while !st.eof && total < READ_PER_PUMP {
        match st.stream.read(&mut buf) {
            Ok(0) => st.eof = true,
            Ok(n) => {
                total += n;
                st.codec.feed(&buf[..n]);
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(_) => st.eof = true,
        }
    }
}

#[cfg(test)]
#[path = "agent_tests.rs"]
mod tests;
