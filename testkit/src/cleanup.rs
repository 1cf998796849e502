//! The clean-up of an embedded driver (`qemu:///embed`, `lxc:///embed`) when its test
//! ends, however it ends: the connection closed with whatever still runs destroyed,
//! and the processes a failed test left behind found through the root's pid files.

use std::path::Path;

use rvirt_core::Connect;

/// Destroys every running domain of `conn` (running domains outlive a closed
/// connection), then closes it; errors are ignored, this is a clean-up.
pub fn close_destroying(conn: Connect) {
    if let Ok(doms) = conn.list_all_domains(Default::default()) {
        for d in doms.iter().filter(|d| d.id().is_some()) {
            let _ = d.destroy();
        }
    }
    let _ = conn.close();
}

/// The pids in the `*.pid` files of a driver's run directory (e.g. `ROOT/run/qemu`),
/// except `driver.pid`, which names the process owning the root: the test itself.
pub fn pid_files(run_dir: &Path) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir(run_dir) else {
        return Vec::new();
    };
    dir.flatten()
        .map(|f| f.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pid") && !p.ends_with("driver.pid"))
        .filter_map(|p| std::fs::read_to_string(p).ok()?.trim().parse().ok())
        .collect()
}
