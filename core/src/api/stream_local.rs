//! A local driver's stream served in process ([`super::Stream::local`]): a pty read and
//! written directly, bytes handed out from memory, a volume's file read or written in
//! place. Event callbacks watch the pty on the event loop; the other sources are always
//! ready, so their callback is driven by a timer firing on every iteration while wanted.

use std::fmt;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::{Arc, Mutex, MutexGuard};

use super::stream::stream_closed;
use crate::driver::{LocalSource, LocalStream, StreamBackend, StreamCallback, StreamEvents};
use crate::event::{Interest, SharedLoop, TimerId, TimerInterval, WatchId};
use crate::{Error, ErrorCode, ErrorDomain, Result};

struct State {
    stream: Option<LocalStream>,
    /// Bytes of a [`LocalSource::Bytes`] already received.
    pos: usize,
    /// Data went through: the source is no longer whole.
    used: bool,
}

enum Watch {
    Fd(WatchId),
    Timer(TimerId),
}

struct Callback {
    watch: Watch,
    wanted: StreamEvents,
}

/// The in-process [`StreamBackend`] of a [`LocalStream`].
pub(crate) struct LocalBackend {
    state: Mutex<State>,
    event_loop: Option<SharedLoop>,
    cb: Mutex<Option<Callback>>,
    /// Shared with the watch, which may run while the state is locked elsewhere.
    user: Arc<Mutex<UserSlot>>,
}

/// The user's callback, taken out while it runs (so it may update or remove itself).
#[derive(Default)]
struct UserSlot {
    cb: Option<StreamCallback>,
    wanted: StreamEvents,
    active: bool,
}

impl fmt::Debug for LocalBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalBackend")
            .field("stream", &self.lock().stream)
            .finish()
    }
}

fn os_error(what: &str, e: &io::Error) -> Error {
    Error::verbatim(
        ErrorCode::SystemError,
        ErrorDomain::Streams,
        format!("{what}: {e}"),
    )
}

fn wrong_way(what: &str) -> Error {
    Error::new(
        ErrorCode::OperationInvalid,
        ErrorDomain::Streams,
        format!("operation is not valid: stream is not open for {what}"),
    )
}

/// Waits until `fd` is ready for `events`.
fn wait_fd(fd: RawFd, events: libc::c_short) {
    let mut pfd = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    unsafe { libc::poll(&mut pfd, 1, -1) };
}

fn fd_io(fd: &OwnedFd, buf: *mut u8, len: usize, write: bool) -> io::Result<usize> {
    // SAFETY: `buf` is valid for `len` bytes (a live slice of the caller).
    let n = unsafe {
        if write {
            libc::write(fd.as_raw_fd(), buf.cast_const().cast(), len)
        } else {
            libc::read(fd.as_raw_fd(), buf.cast(), len)
        }
    };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

impl LocalBackend {
    pub(crate) fn new(stream: LocalStream, event_loop: Option<SharedLoop>) -> LocalBackend {
        LocalBackend {
            state: Mutex::new(State {
                stream: Some(stream),
                pos: 0,
                used: false,
            }),
            event_loop,
            cb: Mutex::new(None),
            user: Arc::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The source, unless the stream was used or ended.
    pub(crate) fn take(&self) -> Option<LocalStream> {
        let mut st = self.lock();
        if st.used {
            return None;
        }
        st.stream.take()
    }

    fn end(&self) -> Option<LocalStream> {
        let _ = self.remove_callback();
        self.lock().stream.take()
    }
}

impl StreamBackend for LocalBackend {
    fn send(&self, data: &[u8], nonblock: bool) -> Result<Option<usize>> {
        let mut st = self.lock();
        let Some(s) = st.stream.as_mut() else {
            return Err(stream_closed());
        };
        match &mut s.source {
            LocalSource::Fd(fd) => {
                match fd_io(fd, data.as_ptr().cast_mut(), data.len(), true) {
                    Ok(n) => {
                        st.used = true;
                        Ok(Some(n))
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(None),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        // Waited for without the lock: a reader may use the stream.
                        let raw = fd.as_raw_fd();
                        drop(st);
                        if !nonblock {
                            wait_fd(raw, libc::POLLOUT);
                            return self.send(data, nonblock);
                        }
                        Ok(None)
                    }
                    Err(e) => Err(os_error("cannot write to stream", &e)),
                }
            }
            LocalSource::Writer {
                file, remaining, ..
            } => {
                if *remaining == 0 {
                    let e = io::Error::from_raw_os_error(libc::ENOSPC);
                    return Err(os_error("cannot write to stream", &e));
                }
                let n = data
                    .len()
                    .min(usize::try_from(*remaining).unwrap_or(usize::MAX));
                file.write_all(&data[..n])
                    .map_err(|e| os_error("cannot write to stream", &e))?;
                *remaining -= n as u64;
                st.used = true;
                Ok(Some(n))
            }
            _ => Err(wrong_way("writing")),
        }
    }

    fn recv(&self, buf: &mut [u8], nonblock: bool) -> Result<Option<usize>> {
        let mut st = self.lock();
        let pos = st.pos;
        let Some(s) = st.stream.as_mut() else {
            return Err(stream_closed());
        };
        let n = match &mut s.source {
            LocalSource::Fd(fd) => {
                match fd_io(fd, buf.as_mut_ptr(), buf.len(), false) {
                    Ok(n) => n,
                    // A pty whose other side closed.
                    Err(e) if e.raw_os_error() == Some(libc::EIO) => 0,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(None),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        // Waited for without the lock: a writer may use the stream.
                        let raw = fd.as_raw_fd();
                        drop(st);
                        if !nonblock {
                            wait_fd(raw, libc::POLLIN);
                        }
                        return Ok(None);
                    }
                    Err(e) => return Err(os_error("cannot read from stream", &e)),
                }
            }
            LocalSource::Bytes(bytes) => {
                let n = buf.len().min(bytes.len() - pos);
                buf[..n].copy_from_slice(&bytes[pos..pos + n]);
                n
            }
            LocalSource::Reader {
                file, remaining, ..
            } => {
                let want = buf
                    .len()
                    .min(usize::try_from(*remaining).unwrap_or(usize::MAX));
                let n = file
                    .read(&mut buf[..want])
                    .map_err(|e| os_error("cannot read from stream", &e))?;
                *remaining -= n as u64;
                n
            }
            LocalSource::Writer { .. } => return Err(wrong_way("reading")),
        };
        if let Some(LocalSource::Bytes(_)) = st.stream.as_ref().map(|s| &s.source) {
            st.pos += n;
        }
        st.used = true;
        Ok(Some(n))
    }

    fn finish(&self) -> Result<()> {
        let Some(mut s) = self.end() else {
            return Err(stream_closed());
        };
        if let LocalSource::Writer { file, .. } = &s.source {
            file.sync_all()
                .map_err(|e| os_error("unable to sync stream data", &e))?;
        }
        match s.on_finish.take() {
            Some(f) => f(),
            None => Ok(()),
        }
    }

    fn abort(&self) -> Result<()> {
        self.end().map(drop).ok_or_else(stream_closed)
    }

    fn add_callback(&self, events: StreamEvents, cb: StreamCallback) -> Result<()> {
        let Some(l) = self.event_loop.clone() else {
            return Err(Error::no_support(
                ErrorDomain::Streams,
                "stream event callbacks need a registered event loop",
            ));
        };
        let mut slot = self.cb.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return Err(Error::new(
                ErrorCode::InternalError,
                ErrorDomain::Streams,
                "internal error: stream already has a callback registered",
            ));
        }
        let st = self.lock();
        let Some(s) = st.stream.as_ref() else {
            return Err(stream_closed());
        };
        *self.user.lock().unwrap_or_else(|p| p.into_inner()) = UserSlot {
            cb: Some(cb),
            wanted: events,
            active: true,
        };
        let user = self.user.clone();
        let watch = match &s.source {
            LocalSource::Fd(fd) => Watch::Fd(l.add_handle(
                fd.as_raw_fd(),
                to_interest(events),
                Box::new(move |_, _, ready| {
                    let mut got = StreamEvents::NONE;
                    if ready.intersects(Interest::READABLE) {
                        got = got | StreamEvents::READABLE;
                    }
                    if ready.intersects(Interest::WRITABLE) {
                        got = got | StreamEvents::WRITABLE;
                    }
                    if ready.intersects(Interest::HANGUP) {
                        got = got | StreamEvents::HANGUP;
                    }
                    if ready.intersects(Interest::ERROR) {
                        got = got | StreamEvents::ERROR;
                    }
                    run_user(&user, got);
                }),
            )?),
            source => {
                // Files and memory are always ready the way they go.
                let ready = match source {
                    LocalSource::Writer { .. } => StreamEvents::WRITABLE,
                    _ => StreamEvents::READABLE,
                };
                Watch::Timer(l.add_timeout(
                    TimerInterval::EveryIteration,
                    Box::new(move |_| run_user(&user, ready)),
                )?)
            }
        };
        drop(st);
        *slot = Some(Callback {
            watch,
            wanted: events,
        });
        Ok(())
    }

    fn update_callback(&self, events: StreamEvents) -> Result<()> {
        let mut slot = self.cb.lock().unwrap_or_else(|p| p.into_inner());
        let (Some(cb), Some(l)) = (slot.as_mut(), &self.event_loop) else {
            return Err(no_callback());
        };
        cb.wanted = events;
        self.user.lock().unwrap_or_else(|p| p.into_inner()).wanted = events;
        if let Watch::Fd(w) = cb.watch {
            l.update_handle(w, to_interest(events))?;
        }
        Ok(())
    }

    fn remove_callback(&self) -> Result<()> {
        let cb = self.cb.lock().unwrap_or_else(|p| p.into_inner()).take();
        let (Some(cb), Some(l)) = (cb, &self.event_loop) else {
            return Err(no_callback());
        };
        match cb.watch {
            Watch::Fd(w) => l.remove_handle(w)?,
            Watch::Timer(t) => l.remove_timeout(t)?,
        }
        *self.user.lock().unwrap_or_else(|p| p.into_inner()) = UserSlot::default();
        Ok(())
    }
}

fn no_callback() -> Error {
    Error::new(
        ErrorCode::InternalError,
        ErrorDomain::Streams,
        "internal error: stream does not have a callback registered",
    )
}

fn to_interest(events: StreamEvents) -> Interest {
    let mut i = Interest::NONE;
    if events.intersects(StreamEvents::READABLE) {
        i |= Interest::READABLE;
    }
    if events.intersects(StreamEvents::WRITABLE) {
        i |= Interest::WRITABLE;
    }
    i
}

/// Calls the user's callback with what of `ready` it wants (hang-up and error always),
/// without holding its slot.
fn run_user(user: &Mutex<UserSlot>, ready: StreamEvents) {
    let lock = || user.lock().unwrap_or_else(|p| p.into_inner());
    let (mut cb, got) = {
        let mut slot = lock();
        let always = StreamEvents::HANGUP | StreamEvents::ERROR;
        let got = StreamEvents(ready.0 & (slot.wanted.0 | always.0));
        if !slot.active || got.is_empty() {
            return;
        }
        let Some(cb) = slot.cb.take() else {
            return;
        };
        (cb, got)
    };
    cb(got);
    let mut slot = lock();
    if slot.active && slot.cb.is_none() {
        slot.cb = Some(cb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Stream;
    use crate::event::DefaultLoop;
    use std::io::{Seek, SeekFrom};
    use std::os::unix::net::UnixStream;
    use std::sync::mpsc;
    use std::time::Duration;

    fn fd_stream(event_loop: Option<SharedLoop>) -> (Stream, UnixStream) {
        let (ours, theirs) = UnixStream::pair().unwrap();
        ours.set_nonblocking(true).unwrap();
        let fd = OwnedFd::from(ours);
        (
            Stream::local(LocalStream::new(LocalSource::Fd(fd)), event_loop),
            theirs,
        )
    }

    #[test]
    fn a_pty_like_fd_both_ways_blocking_or_not() {
        let (st, mut peer) = fd_stream(None);
        let mut buf = [0u8; 16];
        assert_eq!(st.try_recv(&mut buf).unwrap(), None);
        peer.write_all(b"guest").unwrap();
        assert_eq!(st.recv(&mut buf).unwrap(), 5);
        assert_eq!(&buf[..5], b"guest");
        assert_eq!(st.send(b"typed").unwrap(), 5);
        let mut got = [0u8; 5];
        peer.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"typed");
        // A blocked receive wakes when the other side writes.
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            peer.write_all(b"late").unwrap();
            peer
        });
        assert_eq!(st.recv(&mut buf).unwrap(), 4);
        drop(writer.join().unwrap());
        assert_eq!(st.recv(&mut buf).unwrap(), 0, "the other side closed");
        st.finish().unwrap();
        let e = st.recv(&mut buf).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidStream);
        assert_eq!(st.abort().unwrap_err().code(), ErrorCode::InvalidStream);
    }

    #[test]
    fn bytes_then_the_end_and_into_local() {
        let st = Stream::local(
            LocalStream::new(LocalSource::Bytes(b"P6 1 1".to_vec())),
            None,
        );
        let mut out = Vec::new();
        assert_eq!(st.recv_all(&mut out).unwrap(), 6);
        assert_eq!(out, b"P6 1 1");
        assert!(st.send(b"x").is_err(), "a screenshot is not writable");
        st.finish().unwrap();
        // Unused, a daemon takes the source back; once used, it cannot.
        let fresh = Stream::local(LocalStream::new(LocalSource::Bytes(vec![1, 2])), None);
        assert!(matches!(
            fresh.into_local().map(|l| l.source),
            Some(LocalSource::Bytes(b)) if b == [1, 2]
        ));
        let used = Stream::local(LocalStream::new(LocalSource::Bytes(vec![1, 2])), None);
        used.recv(&mut [0u8; 1]).unwrap();
        assert!(used.into_local().is_none());
    }

    #[test]
    fn files_read_and_written_within_their_length() {
        let path = std::env::temp_dir().join(format!("rvirt-stream-local-{}", std::process::id()));
        std::fs::write(&path, b"0123456789").unwrap();
        let mut file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.seek(SeekFrom::Start(2)).unwrap();
        let finished = Arc::new(Mutex::new(false));
        let flag = finished.clone();
        let mut local = LocalStream::new(LocalSource::Writer {
            file,
            remaining: 4,
            sparse: false,
        });
        local.on_finish = Some(Box::new(move || {
            *flag.lock().unwrap() = true;
            Ok(())
        }));
        let up = Stream::local(local, None);
        assert_eq!(up.send(b"abcdef").unwrap(), 4, "only the length is taken");
        let e = up.send(b"x").unwrap_err();
        assert!(e.to_string().contains("No space left on device"), "{e}");
        up.finish().unwrap();
        assert!(*finished.lock().unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"01abcd6789");
        let mut file = std::fs::File::open(&path).unwrap();
        file.seek(SeekFrom::Start(3)).unwrap();
        let down = Stream::local(
            LocalStream::new(LocalSource::Reader {
                file,
                remaining: 5,
                sparse: false,
            }),
            None,
        );
        let mut out = Vec::new();
        down.recv_all(&mut out).unwrap();
        assert_eq!(out, b"bcd67");
        down.finish().unwrap();
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn callbacks_on_the_loop() {
        let ev = DefaultLoop::new().unwrap();
        let runner = ev.clone();
        let thread = std::thread::spawn(move || runner.run().unwrap());
        let (st, mut peer) = fd_stream(Some(ev.shared()));
        let st = Arc::new(st);
        let (tx, rx) = mpsc::channel();
        let reader = st.clone();
        st.event_add_callback(StreamEvents::READABLE, move |got| {
            let mut buf = [0u8; 64];
            if let Ok(Some(n)) = reader.try_recv(&mut buf) {
                let _ = tx.send((got, buf[..n].to_vec()));
            }
        })
        .unwrap();
        assert!(
            st.event_add_callback(StreamEvents::READABLE, |_| {})
                .is_err(),
            "one callback per stream"
        );
        peer.write_all(b"ready").unwrap();
        let (got, data) = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(got.intersects(StreamEvents::READABLE));
        assert_eq!(data, b"ready");
        st.event_remove_callback().unwrap();
        assert!(st.event_remove_callback().is_err());
        // Memory sources are always ready: their callback runs from a timer.
        let shot = Arc::new(Stream::local(
            LocalStream::new(LocalSource::Bytes(vec![9; 10])),
            Some(ev.shared()),
        ));
        let (tx, rx) = mpsc::channel();
        let reader = shot.clone();
        shot.event_add_callback(StreamEvents::READABLE, move |_| {
            let mut buf = [0u8; 64];
            if let Ok(Some(n)) = reader.try_recv(&mut buf) {
                let _ = tx.send(n);
            }
        })
        .unwrap();
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), 10);
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(5)).unwrap(),
            0,
            "then the end"
        );
        shot.event_remove_callback().unwrap();
        drop(shot);
        st.abort().unwrap();
        ev.quit();
        thread.join().unwrap();
    }
}
