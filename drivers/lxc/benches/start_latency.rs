//! Container start-to-init latency: how long `virDomainCreate` takes on `lxc:///embed`
//! until the controller has exec'd the container's init (the INIT event), median over
//! N runs, next to baselines measured in the same run:
//!
//! * `unshare --pid --fork --mount --uts --ipc /bin/true`, spawn to exit;
//! * plain spawn of `/bin/true`, spawn to exit.
//!
//! `cargo bench -p rvirt-driver-lxc --bench start_latency` (N from `RVL_BENCH_RUNS`,
//! default 30). Needs root (namespaces); prints a skip message otherwise.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, DomainEvent, DomainEventId, Lifecycle};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn run_cmd(args: &[&str]) -> Duration {
    let t = Instant::now();
    let ok = Command::new(args[0])
        .args(&args[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "{args:?} failed");
    t.elapsed()
}

fn main() {
    let runs: usize = std::env::var("RVL_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30)
        .max(1);
    let unshare = [
        "unshare",
        "--pid",
        "--fork",
        "--mount",
        "--uts",
        "--ipc",
        "/bin/true",
    ];
    if !Command::new(unshare[0])
        .args(&unshare[1..])
        .status()
        .is_ok_and(|s| s.success())
    {
        println!("start_latency: SKIPPED, namespaces unavailable (`unshare` failed)");
        return;
    }
    rvirt_driver_lxc::register().unwrap();
    rvirt_driver_lxc::set_controller_path(env!("CARGO_BIN_EXE_rvirt-lxc-controller"));
    let root = std::path::PathBuf::from(format!("/tmp/rvl-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let l = DefaultLoop::new().unwrap();
    let conn =
        Connect::open_with_loop(&format!("lxc:///embed?root={}", root.display()), l.shared())
            .unwrap();
    let stopped = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = stopped.clone();
    conn.domain_event_register_any(None, DomainEventId::Lifecycle, move |_, ev| {
        if let DomainEvent::Lifecycle(Lifecycle::Stopped(_)) = ev {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    })
    .unwrap();
    let mut dom = conn
        .define_xml(
            "<domain type='lxc'><name>bench</name><memory unit='MiB'>64</memory>\
             <os><type>exe</type><init>/bin/true</init></os></domain>",
        )
        .unwrap();

    let mut ours = Vec::with_capacity(runs);
    let mut base_unshare = Vec::with_capacity(runs);
    let mut base_spawn = Vec::with_capacity(runs);
    for i in 0..runs {
        // Interleaved, so drifting machine load hits all three alike.
        base_unshare.push(run_cmd(&unshare));
        base_spawn.push(run_cmd(&["/bin/true"]));
        let t = Instant::now();
        dom.create().unwrap();
        ours.push(t.elapsed());
        let deadline = Instant::now() + Duration::from_secs(10);
        while stopped.load(std::sync::atomic::Ordering::SeqCst) <= i {
            assert!(Instant::now() < deadline, "container did not stop");
            l.run_once_timeout(Duration::from_millis(5)).unwrap();
        }
    }
    let _ = dom.undefine();
    let _ = conn.close();
    let _ = std::fs::remove_dir_all(&root);

    let (m, u, s) = (median(ours), median(base_unshare), median(base_spawn));
    println!("start_latency over {runs} runs (medians):");
    println!("  lxc create -> init exec'd (INIT event): {:8.3} ms", ms(m));
    println!(
        "  baseline unshare --pid --fork --mount --uts --ipc /bin/true: {:8.3} ms",
        ms(u)
    );
    println!("  baseline spawn /bin/true:               {:8.3} ms", ms(s));
    println!(
        "  ratio lxc / unshare baseline: {:.2}x",
        m.as_secs_f64() / u.as_secs_f64()
    );
}
