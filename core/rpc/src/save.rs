//! Arguments and return values of the save, restore and managed save procedures.
//! Names follow libvirt's `remote_*` structs; fields are in wire order. Managed save
//! and its remove/has calls take `remote_domain_*_args {dom; flags}`
//! ([`DomainFlagsArgs`](crate::types::DomainFlagsArgs)).

use serde::{Deserialize, Serialize};

use crate::typed_param::TypedParam;
use crate::types::RemoteNonnullDomain;

/// `remote_domain_save_args` (DOMAIN_SAVE 55).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSaveArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The file to write.
    pub to: String,
}

/// `remote_domain_save_flags_args` (DOMAIN_SAVE_FLAGS 232).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSaveFlagsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The file to write.
    pub to: String,
    /// Another domain XML for the image (`remote_string`).
    pub dxml: Option<String>,
    /// `virDomainSaveRestoreFlags`.
    pub flags: u32,
}

/// `remote_domain_restore_args` (DOMAIN_RESTORE 54).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainRestoreArgs {
    /// The file to read.
    pub from: String,
}

/// `remote_domain_restore_flags_args` (DOMAIN_RESTORE_FLAGS 233).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainRestoreFlagsArgs {
    /// The file to read.
    pub from: String,
    /// Another domain XML to restore with (`remote_string`).
    pub dxml: Option<String>,
    /// `virDomainSaveRestoreFlags`.
    pub flags: u32,
}

/// `remote_domain_save_image_get_xml_desc_args` (DOMAIN_SAVE_IMAGE_GET_XML_DESC 235).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSaveImageGetXmlDescArgs {
    /// The image.
    pub file: String,
    /// `virDomainSaveImageXMLFlags`.
    pub flags: u32,
}

/// `remote_domain_save_image_get_xml_desc_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSaveImageGetXmlDescRet {
    /// The domain XML stored in the image.
    pub xml: String,
}

/// `remote_domain_save_image_define_xml_args` (DOMAIN_SAVE_IMAGE_DEFINE_XML 236).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSaveImageDefineXmlArgs {
    /// The image.
    pub file: String,
    /// The new domain XML.
    pub dxml: String,
    /// `virDomainSaveRestoreFlags`.
    pub flags: u32,
}

/// `remote_domain_managed_save_get_xml_desc_ret` (DOMAIN_MANAGED_SAVE_GET_XML_DESC,
/// 388; the arguments are the domain and `virDomainXMLFlags`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainManagedSaveGetXmlDescRet {
    /// The domain XML stored in the managed save image.
    pub xml: String,
}

/// `remote_domain_core_dump_args` (DOMAIN_CORE_DUMP, 53; void).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainCoreDumpArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The file to write.
    pub to: String,
    /// `virDomainCoreDumpFlags`.
    pub flags: u32,
}

/// `remote_domain_core_dump_with_format_args` (DOMAIN_CORE_DUMP_WITH_FORMAT, 334; void).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainCoreDumpWithFormatArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The file to write.
    pub to: String,
    /// `virDomainCoreDumpFormat`.
    pub dumpformat: u32,
    /// `virDomainCoreDumpFlags`.
    pub flags: u32,
}

/// `REMOTE_DOMAIN_SAVE_PARAMS_MAX`.
pub const SAVE_PARAMS_MAX: usize = 64;

/// `remote_domain_managed_save_define_xml_args` (DOMAIN_MANAGED_SAVE_DEFINE_XML, 389).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainManagedSaveDefineXmlArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The new domain XML of the managed save image (`remote_string`).
    pub dxml: Option<String>,
    /// `virDomainSaveRestoreFlags` (`RUNNING`, `PAUSED`).
    pub flags: u32,
}

/// `remote_domain_save_params_args` (DOMAIN_SAVE_PARAMS, 440).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainSaveParamsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// `file` and `dxml`.
    pub params: Vec<TypedParam>,
    /// `virDomainSaveRestoreFlags`.
    pub flags: u32,
}

/// `remote_domain_restore_params_args` (DOMAIN_RESTORE_PARAMS, 441).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainRestoreParamsArgs {
    /// `file` and `dxml`.
    pub params: Vec<TypedParam>,
    /// `virDomainSaveRestoreFlags`.
    pub flags: u32,
}
