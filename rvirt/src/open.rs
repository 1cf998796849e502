//! `Connect::open` and friends with the enabled drivers registered first, and an error that
//! names the missing feature when no driver accepts the URI.

use rvirt_core::event::SharedLoop;
use rvirt_core::uri::Uri;
use rvirt_core::{Connect, Error, ErrorCode, OpenOptions, Result};

use crate::drivers::{missing_feature, register_drivers};

/// Opens `uri` with the process-wide event loop, if one is registered
/// ([`Connect::open`] after [`register_drivers`]).
///
/// ```
/// let conn = rvirt::open("test:///default")?;
/// assert_eq!(conn.lookup_domain_by_name("test")?.name(), "test");
/// # Ok::<(), rvirt::Error>(())
/// ```
///
/// A URI no enabled driver handles names the feature to enable:
///
/// ```
/// # #[cfg(not(feature = "qemu"))] {
/// let err = rvirt::open("qemu:///system").unwrap_err();
/// assert!(err.message().contains("enable rvirt's `qemu` feature"));
/// # }
/// ```
pub fn open(uri: &str) -> Result<Connect> {
    open_with(uri, OpenOptions::default())
}

/// Opens `uri` read-only ([`Connect::open_read_only`] after [`register_drivers`]).
///
/// ```
/// let conn = rvirt::open_read_only("test:///default")?;
/// assert!(conn.lookup_domain_by_name("test")?.suspend().is_err());
/// # Ok::<(), rvirt::Error>(())
/// ```
pub fn open_read_only(uri: &str) -> Result<Connect> {
    open_with(
        uri,
        OpenOptions {
            read_only: true,
            ..OpenOptions::default()
        },
    )
}

/// Opens `uri` on `event_loop` ([`Connect::open_with_loop`] after [`register_drivers`]).
///
/// ```
/// let ev = rvirt::event::DefaultLoop::new()?;
/// let conn = rvirt::open_with_loop("test:///default", ev.shared())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open_with_loop(uri: &str, event_loop: SharedLoop) -> Result<Connect> {
    open_with(
        uri,
        OpenOptions {
            event_loop: Some(event_loop),
            read_only: false,
        },
    )
}

/// Opens `uri` with `options` ([`Connect::open_with`] after [`register_drivers`]).
///
/// ```
/// let conn = rvirt::open_with("test:///default", rvirt::OpenOptions::default())?;
/// # Ok::<(), rvirt::Error>(())
/// ```
pub fn open_with(uri: &str, options: OpenOptions) -> Result<Connect> {
    register_drivers()?;
    Connect::open_with(uri, options).map_err(|e| with_feature_hint(uri, e))
}

/// Adds "(enable rvirt's `X` feature)" to a "no connection driver" error when a driver
/// this crate can be built with would have handled `uri`.
fn with_feature_hint(uri: &str, e: Error) -> Error {
    if e.code() != ErrorCode::NoConnect {
        return e;
    }
    let Ok(parsed) = Uri::parse(uri) else {
        return e;
    };
    match missing_feature(parsed.driver(), parsed.is_remote()) {
        Some(feature) => Error::new(
            e.code(),
            e.domain(),
            format!("{} (enable rvirt's `{feature}` feature)", e.message()),
        ),
        None => e,
    }
}
