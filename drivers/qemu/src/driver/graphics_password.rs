//! VNC and SPICE passwords (`<graphics passwd=… passwdValidTo=…>`), set the way
//! libvirt sets them without a secret object: the command line only asks for a
//! password (`-vnc …,password=on`, SPICE with ticketing on), and before the guest
//! runs the monitor's `set_password` gives it and `expire_password` its end, so the
//! password never appears on QEMU's command line or in `/proc`.

use rvirt_core::conf::{Device, DomainDef, GraphicsType};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::json;

use crate::qmp::QmpStream;

/// Seconds since the epoch of a `passwdValidTo` (`YYYY-MM-DDTHH:MM:SS`, UTC).
///
/// Errors: `VIR_ERR_XML_ERROR` for another form.
pub(crate) fn valid_to_epoch(s: &str) -> Result<i64> {
    let bad = || {
        Error::new(
            ErrorCode::XmlError,
            ErrorDomain::Qemu,
            format!("cannot parse password validity time '{s}', expect YYYY-MM-DDTHH:MM:SS"),
        )
    };
    let numbers = |part: &str, sep: char| -> Option<[i64; 3]> {
        let v: Vec<i64> = part
            .split(sep)
            .map(|n| n.parse().ok())
            .collect::<Option<_>>()?;
        <[i64; 3]>::try_from(v).ok()
    };
    let (date, time) = s.split_once('T').ok_or_else(bad)?;
    let [y, m, day] = numbers(date, '-').ok_or_else(bad)?;
    let [hh, mm, ss] = numbers(time.trim_end_matches('Z'), ':').ok_or_else(bad)?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || hh > 23 || mm > 59 || ss > 60 {
        return Err(bad());
    }
    // Days from 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's method).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Sets the password (and its end) of every VNC and SPICE display of `def` that has
/// one, on the QEMU behind `qmp`, before the guest runs.
pub(crate) fn set_passwords(qmp: &mut QmpStream, def: &DomainDef) -> Result<()> {
    for dev in def.devices() {
        let Device::Graphics(g) = dev else { continue };
        let protocol = match g.graphics_type {
            GraphicsType::Vnc => "vnc",
            GraphicsType::Spice => "spice",
            _ => continue,
        };
        let Some(password) = &g.passwd else { continue };
        qmp.execute(
            "set_password",
            Some(json!({"protocol": protocol, "password": password})),
        )?;
        let time = match &g.passwd_valid_to {
            Some(t) => valid_to_epoch(t)?.to_string(),
            None => "never".to_owned(),
        };
        qmp.execute(
            "expire_password",
            Some(json!({"protocol": protocol, "time": time})),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::valid_to_epoch;

    #[test]
    fn validity_times_are_utc_seconds() {
        assert_eq!(valid_to_epoch("1970-01-01T00:00:00").unwrap(), 0);
        assert_eq!(valid_to_epoch("2000-03-01T00:00:01").unwrap(), 951_868_801);
        assert_eq!(
            valid_to_epoch("2026-12-07T01:02:03").unwrap(),
            1_796_605_323
        );
        assert!(valid_to_epoch("tomorrow").is_err());
        assert!(valid_to_epoch("2026-13-01T00:00:00").is_err());
    }
}
