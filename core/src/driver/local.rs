//! [`LocalDriver`]: what every stateful local driver (QEMU, LXC) does the same way
//! around its instances — which root a URI names (`DRIVER:///system`,
//! `DRIVER:///session`, `DRIVER:///embed?root=/ABS`), one instance per root shared by
//! its connections and by the host's state, and the state itself
//! ([`Driver::state_initialize`](super::Driver::state_initialize)).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use super::{Driver, DriverConnection, EventSink, Instances, OpenContext, StateContext};
use crate::event::SharedLoop;
use crate::uri::Uri;
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// One driver instance of a root, as the driver implements it.
pub trait RootInstance: Send + Sync + 'static {
    /// Sets up the instance of `root` (its lock, definitions, reconnect), following
    /// its guests on `event_loop`.
    fn create(root: &Path, event_loop: SharedLoop) -> Result<Arc<Self>>
    where
        Self: Sized;
    /// A new connection on this instance, whose events go to `events`.
    fn connect(self: Arc<Self>, events: EventSink) -> Box<dyn DriverConnection>;
    /// Starts the domains marked autostart (at the host's start-up).
    fn autostart(self: &Arc<Self>);
    /// The last holder let go: guests run on, the root is released.
    fn detach(&self);
}

/// The roots, instances and host state of one stateful local driver.
#[derive(Debug)]
pub struct LocalDriver<S> {
    name: &'static str,
    domain: ErrorDomain,
    env_var: &'static str,
    default_root: &'static str,
    /// `DRIVER:///session`'s directory under `$XDG_DATA_HOME`, if the driver has one.
    session_dir: Option<&'static str>,
    /// Further paths meaning `/system`.
    system_aliases: &'static [&'static str],
    root: Mutex<Option<PathBuf>>,
    instances: Instances<S>,
    state: Mutex<Option<Arc<S>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<S: RootInstance> LocalDriver<S> {
    /// A driver `name` (URI scheme; errors in `domain`) whose `/system` root is
    /// `$ENV_VAR` or `default_root` unless set ([`LocalDriver::set_system_root`]).
    pub const fn new(
        name: &'static str,
        domain: ErrorDomain,
        env_var: &'static str,
        default_root: &'static str,
        session_dir: Option<&'static str>,
        system_aliases: &'static [&'static str],
    ) -> LocalDriver<S> {
        LocalDriver {
            name,
            domain,
            env_var,
            default_root,
            session_dir,
            system_aliases,
            root: Mutex::new(None),
            instances: Instances::new(),
            state: Mutex::new(None),
        }
    }

    /// Where `DRIVER:///system` keeps its state: [`LocalDriver::set_system_root`]'s
    /// directory, else the environment variable's (absolute), else the default.
    pub fn system_root(&self) -> PathBuf {
        if let Some(root) = lock(&self.root).clone() {
            return root;
        }
        std::env::var_os(self.env_var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .unwrap_or_else(|| PathBuf::from(self.default_root))
    }

    /// Roots `DRIVER:///system` at `root` for the rest of the process (a daemon's
    /// option, or tests). Instances already open keep their root.
    pub fn set_system_root(&self, root: PathBuf) {
        *lock(&self.root) = Some(root);
    }

    /// `$XDG_DATA_HOME/DIR`, else `$HOME/.local/share/DIR`.
    fn session_root(&self, dir: &str) -> Result<PathBuf> {
        let base = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::InternalError,
                    self.domain,
                    "cannot find the session directory: neither XDG_DATA_HOME nor HOME is set",
                )
            })?;
        Ok(base.join(dir))
    }

    /// The root a URI names.
    pub fn root_for(&self, uri: &Uri) -> Result<PathBuf> {
        if let Some(root) = uri.embed_root()? {
            return Ok(root);
        }
        let path = uri.path();
        if path == "/system" || self.system_aliases.contains(&path) {
            return Ok(self.system_root());
        }
        if path == "/session"
            && let Some(dir) = self.session_dir
        {
            return self.session_root(dir);
        }
        let (name, upper) = (self.name, self.name.to_uppercase());
        let session = if self.session_dir.is_some() {
            format!(", {name}:///session")
        } else {
            String::new()
        };
        Err(Error::new(
            ErrorCode::NoSupport,
            self.domain,
            format!(
                "unexpected {upper} URI path '{path}', try {name}:///system{session} or {name}:///embed?root=/ABSOLUTE/DIR"
            ),
        ))
    }

    /// The instance of `root` for one more holder (created on `event_loop` if new).
    pub fn acquire(&self, root: &Path, event_loop: SharedLoop) -> Result<Arc<S>> {
        self.instances.acquire(root, || S::create(root, event_loop))
    }

    /// One holder of `instance` lets go; the last one detaches it.
    pub fn release(&self, instance: &Arc<S>) {
        if self.instances.release(instance) {
            instance.detach();
        }
    }
}

/// A stateful local driver is a [`Driver`]: it takes its scheme's local URIs.
impl<S: RootInstance> Driver for LocalDriver<S> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn accepts(&self, uri: &Uri) -> bool {
        uri.driver() == self.name && !uri.is_remote()
    }

    /// The instance of the URI's root, on the connection's event loop, which is
    /// required.
    fn open(&self, uri: &Uri, ctx: OpenContext) -> Result<Box<dyn DriverConnection>> {
        let root = self.root_for(uri)?;
        let Some(event_loop) = ctx.event_loop else {
            return Err(Error::new(
                ErrorCode::ConfigUnsupported,
                self.domain,
                "An event loop implementation must be registered",
            ));
        };
        Ok(self.acquire(&root, event_loop)?.connect(ctx.events))
    }

    /// The host holds `DRIVER:///system`'s instance from now on (its guests are
    /// followed with no connection open), and its autostart domains start.
    fn state_initialize(&self, ctx: &StateContext) -> Result<()> {
        let instance = self.acquire(&self.system_root(), ctx.event_loop.clone())?;
        instance.autostart();
        if let Some(old) = lock(&self.state).replace(instance) {
            self.release(&old);
        }
        Ok(())
    }

    fn state_cleanup(&self) {
        let instance = lock(&self.state).take();
        if let Some(instance) = instance {
            self.release(&instance);
        }
    }
}
