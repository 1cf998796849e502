//! Scale benchmark: define, list, start, destroy and undefine N domains (default 10,000)
//! on a fresh empty test world (`test:///PATH` to an empty `<node/>`), printing ops/s per
//! phase and resident memory per defined domain.
//!
//! `cargo bench -p rvirt-driver-test --bench scale [-- N]`. Lines starting with `RESULT`
//! are machine-readable (`benches/compare_libvirt.py` parses them).

use std::time::Instant;

use rvirt_core::Connect;
use rvirt_core::api::ListFlags;

/// Resident set size in KiB, from `/proc/self/status`.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn phase(name: &str, ops: usize, f: impl FnOnce()) {
    let t = Instant::now();
    f();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{name:<10} {ops:>7} ops in {:>8.3} ms  {:>12.0} ops/s",
        secs * 1e3,
        ops as f64 / secs
    );
    println!("RESULT {name} {:.1}", ops as f64 / secs);
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    rvirt_driver_test::register().expect("register");
    let dir = std::env::temp_dir().join(format!("rvirt-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let node = dir.join("empty.xml");
    std::fs::write(&node, "<node/>\n").expect("write node file");
    let conn = Connect::open(&format!("test://{}", node.display())).expect("open");

    let xmls: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "<domain type='test'><name>bench-{i}</name><memory>8192</memory><os><type>hvm</type></os></domain>"
            )
        })
        .collect();
    println!("rvirt test driver, N = {n}");
    let rss_before = rss_kib();
    phase("define", n, || {
        for x in &xmls {
            conn.define_xml(x).expect("define");
        }
    });
    let rss_after = rss_kib();
    let mut doms = Vec::new();
    // listing is cheap: report domains listed per second over a few calls
    let reps = 5;
    phase("list", n * reps, || {
        for _ in 0..reps {
            doms = conn.list_all_domains(ListFlags::ALL).expect("list");
        }
    });
    assert_eq!(doms.len(), n);
    phase("start", n, || {
        for d in &mut doms {
            d.create().expect("start");
        }
    });
    phase("destroy", n, || {
        for d in &doms {
            d.destroy().expect("destroy");
        }
    });
    phase("undefine", n, || {
        for d in &doms {
            d.undefine().expect("undefine");
        }
    });
    let per_dom = (rss_after.saturating_sub(rss_before)) as f64 * 1024.0 / n as f64;
    println!("memory     {per_dom:.0} bytes/domain (RSS delta after define)");
    println!("RESULT mem_bytes_per_domain {per_dom:.0}");
    let _ = std::fs::remove_dir_all(&dir);
}
