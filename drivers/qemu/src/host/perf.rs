//! Host perf counters of a guest's QEMU (libvirt's `virperf`): one
//! `perf_event_open(2)` counter per enabled `<perf>` event, on QEMU's pid with
//! `inherit` (threads QEMU creates afterwards count too), read as one 64-bit value.
//!
//! The hardware events need a PMU the kernel exposes; the resctrl ones (`cmt`,
//! `mbmt`, `mbml`) Intel's `intel_cqm` PMU. Without them the open fails and the
//! error names the event, as libvirt's does.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use rvirt_core::objects::PERF_EVENTS;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// `PERF_TYPE_HARDWARE`.
const TYPE_HARDWARE: u32 = 0;
/// `PERF_TYPE_SOFTWARE`.
const TYPE_SOFTWARE: u32 = 1;
/// `inherit` in `perf_event_attr`'s flag word (bit 1).
const FLAG_INHERIT: u64 = 1 << 1;
/// `PERF_FLAG_FD_CLOEXEC`.
const PERF_FLAG_FD_CLOEXEC: libc::c_ulong = 1 << 3;
/// Where the kernel names the dynamic type of Intel's cache-monitoring PMU.
const INTEL_CQM_TYPE: &str = "/sys/bus/event_source/devices/intel_cqm/type";

/// The first 64 bytes of the kernel's `perf_event_attr` (`PERF_ATTR_SIZE_VER0`), all
/// a counting event needs.
#[repr(C)]
#[derive(Default)]
struct PerfEventAttr {
    kind: u32,
    size: u32,
    config: u64,
    sample_period: u64,
    sample_type: u64,
    read_format: u64,
    flags: u64,
    wakeup_events: u32,
    bp_type: u32,
    config1: u64,
}

/// Where libvirt's hardware and software events start in its list
/// ([`PERF_EVENTS`]): each block is in the kernel's `PERF_COUNT_{HW,SW}_*` order.
const FIRST_HARDWARE: usize = 3;
const FIRST_SOFTWARE: usize = 13;

/// The perf type and config of libvirt event `name` (`virPerfEventType`), `None`
/// for a name libvirt does not have.
fn event_attr(name: &str) -> Option<io::Result<(u32, u64)>> {
    let at = PERF_EVENTS.iter().position(|n| *n == name)?;
    if at >= FIRST_SOFTWARE {
        return Some(Ok((TYPE_SOFTWARE, (at - FIRST_SOFTWARE) as u64)));
    }
    if at >= FIRST_HARDWARE {
        return Some(Ok((TYPE_HARDWARE, (at - FIRST_HARDWARE) as u64)));
    }
    // intel_cqm's events (cmt, mbmt, mbml): LLC occupancy, total and local memory
    // bandwidth, configs 1 to 3.
    Some(
        std::fs::read_to_string(INTEL_CQM_TYPE)
            .and_then(|t| t.trim().parse().map_err(io::Error::other))
            .map(|kind| (kind, at as u64 + 1)),
    )
}

/// Opens a counter of event `name` on process `pid`.
///
/// Errors: `VIR_ERR_SYSTEM_ERROR` naming the event when the host cannot count it
/// (no such PMU, not permitted); `VIR_ERR_INVALID_ARG` for a name libvirt lacks.
pub fn open(name: &str, pid: u32) -> Result<OwnedFd> {
    let failed = |e: io::Error| {
        Error::new(
            ErrorCode::SystemError,
            ErrorDomain::Qemu,
            format!("unable to open host cpu perf event for {name}: {e}"),
        )
    };
    let (kind, config) = event_attr(name)
        .ok_or_else(|| {
            Error::invalid_arg(ErrorDomain::Qemu, format!("unknown perf event '{name}'"))
        })?
        .map_err(failed)?;
    let attr = PerfEventAttr {
        kind,
        size: size_of::<PerfEventAttr>() as u32,
        config,
        flags: FLAG_INHERIT,
        ..PerfEventAttr::default()
    };
    let pid = libc::pid_t::try_from(pid)
        .map_err(io::Error::other)
        .map_err(failed)?;
    // SAFETY: perf_event_open(2) with a valid attr of the size it names, a pid, any
    // CPU, no group and close-on-exec; it only returns a new fd or -1.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_perf_event_open,
            &attr as *const PerfEventAttr,
            pid,
            -1 as libc::c_int,
            -1 as libc::c_int,
            PERF_FLAG_FD_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(failed(io::Error::last_os_error()));
    }
    // SAFETY: a new descriptor this call owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as libc::c_int) })
}

/// The count of `counter` so far (0 when it cannot be read).
pub fn read(counter: &OwnedFd) -> u64 {
    let mut value = 0u64;
    // SAFETY: read(2) of 8 bytes into a u64 on a perf fd we own.
    let n = unsafe {
        libc::read(
            counter.as_raw_fd(),
            (&raw mut value).cast(),
            size_of::<u64>(),
        )
    };
    if n == size_of::<u64>() as isize {
        value
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libvirts_names_map_to_perf_types() {
        assert_eq!(event_attr("cpu_cycles").unwrap().unwrap(), (0, 0));
        assert_eq!(event_attr("ref_cpu_cycles").unwrap().unwrap(), (0, 9));
        assert_eq!(event_attr("cpu_clock").unwrap().unwrap(), (1, 0));
        assert_eq!(event_attr("emulation_faults").unwrap().unwrap(), (1, 8));
        assert!(event_attr("bogus").is_none());
        assert_eq!(size_of::<PerfEventAttr>(), 64);
    }

    /// A software counter of this very thread (a pid names one task: the main
    /// thread of a process) moves; an unknown name is refused.
    #[test]
    fn a_software_counter_counts_this_thread() {
        // SAFETY: gettid(2) has no preconditions.
        let me = unsafe { libc::gettid() } as u32;
        let Ok(fd) = open("task_clock", me) else {
            eprintln!("skipped: perf_event_open not permitted here");
            return;
        };
        let before = read(&fd);
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_add(i * i);
        }
        std::hint::black_box(x);
        assert!(read(&fd) > before, "task_clock did not move");
        let e = open("bogus", me).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArg);
    }
}
