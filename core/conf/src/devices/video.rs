//! `<video>`: the guest video adapter and its model.

use serde::{Deserialize, Serialize};

use super::common::{Address, Alias};
use crate::YesNo;

/// `<video>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Video {
    /// `<model>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<VideoModel>,
    /// `<alias>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<Alias>,
    /// `<address>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// `<video><model/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VideoModel {
    /// `type` (`vga`, `cirrus`, `qxl`, `virtio`, `bochs`, `ramfb`, `none`, …).
    #[serde(rename = "@type")]
    pub model_type: String,
    /// `ram` (KiB).
    #[serde(rename = "@ram", default, skip_serializing_if = "Option::is_none")]
    pub ram: Option<u32>,
    /// `vram` (KiB).
    #[serde(rename = "@vram", default, skip_serializing_if = "Option::is_none")]
    pub vram: Option<u32>,
    /// `vram64` (KiB).
    #[serde(rename = "@vram64", default, skip_serializing_if = "Option::is_none")]
    pub vram64: Option<u32>,
    /// `vgamem` (KiB).
    #[serde(rename = "@vgamem", default, skip_serializing_if = "Option::is_none")]
    pub vgamem: Option<u32>,
    /// `heads`.
    #[serde(rename = "@heads", default, skip_serializing_if = "Option::is_none")]
    pub heads: Option<u32>,
    /// `primary`.
    #[serde(rename = "@primary", default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<YesNo>,
    /// `<acceleration>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acceleration: Option<VideoAcceleration>,
}

/// `<video><model><acceleration/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VideoAcceleration {
    /// `accel3d`.
    #[serde(rename = "@accel3d", default, skip_serializing_if = "Option::is_none")]
    pub accel3d: Option<YesNo>,
    /// `accel2d`.
    #[serde(rename = "@accel2d", default, skip_serializing_if = "Option::is_none")]
    pub accel2d: Option<YesNo>,
}
