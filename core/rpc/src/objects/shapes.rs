//! Argument and return layouts many procedures share, generic over the object
//! reference they carry.

use serde::{Deserialize, Serialize};

use super::refs::*;
use crate::types::RemoteNonnullNetwork;

/// `{string name}`: lookups by name, node device calls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameArgs {
    /// Name (or key, path, MAC: one string).
    pub name: String,
}

/// `{string name; u32 flags}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameFlagsArgs {
    /// Name.
    pub name: String,
    /// Flags.
    pub flags: u32,
}

/// `{string name; int value}` (node device autostart).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameIntArgs {
    /// Name.
    pub name: String,
    /// The value.
    pub value: i32,
}

/// `{uuid}`: lookups by UUID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UuidArgs {
    /// Raw UUID.
    #[serde(with = "rvirt_xdr::fixed_opaque")]
    pub uuid: [u8; 16],
}

/// `{string xml}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct XmlArgs {
    /// An XML document.
    pub xml: String,
}

/// `{string xml; u32 flags}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct XmlFlagsArgs {
    /// An XML document.
    pub xml: String,
    /// Flags.
    pub flags: u32,
}

/// `{string xml}` returned (every `*_GET_XML_DESC`, find sources, capabilities).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct XmlRet {
    /// An XML document.
    pub xml: String,
}

/// `{u32 flags}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagsArgs {
    /// Flags.
    pub flags: u32,
}

/// `{int maxnames}`: old listing calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaxNamesArgs {
    /// Most names wanted.
    pub maxnames: i32,
}

/// `{string names<>}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamesRet {
    /// Names.
    pub names: Vec<String>,
}

/// `{int num}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumRet {
    /// A count.
    pub num: i32,
}

/// `{int value}`: `*_IS_ACTIVE`, `*_IS_PERSISTENT`, `*_GET_AUTOSTART` answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntRet {
    /// 1 or 0.
    pub value: i32,
}

/// `{string name}` returned (bridge name, volume path).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameRet {
    /// The string.
    pub name: String,
}

/// `{int need_results; u32 flags}`: `CONNECT_LIST_ALL_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListAllArgs {
    /// 0: only count.
    pub need_results: i32,
    /// Filter flags.
    pub flags: u32,
}

/// `{obj items<>; u32 ret}`: `CONNECT_LIST_ALL_*` answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListAllRet<T> {
    /// The objects (when asked for).
    pub items: Vec<T>,
    /// How many.
    pub ret: u32,
}

/// `{obj; int need_results; u32 flags}`: listings inside an object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjListAllArgs<T> {
    /// The object.
    pub obj: T,
    /// 0: only count.
    pub need_results: i32,
    /// Flags.
    pub flags: u32,
}

/// `{obj}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjArgs<T> {
    /// The object.
    pub obj: T,
}

/// `{obj; u32 flags}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjFlagsArgs<T> {
    /// The object.
    pub obj: T,
    /// Flags.
    pub flags: u32,
}

/// `{obj; int value}` (set autostart).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjIntArgs<T> {
    /// The object.
    pub obj: T,
    /// The value.
    pub value: i32,
}

/// `{obj; string xml; u32 flags}` (port and volume creation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjXmlFlagsArgs<T> {
    /// The object.
    pub obj: T,
    /// An XML document.
    pub xml: String,
    /// Flags.
    pub flags: u32,
}

/// `{obj; uuid}` (port lookup).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjUuidArgs<T> {
    /// The object.
    pub obj: T,
    /// Raw UUID.
    #[serde(with = "rvirt_xdr::fixed_opaque")]
    pub uuid: [u8; 16],
}

/// `{obj}` returned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjRet<T> {
    /// The object.
    pub obj: T,
}

/// `{int eventID; obj *}`: `CONNECT_*_EVENT_REGISTER_ANY`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRegisterArgs<T> {
    /// Event id within the family.
    pub event_id: i32,
    /// Only about this object.
    pub obj: Option<T>,
}

/// `{int callbackID}`: the registration's id, and the deregistration's argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackIdMsg {
    /// The callback id the server gave.
    pub callback_id: i32,
}

/// `{int callbackID; obj; int event; int detail}`: lifecycle event MESSAGEs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleMsg<T> {
    /// The registration.
    pub callback_id: i32,
    /// The object.
    pub obj: T,
    /// Lifecycle type.
    pub event: i32,
    /// Detail (always 0).
    pub detail: i32,
}

/// `{int callbackID; obj}`: refresh, update and value-changed MESSAGEs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjEventMsg<T> {
    /// The registration.
    pub callback_id: i32,
    /// The object.
    pub obj: T,
}

/// A network argument.
pub type NetArgs = ObjArgs<RemoteNonnullNetwork>;
/// A network with flags.
pub type NetFlagsArgs = ObjFlagsArgs<RemoteNonnullNetwork>;
/// A network returned.
pub type NetRet = ObjRet<RemoteNonnullNetwork>;
/// A pool argument.
pub type PoolArgs = ObjArgs<RemoteNonnullStoragePool>;
/// A pool with flags.
pub type PoolFlagsArgs = ObjFlagsArgs<RemoteNonnullStoragePool>;
/// A pool returned.
pub type PoolRet = ObjRet<RemoteNonnullStoragePool>;
/// A volume argument.
pub type VolArgs = ObjArgs<RemoteNonnullStorageVol>;
/// A volume with flags.
pub type VolFlagsArgs = ObjFlagsArgs<RemoteNonnullStorageVol>;
/// A volume returned.
pub type VolRet = ObjRet<RemoteNonnullStorageVol>;
/// A node device returned.
pub type DevRet = ObjRet<RemoteNonnullNodeDevice>;
/// An interface argument.
pub type IfaceArgs = ObjArgs<RemoteNonnullInterface>;
/// An interface with flags.
pub type IfaceFlagsArgs = ObjFlagsArgs<RemoteNonnullInterface>;
/// An interface returned.
pub type IfaceRet = ObjRet<RemoteNonnullInterface>;
/// A secret argument.
pub type SecretArgs = ObjArgs<RemoteNonnullSecret>;
/// A secret with flags.
pub type SecretFlagsArgs = ObjFlagsArgs<RemoteNonnullSecret>;
/// A secret returned.
pub type SecretRet = ObjRet<RemoteNonnullSecret>;
/// A filter argument.
pub type NwfilterArgs = ObjArgs<RemoteNonnullNwfilter>;
/// A filter with flags.
pub type NwfilterFlagsArgs = ObjFlagsArgs<RemoteNonnullNwfilter>;
/// A filter returned.
pub type NwfilterRet = ObjRet<RemoteNonnullNwfilter>;
/// A binding argument.
pub type BindingArgs = ObjArgs<RemoteNonnullNwfilterBinding>;
/// A binding with flags.
pub type BindingFlagsArgs = ObjFlagsArgs<RemoteNonnullNwfilterBinding>;
/// A binding returned.
pub type BindingRet = ObjRet<RemoteNonnullNwfilterBinding>;
/// A port argument with flags.
pub type PortFlagsArgs = ObjFlagsArgs<RemoteNonnullNetworkPort>;
/// A port returned.
pub type PortRet = ObjRet<RemoteNonnullNetworkPort>;
