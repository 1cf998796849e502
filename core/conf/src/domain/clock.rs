//! `<clock>`: the guest RTC offset and its timers.

use serde::{Deserialize, Serialize};

use crate::YesNo;

string_enum! {
    /// `<clock offset=…>`.
    pub enum ClockOffset ("clock offset") {
        /// RTC in UTC.
        Utc = "utc",
        /// RTC in host local time.
        Localtime = "localtime",
        /// RTC in a named time zone.
        Timezone = "timezone",
        /// RTC at an adjustment from UTC or local time that the guest may change.
        Variable = "variable",
        /// RTC starting at a fixed epoch time.
        Absolute = "absolute",
    }
}

/// `<clock>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    /// `offset`.
    #[serde(rename = "@offset")]
    pub offset: ClockOffset,
    /// `timezone` (offset `timezone`).
    #[serde(rename = "@timezone", default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// `adjustment` (offset `variable`).
    #[serde(
        rename = "@adjustment",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub adjustment: Option<String>,
    /// `basis` (offset `variable`).
    #[serde(rename = "@basis", default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// `start` (offset `absolute`).
    #[serde(rename = "@start", default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// `<timer>` elements.
    #[serde(rename = "timer", default, skip_serializing_if = "Vec::is_empty")]
    pub timers: Vec<Timer>,
}

/// `<clock><timer/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Timer {
    /// `name` (`rtc`, `pit`, `hpet`, `kvmclock`, `tsc`, …).
    #[serde(rename = "@name")]
    pub name: String,
    /// `track`.
    #[serde(rename = "@track", default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    /// `tickpolicy`.
    #[serde(
        rename = "@tickpolicy",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub tickpolicy: Option<String>,
    /// `frequency`.
    #[serde(
        rename = "@frequency",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub frequency: Option<u64>,
    /// `mode`.
    #[serde(rename = "@mode", default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// `present`.
    #[serde(rename = "@present", default, skip_serializing_if = "Option::is_none")]
    pub present: Option<YesNo>,
}
