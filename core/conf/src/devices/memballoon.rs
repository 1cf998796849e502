//! `<memballoon>`: the memory balloon device and its statistics period.

use serde::{Deserialize, Serialize};

use super::common::{Address, Alias};
use crate::OnOff;

/// `<memballoon>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Memballoon {
    /// `model` (`virtio`, `xen`, `none`, …).
    #[serde(rename = "@model")]
    pub model: String,
    /// `autodeflate`.
    #[serde(
        rename = "@autodeflate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub autodeflate: Option<OnOff>,
    /// `freePageReporting`.
    #[serde(
        rename = "@freePageReporting",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub free_page_reporting: Option<OnOff>,
    /// `<stats period=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<BalloonStats>,
    /// `<alias>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<Alias>,
    /// `<address>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// `<memballoon><stats/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BalloonStats {
    /// `period` in seconds.
    #[serde(rename = "@period")]
    pub period: u32,
}
