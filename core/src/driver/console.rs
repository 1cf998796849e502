//! What a driver hands out for `virDomainOpenConsole` and `virDomainScreenshot`: an
//! open console ([`Console`]: an fd the daemon streams, and the domain's console
//! [`ConsoleLease`]) and a screenshot ([`Screenshot`]). [`ConsoleLeases`] keeps libvirt's
//! rule of one console session per domain and device: a second open fails with
//! "Active console session exists for this domain" unless forced, and a forced one
//! revokes the session it takes over (its holder hangs up).

use std::collections::HashMap;
use std::fmt;
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex, Weak};

use crate::{Error, ErrorCode, ErrorDomain, Result};

/// `VIR_DOMAIN_CONSOLE_FORCE`: take over an active console session.
pub const CONSOLE_FORCE: u32 = 1;
/// `VIR_DOMAIN_CONSOLE_SAFE`: only with a driver that can tell a session is active.
pub const CONSOLE_SAFE: u32 = 2;

/// An open console: the guest side of the character device (a pty, non-blocking,
/// raw) and the lease that keeps the session the domain's only one.
#[derive(Debug)]
pub struct Console {
    /// Read for what the guest writes, written with what the user types.
    pub fd: OwnedFd,
    /// Held as long as the session lasts; dropping it frees the console.
    pub lease: ConsoleLease,
}

/// A screenshot: its bytes and their MIME type (QEMU's screendump: PPM).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Screenshot {
    /// e.g. `image/x-portable-pixmap`.
    pub mime: String,
    /// The image file's contents.
    pub data: Vec<u8>,
}

type Revoke = Box<dyn FnOnce() + Send>;

struct LeaseInner {
    key: String,
    leases: Weak<Mutex<HashMap<String, Weak<LeaseInner>>>>,
    on_revoke: Mutex<Option<Revoke>>,
}

impl Drop for LeaseInner {
    fn drop(&mut self) {
        if let Some(map) = self.leases.upgrade() {
            let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
            // A forced open may already hold the key: only remove a dead entry.
            if map.get(&self.key).is_some_and(|w| w.strong_count() == 0) {
                map.remove(&self.key);
            }
        }
    }
}

/// One console session of a domain's character device.
pub struct ConsoleLease(Arc<LeaseInner>);

impl ConsoleLease {
    /// Runs `revoke` when a forced open takes the console over (at once if that
    /// already happened). The holder ends its session there.
    pub fn on_revoke(&self, revoke: impl FnOnce() + Send + 'static) {
        let mut slot = self.0.on_revoke.lock().unwrap_or_else(|p| p.into_inner());
        *slot = Some(Box::new(revoke));
    }
}

impl fmt::Debug for ConsoleLease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ConsoleLease").field(&self.0.key).finish()
    }
}

/// A driver's console sessions, by domain and device.
#[derive(Default)]
pub struct ConsoleLeases {
    map: Arc<Mutex<HashMap<String, Weak<LeaseInner>>>>,
}

impl fmt::Debug for ConsoleLeases {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsoleLeases").finish_non_exhaustive()
    }
}

impl ConsoleLeases {
    /// No session.
    pub fn new() -> ConsoleLeases {
        ConsoleLeases::default()
    }

    /// A lease on the console `key` (domain UUID and device). An active session fails
    /// it with libvirt's `VIR_ERR_OPERATION_FAILED` "Active console session exists for
    /// this domain", unless `force`: then that session is revoked.
    pub fn acquire(&self, key: &str, force: bool, domain: ErrorDomain) -> Result<ConsoleLease> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        // Dropped after the map's lock: the last reference going runs its Drop,
        // which takes that lock.
        let old = map.get(key).and_then(Weak::upgrade);
        let revoke = match &old {
            Some(_) if !force => {
                drop(map);
                return Err(Error::new(
                    ErrorCode::OperationFailed,
                    domain,
                    "Active console session exists for this domain",
                ));
            }
            Some(old) => old
                .on_revoke
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take(),
            None => None,
        };
        let lease = Arc::new(LeaseInner {
            key: key.to_string(),
            leases: Arc::downgrade(&self.map),
            on_revoke: Mutex::new(None),
        });
        map.insert(key.to_string(), Arc::downgrade(&lease));
        drop(map);
        drop(old);
        if let Some(revoke) = revoke {
            revoke();
        }
        Ok(ConsoleLease(lease))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn one_session_unless_forced() {
        let leases = ConsoleLeases::new();
        let first = leases
            .acquire("dom/serial0", false, ErrorDomain::Qemu)
            .unwrap();
        let revoked = Arc::new(AtomicBool::new(false));
        let r = revoked.clone();
        first.on_revoke(move || r.store(true, Ordering::SeqCst));
        let e = leases
            .acquire("dom/serial0", false, ErrorDomain::Qemu)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "operation failed: Active console session exists for this domain"
        );
        leases
            .acquire("dom/serial1", false, ErrorDomain::Qemu)
            .unwrap();
        let second = leases
            .acquire("dom/serial0", true, ErrorDomain::Qemu)
            .unwrap();
        assert!(revoked.load(Ordering::SeqCst));
        // The revoked session ending does not free the console its successor holds.
        drop(first);
        assert!(
            leases
                .acquire("dom/serial0", false, ErrorDomain::Qemu)
                .is_err()
        );
        drop(second);
        leases
            .acquire("dom/serial0", false, ErrorDomain::Qemu)
            .unwrap();
    }
}
