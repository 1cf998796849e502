//! # rvirt-driver-secret
//!
//! rvirt's secret driver: the host's secrets, served to the `qemu:///system` and
//! `lxc:///system` connections of the process (a shared secondary driver, as
//! libvirt's secret driver is to its hypervisor drivers).
//!
//! * Secrets: libvirt's `<secret>` XML (`ephemeral`, `private`, `<uuid>`,
//!   `<description>`, `<usage>` of type `volume`, `ceph`, `iscsi`, `tls` or `vtpm`):
//!   define (new, or a redefinition by UUID that keeps the usage and never makes a
//!   private secret public; a usage another secret has is refused), undefine, list
//!   with libvirt's filters, lookup by UUID and by usage, XML, value set and get.
//! * Values: at most 65536 bytes; a private secret's value goes only to the
//!   process's own drivers (`internal`), never to a client ("secret is private"); the
//!   daemon refuses values to read-only clients before they get here. Values never
//!   appear in logs or `Debug` output and are wiped from memory when replaced.
//! * Persistence under the state root (`--secret-root` in rvirtd):
//!   `secrets/UUID.xml` and `secrets/UUID.base64`, files 0600 in a 0700 directory,
//!   each replaced atomically and synced; ephemeral secrets are never written. At
//!   start the directory is read back; files that are not a secret named by its own
//!   UUID, or whose value cannot be read, are skipped with a log line.
//! * Events: secret lifecycle (defined, undefined) and value changes, to every
//!   connection.

mod conn;
mod state;
mod store;
mod value;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rvirt_core::Result;
use rvirt_core::driver::secondary::RootedState;
use rvirt_core::driver::{
    OpenContext, Secondary, SecondaryDriver, StateContext, register_secondary_driver,
};
use rvirt_core::uri::Uri;

use conn::SecretConn;
use state::State;

pub use value::MAX_VALUE_BYTES;

/// Where the host's secrets live unless [`set_system_root`] says otherwise.
pub const DEFAULT_SYSTEM_ROOT: &str = "/var/lib/rvirt/secret-system";

/// The secret driver (one per process).
#[derive(Debug)]
pub struct HostSecrets {
    slot: RootedState<State>,
}

impl Default for HostSecrets {
    fn default() -> HostSecrets {
        HostSecrets {
            slot: RootedState::new(DEFAULT_SYSTEM_ROOT),
        }
    }
}

impl HostSecrets {
    /// A driver whose state will live under `root` (the process's own driver is
    /// [`register`]ed; this is for embedding and tests).
    pub fn with_root(root: impl Into<PathBuf>) -> HostSecrets {
        HostSecrets {
            slot: RootedState::with_root(DEFAULT_SYSTEM_ROOT, root),
        }
    }

    /// The root the state uses (or will use).
    pub fn root(&self) -> PathBuf {
        self.slot.root()
    }
}

impl SecondaryDriver for HostSecrets {
    fn name(&self) -> &'static str {
        "secret"
    }

    fn open(&self, uri: &Uri, ctx: &OpenContext) -> Result<Secondary> {
        let Some(state) = self.slot.served(uri) else {
            return Ok(Secondary::default());
        };
        state.events.add(ctx.object_events.clone());
        Ok(Secondary {
            secret: Some(Arc::new(SecretConn { state })),
            ..Secondary::default()
        })
    }

    fn state_initialize(&self, _ctx: &StateContext) -> Result<()> {
        self.slot.start(State::start)
    }

    fn state_cleanup(&self) {
        self.slot.stop();
    }
}

fn driver() -> Arc<HostSecrets> {
    static DRIVER: OnceLock<Arc<HostSecrets>> = OnceLock::new();
    DRIVER.get_or_init(Arc::default).clone()
}

/// Sets the host state's root (before the state starts).
pub fn set_system_root(root: impl Into<PathBuf>) {
    driver().slot.set_root(root);
}

/// Registers the secret driver as a shared secondary driver (idempotent).
pub fn register() -> Result<()> {
    register_secondary_driver(driver())
}

/// The directory of the running state's persistent secrets, if it runs (for tests
/// and tools).
pub fn secrets_dir() -> Option<PathBuf> {
    driver().slot.get().map(|s| s.dir().to_path_buf())
}
