//! Scaled memory sizes (`<memory unit='…'>`).

use std::fmt;
use std::str::FromStr;

use crate::model::{Expect, XmlElement, XmlValue, attr, parse_int};
use crate::xml::{Element, Extra};
use crate::{ConfError, OnOff};

/// A libvirt memory `unit`.
///
/// Parsing follows libvirt (case-insensitive): `b`, `byte`, `bytes` are bytes; a bare
/// letter `k`, `M`, `G`, `T`, `P`, `E` or the letter followed by `iB` is a power of
/// 1024; the letter followed by `B` is a power of 1000. The canonical spelling written
/// back ([`MemoryUnit::as_str`]) is `bytes`, `KiB`, `KB`, `MiB`, `MB`, and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MemoryUnit {
    /// Bytes.
    Bytes,
    /// 1000 bytes.
    KB,
    /// 1024 bytes (libvirt's default unit).
    #[default]
    KiB,
    /// 1000² bytes.
    MB,
    /// 1024² bytes.
    MiB,
    /// 1000³ bytes.
    GB,
    /// 1024³ bytes.
    GiB,
    /// 1000⁴ bytes.
    TB,
    /// 1024⁴ bytes.
    TiB,
    /// 1000⁵ bytes.
    PB,
    /// 1024⁵ bytes.
    PiB,
    /// 1000⁶ bytes.
    EB,
    /// 1024⁶ bytes.
    EiB,
}

impl MemoryUnit {
    /// Canonical spelling, as written by [`crate::DomainDef::to_xml`].
    pub fn as_str(self) -> &'static str {
        use MemoryUnit::*;
        match self {
            Bytes => "bytes",
            KB => "KB",
            KiB => "KiB",
            MB => "MB",
            MiB => "MiB",
            GB => "GB",
            GiB => "GiB",
            TB => "TB",
            TiB => "TiB",
            PB => "PB",
            PiB => "PiB",
            EB => "EB",
            EiB => "EiB",
        }
    }

    /// Number of bytes in one of this unit.
    pub fn bytes_per_unit(self) -> u64 {
        use MemoryUnit::*;
        match self {
            Bytes => 1,
            KB => 1000,
            KiB => 1 << 10,
            MB => 1000u64.pow(2),
            MiB => 1 << 20,
            GB => 1000u64.pow(3),
            GiB => 1 << 30,
            TB => 1000u64.pow(4),
            TiB => 1 << 40,
            PB => 1000u64.pow(5),
            PiB => 1 << 50,
            EB => 1000u64.pow(6),
            EiB => 1 << 60,
        }
    }
}

impl fmt::Display for MemoryUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MemoryUnit {
    type Err = ConfError;

    fn from_str(s: &str) -> Result<Self, ConfError> {
        use MemoryUnit::*;
        let bad = || ConfError::InvalidMemoryUnit { unit: s.to_owned() };
        let lower = s.to_ascii_lowercase();
        if matches!(lower.as_str(), "b" | "byte" | "bytes") {
            return Ok(Bytes);
        }
        let mut chars = lower.chars();
        let letter = chars.next().ok_or_else(bad)?;
        let binary = match chars.as_str() {
            "" | "ib" => true,
            "b" => false,
            _ => return Err(bad()),
        };
        let (bin, dec) = match letter {
            'k' => (KiB, KB),
            'm' => (MiB, MB),
            'g' => (GiB, GB),
            't' => (TiB, TB),
            'p' => (PiB, PB),
            'e' => (EiB, EB),
            _ => return Err(bad()),
        };
        Ok(if binary { bin } else { dec })
    }
}

/// A memory size element such as `<memory unit='KiB'>1024</memory>`.
///
/// The number and unit are kept as written (the unit in canonical spelling; a missing
/// `unit` attribute reads as KiB and is written back explicitly). libvirt stores sizes
/// in KiB and prints them so; [`crate::DomainDef::fill_defaults`] does the same.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Memory {
    /// Unit of [`Memory::value`].
    pub unit: MemoryUnit,
    /// `dumpCore` attribute (`on`/`off`), only meaningful on `<memory>`.
    pub dump_core: Option<OnOff>,
    /// The number, in [`Memory::unit`]s.
    pub value: u64,
    /// Other attributes, kept.
    pub extra: Extra,
}

impl Memory {
    /// A size of `value` `unit`s.
    ///
    /// ```
    /// use rvirt_conf::{Memory, MemoryUnit};
    /// assert_eq!(Memory::new(2, MemoryUnit::GiB).kib(), 2 * 1024 * 1024);
    /// ```
    pub fn new(value: u64, unit: MemoryUnit) -> Self {
        Memory {
            unit,
            dump_core: None,
            value,
            extra: Extra::default(),
        }
    }

    /// A size in KiB.
    pub fn from_kib(kib: u64) -> Self {
        Memory::new(kib, MemoryUnit::KiB)
    }

    /// The size in bytes, or `None` if it does not fit in a `u64`.
    pub fn bytes(&self) -> Option<u64> {
        self.value.checked_mul(self.unit.bytes_per_unit())
    }

    /// The size in KiB, rounded up as libvirt does (`1000 bytes` is 1 KiB).
    /// Saturates at `u64::MAX` for sizes that overflow (which validation rejects).
    pub fn kib(&self) -> u64 {
        let bytes = u128::from(self.value) * u128::from(self.unit.bytes_per_unit());
        u64::try_from(bytes.div_ceil(1024)).unwrap_or(u64::MAX)
    }

    /// This size expressed in KiB (see [`Memory::kib`]), keeping other attributes.
    pub fn normalized_kib(&self) -> Self {
        Memory {
            unit: MemoryUnit::KiB,
            dump_core: self.dump_core,
            value: self.kib(),
            extra: self.extra.clone(),
        }
    }

    /// Checks the size fits in 64 bits of bytes, as libvirt requires.
    pub fn check_overflow(&self) -> Result<(), ConfError> {
        match self.bytes() {
            Some(_) => Ok(()),
            None => Err(ConfError::MemoryOverflow {
                value: self.value,
                unit: self.unit.as_str().to_owned(),
            }),
        }
    }
}

impl XmlValue for MemoryUnit {
    fn parse_value(s: &str) -> Result<Self, Expect> {
        s.parse().map_err(Expect::Custom)
    }
    fn format_value(&self) -> String {
        self.as_str().to_owned()
    }
}

impl XmlElement for Memory {
    fn from_element(mut el: Element) -> Result<Self, ConfError> {
        let unit = attr(&mut el, "unit")?.unwrap_or_default();
        let dump_core = attr(&mut el, "dumpCore")?;
        let text = el.take_text().unwrap_or_default();
        let value = parse_int::<u64>(text.trim()).ok_or_else(|| ConfError::InvalidValue {
            xpath: format!("./{}[1]", el.name),
            value: text.clone(),
        })?;
        let m = Memory {
            unit,
            dump_core,
            value,
            extra: Extra::rest(el),
        };
        m.check_overflow()?;
        Ok(m)
    }

    fn to_element(&self, name: &str) -> Element {
        let mut el = Element::new(name);
        if let Some(d) = self.dump_core {
            el.set_attr("dumpCore", d.as_str());
        }
        el.set_attr("unit", self.unit.as_str());
        el.push_text(self.value.to_string());
        self.extra.write_into(&mut el);
        el
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_is_case_insensitive_and_canonical_round_trips() {
        for u in ["KIB", "kIb", "k", "K"] {
            assert_eq!(u.parse::<MemoryUnit>().unwrap(), MemoryUnit::KiB, "{u}");
        }
        for u in ["mb", "MB", "mB"] {
            assert_eq!(u.parse::<MemoryUnit>().unwrap(), MemoryUnit::MB, "{u}");
        }
        for u in [
            MemoryUnit::Bytes,
            MemoryUnit::KB,
            MemoryUnit::KiB,
            MemoryUnit::MB,
            MemoryUnit::MiB,
            MemoryUnit::GB,
            MemoryUnit::GiB,
            MemoryUnit::TB,
            MemoryUnit::TiB,
            MemoryUnit::PB,
            MemoryUnit::PiB,
            MemoryUnit::EB,
            MemoryUnit::EiB,
        ] {
            assert_eq!(u.as_str().parse::<MemoryUnit>().unwrap(), u);
        }
    }

    #[test]
    fn bad_suffix_error() {
        let e = "XB".parse::<MemoryUnit>().unwrap_err();
        assert_eq!(e.libvirt_code(), 8);
        assert_eq!(e.to_string(), "invalid argument: unknown suffix 'XB'");
    }

    #[test]
    fn kib_rounds_up() {
        let m = Memory::new;
        assert_eq!(m(1, MemoryUnit::Bytes).kib(), 1);
        assert_eq!(m(1024, MemoryUnit::Bytes).kib(), 1);
        assert_eq!(m(1025, MemoryUnit::Bytes).kib(), 2);
        assert_eq!(m(0, MemoryUnit::GiB).kib(), 0);
        assert_eq!(m(3, MemoryUnit::KB).kib(), 3);
    }
}
