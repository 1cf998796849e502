//! [`RemoteStream`]: rvirt-core's stream backend over the connection's stream protocol
//! ([`crate::client`]'s stream half), and the calls that open one: domain console and
//! screenshot, volume upload and download.

use std::sync::Arc;

use rvirt_core::Result;
use rvirt_core::Stream;
use rvirt_core::driver::{DomainRef, Received, StreamBackend, StreamCallback, StreamEvents};
use rvirt_rpc::console::{DomainOpenConsoleArgs, DomainScreenshotArgs, DomainScreenshotRet};
use rvirt_rpc::procs;
use serde::Serialize;

use crate::client::Client;
use crate::wire::to_wire;

/// A stream opened by a call on the connection, known by the call's serial.
#[derive(Debug)]
pub(crate) struct RemoteStream {
    client: Arc<Client>,
    serial: u32,
}

impl StreamBackend for RemoteStream {
    fn send(&self, data: &[u8], nonblock: bool) -> Result<Option<usize>> {
        self.client.stream_send(self.serial, data, nonblock)
    }

    fn recv(&self, buf: &mut [u8], nonblock: bool) -> Result<Option<usize>> {
        self.client.stream_recv(self.serial, buf, nonblock)
    }

    fn recv_sparse(&self, buf: &mut [u8], nonblock: bool) -> Result<Option<Received>> {
        self.client
            .stream_recv_sparse(self.serial, buf, nonblock, true)
    }

    fn send_hole(&self, length: u64) -> Result<()> {
        self.client.stream_send_hole(self.serial, length)
    }

    fn finish(&self) -> Result<()> {
        self.client.stream_close(self.serial, false)
    }

    fn abort(&self) -> Result<()> {
        self.client.stream_close(self.serial, true)
    }

    fn add_callback(&self, events: StreamEvents, cb: StreamCallback) -> Result<()> {
        self.client.stream_add_callback(self.serial, events, cb)
    }

    fn update_callback(&self, events: StreamEvents) -> Result<()> {
        self.client.stream_update_callback(self.serial, events)
    }

    fn remove_callback(&self) -> Result<()> {
        self.client.stream_remove_callback(self.serial)
    }
}

/// Calls `proc_`, which opens a stream, and wraps it: the stream and the reply.
pub(crate) fn open<A: Serialize + ?Sized, R: serde::de::DeserializeOwned>(
    client: &Arc<Client>,
    proc_: i32,
    args: &A,
) -> Result<(Stream, R)> {
    let (serial, ret) = client.call_stream(proc_, args)?;
    let backend = RemoteStream {
        client: client.clone(),
        serial,
    };
    Ok((Stream::from_backend(Arc::new(backend)), ret))
}

/// DOMAIN_OPEN_CONSOLE.
pub(crate) fn open_console(
    client: &Arc<Client>,
    dom: &DomainRef,
    dev_name: Option<&str>,
    flags: u32,
) -> Result<Stream> {
    let args = DomainOpenConsoleArgs {
        dom: to_wire(dom),
        dev_name: dev_name.map(str::to_string),
        flags,
    };
    let (stream, ()) = open(client, procs::DOMAIN_OPEN_CONSOLE, &args)?;
    Ok(stream)
}

/// DOMAIN_OPEN_CHANNEL (laid out as DOMAIN_OPEN_CONSOLE).
pub(crate) fn open_channel(
    client: &Arc<Client>,
    dom: &DomainRef,
    name: Option<&str>,
    flags: u32,
) -> Result<Stream> {
    let args = DomainOpenConsoleArgs {
        dom: to_wire(dom),
        dev_name: name.map(str::to_string),
        flags,
    };
    let (stream, ()) = open(client, procs::DOMAIN_OPEN_CHANNEL, &args)?;
    Ok(stream)
}

/// DOMAIN_SCREENSHOT: the MIME type (libvirt's client takes a missing one as none)
/// and the image's stream.
pub(crate) fn screenshot(
    client: &Arc<Client>,
    dom: &DomainRef,
    screen: u32,
    flags: u32,
) -> Result<(String, Stream)> {
    let args = DomainScreenshotArgs {
        dom: to_wire(dom),
        screen,
        flags,
    };
    let (stream, ret): (Stream, DomainScreenshotRet) =
        open(client, procs::DOMAIN_SCREENSHOT, &args)?;
    Ok((ret.mime.unwrap_or_default(), stream))
}
