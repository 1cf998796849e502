//! What a procedure handler sees of its call: the client, the message, the client's
//! state of the server's programs, and a way to end the connection after the reply.

use std::any::TypeId;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex, MutexGuard};

use rvirt_rpc::Message;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::{CallResult, bad_payload};
use crate::log::log;
use crate::stream::{StreamHandle, StreamSource};

/// One call being handled, with the per-client state `S` of the server's programs.
pub struct Ctx<'a, S> {
    client: &'a Arc<Client>,
    msg: &'a Message,
    state: &'a Mutex<S>,
    close: Cell<bool>,
    stream: RefCell<Option<StreamSource>>,
    fds: RefCell<Vec<OwnedFd>>,
}

impl<'a, S> Ctx<'a, S> {
    pub(crate) fn new(client: &'a Arc<Client>, msg: &'a Message, state: &'a Mutex<S>) -> Self {
        Ctx {
            client,
            msg,
            state,
            close: Cell::new(false),
            stream: RefCell::new(None),
            fds: RefCell::new(Vec::new()),
        }
    }

    /// The calling client.
    pub fn client(&self) -> &'a Arc<Client> {
        self.client
    }

    /// The call: header and still-encoded arguments.
    pub fn message(&self) -> &'a Message {
        self.msg
    }

    /// The procedure number called.
    pub fn procedure(&self) -> i32 {
        self.msg.header.proc_
    }

    /// The client's state, locked. Release it before anything slow or anything that
    /// may close the client.
    pub fn state(&self) -> MutexGuard<'a, S> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Decodes the call's arguments, which must fill the payload exactly; libvirtd's
    /// "Unable to decode message payload" (39 / 7) otherwise. Void arguments (`()`)
    /// read nothing, whatever the payload holds (XDR's `xdr_void`).
    pub fn args<T: DeserializeOwned + 'static>(&self) -> CallResult<T> {
        let decoded = if TypeId::of::<T>() == TypeId::of::<()>() {
            rvirt_xdr::from_bytes_exact(&[]).map_err(rvirt_rpc::FrameError::Xdr)
        } else {
            self.msg.decode_payload()
        };
        decoded.map_err(|e| {
            log!(
                "client {}: proc {}: bad arguments: {e}",
                self.client.id(),
                self.msg.header.proc_
            );
            bad_payload()
        })
    }

    /// Asks the library to close the connection once this call's reply is written
    /// (libvirt's CONNECT_CLOSE). Only a successful call closes it.
    pub fn close_after_reply(&self) {
        self.close.set(true);
    }

    /// Opens a stream on this call's serial ([`crate::stream`]): once the call's
    /// successful reply is queued, `source` is streamed to the client and the client's
    /// STREAM packets go to it. The handle ends the stream from the server's side.
    /// A call that fails opens no stream (`source` is dropped).
    pub fn open_stream(&self, source: StreamSource) -> StreamHandle {
        *self.stream.borrow_mut() = Some(source);
        self.stream_handle()
    }

    /// The handle of the stream this call opens (or opened) with
    /// [`Ctx::open_stream`], for what must know it before the source is handed over.
    pub fn stream_handle(&self) -> StreamHandle {
        StreamHandle {
            client: Arc::downgrade(self.client),
            serial: self.msg.header.serial,
        }
    }

    /// Passes `fd` to the client with this call's successful reply (libvirt's
    /// REPLY_WITH_FDS: the count of descriptors before the return value, the
    /// descriptors after the packet). Unix socket clients only: on TCP or TLS the call
    /// fails instead (libvirt's "Sending file descriptors is not supported on this
    /// socket"). A call that fails passes nothing (`fd` is closed).
    pub fn send_fd(&self, fd: OwnedFd) {
        self.fds.borrow_mut().push(fd);
    }

    pub(crate) fn take_fds(&self) -> Vec<OwnedFd> {
        std::mem::take(&mut *self.fds.borrow_mut())
    }

    pub(crate) fn take_stream(&self) -> Option<StreamSource> {
        self.stream.borrow_mut().take()
    }

    pub(crate) fn close_requested(&self) -> bool {
        self.close.get()
    }
}

impl<S> fmt::Debug for Ctx<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ctx")
            .field("client", &self.client.id())
            .field("header", &self.msg.header)
            .finish_non_exhaustive()
    }
}
