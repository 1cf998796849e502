//! CPU pinning of QEMU's threads (`<cputune><vcpupin>`, `<emulatorpin>`):
//! `sched_setaffinity` on each thread, as libvirt does besides its cpuset cgroup.

use rvirt_core::conf::bitmap::CpuSet;

/// The threads of process `pid` (`/proc/PID/task`), sorted.
pub fn threads_of(pid: u32) -> Vec<u32> {
    let mut tids: Vec<u32> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    tids.sort_unstable();
    tids
}

/// Restricts thread `tid` to the host CPUs of `set` (those below `CPU_SETSIZE`).
pub fn pin(tid: u32, set: &CpuSet) -> std::io::Result<()> {
    // SAFETY: cpu_set_t is plain data; CPU_ZERO/CPU_SET write within it (CPU_SET
    // only for numbers below CPU_SETSIZE), sched_setaffinity reads it.
    unsafe {
        let mut mask: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_ZERO(&mut mask);
        for cpu in set.0.iter().map(|c| *c as usize) {
            if cpu < libc::CPU_SETSIZE as usize {
                libc::CPU_SET(cpu, &mut mask);
            }
        }
        let tid = libc::pid_t::try_from(tid).map_err(|_| std::io::ErrorKind::InvalidInput)?;
        if libc::sched_setaffinity(tid, std::mem::size_of::<libc::cpu_set_t>(), &mask) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The host CPUs thread `tid` may run on.
pub fn affinity(tid: u32) -> std::io::Result<CpuSet> {
    // SAFETY: as in `pin`; sched_getaffinity writes within `mask`.
    unsafe {
        let mut mask: libc::cpu_set_t = std::mem::zeroed();
        let tid = libc::pid_t::try_from(tid).map_err(|_| std::io::ErrorKind::InvalidInput)?;
        if libc::sched_getaffinity(tid, std::mem::size_of::<libc::cpu_set_t>(), &mut mask) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(CpuSet(
            (0..libc::CPU_SETSIZE as usize)
                .filter(|c| libc::CPU_ISSET(*c, &mask))
                .map(|c| c as u32)
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thread of this test pinned to CPU 0 reports just CPU 0.
    #[test]
    fn pin_then_read_back() {
        let got = std::thread::spawn(|| {
            // SAFETY: gettid has no preconditions.
            let tid = unsafe { libc::gettid() } as u32;
            pin(tid, &CpuSet::parse("0").unwrap()).unwrap();
            affinity(tid).unwrap()
        })
        .join()
        .unwrap();
        assert_eq!(got.to_string(), "0");
        assert!(threads_of(std::process::id()).contains(&std::process::id()));
    }
}
