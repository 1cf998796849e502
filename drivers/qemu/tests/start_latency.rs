//! Start latency of a confined `qemu:///system` guest with and without its private
//! mount namespace (issue 23: confinement may cost at most 1.2× the start). Ignored by
//! default (timing, root); run alone:
//!
//! ```sh
//! cargo test -p rvirt-driver-qemu --test start_latency -- --ignored --nocapture
//! ```
//!
//! Starts alternate between the two settings (20 each); a start is `create_xml` up to
//! the running guest (spawn, DAC, namespace, QMP handshake, `cont`). Prints the medians.

mod support;

use std::time::{Duration, Instant};

use rvirt_core::Connect;
use rvirt_core::event::DefaultLoop;
use rvirt_driver_qemu::security::{SecurityConfig, set_security_config};
use rvirt_testkit::{LOOP, TempDir, boot_disk, domain_xml};
use support::{Env, record_lifecycle};

const STARTS: usize = 20;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[test]
#[ignore = "timing; needs root: run alone with --ignored --nocapture"]
fn private_dev_costs_at_most_a_fifth_of_a_start() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: qemu:///system confinement needs root");
        return;
    }
    let root = support::root_for("latency");
    rvirt_driver_qemu::driver::set_system_root(&root);
    rvirt_driver_qemu::register().unwrap();
    let l = DefaultLoop::new().unwrap();
    let conn = Connect::open_with_loop("qemu:///system", l.shared()).unwrap();
    let events = record_lifecycle(&conn);
    let env = Env {
        root,
        l,
        conn: Some(conn),
        events,
    };
    let images = TempDir::new("latency-images");
    let disk = boot_disk(&images.join("boot.img"), LOOP);
    let xml = domain_xml("latency", &disk);
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for i in 0..2 * STARTS {
        let namespaced = i % 2 == 0;
        set_security_config(SecurityConfig {
            mount_namespace: namespaced,
            ..SecurityConfig::default()
        });
        let t = Instant::now();
        let dom = env.conn().create_xml(&xml, 0).unwrap();
        let took = t.elapsed();
        let pid = env.pid("latency");
        dom.destroy().unwrap();
        env.run_until_gone(pid);
        if namespaced { &mut with } else { &mut without }.push(took);
    }
    let (w, wo) = (median(with), median(without));
    let ratio = w.as_secs_f64() / wo.as_secs_f64();
    println!(
        "start latency, median of {STARTS}: private /dev {w:?}, host /dev {wo:?}, ratio {ratio:.3}"
    );
    assert!(ratio <= 1.2, "private /dev start {w:?} vs {wo:?}");
}
