//! `<vcpu>` and `<cpu>`: vCPU count and placement, CPU model, topology and features.

use serde::{Deserialize, Serialize};

use crate::OnOff;

string_enum! {
    /// `<vcpu placement=…>`.
    pub enum VcpuPlacement ("vcpu placement") {
        /// Pinned per `cpuset` (or all host CPUs).
        Static = "static",
        /// Placed by numad.
        Auto = "auto",
    }
}

/// `<vcpu>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vcpu {
    /// `placement`.
    #[serde(
        rename = "@placement",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub placement: Option<VcpuPlacement>,
    /// `cpuset`: host CPUs the vCPUs may run on.
    #[serde(rename = "@cpuset", default, skip_serializing_if = "Option::is_none")]
    pub cpuset: Option<String>,
    /// `current`: vCPUs online at boot (defaults to the maximum).
    #[serde(rename = "@current", default, skip_serializing_if = "Option::is_none")]
    pub current: Option<u32>,
    /// Maximum vCPU count.
    #[serde(rename = "$text")]
    pub count: u32,
}

/// `<cpu>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Cpu {
    /// `mode` (`custom`, `host-model`, `host-passthrough`, `maximum`).
    #[serde(rename = "@mode", default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// `match` (`minimum`, `exact`, `strict`).
    #[serde(rename = "@match", default, skip_serializing_if = "Option::is_none")]
    pub match_mode: Option<String>,
    /// `check` (`none`, `partial`, `full`).
    #[serde(rename = "@check", default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// `migratable`.
    #[serde(
        rename = "@migratable",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub migratable: Option<OnOff>,
    /// `<model>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<CpuModel>,
    /// `<vendor>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// `<topology>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology: Option<CpuTopology>,
    /// `<feature>` elements.
    #[serde(rename = "feature", default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<CpuFeature>,
}

/// `<cpu><model>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CpuModel {
    /// `fallback` (`allow`/`forbid`).
    #[serde(rename = "@fallback", default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    /// Model name.
    #[serde(rename = "$text")]
    pub name: String,
}

/// `<cpu><topology/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CpuTopology {
    /// `sockets`.
    #[serde(rename = "@sockets")]
    pub sockets: u32,
    /// `dies`.
    #[serde(rename = "@dies", default, skip_serializing_if = "Option::is_none")]
    pub dies: Option<u32>,
    /// `clusters`.
    #[serde(rename = "@clusters", default, skip_serializing_if = "Option::is_none")]
    pub clusters: Option<u32>,
    /// `cores`.
    #[serde(rename = "@cores")]
    pub cores: u32,
    /// `threads`.
    #[serde(rename = "@threads")]
    pub threads: u32,
}

/// `<cpu><feature policy=… name=…/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CpuFeature {
    /// `policy` (`force`, `require`, `optional`, `disable`, `forbid`).
    #[serde(rename = "@policy", default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// `name`.
    #[serde(rename = "@name")]
    pub name: String,
}
