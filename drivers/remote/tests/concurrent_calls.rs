//! Several threads have calls in flight on one remote connection at once (replies
//! matched by serial): twenty threads sharing one `Connect` to rvirtd's
//! `qemu:///system` each start a real QEMU guest (TCG, halting); every start succeeds
//! once and the whole takes no longer than twenty starts in a row.

use std::time::{Duration, Instant};

use rvirt_core::Connect;
use rvirt_testkit::{Daemon, HALT, QemuReaper, TempDir, have_qemu, write_guest};

const GUESTS: usize = 20;

/// Starts every guest of `names` on `conn`, one thread each (or one after another), and
/// returns how long the starts took; the guests are destroyed again.
fn start_all(conn: &Connect, names: &[String], threads: bool) -> Duration {
    let t = Instant::now();
    if threads {
        std::thread::scope(|s| {
            for name in names {
                s.spawn(move || conn.lookup_domain_by_name(name).unwrap().create().unwrap());
            }
        });
    } else {
        for name in names {
            conn.lookup_domain_by_name(name).unwrap().create().unwrap();
        }
    }
    let took = t.elapsed();
    for name in names {
        conn.lookup_domain_by_name(name).unwrap().destroy().unwrap();
    }
    took
}

#[test]
fn threads_sharing_one_connection_have_calls_in_flight_together() {
    if !have_qemu() {
        return;
    }
    let root = TempDir::new("remote-conc");
    let _reaper = QemuReaper(root.0.clone());
    let guests = root.0.join("guests");
    std::fs::create_dir_all(&guests).unwrap();
    let d = Daemon::start_with(
        "remote-conc",
        &["--qemu-root", root.0.join("qemu").to_str().unwrap()],
    );
    rvirt_driver_remote::register().unwrap();
    let conn = Connect::open(&d.qemu_uri()).unwrap();
    let names: Vec<String> = (0..GUESTS).map(|i| format!("rc{i}")).collect();
    for name in &names {
        let xml = std::fs::read_to_string(write_guest(&guests, name, HALT)).unwrap();
        conn.define_xml(&xml).unwrap();
    }
    // Every call in flight from twenty threads gets its own reply (each guest started
    // once, none twice, none failed: `start_all` unwraps every create), and sharing the
    // connection is no slower than calling one at a time. How much faster depends on
    // the host (starts are mostly CPU work; on two cores the daemon-side gain is small:
    // see the python3-libvirt test in tests/tests/shared_connection.rs for the
    // comparison with twenty connections).
    let serial = start_all(&conn, &names, false);
    let shared = start_all(&conn, &names, true);
    eprintln!(
        "{GUESTS} starts: {shared:?} from {GUESTS} threads on one connection, {serial:?} in a row"
    );
    assert!(
        shared.as_secs_f64() < serial.as_secs_f64() * 1.25,
        "{shared:?} from threads, {serial:?} in a row"
    );
    for name in &names {
        conn.lookup_domain_by_name(name)
            .unwrap()
            .undefine()
            .unwrap();
    }
    conn.close().unwrap();
}
