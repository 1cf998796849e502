//! `examples/c/close_callback.c` against a real rvirtd: librvirt's remote driver reaches the
//! daemon, and after `kill -9` of the daemon the C close callback runs once with
//! `RVIR_CONNECT_CLOSE_REASON_EOF`, `rvirConnectIsAlive` is 0 and the opaque data's free
//! callback runs. The daemon and the C program are killed by pid, within bounded seconds.
//!
//! Needs gcc; without it the test is skipped with a message (a failure when `CI` is set).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rvirt_testkit::{Daemon, TempDir, run};

/// Kills the C program by pid (and reaps it) however the test ends.
struct Program(Child);

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn compile(out: &Path) -> bool {
    if Command::new("gcc").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but gcc is missing"
        );
        println!("SKIPPED: the C close-callback test needs gcc");
        return false;
    }
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let exe = std::env::current_exe().unwrap();
    let libdir = exe.parent().unwrap();
    assert!(
        libdir.join("librvirt_ffi.so").exists(),
        "no librvirt_ffi.so in {}",
        libdir.display()
    );
    let mut gcc = Command::new("gcc");
    gcc.args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-g", "-o"])
        .arg(out)
        .arg(crate_dir.join("../../examples/c/close_callback.c"))
        .arg("-I")
        .arg(crate_dir.join("include"))
        .arg(format!("-L{}", libdir.display()))
        .arg(format!("-Wl,-rpath,{}", libdir.display()))
        .arg("-l:librvirt_ffi.so");
    let o = run(gcc, 120);
    assert!(
        o.status.success(),
        "gcc: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    true
}

fn next_line(lines: &mpsc::Receiver<String>, within: Duration) -> String {
    lines
        .recv_timeout(within)
        .unwrap_or_else(|e| panic!("no line from the C program within {within:?}: {e}"))
}

#[test]
fn c_close_callback_reports_a_killed_daemon() {
    let dir = TempDir::new("c-close");
    let bin = dir.0.join("close_callback");
    if !compile(&bin) {
        return;
    }
    let daemon = Daemon::start("c-close-d");
    let child = Command::new(&bin)
        .arg(daemon.uri())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut program = Program(child);
    let stdout = program.0.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });

    assert_eq!(next_line(&lines, Duration::from_secs(10)), "ready: alive 1");
    // SAFETY: kill(2) on the pid of the daemon this test started and has not reaped.
    assert_eq!(unsafe { libc::kill(daemon.pid(), libc::SIGKILL) }, 0);
    let killed = Instant::now();
    assert_eq!(
        next_line(&lines, Duration::from_secs(2)),
        "closed: reason 1 (eof), alive 0"
    );
    assert!(
        killed.elapsed() < Duration::from_secs(1),
        "{:?}",
        killed.elapsed()
    );
    assert_eq!(next_line(&lines, Duration::from_secs(2)), "freed");

    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(st) = program.0.try_wait().unwrap() {
            break st;
        }
        assert!(Instant::now() < deadline, "the C program did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "the C program failed: {status}");
    drop(daemon);
}
