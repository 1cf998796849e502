//! A domain's QMP monitor with **one reader**: the event loop.
//!
//! The monitor socket is watched on the driver's event loop, and only the loop's watch
//! callback reads or writes it ([`Monitor::pump`]). An API call never touches the fd:
//! it queues its command ([`Monitor::call`]), which turns on the watch's WRITABLE
//! interest (waking the loop), and waits on a condition variable until the loop hands
//! it the reply — so a slow QEMU costs the caller time, never the loop. Commands the
//! driver sends from the loop itself ([`Monitor::send`]: a fake reboot's
//! `system_reset` and `cont`) are never waited for; their replies come back out of
//! [`Monitor::pump`] with the events, in order.
//!
//! A caller that *is* the loop's thread (a callback, or a program that drives the loop
//! itself between calls) would wait for itself: there [`Monitor::call`] does the
//! loop's part in place — it waits for the fd with `poll(2)` and runs the watch's own
//! callback — so the reader is still the loop's thread and its callback.

use std::collections::HashMap;
use std::io::{ErrorKind, Read};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rvirt_core::event::{Interest, SharedLoop, WatchId};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::Value;

use crate::qmp::{Message, QmpCodec};

/// A connected, negotiated monitor. Cheap to clone: the loop's watch and API callers
/// share one.
#[derive(Clone, Debug)]
pub(crate) struct Monitor {
    inner: Arc<Inner>,
}

/// The watch's callback, for a caller on the loop's thread to run in place.
pub(crate) type OnReady = Arc<dyn Fn(Interest) + Send + Sync>;

struct Inner {
    fd: RawFd,
    event_loop: SharedLoop,
    state: Mutex<State>,
    replied: Condvar,
    on_ready: Mutex<Option<OnReady>>,
    /// Commands passed through for a client (`qemu-monitor-command`) so far.
    passthrough: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor")
            .field("fd", &self.fd)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct State {
    stream: UnixStream,
    codec: QmpCodec,
    /// Command bytes the loop has still to write.
    out: Vec<u8>,
    /// Replies API callers wait for, by command id: when the command was queued, and
    /// its reply (`None` until it arrives).
    waiting: HashMap<String, Slot>,
    watch: Option<WatchId>,
    interest: Interest,
    eof: bool,
    /// Why the monitor stopped making sense (undecodable data), once it did: libvirt
    /// marks such a monitor broken, fails later commands and raises CONTROL_ERROR.
    broken: Option<String>,
    /// `broken` was set and not yet reported by [`Monitor::pump`].
    unreported: bool,
}

/// A command someone waits for.
#[derive(Debug)]
struct Slot {
    since: Instant,
    reply: Option<Result<Value>>,
}

/// A command sent with [`Monitor::start`] whose reply is still to be taken with
/// [`Pending::wait`]. Dropping it forgets the reply.
#[derive(Debug)]
pub(crate) struct Pending {
    mon: Monitor,
    id: String,
    name: String,
}

/// What one [`Monitor::pump`] produced.
#[derive(Debug, Default)]
pub(crate) struct Pumped {
    /// Events and the replies nobody waits for, in the order QEMU sent them.
    pub messages: Vec<Message>,
    /// QEMU closed the monitor (or the socket failed).
    pub eof: bool,
    /// The monitor just became broken (report CONTROL_ERROR once).
    pub broken: Option<String>,
}

fn monitor_error(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::OperationFailed, ErrorDomain::Qemu, message)
}

impl Monitor {
    /// Takes over a negotiated stream (switched to non-blocking here) and the codec
    /// that may already hold bytes; the messages the handshake read are the caller's.
    /// [`Monitor::pump`] once before watching it (the codec may hold whole lines), and
    /// watch it ([`Monitor::set_watch`]) before calling [`Monitor::call`].
    pub(crate) fn new(
        stream: UnixStream,
        codec: QmpCodec,
        event_loop: SharedLoop,
    ) -> Result<Monitor> {
        stream.set_nonblocking(true)?;
        Ok(Monitor {
            inner: Arc::new(Inner {
                fd: stream.as_raw_fd(),
                event_loop,
                state: Mutex::new(State {
                    stream,
                    codec,
                    out: Vec::new(),
                    waiting: HashMap::new(),
                    watch: None,
                    interest: Interest::READABLE,
                    eof: false,
                    broken: None,
                    unreported: false,
                }),
                replied: Condvar::new(),
                passthrough: std::sync::atomic::AtomicU64::new(0),
                on_ready: Mutex::new(None),
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The event loop the monitor is watched on.
    pub(crate) fn event_loop(&self) -> SharedLoop {
        self.inner.event_loop.clone()
    }

    /// The socket's fd, for the event loop.
    pub(crate) fn fd(&self) -> RawFd {
        self.inner.fd
    }

    /// Records the loop's watch of the socket and its callback.
    pub(crate) fn set_watch(&self, watch: WatchId, on_ready: OnReady) {
        *self
            .inner
            .on_ready
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(on_ready);
        let mut st = self.lock();
        st.watch = Some(watch);
        self.update_interest(&mut st);
    }

    /// The loop's watch, if any.
    pub(crate) fn watch(&self) -> Option<WatchId> {
        self.lock().watch
    }

    /// Stops watching the socket: nobody reads it any more; callers still waiting get
    /// an error. The socket closes when the last handle goes.
    pub(crate) fn close(&self) {
        let watch = {
            let mut st = self.lock();
            st.eof = true;
            fail_waiters(&mut st, "the QEMU monitor was closed");
            st.watch.take()
        };
        self.inner.replied.notify_all();
        if let Some(w) = watch {
            let _ = self.inner.event_loop.remove_handle(w);
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

    /// Queues a command for the loop to write; returns its id. Its reply will come out
    /// of [`Monitor::pump`] unless someone waits for it.
    fn queue(&self, st: &mut State, name: &str, args: Option<Value>) -> Result<String> {
        if st.eof {
            return Err(monitor_error("End of file from qemu monitor"));
        }
        if let Some(why) = &st.broken {
            return Err(Error::new(
                ErrorCode::InternalError,
                ErrorDomain::Qemu,
                format!("the QEMU monitor is broken: {why}"),
            ));
        }
        let (id, bytes) = st.codec.encode_command(name, args);
        st.out.extend_from_slice(&bytes);
        self.update_interest(st);
        Ok(id)
    }

    /// Sends `name` without waiting (from the loop thread or anywhere); returns the
    /// command id its reply carries.
    pub(crate) fn send(&self, name: &str, args: Option<Value>) -> Result<String> {
        let mut st = self.lock();
        self.queue(&mut st, name, args)
    }

    /// Runs `name` and waits up to `timeout` for its reply, which the loop reads (or,
    /// on the loop's thread, this call in the loop's place). Call with no domain lock
    /// held. A QMP error reply becomes `VIR_ERR_INTERNAL_ERROR` "unable to execute
    /// QEMU command 'NAME': DESC (CLASS)", as in libvirt.
    pub(crate) fn call(&self, name: &str, args: Option<Value>, timeout: Duration) -> Result<Value> {
        self.start(name, args)?.wait(Instant::now() + timeout)
    }

    /// Sends `name` for a caller who takes its reply later ([`Pending::wait`]): many
    /// commands, on one monitor or many, can be in flight at once.
    pub(crate) fn start(&self, name: &str, args: Option<Value>) -> Result<Pending> {
        let mut st = self.lock();
        let id = self.queue(&mut st, name, args)?;
        st.waiting.insert(
            id.clone(),
            Slot {
                since: Instant::now(),
                reply: None,
            },
        );
        Ok(Pending {
            mon: self.clone(),
            id,
            name: name.to_owned(),
        })
    }

    /// Counts a command passed through for a client: what it changed in QEMU, the
    /// driver cannot know (cached query replies taken before are stale).
    pub(crate) fn note_passthrough(&self) {
        self.inner
            .passthrough
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// How many commands were passed through for clients so far.
    pub(crate) fn passthrough_count(&self) -> u64 {
        self.inner
            .passthrough
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Since when the oldest command someone waits for has been in flight, if any
    /// (`virDomainGetControlInfo`'s "occupied").
    pub(crate) fn busy_since(&self) -> Option<Instant> {
        self.lock()
            .waiting
            .values()
            .filter(|s| s.reply.is_none())
            .map(|s| s.since)
            .min()
    }

    /// True once QEMU closed the monitor or it stopped making sense.
    pub(crate) fn is_unusable(&self) -> bool {
        let st = self.lock();
        st.eof || st.broken.is_some()
    }

    /// The loop's part, for a caller on the loop's thread: waits (bounded) for the fd
    /// and runs the watch's callback, as the loop would.
    fn run_loop_part(&self, events: libc::c_short, left: Duration) {
        let mut pfd = libc::pollfd {
            fd: self.inner.fd,
            events,
            revents: 0,
        };
        let ms = libc::c_int::try_from(left.as_millis().clamp(1, 100)).unwrap_or(100);
        // SAFETY: one valid, initialised pollfd.
        let n = unsafe { libc::poll(&mut pfd, 1, ms) };
        if n <= 0 {
            return;
        }
        let mut ready = Interest::NONE;
        if pfd.revents & libc::POLLIN != 0 {
            ready |= Interest::READABLE;
        }
        if pfd.revents & libc::POLLOUT != 0 {
            ready |= Interest::WRITABLE;
        }
        if pfd.revents & libc::POLLHUP != 0 {
            ready |= Interest::HANGUP;
        }
        if pfd.revents & libc::POLLERR != 0 {
            ready |= Interest::ERROR;
        }
        let on_ready = self
            .inner
            .on_ready
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        match on_ready {
            Some(f) => f(ready),
            None => drop(self.pump(ready)),
        }
    }

    /// The loop's watch callback: writes queued commands, reads what QEMU sent, hands
    /// awaited replies to their callers and returns everything else in order. Never
    /// blocks.
    pub(crate) fn pump(&self, ready: Interest) -> Pumped {
        let mut st = self.lock();
        let mut out = Pumped::default();
        if ready.intersects(Interest::WRITABLE) && !st.out.is_empty() {
            write_some(&mut st);
        }
        read_available(&mut st);
        let mut woke = false;
        while let Some(msg) = st.codec.next_message() {
            match msg {
                Ok(msg) => {
                    if let Some(id) = reply_id(&msg)
                        && let Some(slot) = st.waiting.get_mut(id)
                    {
                        slot.reply = Some(reply_result(msg));
                        woke = true;
                    } else {
                        out.messages.push(msg);
                    }
                }
                Err(e) if st.broken.is_none() => {
                    st.broken = Some(e.to_string());
                    st.unreported = true;
                }
                Err(_) => {}
            }
        }
        if st.eof || st.broken.is_some() {
            let why = if st.eof {
                "End of file from qemu monitor"
            } else {
                "the QEMU monitor is broken"
            };
            woke |= fail_waiters(&mut st, why);
        }
        if std::mem::take(&mut st.unreported) {
            out.broken = st.broken.clone();
        }
        out.eof = st.eof;
        self.update_interest(&mut st);
        drop(st);
        if woke {
            self.inner.replied.notify_all();
        }
        out
    }
}

/// Fails every waiting caller; true if there was one.
fn fail_waiters(st: &mut State, why: &str) -> bool {
    let mut any = false;
    for slot in st.waiting.values_mut().filter(|s| s.reply.is_none()) {
        slot.reply = Some(Err(monitor_error(why)));
        any = true;
    }
    any
}

fn reply_id(msg: &Message) -> Option<&str> {
    match msg {
        Message::Return { id, .. } | Message::Error { id, .. } => id.as_deref(),
        _ => None,
    }
}

/// A reply as the waiting caller gets it (an error's text is completed by
/// [`Monitor::call`], which knows the command name).
fn reply_result(msg: Message) -> Result<Value> {
    match msg {
        Message::Return { value, .. } => Ok(value),
        Message::Error { class, desc, .. } => Err(Error::new(
            ErrorCode::InternalError,
            ErrorDomain::Qemu,
            format!("{desc} ({class})"),
        )),
        other => Err(monitor_error(format!(
            "unexpected monitor message {other:?}"
        ))),
    }
}

fn write_some(st: &mut State) {
    if super::socket_io::write_pending(&mut st.stream, &mut st.out) {
        st.eof = true;
    }
}

fn read_available(st: &mut State) {
    let mut buf = [0u8; 8192];
    while !st.eof {
        match st.stream.read(&mut buf) {
            Ok(0) => st.eof = true,
            Ok(n) => st.codec.feed(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(_) => st.eof = true,
        }
    }
}

impl Pending {
    /// Waits until `deadline` for the reply (see [`Monitor::call`] for its errors).
    pub(crate) fn wait(self, deadline: Instant) -> Result<Value> {
        let mon = &self.mon;
        let inline = mon.inner.event_loop.is_loop_thread();
        loop {
            let mut st = mon.lock();
            if let Some(reply) = st.waiting.get_mut(&self.id).and_then(|s| s.reply.take()) {
                st.waiting.remove(&self.id);
                return reply.map_err(|e| match e.code() {
                    ErrorCode::InternalError => Error::new(
                        ErrorCode::InternalError,
                        ErrorDomain::Qemu,
                        format!(
                            "unable to execute QEMU command '{}': {}",
                            self.name,
                            e.message()
                        ),
                    ),
                    _ => e,
                });
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::new(
                    ErrorCode::OperationTimeout,
                    ErrorDomain::Qemu,
                    format!(
                        "timed out waiting for the QEMU monitor to answer '{}'",
                        self.name
                    ),
                ));
            }
            if inline {
                let events = if st.out.is_empty() {
                    libc::POLLIN
                } else {
                    libc::POLLIN | libc::POLLOUT
                };
                drop(st);
                mon.run_loop_part(events, deadline - now);
            } else {
                drop(
                    mon.inner
                        .replied
                        .wait_timeout(st, deadline - now)
                        .unwrap_or_else(|p| p.into_inner()),
                );
            }
        }
    }
}

impl Drop for Pending {
    /// Nobody waits for the reply any more: the loop hands it to no one.
    fn drop(&mut self) {
        self.mon.lock().waiting.remove(&self.id);
    }
}
