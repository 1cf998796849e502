//! Connection liveness: [`CloseReason`], the close callback
//! (`virConnectRegisterCloseCallback`) and client keepalive (`virConnectSetKeepAlive`).

use std::fmt;
use std::time::Duration;

use super::{Connect, ConnectInner};
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// Why a connection closed (libvirt's `virConnectCloseReason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum CloseReason {
    /// Misc I/O error (`VIR_CONNECT_CLOSE_REASON_ERROR`).
    Error = 0,
    /// End of file from the peer (`VIR_CONNECT_CLOSE_REASON_EOF`).
    Eof = 1,
    /// Keepalive timer triggered (`VIR_CONNECT_CLOSE_REASON_KEEPALIVE`).
    Keepalive = 2,
    /// Closed by the client (`VIR_CONNECT_CLOSE_REASON_CLIENT`).
    Client = 3,
}

impl CloseReason {
    /// libvirt's number.
    ///
    /// ```
    /// assert_eq!(rvirt_core::api::CloseReason::Keepalive.as_raw(), 2);
    /// ```
    pub fn as_raw(self) -> i32 {
        self as i32
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CloseReason::Error => "error",
            CloseReason::Eof => "end of file",
            CloseReason::Keepalive => "keepalive timeout",
            CloseReason::Client => "closed by client",
        })
    }
}

/// A close callback: the connection and why it closed. Called at most once.
pub type CloseCallback = Box<dyn FnOnce(&Connect, CloseReason) + Send>;

fn operation_invalid(msg: &str) -> Error {
    Error::new(ErrorCode::OperationInvalid, ErrorDomain::None, msg)
}

impl ConnectInner {
    /// The driver reported the connection dead; on the loop thread, no lock held.
    pub(crate) fn connection_lost(self: std::sync::Arc<Self>, reason: CloseReason) {
        self.events.close();
        self.object_events.close();
        let cb = self.take_close_callback();
        if let Some(cb) = cb {
            cb(&Connect::from_inner(self), reason);
        }
    }

    fn take_close_callback(&self) -> Option<CloseCallback> {
        self.close_callback
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }
}

impl Connect {
    /// Registers `callback` to run, once, on the connection's event loop when the
    /// connection closes for a reason other than [`Connect::close`]: the daemon went
    /// away ([`CloseReason::Eof`]), a read or write failed ([`CloseReason::Error`]) or
    /// keepalive timed out ([`CloseReason::Keepalive`]) — libvirt's
    /// `virConnectRegisterCloseCallback`. At that point [`Connect::is_alive`] is already
    /// false and every domain and object event callback of the connection has been
    /// dropped. One callback at a time: a second is `VIR_ERR_OPERATION_INVALID` "A close
    /// callback is already registered". Local drivers never lose their connection, so
    /// there it is accepted and never called, as in libvirt. Without an event loop the
    /// connection is not watched while idle and the callback is not called.
    ///
    /// ```no_run
    /// # fn f(conn: &rvirt_core::Connect) -> rvirt_core::Result<()> {
    /// conn.register_close_callback(|conn, reason| {
    ///     eprintln!("lost {}: {reason}", conn.uri());
    /// })?;
    /// # Ok(()) }
    /// ```
    pub fn register_close_callback<F>(&self, callback: F) -> Result<()>
    where
        F: FnOnce(&Connect, CloseReason) + Send + 'static,
    {
        self.driver()?;
        let mut slot = self
            .inner_ref()
            .close_callback
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return Err(operation_invalid("A close callback is already registered"));
        }
        *slot = Some(Box::new(callback));
        Ok(())
    }

    /// Removes the close callback (`virConnectUnregisterCloseCallback`); with none
    /// registered, `VIR_ERR_OPERATION_INVALID` "A different callback was requested".
    ///
    /// ```no_run
    /// # fn f(conn: &rvirt_core::Connect) -> rvirt_core::Result<()> {
    /// conn.register_close_callback(|_, _| {})?;
    /// conn.unregister_close_callback()?;
    /// assert!(conn.unregister_close_callback().is_err());
    /// # Ok(()) }
    /// ```
    pub fn unregister_close_callback(&self) -> Result<()> {
        self.driver()?;
        match self.inner_ref().take_close_callback() {
            Some(cb) => {
                drop(cb);
                Ok(())
            }
            None => Err(operation_invalid("A different callback was requested")),
        }
    }

    /// Client keepalive for this connection (`virConnectSetKeepAlive`): after
    /// `interval` without a word from the daemon, PING it; after `count` unanswered
    /// PINGs, close the connection with [`CloseReason::Keepalive`]. `Duration::ZERO`
    /// turns it off. Remote connections with an event loop start with libvirt's
    /// default, 5 s and 5. Returns `Ok(false)` if the daemon does not support
    /// keepalive; local drivers have no daemon: `VIR_ERR_NO_SUPPORT`.
    ///
    /// ```no_run
    /// # fn f(conn: &rvirt_core::Connect) -> rvirt_core::Result<()> {
    /// use std::time::Duration;
    /// conn.set_keepalive(Duration::from_secs(2), 3)?;
    /// # Ok(()) }
    /// ```
    pub fn set_keepalive(&self, interval: Duration, count: u32) -> Result<bool> {
        self.driver()?.set_keepalive(interval, count)
    }
}
