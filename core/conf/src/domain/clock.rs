//! `<clock>`: the guest RTC offset and its timers.

use crate::YesNo;
use crate::xml::{Element, Extra};

string_enum! {
    /// `<clock offset=…>`.
    pub enum ClockOffset (
        "clock offset",
        unknown = (crate::codes::CONFIG_UNSUPPORTED, crate::domains::DOMAIN, "unknown clock offset '{}'")
    ) {
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

string_enum! {
    /// `<timer name=…>`.
    pub enum TimerName ("timer name") {
        /// Platform timer.
        Platform = "platform",
        /// i8254 PIT.
        Pit = "pit",
        /// RTC.
        Rtc = "rtc",
        /// HPET.
        Hpet = "hpet",
        /// TSC.
        Tsc = "tsc",
        /// KVM clock.
        Kvmclock = "kvmclock",
        /// Hyper-V reference clock.
        Hypervclock = "hypervclock",
        /// ARM virtual timer.
        Armvtimer = "armvtimer",
    }
}

xml_struct! {
    /// `<clock>`.
    pub struct Clock {
        /// `offset`.
        attr_req offset: ClockOffset = "offset",
        /// `timezone` (offset `timezone`).
        attr timezone: String = "timezone",
        /// `adjustment` (offset `variable`, `utc`, `localtime`).
        attr adjustment: String = "adjustment",
        /// `basis` (offset `variable`).
        attr basis: String = "basis",
        /// `start` (offset `absolute`).
        attr start: String = "start",
        /// `<timer>` elements.
        children timers: Timer = "timer",
    }
}

impl Clock {
    /// `<clock offset='offset'/>`.
    pub fn new(offset: ClockOffset) -> Clock {
        Clock {
            offset,
            timezone: None,
            adjustment: None,
            basis: None,
            start: None,
            timers: Vec::new(),
            extra: Extra::default(),
        }
    }
}

xml_struct! {
    /// `<clock><timer/>`.
    pub struct Timer {
        /// `name`.
        attr_req name: TimerName = "name",
        /// `present`.
        attr present: YesNo = "present",
        /// `tickpolicy` (`delay`, `catchup`, `merge`, `discard`).
        attr tickpolicy: String = "tickpolicy",
        /// `track` (`boot`, `guest`, `wall`, `realtime`).
        attr track: String = "track",
        /// `mode` (`auto`, `native`, `emulate`, `paravirt`, `smpsafe`).
        attr mode: String = "mode",
        /// `frequency`.
        attr frequency: u64 = "frequency",
        /// `<catchup>`.
        child catchup: Element = "catchup",
    }
}

impl Timer {
    /// `<timer name='name'/>`.
    pub fn new(name: TimerName) -> Timer {
        Timer {
            name,
            present: None,
            tickpolicy: None,
            track: None,
            mode: None,
            frequency: None,
            catchup: None,
            extra: Extra::default(),
        }
    }
}
