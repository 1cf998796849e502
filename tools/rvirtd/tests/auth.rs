//! The polkit-style gate on the unix sockets (`--auth-unix-rw polkit`): nothing but
//! AUTH_LIST and AUTH_POLKIT before authentication, uids on `--auth-allow-uid` pass
//! AUTH_POLKIT, root is waved through at AUTH_LIST, everybody else is refused as
//! libvirtd refuses when polkit says no. Clients: a raw wire client (as root), a small
//! python socket client and Debian's virsh run as other uids with `setpriv`.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use common::{Daemon, Raw, error_of, have_virsh, run, text, virsh_ok};
use rvirt_rpc::types::{
    AuthListRet, ConnectOpenArgs, ConnectSupportsFeatureArgs, DomainArgs, auth_type,
};
use rvirt_rpc::{Header, Message, MessageStatus, RemoteError, RemoteNonnullDomain, procs};

/// An unprivileged uid on the allow-list (Debian's `nobody`).
const ALLOWED: u32 = 65534;
/// An unprivileged uid that is not (Debian's `daemon`).
const DENIED: u32 = 1;

fn assert_auth_required(e: &RemoteError) {
    assert_eq!((e.code, e.domain, e.level), (39, 7, 2), "{e:?}");
    assert_eq!(e.message.as_deref(), Some("authentication required"));
}

/// libvirtd's words when polkit denies: VIR_ERR_AUTH_FAILED in VIR_FROM_POLKIT.
fn assert_denied_by_policy(e: &RemoteError) {
    assert_eq!((e.code, e.domain, e.level), (45, 60, 2), "{e:?}");
    assert_eq!(
        e.message.as_deref(),
        Some("authentication failed: access denied by policy")
    );
    assert_eq!(e.str1.as_deref(), Some("authentication failed: %s"));
    assert_eq!(e.str2.as_deref(), Some("access denied by policy"));
}

fn test_dom() -> DomainArgs {
    DomainArgs {
        dom: RemoteNonnullDomain {
            name: "test".into(),
            uuid: *uuid::Uuid::parse_str("6695eb01-f6a4-8304-79aa-97f2502e193f")
                .unwrap()
                .as_bytes(),
            id: 1,
        },
    }
}

#[test]
fn unauthenticated_clients_reach_no_procedure() {
    let d = Daemon::start_with(
        "auth-raw",
        &[
            "--auth-unix-rw",
            "polkit",
            "--auth-allow-uid",
            &ALLOWED.to_string(),
        ],
    );
    let mut raw = Raw::connect(&d.rw_socket());
    let open = ConnectOpenArgs {
        name: Some("test:///default".into()),
        flags: 0,
    };
    assert_auth_required(&error_of(&raw.call(procs::CONNECT_OPEN, &open)));
    assert_auth_required(&error_of(&raw.call(procs::DOMAIN_DESTROY, &test_dom())));
    let keepalive = ConnectSupportsFeatureArgs { feature: 10 };
    assert_auth_required(&error_of(
        &raw.call(procs::CONNECT_SUPPORTS_FEATURE, &keepalive),
    ));
    // As in libvirtd, an unknown procedure is unknown before it is unauthorised.
    let e = error_of(&raw.call(9999, &()));
    assert_eq!(e.message.as_deref(), Some("unknown procedure: 9999"));
    // Root is not on the allow-list, so AUTH_POLKIT (without AUTH_LIST's root bypass)
    // is denied, byte for byte as libvirtd denies.
    assert_denied_by_policy(&error_of(&raw.call(procs::AUTH_POLKIT, &())));
    assert_auth_required(&error_of(&raw.call(procs::DOMAIN_DESTROY, &test_dom())));

    // AUTH_LIST authenticates root at once and answers [NONE], as libvirtd does.
    let m = raw.call(procs::AUTH_LIST, &());
    let list: AuthListRet = m.decode_payload().unwrap();
    assert_eq!(list.types, vec![auth_type::NONE]);
    let m = raw.call(procs::CONNECT_OPEN, &open);
    assert_eq!(m.header.status, MessageStatus::OK, "{m:?}");
    let m = raw.call(procs::DOMAIN_DESTROY, &test_dom());
    assert_eq!(m.header.status, MessageStatus::OK, "{m:?}");
    // The read-only socket kept its default: no authentication.
    let mut ro = Raw::connect(&d.ro_socket());
    let list: AuthListRet = ro.call(procs::AUTH_LIST, &()).decode_payload().unwrap();
    assert_eq!(list.types, vec![auth_type::NONE]);
    ro.open();
    let log = d.log();
    assert!(
        log.contains("policy denied action org.libvirt.unix.manage"),
        "{log}"
    );
    assert!(
        log.contains("polkit bypassed for privileged client"),
        "{log}"
    );
}

/// Runs `program args…` as `uid` (and its group), with HOME in `home`.
fn as_uid(uid: u32, home: &Path, program: &str, args: &[&str]) -> Output {
    let mut c = Command::new("setpriv");
    c.arg(format!("--reuid={uid}"))
        .arg(format!("--regid={uid}"))
        .arg("--clear-groups")
        .arg("env")
        .arg(format!("HOME={}", home.display()))
        .arg(program)
        .args(args);
    run(c, 60)
}

/// A minimal wire client in python (no libvirt module): sends each `PROC:HEXARGS`
/// call in turn and prints `PROC STATUS HEXPAYLOAD` per reply.
const PY_CLIENT: &str = r#"
import socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
def recv(n):
    b = b''
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            sys.exit('EOF')
        b += c
    return b
for serial, arg in enumerate(sys.argv[2:]):
    proc, _, payload = arg.partition(':')
    body = bytes.fromhex(payload)
    s.sendall(struct.pack('>IIIiiIi', 28 + len(body), 0x20008086, 1, int(proc), 0, serial, 0) + body)
    (n,) = struct.unpack('>I', recv(4))
    _, _, p, _, _, status = struct.unpack('>IIiiIi', recv(24))
    print(p, status, recv(n - 28).hex())
"#;

/// The replies of the python client run as `uid`: (proc, status, payload).
fn py_calls(uid: u32, home: &Path, sock: &Path, calls: &[&str]) -> Vec<(i32, i32, Vec<u8>)> {
    let mut args = vec!["-c", PY_CLIENT, sock.to_str().unwrap()];
    args.extend_from_slice(calls);
    let o = as_uid(uid, home, "/usr/bin/python3", &args);
    let (out, err) = text(&o);
    assert!(o.status.success(), "python client failed: {out}\n{err}");
    out.lines()
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            let hex = f[2];
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            (f[0].parse().unwrap(), f[1].parse().unwrap(), bytes)
        })
        .collect()
}

fn reply_error(payload: &[u8]) -> RemoteError {
    Message {
        header: Header::call(0, 0, 0, 0),
        payload: payload.to_vec(),
    }
    .decode_payload()
    .unwrap()
}

/// True when this process can run clients as other uids (root, setpriv, python3).
fn can_switch_uid() -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let tools = Path::new("/usr/bin/setpriv").exists() && Path::new("/usr/bin/python3").exists();
    if root && tools {
        return true;
    }
    let why = "running clients as other uids needs root, setpriv and /usr/bin/python3";
    if std::env::var_os("CI").is_some() {
        panic!("{why}");
    }
    println!("SKIPPED: {why}");
    false
}

#[test]
fn polkit_decides_by_peer_uid() {
    if !have_virsh() || !can_switch_uid() {
        return;
    }
    let d = Daemon::start_with(
        "auth-uid",
        &[
            "--auth-unix-rw",
            "polkit",
            "--rw-perms",
            "0666",
            "--auth-allow-uid",
            &ALLOWED.to_string(),
        ],
    );
    let home = d.dir.0.join("home");
    std::fs::create_dir(&home).unwrap();
    // The unprivileged clients' HOME.
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o777)).unwrap();
    let sock = d.rw_socket();
    let open = "1:000000010000000f746573743a2f2f2f64656661756c740000000000";

    // An allowed uid: AUTH_LIST says POLKIT, nothing works until AUTH_POLKIT passes.
    let r = py_calls(ALLOWED, &home, &sock, &["66", open, "70", open]);
    assert_eq!((r[0].0, r[0].1), (66, 0));
    assert_eq!(r[0].2, [0, 0, 0, 1, 0, 0, 0, 2], "AUTH_LIST = [POLKIT]");
    assert_eq!((r[1].0, r[1].1), (1, 1));
    assert_auth_required(&reply_error(&r[1].2));
    assert_eq!(
        (r[2].0, r[2].1, r[2].2.as_slice()),
        (70, 0, &[0, 0, 0, 1][..])
    );
    assert_eq!((r[3].0, r[3].1), (1, 0), "CONNECT_OPEN after AUTH_POLKIT");

    // Another uid is denied as libvirtd denies.
    let r = py_calls(DENIED, &home, &sock, &["66", "70", open]);
    assert_eq!(r[0].2, [0, 0, 0, 1, 0, 0, 0, 2]);
    assert_eq!((r[1].0, r[1].1), (70, 1));
    assert_denied_by_policy(&reply_error(&r[1].2));
    assert_auth_required(&reply_error(&r[2].2));

    // Debian's virsh: the allowed uid reads and writes through AUTH_POLKIT...
    let uri = format!("test+unix:///default?socket={}", sock.display());
    let virsh_as = |uid: u32, args: &[&str]| {
        let mut a = vec!["-c", uri.as_str()];
        a.extend_from_slice(args);
        as_uid(uid, &home, "/usr/bin/virsh", &a)
    };
    let o = virsh_as(ALLOWED, &["list", "--all"]);
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(
        text(&o).0.contains(" 1    test   running"),
        "{:?}",
        text(&o)
    );
    let o = virsh_as(ALLOWED, &["suspend", "test"]);
    assert!(o.status.success(), "{:?}", text(&o));
    // ...root passes without it...
    let out = virsh_ok(&uri, &["domstate", "test"]);
    assert_eq!(out.trim(), "paused");
    virsh_ok(&uri, &["resume", "test"]);
    // ...and the other uid gets libvirt's polkit error (virsh tries five times).
    let o = virsh_as(DENIED, &["list", "--all"]);
    let (out, err) = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(
        err.contains("error: authentication failed: access denied by policy"),
        "{err}"
    );
    let log = d.log();
    assert!(
        log.contains("policy allowed action org.libvirt.unix.manage to pid"),
        "{log}"
    );
    assert!(
        log.contains(&format!("uid {DENIED} (allowed uids: [{ALLOWED}])")),
        "{log}"
    );
}
