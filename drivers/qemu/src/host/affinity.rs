//! Which host CPUs a QEMU thread may run on (`sched_getaffinity(2)`).

use rvirt_core::api::CpuMap;

/// The affinity of thread (or process) `tid` as a CPU map, `None` if it is gone.
pub fn affinity(tid: u32) -> Option<CpuMap> {
    let pid = libc::pid_t::try_from(tid).ok()?;
    // SAFETY: an all-zero cpu_set_t is a valid empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a live cpu_set_t of the size passed.
    let rc =
        unsafe { libc::sched_getaffinity(pid, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
    if rc != 0 {
        return None;
    }
    let mut map = CpuMap::default();
    let bits = u32::try_from(8 * std::mem::size_of::<libc::cpu_set_t>()).unwrap_or(1024);
    for cpu in 0..bits {
        // SAFETY: `cpu` is below CPU_SETSIZE, and `set` was filled in above.
        if unsafe { libc::CPU_ISSET(cpu as usize, &set) } {
            map.set(cpu);
        }
    }
    Some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_thread_may_run_somewhere() {
        let map = affinity(std::process::id()).unwrap();
        assert!(map.0.iter().any(|&b| b != 0));
        assert_eq!(affinity(u32::MAX), None);
    }
}
