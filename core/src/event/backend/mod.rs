//! The kit for event-loop adapter authors: the pieces a crate needs to implement
//! [`EventLoop`](super::EventLoop) on a host loop (glib, mio, tokio, calloop, ...) with
//! libvirt's semantics. rvirt's [`DefaultLoop`](super::DefaultLoop) and its adapters are
//! built from it.
//!
//! Applications and drivers do not need this module: they register and use a loop through
//! the items of [`event`](super) itself.
//!
//! * [`Epoll`]: a level-triggered epoll set of the adapter's own. The host loop watches its
//!   one fd (readable while a watched fd has a pending condition), and
//!   [`Epoll::ready_now`] tells, without sleeping, which fds are ready. [`epoll_mask`],
//!   [`interest_from_epoll`] and the `EPOLL_*` bits translate between epoll and
//!   [`Interest`](super::Interest).
//! * [`FdWatches`] + [`dispatch_ready`]: the fd-watch table kept in that set (ids from 1,
//!   several watches per fd, paused watches, fd numbers reused after a close) and the
//!   dispatcher that runs the ready callbacks one at a time with the adapter's lock
//!   released.
//! * [`TimerTable`]: the timers of a loop that runs them itself (ids, libvirt's -1/0/N
//!   intervals, due-ness, how long the loop may sleep).
//!   [`dispatch_due`] runs the due ones with the adapter's lock released, and a
//!   [`TimerFd`] in the epoll set wakes the host loop at the next deadline to the
//!   nanosecond (no millisecond poll timeout, no host timer wheel).
//! * [`Garbage`]: removed callbacks waiting to be dropped after the current dispatch,
//!   outside the lock (libvirt's deferred `ff`).
//! * [`IdMap`] (with [`IdHasher`]): a `HashMap` for id and fd keys with a cheap hash.
//!
//! An adapter checks itself against libvirt's rules with the conformance suite
//! (`rvirt_core::conformance_tests!`, feature `test-util`).
//!
//! The core of an adapter: one lock over the tables, the epoll set watched by the host
//! loop, callbacks run and freed with the lock released.
//!
//! ```
//! use std::os::fd::RawFd;
//! use std::sync::Mutex;
//! use std::time::Instant;
//!
//! use rvirt_core::event::backend::{Epoll, FdWatches, Garbage, TimerTable, dispatch_ready};
//! use rvirt_core::event::{EventError, HandleCallback, Interest, TimerId, WatchId};
//!
//! #[derive(Default)]
//! struct State {
//!     watches: FdWatches,
//!     timers: TimerTable,
//!     graveyard: Vec<Garbage>,
//! }
//!
//! struct Adapter {
//!     /// The host loop watches this set's fd for readability.
//!     epoll: Epoll,
//!     state: Mutex<State>,
//! }
//!
//! impl Adapter {
//!     /// `EventLoop::add_handle`.
//!     fn add_handle(
//!         &self,
//!         fd: RawFd,
//!         events: Interest,
//!         cb: HandleCallback,
//!     ) -> Result<WatchId, EventError> {
//!         let added = self.state.lock().unwrap().watches.add(&self.epoll, fd, events, cb);
//!         // A refused callback is dropped here, outside the lock.
//!         added.map_err(|(e, _cb)| e)
//!     }
//!
//!     /// `EventLoop::remove_handle`: the callback is freed after the dispatch.
//!     fn remove_handle(&self, watch: WatchId) -> Result<(), EventError> {
//!         let mut st = self.state.lock().unwrap();
//!         if let Some(cb) = st.watches.remove(&self.epoll, watch)? {
//!             st.graveyard.push(Garbage::Handle(cb));
//!         }
//!         Ok(())
//!     }
//!
//!     /// One dispatch, when the host loop reports the epoll fd readable or a timer due.
//!     fn dispatch(&self, events: &mut Vec<libc::epoll_event>) {
//!         let now = Instant::now();
//!         let (watch_limit, mut due) = {
//!             let st = self.state.lock().unwrap();
//!             let mut due = Vec::new();
//!             st.timers.due(now, st.timers.id_limit(), &mut due);
//!             (st.watches.id_limit(), due)
//!         };
//!         for id in due.drain(..) {
//!             let Some(mut cb) = self.state.lock().unwrap().timers.take_callback(id, now) else {
//!                 continue;
//!             };
//!             cb(TimerId::new(id).unwrap());
//!             let mut st = self.state.lock().unwrap();
//!             if let Some(removed) = st.timers.put_callback(id, cb) {
//!                 st.graveyard.push(Garbage::Timer(removed));
//!             }
//!         }
//!         let n = self.epoll.ready_now(events).unwrap_or(0);
//!         dispatch_ready(&self.state, |st| &mut st.watches, &events[..n], 1..watch_limit);
//!         let garbage = std::mem::take(&mut self.state.lock().unwrap().graveyard);
//!         drop(garbage);
//!     }
//! }
//!
//! # let adapter = Adapter { epoll: Epoll::new()?, state: Mutex::default() };
//! # use std::os::fd::AsRawFd;
//! # let (sock, _peer) = std::os::unix::net::UnixStream::pair()?;
//! # let fd = sock.as_raw_fd();
//! # let seen = std::sync::Arc::new(Mutex::new(Vec::new()));
//! # let s = seen.clone();
//! # let watch = adapter
//! #     .add_handle(fd, Interest::WRITABLE, Box::new(move |_, fd, ready| {
//! #         s.lock().unwrap().push((fd, ready));
//! #     }))?;
//! # adapter.dispatch(&mut Vec::new());
//! # assert_eq!(*seen.lock().unwrap(), [(fd, Interest::WRITABLE)]);
//! # adapter.remove_handle(watch)?;
//! # adapter.dispatch(&mut Vec::new());
//! # assert_eq!(seen.lock().unwrap().len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod epoll;
mod fd_table;
mod fd_watches;
mod garbage;
mod id_counter;
mod id_map;
mod timer_dispatch;
mod timer_fd;
mod timer_table;

pub use epoll::{
    EPOLL_ERR, EPOLL_HUP, EPOLL_IN, EPOLL_OUT, Epoll, epoll_mask, interest_from_epoll,
};
pub use fd_watches::{FdWatches, dispatch_ready};
pub use garbage::Garbage;
pub(crate) use id_counter::IdCounter;
pub use id_map::{IdHasher, IdMap};
pub use timer_dispatch::dispatch_due;
pub use timer_fd::TimerFd;
pub use timer_table::TimerTable;
