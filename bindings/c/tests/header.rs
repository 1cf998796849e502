//! Keeps `include/rvirt.h` in sync with the exported functions.
//!
//! * Always: every `#[unsafe(no_mangle)]` function in `src/` is declared in the header, and
//!   every function the header declares is exported.
//! * When `cbindgen` of the pinned version is on PATH: the header is regenerated and must be
//!   identical (`RVIRT_BLESS_HEADER=1` rewrites it instead). A missing or other cbindgen
//!   skips this part with a message, unless `RVIRT_REQUIRE_CBINDGEN=1` makes it a failure.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use rvirt_testkit::{TempDir, run, text};

/// The cbindgen release the checked-in header was generated with.
const CBINDGEN_VERSION: &str = "cbindgen 0.29.4";

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn exported_in_sources() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(crate_dir().join("src")).expect("src dir") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read source");
        let mut exported = false;
        for line in text.lines() {
            let line = line.trim();
            if line == "#[unsafe(no_mangle)]" {
                exported = true;
            } else if exported && line.contains("extern \"C\" fn ") {
                let after = line.split("fn ").nth(1).expect("fn name");
                names.insert(after.split('(').next().expect("name").to_string());
                exported = false;
            }
        }
    }
    names
}

fn declared_in_header(header: &str) -> BTreeSet<String> {
    header
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with("typedef") && !l.starts_with('#'))
        .filter_map(|l| {
            let before = l.split('(').next()?;
            let name = before.rsplit([' ', '*']).next()?;
            (l.contains('(') && name.starts_with("rvir")).then(|| name.to_string())
        })
        .collect()
}

#[test]
fn header_declares_exactly_the_exported_functions() {
    let header = std::fs::read_to_string(crate_dir().join("include/rvirt.h")).expect("rvirt.h");
    let exported = exported_in_sources();
    let declared = declared_in_header(&header);
    assert!(exported.len() > 30, "found only {exported:?}");
    assert_eq!(
        exported, declared,
        "include/rvirt.h is stale: regenerate it (see cbindgen.toml)"
    );
}

fn cbindgen_version() -> Option<String> {
    let out = Command::new("cbindgen").arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn header_is_what_cbindgen_generates() {
    let required = std::env::var("RVIRT_REQUIRE_CBINDGEN").is_ok_and(|v| v == "1")
        || std::env::var_os("CI").is_some();
    match cbindgen_version() {
        Some(v) if v == CBINDGEN_VERSION => {}
        other => {
            assert!(
                !required,
                "cbindgen is required (CI or RVIRT_REQUIRE_CBINDGEN=1) but found {other:?}; install it with \
                 `cargo install --locked cbindgen --version {}`",
                CBINDGEN_VERSION.trim_start_matches("cbindgen ")
            );
            println!(
                "SKIPPED: header regeneration check needs {CBINDGEN_VERSION} on PATH (found {other:?})"
            );
            return;
        }
    }
    let dir = crate_dir();
    let repo = dir.join("../..");
    let tmp = TempDir::new("rvirt-header");
    let fresh = tmp.join("rvirt.h");
    let mut cbindgen = Command::new("cbindgen");
    cbindgen
        .current_dir(&repo)
        .args(["--quiet", "--config"])
        .arg(dir.join("cbindgen.toml"))
        .args(["--crate", "rvirt-ffi", "--output"])
        .arg(&fresh)
        .arg(&dir);
    let out = run(cbindgen, 300);
    assert!(out.status.success(), "cbindgen failed: {}", text(&out).1);
    let generated = std::fs::read_to_string(&fresh).expect("generated header");
    let checked_in_path = dir.join("include/rvirt.h");
    let checked_in = std::fs::read_to_string(&checked_in_path).expect("rvirt.h");
    if generated != checked_in && std::env::var("RVIRT_BLESS_HEADER").is_ok_and(|v| v == "1") {
        std::fs::write(&checked_in_path, &generated).expect("write rvirt.h");
        return;
    }
    assert!(
        generated == checked_in,
        "{} is stale: rerun with RVIRT_BLESS_HEADER=1 (or run cbindgen per cbindgen.toml)",
        Path::new("bindings/c/include/rvirt.h").display()
    );
}
