//! A QEMU process and its threads as `/proc` shows them: CPU time, resident memory,
//! the CPU a thread last ran on, scheduler delays.

/// The fields of `/proc/PID/stat` (or `/proc/PID/task/TID/stat`) statistics use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcStat {
    /// Scheduler state letter (`R`, `S`, …).
    pub state: char,
    /// User time, clock ticks.
    pub utime: u64,
    /// System time, clock ticks.
    pub stime: u64,
    /// Resident set size, pages.
    pub rss_pages: u64,
    /// The CPU it last ran on.
    pub processor: i32,
}

impl ProcStat {
    /// Parses a `stat` file's text; `None` if it is cut short. The command name may
    /// hold spaces and parentheses: fields count from the last `)`.
    pub fn parse(text: &str) -> Option<ProcStat> {
        let rest = &text[text.rfind(')')? + 1..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        // f[0] is field 3 (state) of proc(5).
        let num = |field: usize| f.get(field - 3)?.parse::<u64>().ok();
        Some(ProcStat {
            state: f.first()?.chars().next()?,
            utime: num(14)?,
            stime: num(15)?,
            rss_pages: num(24)?,
            processor: f.get(39 - 3)?.parse().ok()?,
        })
    }

    /// `/proc/PID/stat`.
    pub fn of_process(pid: u32) -> Option<ProcStat> {
        ProcStat::parse(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
    }

    /// `/proc/PID/task/TID/stat`.
    pub fn of_thread(pid: u32, tid: u32) -> Option<ProcStat> {
        ProcStat::parse(&std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/stat")).ok()?)
    }

    /// User time, ns.
    pub fn user_ns(&self) -> u64 {
        ticks_to_ns(self.utime)
    }

    /// System time, ns.
    pub fn system_ns(&self) -> u64 {
        ticks_to_ns(self.stime)
    }

    /// User plus system time, ns (what libvirt reports as a thread's CPU time).
    pub fn cpu_ns(&self) -> u64 {
        ticks_to_ns(self.utime.saturating_add(self.stime))
    }

    /// Resident set size, KiB.
    pub fn rss_kib(&self) -> u64 {
        self.rss_pages.saturating_mul(page_kib())
    }
}

/// Clock ticks to ns (`sysconf(_SC_CLK_TCK)`, 100 on Linux).
pub fn ticks_to_ns(ticks: u64) -> u64 {
    // SAFETY: sysconf has no memory-safety preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let hz = u64::try_from(hz).unwrap_or(100).max(1);
    ticks.saturating_mul(1_000_000_000 / hz)
}

fn page_kib() -> u64 {
    // SAFETY: sysconf has no memory-safety preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(size).unwrap_or(4096) / 1024
}

/// `/proc/PID/task/TID/schedstat`: time on a CPU and time waiting in a run queue, ns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchedStat {
    /// Time spent running, ns.
    pub run_ns: u64,
    /// Time spent runnable but waiting for a CPU, ns (libvirt's `vcpu.N.delay`).
    pub delay_ns: u64,
}

impl SchedStat {
    /// Parses `schedstat`'s text.
    pub fn parse(text: &str) -> Option<SchedStat> {
        let mut f = text.split_whitespace();
        Some(SchedStat {
            run_ns: f.next()?.parse().ok()?,
            delay_ns: f.next()?.parse().ok()?,
        })
    }

    /// The thread's `schedstat`.
    pub fn of_thread(pid: u32, tid: u32) -> Option<SchedStat> {
        SchedStat::parse(
            &std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/schedstat")).ok()?,
        )
    }
}

/// The total wait time of a thread's `/proc/PID/task/TID/sched` (`wait_sum`, in ms with
/// a fraction), ns; 0 when the kernel keeps no scheduler statistics (the line is absent
/// unless `kernel.sched_schedstats` is on), as libvirt reports it.
pub fn wait_sum_ns(text: &str) -> u64 {
    let Some(value) = text.lines().find_map(|l| {
        let (key, value) = l.split_once(':')?;
        let key = key.trim();
        (key == "se.statistics.wait_sum" || key == "wait_sum").then(|| value.trim())
    }) else {
        return 0;
    };
    let (ms, frac) = value.split_once('.').unwrap_or((value, ""));
    let ms: u64 = ms.parse().unwrap_or(0);
    let mut digits: String = frac.chars().take(6).collect();
    while digits.len() < 6 {
        digits.push('0');
    }
    ms.saturating_mul(1_000_000)
        .saturating_add(digits.parse().unwrap_or(0))
}

/// [`wait_sum_ns`] of thread `tid` of `pid`.
pub fn thread_wait_ns(pid: u32, tid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/sched"))
        .map(|t| wait_sum_ns(&t))
        .unwrap_or(0)
}

/// The real user and group ids of process `pid` (`Uid:`/`Gid:` of
/// `/proc/PID/status`), if it exists.
pub fn process_ids(pid: u32) -> Option<(u32, u32)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let first = |key: &str| -> Option<u32> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    Some((first("Uid:")?, first("Gid:")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_count_from_the_last_parenthesis() {
        let text = "29014 (CPU 0/TCG) S 1 28985 28985 0 -1 4194624 12 0 0 0 \
                    7 6 0 0 20 0 6 0 954114 1224531968 11127 18446744073709551615 1 1 0 0 0 \
                    0 0 4096 17991 0 0 0 -1 1 0 0 0 0 0\n";
        let s = ProcStat::parse(text).unwrap();
        assert_eq!(
            s,
            ProcStat {
                state: 'S',
                utime: 7,
                stime: 6,
                rss_pages: 11127,
                processor: 1
            }
        );
        assert_eq!(s.cpu_ns(), ticks_to_ns(13));
        assert_eq!(ticks_to_ns(13), 130_000_000);
        let odd = text.replace("(CPU 0/TCG)", "(a) b (c))");
        assert_eq!(ProcStat::parse(&odd), Some(s));
        assert_eq!(ProcStat::parse("1 (x) S 1 2 3"), None);
    }

    #[test]
    fn this_process_has_a_stat() {
        let s = ProcStat::of_process(std::process::id()).unwrap();
        assert!(s.rss_kib() > 0);
        assert!(s.processor >= 0);
    }

    #[test]
    fn schedstat_and_wait_sum() {
        assert_eq!(
            SchedStat::parse("55399932 106179945 97\n"),
            Some(SchedStat {
                run_ns: 55_399_932,
                delay_ns: 106_179_945
            })
        );
        assert_eq!(SchedStat::parse("1"), None);
        let sched = "CPU 0/TCG (29014, #threads: 6)\n\
                     ---------------------------------\n\
                     se.exec_start                                :       9641709.939071\n\
                     se.statistics.wait_sum                       :            12.500000\n";
        assert_eq!(wait_sum_ns(sched), 12_500_000);
        assert_eq!(wait_sum_ns("wait_sum : 3.1\n"), 3_100_000);
        assert_eq!(wait_sum_ns("se.exec_start : 1.0\n"), 0);
    }
}
