//! # rvirt-objconf
//!
//! XML of libvirt's objects besides domains, for rvirt's secondary drivers: virtual
//! networks ([`NetworkDef`], with [`NetworkDef::update`]), storage pools
//! ([`PoolDef`]) and volumes ([`VolDef`]), node devices ([`NodeDeviceDef`]), host
//! interfaces ([`InterfaceDef`]), secrets ([`SecretDef`]) and network filters
//! ([`NwFilterDef`]).
//!
//! Each model parses a document the way libvirt's parser reads it (the same
//! required parts, the same error codes and, where it matters to clients, the same
//! messages; unknown elements are ignored as libvirt ignores them) and writes it back
//! as libvirt's formatter does: two-space indent, single-quoted attributes, libvirt's
//! element order. Errors are [`XmlError`]s carrying libvirt's numbers; `rvirt-core`
//! turns them into its `Error`.
//!
//! ```
//! use rvirt_objconf::NetworkDef;
//! let net = NetworkDef::from_xml(
//!     "<network><name>n</name><forward mode='nat'/><ip address='10.0.0.1' prefix='24'/></network>",
//! )?;
//! assert_eq!(net.forward_mode(), "nat");
//! assert!(net.to_xml().contains("<bridge stp='on' delay='0'/>"));
//! # Ok::<(), rvirt_objconf::XmlError>(())
//! ```

pub mod error;
mod interface;
mod network;
mod network_port;
mod network_update;
mod nodedev;
mod nwfilter;
mod pool;
mod secret;
pub mod tree;
mod util;
mod volume;

pub use error::{Result, XmlError};
pub use interface::{INTERFACE_TYPES, InterfaceDef};
pub use network::{
    Bridge, DhcpHost, DhcpRange, Dns, DnsHost, FORWARD_MODES, Forward, Ip, NetworkDef,
};
pub use network_port::{Bandwidth, NetworkPortDef, Plug, Rate};
pub use network_update::{SECTIONS as NETWORK_UPDATE_SECTIONS, command as update_command};
pub use nodedev::{CAP_NAMES as NODE_DEVICE_CAPS, NodeDeviceDef};
pub use nwfilter::NwFilterDef;
pub use pool::{POOL_TYPES, Permissions, PoolDef, PoolSource, bytes_element, sanitize_path};
pub use secret::{SecretDef, USAGE_TYPES as SECRET_USAGE_TYPES};
pub use tree::Element;
pub use util::{parse_mac, parse_uuid, scaled};
pub use volume::{Backing, FILE_FORMATS, VOL_TYPES, VolDef};
