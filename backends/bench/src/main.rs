//! Issue 3's cross-backend event-loop benchmark.
//!
//! One measurement per process, so that fd tables, global reactors and runtimes never carry
//! over from one backend to the next; `tools/bench/backends-compare.sh` runs every
//! measurement on every backend, runs libvirt's C default loop on the same workloads
//! (`backends/bench/libvirt_loop.c`) and prints the table.
//!
//! ```text
//! rvirt-loop-bench readiness BACKEND WATCHES EVENTS [REPS] # prints the best events/s
//! rvirt-loop-bench raw       BACKEND WATCHES EVENTS [REPS] # the same on the raw loop
//! rvirt-loop-bench jitter    BACKEND PERIOD_MS FIRINGS      # prints median_us p99_us
//! rvirt-loop-bench churn     BACKEND CYCLES                 # prints add+remove pairs/s
//! rvirt-loop-bench backends                                 # lists the BACKEND names
//! ```
//!
//! Backends: `default`, `glib`, `calloop`, `async-io`, `mio`, `tokio-ct` (current-thread
//! runtime), `tokio-mt` (multi-thread runtime), `tokio-mt-ext` (multi-thread runtime, the
//! readiness rounds driven from a thread outside it). The raw loop of `default` is
//! level-triggered epoll used directly; `raw syscalls` is no loop at all (each fd read right
//! after the pokes), the floor every loop's readiness figure stays under. `mio` and the tokio ones need the (default) features
//! `backend-mio` and `backend-tokio`, so the rest can be measured while one of those two
//! backends does not build.
//!
//! Like libvirt's harness, which makes the fds readable from its loop's own thread, the
//! readiness rounds run on the loop under test: the thread iterating it, or for tokio a
//! task on the runtime. `tokio-mt-ext` keeps them on the `block_on` thread, which is no
//! worker of a multi-thread runtime, to show what two wake-ups between that thread and a
//! worker per round cost.

mod common;
mod drivers;
mod raw;

use std::process::ExitCode;
use std::time::Duration;

/// Timed repetitions of the readiness workload; the best one is reported.
const DEFAULT_REPS: usize = 3;

fn usage() -> ExitCode {
    eprintln!(
        "usage: rvirt-loop-bench readiness|raw BACKEND WATCHES EVENTS [REPS]\n\
         \x20      rvirt-loop-bench jitter BACKEND PERIOD_MS FIRINGS\n\
         \x20      rvirt-loop-bench churn BACKEND CYCLES\n\
         \x20      rvirt-loop-bench backends\n\
         BACKEND: {}",
        drivers::backends().join(" | ")
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let num = |s: &str| s.parse::<usize>().ok().filter(|&n| n > 0);
    match args.as_slice() {
        ["backends"] => {
            for b in drivers::backends() {
                println!("{b}");
            }
        }
        ["readiness", backend, watches, events, rest @ ..] if rest.len() <= 1 => {
            let (Some(watches), Some(events)) = (num(watches), num(events)) else {
                return usage();
            };
            let Some(reps) = rest.first().map_or(Some(DEFAULT_REPS), |r| num(r)) else {
                return usage();
            };
            let Some(rate) = drivers::readiness_on(backend, watches, events, reps) else {
                return usage();
            };
            println!("{rate:.0}");
        }
        ["raw", backend, watches, events, rest @ ..] if rest.len() <= 1 => {
            let (Some(watches), Some(events)) = (num(watches), num(events)) else {
                return usage();
            };
            let Some(reps) = rest.first().map_or(Some(DEFAULT_REPS), |r| num(r)) else {
                return usage();
            };
            let Some(rate) = raw::readiness(backend, watches, events, reps) else {
                return usage();
            };
            println!("{rate:.0}");
        }
        ["jitter", backend, period_ms, firings] => {
            let (Some(ms), Some(firings)) = (num(period_ms), num(firings)) else {
                return usage();
            };
            let period = Duration::from_millis(ms as u64);
            let Some((median, p99)) = drivers::timer_jitter_on(backend, period, firings) else {
                return usage();
            };
            println!("{median:.1} {p99:.1}");
        }
        ["churn", backend, cycles] => {
            let Some(cycles) = num(cycles) else {
                return usage();
            };
            let Some(rate) = drivers::churn_on(backend, cycles) else {
                return usage();
            };
            println!("{rate:.0}");
        }
        _ => return usage(),
    }
    ExitCode::SUCCESS
}
