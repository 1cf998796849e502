//! Where the library's log lines go: a client it disconnects, a server that stops
//! accepting, a call that panicked. By default they go to standard error prefixed with
//! `rpc-server: `; a daemon installs its own [`Sink`] (rvirtd prints `rvirtd: …`).

use std::fmt;
use std::sync::{Arc, RwLock};

/// Receives every log line (without a trailing newline).
pub type Sink = Arc<dyn Fn(fmt::Arguments<'_>) + Send + Sync>;

static SINK: RwLock<Option<Sink>> = RwLock::new(None);

/// Sends every later line to `sink` (`None`: back to standard error).
pub fn set_sink(sink: Option<Sink>) {
    *SINK.write().unwrap_or_else(|p| p.into_inner()) = sink;
}

/// Logs one line.
pub fn emit(line: fmt::Arguments<'_>) {
    let sink = SINK.read().unwrap_or_else(|p| p.into_inner()).clone();
    match sink {
        Some(sink) => sink(line),
        None => eprintln!("rpc-server: {line}"),
    }
}

/// `log!("client {id}: …")`: formats a line for [`emit`].
macro_rules! log {
    ($($arg:tt)*) => {
        $crate::log::emit(format_args!($($arg)*))
    };
}
pub(crate) use log;
