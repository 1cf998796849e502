//! `<input>`: mice, tablets and keyboards.

use serde::{Deserialize, Serialize};

use super::common::{Address, Alias};

/// `<input>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Input {
    /// `type` (`mouse`, `tablet`, `keyboard`, `passthrough`, `evdev`).
    #[serde(rename = "@type")]
    pub input_type: String,
    /// `bus` (`ps2`, `usb`, `virtio`, `xen`).
    #[serde(rename = "@bus", default, skip_serializing_if = "Option::is_none")]
    pub bus: Option<String>,
    /// `<alias>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<Alias>,
    /// `<address>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}
