//! The procedures that answer with a stream: DOMAIN_OPEN_CHANNEL (a guest channel's
//! socket both ways), DOMAIN_OPEN_CONSOLE (`virsh console`:
//! the guest's pty both ways until the client finishes, aborts or disconnects, or a
//! forced open takes the console over) and DOMAIN_SCREENSHOT (`virsh screenshot`: the
//! image, then the end of the stream); and DOMAIN_OPEN_GRAPHICS_FD (virt-manager's
//! console: a socket on the graphics server, passed with the reply).

use rvirt_core::driver::LocalStream;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Stream};
use rvirt_rpc::RemoteError;
use rvirt_rpc::console::{
    DomainOpenConsoleArgs, DomainOpenGraphicsFdArgs, DomainScreenshotArgs, DomainScreenshotRet,
};
use rvirt_rpc_server::{CallResult, StreamSource};

use super::{Ctx, CtxExt};

/// DOMAIN_OPEN_CONSOLE.
pub(crate) fn open_console(ctx: &Ctx<'_>, args: DomainOpenConsoleArgs) -> CallResult<()> {
    let dom = ctx.domain(&args.dom)?;
    serve_session(ctx, dom.open_console(args.dev_name.as_deref(), args.flags)?)
}

/// DOMAIN_OPEN_CHANNEL (its arguments laid out as DOMAIN_OPEN_CONSOLE's).
pub(crate) fn open_channel(ctx: &Ctx<'_>, args: DomainOpenConsoleArgs) -> CallResult<()> {
    let dom = ctx.domain(&args.dom)?;
    serve_session(ctx, dom.open_channel(args.dev_name.as_deref(), args.flags)?)
}

/// Serves a console or channel session's stream to the client. A forced open elsewhere
/// ends this session with libvirtd's error (its stream is aborted): VIR_ERR_RPC from
/// VIR_FROM_STREAMS, "stream had I/O failure".
fn serve_session(ctx: &Ctx<'_>, stream: Stream) -> CallResult<()> {
    let local = local(stream)?;
    if let Some(lease) = &local.lease {
        let handle = ctx.stream_handle();
        lease.on_revoke(move || {
            handle.fail(RemoteError::from(Error::verbatim(
                ErrorCode::Rpc,
                ErrorDomain::Streams,
                "stream had I/O failure",
            )))
        });
    }
    // The stream holds the lease: the device is free again once it ends.
    ctx.open_stream(StreamSource::from_local(local));
    Ok(())
}

/// The local driver's side of a stream, to serve to the client.
pub(crate) fn local(stream: Stream) -> CallResult<LocalStream> {
    stream.into_local().ok_or_else(|| {
        Error::new(
            ErrorCode::InternalError,
            ErrorDomain::Streams,
            "internal error: the driver's stream cannot be served",
        )
        .into()
    })
}

/// DOMAIN_OPEN_GRAPHICS_FD: the socket goes to the client with the reply (unix
/// sockets only; others get libvirtd's "Sending file descriptors is not supported on
/// this socket").
pub(crate) fn open_graphics_fd(ctx: &Ctx<'_>, args: DomainOpenGraphicsFdArgs) -> CallResult<()> {
    let dom = ctx.domain(&args.dom)?;
    ctx.send_fd(dom.open_graphics_fd(args.idx, args.flags)?);
    Ok(())
}

/// DOMAIN_SCREENSHOT.
pub(crate) fn screenshot(
    ctx: &Ctx<'_>,
    args: DomainScreenshotArgs,
) -> CallResult<DomainScreenshotRet> {
    let dom = ctx.domain(&args.dom)?;
    let (mime, stream) = dom.screenshot(args.screen, args.flags)?;
    ctx.open_stream(StreamSource::from_local(local(stream)?));
    Ok(DomainScreenshotRet { mime: Some(mime) })
}
