//! [`RootedState`]: the state of a shared secondary driver that keeps its objects
//! under a root directory (storage, secrets, network filters): the root, set before
//! the state starts or else the driver's default, and the running state.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::Result;
use crate::uri::Uri;

/// A root directory and the state started on it.
///
/// ```
/// use rvirt_core::driver::secondary::RootedState;
/// use rvirt_core::uri::Uri;
///
/// let slot: RootedState<String> = RootedState::new("/var/lib/example");
/// assert_eq!(slot.root(), std::path::PathBuf::from("/var/lib/example"));
/// slot.set_root("/tmp/example");
/// slot.start(|root| Ok(root.display().to_string())).unwrap();
/// assert_eq!(slot.get().as_deref().map(String::as_str), Some("/tmp/example"));
/// // Served to the host's hypervisor connections only.
/// assert!(slot.served(&Uri::parse("qemu:///system").unwrap()).is_some());
/// assert!(slot.served(&Uri::parse("test:///default").unwrap()).is_none());
/// slot.stop();
/// assert!(slot.get().is_none());
/// ```
#[derive(Debug)]
pub struct RootedState<S> {
    default_root: &'static str,
    root: Mutex<Option<PathBuf>>,
    state: Mutex<Option<Arc<S>>>,
}

impl<S> RootedState<S> {
    /// No state yet; the root is `default_root` unless [`Self::set_root`] says otherwise.
    pub const fn new(default_root: &'static str) -> RootedState<S> {
        RootedState {
            default_root,
            root: Mutex::new(None),
            state: Mutex::new(None),
        }
    }

    /// No state yet; the root is `root`.
    pub fn with_root(default_root: &'static str, root: impl Into<PathBuf>) -> RootedState<S> {
        let slot = RootedState::new(default_root);
        slot.set_root(root);
        slot
    }

    /// Sets the root (before the state starts).
    pub fn set_root(&self, root: impl Into<PathBuf>) {
        *self.root.lock().unwrap_or_else(|p| p.into_inner()) = Some(root.into());
    }

    /// The root the state uses (or will use).
    pub fn root(&self) -> PathBuf {
        self.root
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .unwrap_or_else(|| PathBuf::from(self.default_root))
    }

    /// Starts the state on the root with `start`.
    pub fn start(&self, start: impl FnOnce(&Path) -> Result<S>) -> Result<()> {
        let state = start(&self.root())?;
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(state));
        Ok(())
    }

    /// Drops the state.
    pub fn stop(&self) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).take();
    }

    /// The running state, if any.
    pub fn get(&self) -> Option<Arc<S>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The running state, if it serves connections to `uri` (the host's own
    /// hypervisor connections: [`serves_host_objects`](super::serves_host_objects)).
    pub fn served(&self, uri: &Uri) -> Option<Arc<S>> {
        self.get().filter(|_| super::serves_host_objects(uri))
    }
}
