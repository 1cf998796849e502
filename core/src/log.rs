//! Diagnostics that do not fail a call (libvirt's `VIR_WARN` / `VIR_ERROR` log lines): a
//! file a driver skipped at start-up, a leftover it removed, a guest it recovered.
//!
//! Messages go to standard error (`rvirt: warning : qemu: …`) unless a process installs
//! its own sink with [`set_sink`] — a daemon routing them to its log, a test collecting
//! them to assert that every skipped file was reported.
//!
//! ```
//! use rvirt_core::log::{self, Level};
//! use rvirt_core::ErrorDomain;
//! log::log(Level::Warning, ErrorDomain::Qemu, format_args!("skipping '{}': truncated", "/r/a.xml"));
//! ```

use std::fmt;
use std::sync::{Arc, RwLock};

use crate::ErrorDomain;

/// How serious a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Progress worth knowing (a guest reconnected).
    Info,
    /// Something was skipped, repaired or removed; the driver went on.
    Warning,
    /// Something failed that no caller will hear of.
    Error,
}

impl Level {
    /// libvirt's name of the level, as in its log lines.
    pub fn name(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// One message.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    /// Its level.
    pub level: Level,
    /// The part of rvirt it comes from (libvirt's `VIR_FROM_*`).
    pub domain: ErrorDomain,
    /// The text.
    pub message: &'a fmt::Arguments<'a>,
}

/// Where messages go.
pub type Sink = Arc<dyn Fn(&Record<'_>) + Send + Sync>;

static SINK: RwLock<Option<Sink>> = RwLock::new(None);

/// Sends every later message to `sink` (`None`: back to standard error).
pub fn set_sink(sink: Option<Sink>) {
    *SINK.write().unwrap_or_else(|p| p.into_inner()) = sink;
}

/// Logs `message` at `level` for `domain`.
pub fn log(level: Level, domain: ErrorDomain, message: fmt::Arguments<'_>) {
    let sink = SINK.read().unwrap_or_else(|p| p.into_inner()).clone();
    let record = Record {
        level,
        domain,
        message: &message,
    };
    match sink {
        Some(sink) => sink(&record),
        None => eprintln!(
            "rvirt: {} : {}: {message}",
            level.name(),
            domain_name(domain)
        ),
    }
}

/// Logs a warning.
pub fn warning(domain: ErrorDomain, message: fmt::Arguments<'_>) {
    log(Level::Warning, domain, message);
}

/// Logs an informational message.
pub fn info(domain: ErrorDomain, message: fmt::Arguments<'_>) {
    log(Level::Info, domain, message);
}

/// A short lower-case name of an error domain for log lines (`qemu`, `lxc`, …).
pub fn domain_name(domain: ErrorDomain) -> String {
    format!("{domain:?}").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn a_sink_receives_level_domain_and_text() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        set_sink(Some(Arc::new(move |r: &Record<'_>| {
            s.lock()
                .unwrap()
                .push((r.level, r.domain, r.message.to_string()))
        })));
        warning(ErrorDomain::Qemu, format_args!("skipped {}", 3));
        set_sink(None);
        let seen = seen.lock().unwrap();
        assert!(
            seen.contains(&(Level::Warning, ErrorDomain::Qemu, "skipped 3".to_string())),
            "{seen:?}"
        );
        assert_eq!(domain_name(ErrorDomain::Qemu), "qemu");
    }
}
