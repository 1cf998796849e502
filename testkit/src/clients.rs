//! Debian's libvirt clients (virsh, virt-admin, python3-libvirt), bounded, with the
//! skip rule for a missing one (skip only outside CI).

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::thread::JoinHandle;

use crate::process::{Background, run, text};

/// `virsh -c URI ARGS…` in the background (e.g. `event --loop`, a long-lived client).
pub fn virsh_background(uri: &str, args: &[&str]) -> Background {
    Background::spawn(virsh_command(uri, args))
}

/// `virsh -c URI ARGS…` run to its end on a thread of its own, bounded to `secs` from
/// now (a client that exits by itself, e.g. `event --loop --timeout N`); join the
/// handle for its output.
pub fn virsh_thread(uri: &str, args: &[&str], secs: u64) -> JoinHandle<Output> {
    let c = virsh_command(uri, args);
    std::thread::spawn(move || run(c, secs))
}

fn virsh_command(uri: &str, args: &[&str]) -> Command {
    let mut c = Command::new(VIRSH);
    c.arg("-c").arg(uri).args(args);
    c
}

const VIRSH: &str = "/usr/bin/virsh";
const VIRT_ADMIN: &str = "/usr/bin/virt-admin";
const PYTHON: &str = "/usr/bin/python3";

pub(crate) fn missing(what: &str) -> bool {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is required in CI (install it with tools/setup.sh)");
    }
    println!("SKIPPED: {what} is not installed (and CI is unset)");
    false
}

/// True if virsh can be used; prints a skip message (or fails in CI) otherwise.
pub fn have_virsh() -> bool {
    Path::new(VIRSH).exists() || missing("virsh (Debian package libvirt-clients)")
}

/// True if virt-admin can be used; skip/fail like [`have_virsh`].
pub fn have_virt_admin() -> bool {
    Path::new(VIRT_ADMIN).exists() || missing("virt-admin (Debian package libvirt-clients)")
}

/// `virt-admin -c URI ARGS…`, bounded to 20 s.
pub fn virt_admin(uri: &str, args: &[&str]) -> Output {
    let mut c = Command::new(VIRT_ADMIN);
    c.arg("-c").arg(uri).args(args);
    run(c, 20)
}

/// `virt-admin` with the same arguments, asserting success; returns stdout.
pub fn virt_admin_ok(uri: &str, args: &[&str]) -> String {
    let o = virt_admin(uri, args);
    let (out, err) = text(&o);
    assert!(
        o.status.success(),
        "virt-admin {args:?} failed: {out}\n{err}"
    );
    out
}

/// The value of `name : value` in virt-admin's key/value output.
pub fn admin_field<'a>(out: &'a str, name: &str) -> Option<&'a str> {
    out.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == name).then_some(v.trim())
    })
}

/// `(id, transport)` of every row of virt-admin's `client-list`.
pub fn client_rows(out: &str) -> Vec<(u64, String)> {
    out.lines()
        .skip_while(|l| !l.starts_with("---"))
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            Some((f.next()?.parse().ok()?, f.next()?.to_string()))
        })
        .collect()
}

/// True if `/usr/bin/python3 -c 'import libvirt'` works; skip/fail like [`have_virsh`].
pub fn have_python_libvirt() -> bool {
    let ok = Path::new(PYTHON).exists()
        && Command::new(PYTHON)
            .args(["-c", "import libvirt"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    ok || missing("python3-libvirt (Debian package python3-libvirt)")
}

/// `virsh -c URI ARGS…`, bounded to 20 s.
pub fn virsh(uri: &str, args: &[&str]) -> Output {
    run(virsh_command(uri, args), 20)
}

/// `virsh` with the same arguments, asserting success; returns stdout.
pub fn virsh_ok(uri: &str, args: &[&str]) -> String {
    let o = virsh(uri, args);
    let (out, err) = text(&o);
    assert!(o.status.success(), "virsh {args:?} failed: {out}\n{err}");
    out
}

/// The `return` of QMP command `execute` (no arguments) sent to `dom`'s QEMU through
/// `virsh qemu-monitor-command`; panics with the reply if it has none.
pub fn qmp_return(uri: &str, dom: &str, execute: &str) -> serde_json::Value {
    let command = format!(r#"{{"execute":"{execute}"}}"#);
    let out = virsh_ok(uri, &["qemu-monitor-command", dom, &command]);
    let mut v: serde_json::Value =
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    let ret = v["return"].take();
    assert!(!ret.is_null(), "no return in {out}");
    ret
}

/// `virsh` with the same arguments, asserting failure; returns stderr (virsh's error).
pub fn virsh_err(uri: &str, args: &[&str]) -> String {
    let o = virsh(uri, args);
    let (out, err) = text(&o);
    assert!(!o.status.success(), "virsh {args:?} succeeded: {out}");
    err
}

/// The value of the `KEY=value` line for `key` in a script's output (the scripts of
/// the console tests print one fact per line); panics naming the key and the output
/// when there is none.
///
/// ```
/// assert_eq!(rvirt_testkit::fact("a=1\nb_exit=0\n", "b_exit"), "0");
/// ```
pub fn fact<'a>(out: &'a str, key: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {key} in:\n{out}"))
}

/// Runs a python3 script (with libvirt importable), bounded to 30 s.
pub fn python(script: &str, args: &[&str]) -> Output {
    let mut c = Command::new(PYTHON);
    c.arg("-c").arg(script).args(args);
    run(c, 30)
}
