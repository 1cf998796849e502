//! Registering the drivers this crate was built with.

use std::sync::OnceLock;

use rvirt_core::Result;

/// A driver this crate can be built with: its registry name, its cargo feature, and its
/// `register` function when the feature is enabled.
struct Known {
    name: &'static str,
    feature: &'static str,
    register: Option<fn() -> Result<()>>,
}

/// Local drivers first, then the remote driver, as libvirt's driver table probes them.
const KNOWN: [Known; 4] = [
    Known {
        name: "test",
        feature: "test",
        #[cfg(feature = "test")]
        register: Some(rvirt_driver_test::register),
        #[cfg(not(feature = "test"))]
        register: None,
    },
    Known {
        name: "qemu",
        feature: "qemu",
        #[cfg(feature = "qemu")]
        register: Some(rvirt_driver_qemu::register),
        #[cfg(not(feature = "qemu"))]
        register: None,
    },
    Known {
        name: "lxc",
        feature: "lxc",
        #[cfg(feature = "lxc")]
        register: Some(rvirt_driver_lxc::register),
        #[cfg(not(feature = "lxc"))]
        register: None,
    },
    Known {
        name: "remote",
        feature: "remote",
        #[cfg(feature = "remote")]
        register: Some(rvirt_driver_remote::register),
        #[cfg(not(feature = "remote"))]
        register: None,
    },
];

/// Registers every driver enabled by this crate's features with rvirt-core's registry,
/// once per process (later calls return the first call's outcome). [`crate::open`] calls
/// it; call it yourself to use [`rvirt_core::Connect::open`] directly.
///
/// ```
/// rvirt::register_drivers()?;
/// let conn = rvirt::Connect::open("test:///default")?;
/// assert_eq!(conn.hypervisor_type()?, "TEST");
/// # Ok::<(), rvirt::Error>(())
/// ```
pub fn register_drivers() -> Result<()> {
    static DONE: OnceLock<Result<()>> = OnceLock::new();
    DONE.get_or_init(|| {
        KNOWN
            .iter()
            .filter_map(|k| k.register)
            .try_for_each(|register| register())
    })
    .clone()
}

/// The registry names of the drivers enabled by this crate's features.
///
/// ```
/// assert!(rvirt::enabled_drivers().contains(&"test"));
/// ```
pub fn enabled_drivers() -> Vec<&'static str> {
    KNOWN
        .iter()
        .filter(|k| k.register.is_some())
        .map(|k| k.name)
        .collect()
}

/// The feature to enable for a URI whose driver is `driver` (the URI scheme before any
/// `+transport`) or that names a host: `None` if that feature is already on.
pub(crate) fn missing_feature(driver: &str, remote: bool) -> Option<&'static str> {
    let wanted = if remote { "remote" } else { driver };
    KNOWN
        .iter()
        .find(|k| k.name == wanted && k.register.is_none())
        .map(|k| k.feature)
}
