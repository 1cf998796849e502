//! File descriptors passed to a unix socket client, as libvirt passes them: each in
//! its own `sendmsg` of one zero byte carrying it as `SCM_RIGHTS`.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

use crate::listener::Stream;

/// Sends `fd` to the peer of `stream`: `Ok(true)` once sent, `Ok(false)` when the
/// socket is full (try again when writable). TCP sockets cannot carry descriptors.
pub(crate) fn send_fd(stream: &Stream, fd: BorrowedFd<'_>) -> io::Result<bool> {
    let Stream::Unix(sock) = stream else {
        return Err(io::Error::other(
            "Sending file descriptors is not supported on this socket",
        ));
    };
    let mut byte = 0u8;
    let mut iov = libc::iovec {
        iov_base: (&raw mut byte).cast(),
        iov_len: 1,
    };
    // SAFETY: CMSG_SPACE only computes a size.
    let space = unsafe { libc::CMSG_SPACE(size_of::<libc::c_int>() as u32) } as usize;
    let mut control = vec![0u8; space];
    // SAFETY: an all-zero msghdr is valid; its pointers are set just below.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &raw mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = space as _;
    // SAFETY: `control` holds room for one header with one int (CMSG_SPACE above), so
    // CMSG_FIRSTHDR is non-null and its data has room for the descriptor.
    unsafe {
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (*cmsg).cmsg_level = libc::SOL_SOCKET;
        (*cmsg).cmsg_type = libc::SCM_RIGHTS;
        (*cmsg).cmsg_len = libc::CMSG_LEN(size_of::<libc::c_int>() as u32) as _;
        std::ptr::write_unaligned(libc::CMSG_DATA(cmsg).cast::<libc::c_int>(), fd.as_raw_fd());
    }
    loop {
        // SAFETY: `msg` points at `iov`, `byte` and `control`, all alive here.
        let n = unsafe { libc::sendmsg(sock.as_raw_fd(), &msg, libc::MSG_NOSIGNAL) };
        if n >= 0 {
            return Ok(true);
        }
        let e = io::Error::last_os_error();
        match e.kind() {
            io::ErrorKind::Interrupted => {}
            io::ErrorKind::WouldBlock => return Ok(false),
            _ => return Err(e),
        }
    }
}
