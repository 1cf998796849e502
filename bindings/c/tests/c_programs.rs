//! Compiles and runs the C examples (`examples/c/`) against the librvirt this `cargo test`
//! just built, checks their output and runs them under valgrind: `run-examples.sh`.
//!
//! Needs gcc, pkg-config, GLib headers and valgrind. Locally a missing tool skips the test
//! with a message; in CI (`CI` set) it is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use rvirt_testkit::run;

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn glib_dev() -> bool {
    Command::new("pkg-config")
        .args(["--exists", "glib-2.0"])
        .status()
        .is_ok_and(|s| s.success())
}

/// The directory holding the librvirt_ffi.so/.a that cargo built for this test run.
fn built_library_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent().expect("deps directory").to_path_buf()
}

#[test]
fn c_examples_build_run_and_pass_valgrind() {
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    let missing: Vec<&str> = [
        ("gcc", have("gcc")),
        ("pkg-config", have("pkg-config")),
        ("valgrind", have("valgrind")),
        ("libglib2.0-dev", have("pkg-config") && glib_dev()),
    ]
    .into_iter()
    .filter(|(_, ok)| !ok)
    .map(|(name, _)| name)
    .collect();
    if !missing.is_empty() {
        assert!(!in_ci, "CI is set but these are missing: {missing:?}");
        println!(
            "SKIPPED: C example test needs {missing:?} (apt-get install gcc pkg-config valgrind libglib2.0-dev)"
        );
        return;
    }
    let libdir = built_library_dir();
    assert!(
        libdir.join("librvirt_ffi.so").exists() && libdir.join("librvirt_ffi.a").exists(),
        "cargo did not build librvirt_ffi.so/.a into {}",
        libdir.display()
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("run-examples.sh");
    let mut examples = Command::new("bash");
    examples.arg(&script).env("RVIRT_FFI_LIBDIR", &libdir);
    // gcc, seven programs and valgrind on five: minutes at worst on a loaded machine.
    let out = run(examples, 600);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        out.status.success(),
        "run-examples.sh failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("run-examples: 11 passed, 0 failed"),
        "unexpected summary:\n{stdout}"
    );
}
