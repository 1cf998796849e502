//! How [`Connect`] reaches its secondary drivers, and the read-only check of their
//! writing calls.

use super::Connect;
use crate::driver::{
    InterfaceDriver, NetworkDriver, NodeDeviceDriver, NwFilterDriver, Secondary, SecretDriver,
    StorageDriver,
};
use crate::{Error, ErrorCode, ErrorDomain, Result};

impl Connect {
    /// The secondary driver connections this connection was opened with.
    pub fn secondary(&self) -> Result<&Secondary> {
        self.driver()?;
        Ok(&self.inner_ref().secondary)
    }

    /// libvirt's refusal of writing call `api` on a read-only connection:
    /// `VIR_ERR_OPERATION_DENIED` in the object family's error domain.
    pub(crate) fn deny_read_only(&self, domain: ErrorDomain, api: &str) -> Result<()> {
        if self.is_read_only() {
            return Err(Error::new(
                ErrorCode::OperationDenied,
                domain,
                format!("operation forbidden: read only access prevents {api}"),
            ));
        }
        Ok(())
    }

    pub(crate) fn network_driver(&self, api: &str) -> Result<&dyn NetworkDriver> {
        self.secondary()?
            .network
            .as_deref()
            .ok_or_else(|| Error::no_support(ErrorDomain::Network, api))
    }

    pub(crate) fn storage_driver(&self, api: &str) -> Result<&dyn StorageDriver> {
        self.secondary()?
            .storage
            .as_deref()
            .ok_or_else(|| Error::no_support(ErrorDomain::Storage, api))
    }

    pub(crate) fn node_device_driver(&self, api: &str) -> Result<&dyn NodeDeviceDriver> {
        self.secondary()?
            .node_device
            .as_deref()
            .ok_or_else(|| Error::no_support(ErrorDomain::Nodedev, api))
    }

    pub(crate) fn interface_driver(&self, api: &str) -> Result<&dyn InterfaceDriver> {
        self.secondary()?
            .interface
            .as_deref()
            .ok_or_else(|| Error::no_support(ErrorDomain::Interface, api))
    }

    pub(crate) fn secret_driver(&self, api: &str) -> Result<&dyn SecretDriver> {
        self.secondary()?
            .secret
            .as_deref()
            .ok_or_else(|| Error::no_support(ErrorDomain::Secret, api))
    }

    pub(crate) fn nwfilter_driver(&self, api: &str) -> Result<&dyn NwFilterDriver> {
        self.secondary()?
            .nwfilter
            .as_deref()
            .ok_or_else(|| Error::no_support(ErrorDomain::Nwfilter, api))
    }
}

/// Declares a handle type: the connection plus the driver's reference.
macro_rules! handle {
    ($(#[$m:meta])* $name:ident, $r:ty) => {
        $(#[$m])*
        #[derive(Clone)]
        pub struct $name {
            conn: $crate::api::Connect,
            r: $r,
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.r).finish()
            }
        }

        impl $name {
            /// A handle on `r` of `conn` (what the driver returned).
            pub fn from_ref(conn: $crate::api::Connect, r: $r) -> $name {
                $name { conn, r }
            }

            /// The connection this handle belongs to.
            pub fn connect(&self) -> &$crate::api::Connect {
                &self.conn
            }

            /// The driver-level reference.
            pub fn object_ref(&self) -> &$r {
                &self.r
            }
        }
    };
}

pub(crate) use handle;
