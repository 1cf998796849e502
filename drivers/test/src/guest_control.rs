//! What the test driver's guests "do" beside their lifecycle, as libvirt's test driver
//! fakes it (observed from libvirt 9.0 through python3-libvirt): two file systems
//! (`/` and `/boot`) that freeze and thaw, a guest clock that `virDomainSetTime` sets
//! and whose seconds also pick the answer of `virDomainGetControlInfo`, NMIs, keys,
//! signals and passwords accepted for running guests, and the node's fixed CPU
//! counters.

use std::collections::HashMap;
use std::sync::Mutex;

use rvirt_core::api::{ControlInfo, NodeStat};
use rvirt_core::driver::DomainRef;
use rvirt_core::objects::not_running;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, Uuid};

use crate::errors::{check_flags, internal};
use crate::state::{Obj, World};

/// The file systems a test guest has, in the order libvirt's test driver keeps them.
const MOUNT_POINTS: [&str; 2] = ["/", "/boot"];
/// The guest clock a test domain starts with (libvirt's constant).
pub(crate) const GUEST_EPOCH: i64 = 627_319_920;
/// `VIR_DOMAIN_TIME_SYNC`.
const TIME_SYNC: u32 = 1;
/// `VIR_DOMAIN_PASSWORD_ENCRYPTED`.
const PASSWORD_ENCRYPTED: u32 = 1;
/// `VIR_KEYCODE_SET_LINUX`, and the highest Linux key code (`KEY_MAX`).
const KEYCODE_SET_LINUX: u32 = 0;
const LINUX_KEY_MAX: u32 = 0x2ff;
/// Code set names in libvirt's messages, by `virKeycodeSet` number.
const KEYCODE_SETS: [&str; 10] = [
    "linux", "xt", "atset1", "atset2", "atset3", "osx", "xt_kbd", "usb", "win32", "qnum",
];
/// The highest signal number `virDomainProcessSignal` knows (`VIR_DOMAIN_PROCESS_SIGNAL_LAST` - 1).
const SIGNAL_MAX: u32 = 64;

/// The per-domain state libvirt's test driver keeps beside the definition; it lasts as
/// long as the world knows the domain, across restarts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GuestPrivate {
    frozen: [bool; 2],
    seconds: i64,
    nseconds: u32,
}

impl Default for GuestPrivate {
    fn default() -> Self {
        GuestPrivate {
            frozen: [false; 2],
            seconds: GUEST_EPOCH,
            nseconds: 0,
        }
    }
}

/// Every domain's [`GuestPrivate`], by UUID.
#[derive(Debug, Default)]
pub(crate) struct Guests(Mutex<HashMap<Uuid, GuestPrivate>>);

impl Guests {
    fn with<T>(&self, uuid: &Uuid, f: impl FnOnce(&mut GuestPrivate) -> T) -> T {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        f(map.entry(*uuid).or_default())
    }
}

fn operation_invalid(message: String) -> Error {
    Error::operation_invalid(ErrorDomain::Test, message)
}

fn invalid_arg(message: String) -> Error {
    Error::new(ErrorCode::InvalidArg, ErrorDomain::Test, message)
}

/// Runs `f` on `dom`'s private state when the domain is running.
fn running<T>(
    w: &World,
    dom: &DomainRef,
    f: impl FnOnce(&Obj, &mut GuestPrivate) -> Result<T>,
) -> Result<T> {
    w.domains.read(dom, |o| {
        if !o.is_active() {
            return Err(not_running());
        }
        w.guests.with(&dom.uuid, |p| f(o, p))
    })
}

/// The indexes of `mountpoints` (all when empty) among [`MOUNT_POINTS`].
fn mount_indexes(mountpoints: &[String]) -> Result<Vec<usize>> {
    if mountpoints.is_empty() {
        return Ok((0..MOUNT_POINTS.len()).collect());
    }
    mountpoints
        .iter()
        .map(|m| {
            MOUNT_POINTS
                .iter()
                .position(|p| p == m)
                .ok_or_else(|| operation_invalid(format!("mount point not found: {m}")))
        })
        .collect()
}

/// `virDomainFSFreeze` (`freeze`) and `virDomainFSThaw`: how many file systems changed.
pub(crate) fn fs_freeze_thaw(
    w: &World,
    dom: &DomainRef,
    mountpoints: &[String],
    flags: u32,
    freeze: bool,
) -> Result<u32> {
    let function = if freeze {
        "testDomainFSFreeze"
    } else {
        "testDomainFSThaw"
    };
    check_flags(flags, 0, function)?;
    running(w, dom, |_, p| {
        let mut changed = 0;
        for i in mount_indexes(mountpoints)? {
            if p.frozen[i] != freeze {
                p.frozen[i] = freeze;
                changed += 1;
            }
        }
        Ok(changed)
    })
}

/// `virDomainFSTrim`: accepted for a known mount point (or all) of a running guest.
pub(crate) fn fs_trim(
    w: &World,
    dom: &DomainRef,
    mountpoint: Option<&str>,
    flags: u32,
) -> Result<()> {
    check_flags(flags, 0, "testDomainFSTrim")?;
    running(w, dom, |_, _| {
        let points: Vec<String> = mountpoint.map(str::to_string).into_iter().collect();
        mount_indexes(&points).map(drop)
    })
}

/// `virDomainInjectNMI`.
pub(crate) fn inject_nmi(w: &World, dom: &DomainRef, flags: u32) -> Result<()> {
    check_flags(flags, 0, "testDomainInjectNMI")?;
    running(w, dom, |_, _| Ok(()))
}

/// `virDomainSendKey`: every key code must exist in its code set.
pub(crate) fn send_key(
    w: &World,
    dom: &DomainRef,
    codeset: u32,
    keycodes: &[u32],
    flags: u32,
) -> Result<()> {
    check_flags(flags, 0, "testDomainSendKey")?;
    running(w, dom, |_, _| {
        let set = KEYCODE_SETS
            .get(codeset as usize)
            .copied()
            .unwrap_or("unknown");
        let limit = if codeset == KEYCODE_SET_LINUX {
            LINUX_KEY_MAX
        } else {
            u32::from(u16::MAX)
        };
        match keycodes.iter().find(|&&k| k > limit) {
            Some(k) => Err(internal(format!("invalid keycode {k} of {set} codeset"))),
            None => Ok(()),
        }
    })
}

/// `virDomainSendProcessSignal`: only to pid 1, with a known signal; libvirt's test
/// driver does not look at the domain's state.
pub(crate) fn send_process_signal(
    w: &World,
    dom: &DomainRef,
    pid: i64,
    signum: u32,
    flags: u32,
) -> Result<()> {
    check_flags(flags, 0, "testDomainSendProcessSignal")?;
    if signum > SIGNAL_MAX {
        return Err(invalid_arg(format!(
            "signum value {signum} is out of range"
        )));
    }
    w.domains.read(dom, |_| {
        if pid != 1 {
            return Err(invalid_arg(
                "only sending a signal to pid 1 is supported".to_string(),
            ));
        }
        Ok(())
    })
}

/// `virDomainSetUserPassword`.
pub(crate) fn set_user_password(w: &World, dom: &DomainRef, flags: u32) -> Result<()> {
    check_flags(flags, PASSWORD_ENCRYPTED, "testDomainSetUserPassword")?;
    running(w, dom, |_, _| Ok(()))
}

/// `virDomainSetTime`: the guest clock, or zero with `VIR_DOMAIN_TIME_SYNC`.
pub(crate) fn set_time(
    w: &World,
    dom: &DomainRef,
    seconds: i64,
    nseconds: u32,
    flags: u32,
) -> Result<()> {
    check_flags(flags, TIME_SYNC, "testDomainSetTime")?;
    running(w, dom, |_, p| {
        if flags & TIME_SYNC != 0 {
            (p.seconds, p.nseconds) = (0, 0);
        } else {
            (p.seconds, p.nseconds) = (seconds, nseconds);
        }
        Ok(())
    })
}

/// `virDomainGetTime`.
pub(crate) fn get_time(w: &World, dom: &DomainRef, flags: u32) -> Result<(i64, u32)> {
    check_flags(flags, 0, "testDomainGetTime")?;
    w.domains.read(dom, |o| {
        if !o.is_active() {
            return Err(Error::operation_invalid(
                ErrorDomain::Test,
                "domain is not running",
            ));
        }
        Ok(w.guests.with(&dom.uuid, |p| (p.seconds, p.nseconds)))
    })
}

/// `virDomainGetControlInfo`: libvirt's test driver derives it from the guest clock's
/// seconds — below 10,000 a job of that many ms, below 30,000 occupied, below 60,000 an
/// error (reason: seconds modulo 4), otherwise OK.
pub(crate) fn control_info(w: &World, dom: &DomainRef, flags: u32) -> Result<ControlInfo> {
    check_flags(flags, 0, "testDomainGetControlInfo")?;
    running(w, dom, |_, p| {
        let s = p.seconds;
        let ms = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(match s {
            1..10_000 => ControlInfo {
                state: 1,
                details: 0,
                state_time_ms: ms(s),
            },
            10_000..30_000 => ControlInfo {
                state: 2,
                details: 0,
                state_time_ms: ms(s - 10_000),
            },
            30_000..60_000 => ControlInfo {
                state: 3,
                details: u32::try_from(s % 4).unwrap_or(0),
                state_time_ms: ms(s - 30_000),
            },
            _ => ControlInfo::default(),
        })
    })
}

/// `virNodeGetCPUStats`: libvirt's test driver answers the same four counters for
/// every CPU.
pub(crate) fn node_cpu_stats(flags: u32) -> Result<Vec<NodeStat>> {
    check_flags(flags, 0, "testNodeGetCPUStats")?;
    Ok([
        ("user", 9_797_400_000),
        ("kernel", 34_678_723_400_000),
        ("idle", 87_264_900_000),
        ("iowait", 763_600_000),
    ]
    .into_iter()
    .map(|(field, value)| NodeStat {
        field: field.to_string(),
        value,
    })
    .collect())
}

/// `virConnectGetSysinfo`: libvirt's test driver describes a fixed laptop BIOS.
pub(crate) fn sysinfo(flags: u32) -> Result<String> {
    check_flags(flags, 0, "testConnectGetSysinfo")?;
    Ok(concat!(
        "<sysinfo type='smbios'>\n",
        "  <bios>\n",
        "    <entry name='vendor'>LENOVO</entry>\n",
        "    <entry name='version'>G4ETA1WW (2.61 )</entry>\n",
        "    <entry name='date'>05/07/2014</entry>\n",
        "    <entry name='release'>2.61</entry>\n",
        "  </bios>\n",
        "</sysinfo>\n",
    )
    .to_string())
}
