//! Keys for `virDomainSendKey` in QEMU's `send-key` terms: libvirt's key code sets
//! translated to QEMU's "qnum" numbers (PC scan code set 1, an `0xE0` prefix folded
//! into the high bit). Linux key codes 1–88 are set-1 scan codes already; the
//! extended keys (arrows, right-hand modifiers, navigation block, media keys) are
//! listed.

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// `VIR_KEYCODE_SET_LINUX`.
pub(crate) const LINUX: u32 = 0;
/// `VIR_KEYCODE_SET_XT`.
pub(crate) const XT: u32 = 1;
/// `VIR_KEYCODE_SET_ATSET1`.
pub(crate) const ATSET1: u32 = 2;
/// `VIR_KEYCODE_SET_QNUM` (formerly RFB).
pub(crate) const QNUM: u32 = 9;

/// Linux key codes above 88 that a PC keyboard has, with their qnum.
const LINUX_EXTENDED: &[(u32, u32)] = &[
    (96, 0x9c),  // KEY_KPENTER
    (97, 0x9d),  // KEY_RIGHTCTRL
    (98, 0xb5),  // KEY_KPSLASH
    (99, 0xb7),  // KEY_SYSRQ (Print Screen)
    (100, 0xb8), // KEY_RIGHTALT
    (102, 0xc7), // KEY_HOME
    (103, 0xc8), // KEY_UP
    (104, 0xc9), // KEY_PAGEUP
    (105, 0xcb), // KEY_LEFT
    (106, 0xcd), // KEY_RIGHT
    (107, 0xcf), // KEY_END
    (108, 0xd0), // KEY_DOWN
    (109, 0xd1), // KEY_PAGEDOWN
    (110, 0xd2), // KEY_INSERT
    (111, 0xd3), // KEY_DELETE
    (113, 0xa0), // KEY_MUTE
    (114, 0xae), // KEY_VOLUMEDOWN
    (115, 0xb0), // KEY_VOLUMEUP
    (116, 0xde), // KEY_POWER
    (117, 0x59), // KEY_KPEQUAL
    (119, 0xc6), // KEY_PAUSE
    (125, 0xdb), // KEY_LEFTMETA
    (126, 0xdc), // KEY_RIGHTMETA
    (127, 0xdd), // KEY_COMPOSE
];

/// The name libvirt gives code set `set` in messages.
fn set_name(set: u32) -> &'static str {
    match set {
        LINUX => "linux",
        XT => "xt",
        ATSET1 => "atset1",
        3 => "atset2",
        4 => "atset3",
        5 => "osx",
        6 => "xt_kbd",
        7 => "usb",
        8 => "win32",
        QNUM => "qnum",
        _ => "unknown",
    }
}

/// `code` of code set `set` as a qnum.
///
/// Errors: `VIR_ERR_INTERNAL_ERROR` "cannot translate keycode …" for a code or set
/// this table does not cover (the tests below show examples).
pub(crate) fn to_qnum(set: u32, code: u32) -> Result<u32> {
    let q = match set {
        QNUM => Some(code),
        LINUX if (1..=88).contains(&code) => Some(code),
        LINUX => LINUX_EXTENDED
            .iter()
            .find(|(l, _)| *l == code)
            .map(|(_, q)| *q),
        // Set 1 scan codes: plain, or 0xE0-prefixed written as 0xE0NN.
        XT | ATSET1 if code < 0x80 => Some(code),
        XT | ATSET1 if (0xe001..=0xe07f).contains(&code) => Some(0x80 | (code & 0x7f)),
        _ => None,
    };
    q.ok_or_else(|| {
        Error::new(
            ErrorCode::InternalError,
            ErrorDomain::Qemu,
            format!(
                "cannot translate keycode {code} of {} codeset to qnum keycode",
                set_name(set)
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_xt_and_qnum_codes() {
        assert_eq!(to_qnum(LINUX, 30).unwrap(), 0x1e); // KEY_A
        assert_eq!(to_qnum(LINUX, 29).unwrap(), 0x1d); // KEY_LEFTCTRL
        assert_eq!(to_qnum(LINUX, 103).unwrap(), 0xc8); // KEY_UP
        assert_eq!(to_qnum(LINUX, 111).unwrap(), 0xd3); // KEY_DELETE
        assert_eq!(to_qnum(XT, 0xe048).unwrap(), 0xc8);
        assert_eq!(to_qnum(QNUM, 0xc8).unwrap(), 0xc8);
        let e = to_qnum(LINUX, 240).unwrap_err();
        assert!(
            e.to_string().contains("keycode 240 of linux codeset"),
            "{e}"
        );
        assert!(to_qnum(7, 4).is_err());
    }
}
