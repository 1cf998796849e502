//! The admin socket with a raw protocol client: its mode, which program each socket
//! answers, unknown procedures, and libvirtd 9.0's errors (recorded from a running
//! libvirtd 9.0) for bad flags, missing servers and clients, and bad typed parameters.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use common::{Daemon, Raw, error_of, mode, run, text};
use rvirt_rpc::admin::procs as ap;
use rvirt_rpc::admin::types::*;
use rvirt_rpc::typed_param::{TypedParam, TypedParamValue};
use rvirt_rpc::{Message, MessageStatus, RemoteError, procs};

fn ok<T: serde::de::DeserializeOwned>(m: &Message) -> T {
    assert_eq!(m.header.status, MessageStatus::OK, "{:?}", error_of(m));
    m.decode_payload().unwrap()
}

fn srv(name: &str) -> AdminNonnullServer {
    AdminNonnullServer { name: name.into() }
}

fn set_params(name: &str, params: Vec<TypedParam>) -> ServerSetParamsArgs {
    ServerSetParamsArgs {
        srv: srv(name),
        params,
        flags: 0,
    }
}

fn uint(field: &str, v: u32) -> TypedParam {
    TypedParam::new(field, TypedParamValue::UInt(v))
}

/// (code, domain, message) of an error reply.
fn triple(m: &Message) -> (i32, i32, String) {
    let e = error_of(m);
    (e.code, e.domain, e.message.unwrap_or_default())
}

#[test]
fn admin_socket_mode_and_flags() {
    let d = Daemon::start("admproto-mode");
    assert_eq!(mode(&d.admin_socket()), 0o600);
    assert!(
        d.log().contains("libvirt-admin-sock (admin, auth none)"),
        "{}",
        d.log()
    );
    drop(d);

    let d = Daemon::start_with("admproto-perms", &["--admin-perms", "0660"]);
    assert_eq!(mode(&d.admin_socket()), 0o660);
    drop(d);

    let d = Daemon::start_with("admproto-none", &["--no-admin"]);
    assert!(!d.admin_socket().exists());
    assert!(!d.log().contains("(admin,"), "{}", d.log());
    assert!(d.rw_socket().exists());
}

#[test]
fn unknown_procedures_and_programs() {
    let d = Daemon::start("admproto-unknown");
    let mut c = Raw::connect(&d.admin_socket());
    ok::<()>(&c.admin_call(ap::CONNECT_OPEN, &ConnectOpenArgs { flags: 0 }));
    // Unknown numbers, and the logging and TLS procedures rvirtd leaves out: exactly
    // the REMOTE side's answer.
    for p in [
        9999,
        0,
        ap::CONNECT_GET_LOGGING_OUTPUTS,
        ap::CONNECT_SET_LOGGING_FILTERS,
        ap::SERVER_UPDATE_TLS_FILES,
    ] {
        let e = error_of(&c.admin_call(p, &()));
        assert_eq!(e, RemoteError::unknown_procedure(p));
        assert!(e.is_unknown_procedure());
    }
    // Each socket answers only its server's program.
    let serial = c.call_raw(procs::CONNECT_OPEN, &[]);
    let m = c.read().unwrap();
    assert_eq!(m.header.serial, serial);
    assert_eq!(
        triple(&m),
        (39, 7, "Cannot find program 536903814 version 1".into())
    );
    let mut main = Raw::connect(&d.rw_socket());
    main.call_raw_in(
        rvirt_rpc::admin::ADMIN_PROGRAM,
        ap::CONNECT_LIST_SERVERS,
        &[],
    );
    assert_eq!(
        triple(&main.read().unwrap()),
        (39, 7, "Cannot find program 110102160 version 1".into())
    );
    // The admin connection is still fine.
    let v: ConnectGetLibVersionRet = ok(&c.admin_call(ap::CONNECT_GET_LIB_VERSION, &()));
    assert_eq!(v.lib_ver, 9_000_000);
}

#[test]
fn procedures_and_errors_like_libvirtd() {
    let d = Daemon::start("admproto-errors");
    let mut c = Raw::connect(&d.admin_socket());

    // Like libvirtd, admin procedures work before CONNECT_OPEN.
    let r: ConnectListServersRet = ok(&c.admin_call(
        ap::CONNECT_LIST_SERVERS,
        &ConnectListServersArgs {
            need_results: 0,
            flags: 0,
        },
    ));
    assert_eq!((r.servers.len(), r.ret), (0, 2));

    let m = c.admin_call(ap::CONNECT_OPEN, &ConnectOpenArgs { flags: 1 });
    let e = error_of(&m);
    assert_eq!(
        (e.code, e.domain, e.message.as_deref()),
        (
            8,
            62,
            Some("unsupported flags (0x1) in function adminDispatchConnectOpen")
        )
    );
    assert_eq!(
        (e.str1.as_deref(), e.str2.as_deref(), e.int1),
        (Some("adminDispatchConnectOpen"), Some("flags"), 0)
    );
    ok::<()>(&c.admin_call(ap::CONNECT_OPEN, &ConnectOpenArgs { flags: 0 }));

    let r: ConnectListServersRet = ok(&c.admin_call(
        ap::CONNECT_LIST_SERVERS,
        &ConnectListServersArgs {
            need_results: 1,
            flags: 0,
        },
    ));
    assert_eq!(r.servers, [srv("libvirtd"), srv("admin")]);

    // Missing servers and clients, in libvirtd's two wordings.
    let m = c.admin_call(
        ap::CONNECT_LOOKUP_SERVER,
        &ConnectLookupServerArgs {
            name: "x".into(),
            flags: 0,
        },
    );
    assert_eq!(
        triple(&m),
        (95, 7, "Server not found: No server named 'x'".into())
    );
    let m = c.admin_call(
        ap::SERVER_SET_CLIENT_LIMITS,
        &set_params("x", vec![uint("nclients_max", 5)]),
    );
    assert_eq!(
        triple(&m),
        (
            95,
            62,
            "Server not found: no server with matching name 'x' found".into()
        )
    );
    let ghost = ClientArgs {
        clnt: AdminNonnullClient {
            srv: srv("libvirtd"),
            id: 777,
            timestamp: 0,
            transport: 0,
        },
        flags: 0,
    };
    assert_eq!(
        triple(&c.admin_call(ap::CLIENT_GET_INFO, &ghost)),
        (
            96,
            62,
            "Client not found: no client with matching id '777' found".into()
        )
    );
    assert_eq!(
        triple(&c.admin_call(ap::CLIENT_CLOSE, &ghost)),
        (
            96,
            7,
            "Client not found: No client with matching ID '777'".into()
        )
    );

    // Typed parameters are checked as libvirt checks them.
    let set = |c: &mut Raw, params| {
        c.admin_call(
            ap::SERVER_SET_THREADPOOL_PARAMETERS,
            &set_params("libvirtd", params),
        )
    };
    assert_eq!(
        triple(&set(&mut c, vec![uint("nWorkers", 1)])),
        (
            74,
            0,
            "argument unsupported: parameter 'nWorkers' not supported".into()
        )
    );
    assert_eq!(
        triple(&set(
            &mut c,
            vec![TypedParam::new("minWorkers", TypedParamValue::Int(1))]
        )),
        (
            8,
            0,
            "invalid argument: invalid type 'int' for parameter 'minWorkers', expected 'uint'"
                .into()
        )
    );
    assert_eq!(
        triple(&set(
            &mut c,
            vec![uint("minWorkers", 1), uint("minWorkers", 2)]
        )),
        (
            8,
            0,
            "invalid argument: parameter 'minWorkers' occurs multiple times".into()
        )
    );
    assert_eq!(
        triple(&set(&mut c, vec![uint("minWorkers", 1); 33])),
        (39, 7, "Unable to decode message payload".into())
    );
    assert_eq!(
        triple(&set(
            &mut c,
            vec![uint("maxWorkers", 0), uint("minWorkers", 0)]
        ))
        .2,
        "invalid argument: maxWorkers must not be switched from zero to non-zero and vice versa"
    );
    ok::<()>(&set(&mut c, vec![]));

    // Limits and thread pool, read back.
    let r: TypedParamsRet = ok(&c.admin_call(
        ap::SERVER_GET_CLIENT_LIMITS,
        &ServerArgs {
            srv: srv("admin"),
            flags: 0,
        },
    ));
    let names: Vec<&str> = r.params.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        names,
        [
            "nclients_max",
            "nclients",
            "nclients_unauth_max",
            "nclients_unauth"
        ]
    );
    assert_eq!(r.params[1].value, TypedParamValue::UInt(1), "{r:?}");

    // This client is listed with a daemon-wide id and the connection time; closing it
    // through CLIENT_CLOSE ends the connection right away.
    let r: ServerListClientsRet = ok(&c.admin_call(
        ap::SERVER_LIST_CLIENTS,
        &ServerListClientsArgs {
            srv: srv("admin"),
            need_results: 1,
            flags: 0,
        },
    ));
    assert_eq!(r.ret, 1);
    let me = r.clients[0].clone();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - me.timestamp).abs() < 60, "{me:?}");
    assert_eq!(me.transport, 0);
    let r: ServerLookupClientRet = ok(&c.admin_call(
        ap::SERVER_LOOKUP_CLIENT,
        &ServerLookupClientArgs {
            srv: srv("admin"),
            id: me.id,
            flags: 0,
        },
    ));
    assert_eq!(r.clnt, me);
    let info: TypedParamsRet = ok(&c.admin_call(
        ap::CLIENT_GET_INFO,
        &ClientArgs {
            clnt: me.clone(),
            flags: 0,
        },
    ));
    assert_eq!(
        info.params[0],
        TypedParam::new("readonly", TypedParamValue::Boolean(false))
    );
    assert!(info.params.contains(&TypedParam::new(
        "unix_process_id",
        TypedParamValue::Int(std::process::id() as i32)
    )));

    let serial = {
        let payload = Message::with_body(
            rvirt_rpc::Header::call(0, 0, 0, 0),
            &ClientArgs { clnt: me, flags: 0 },
        )
        .unwrap()
        .payload;
        c.call_raw_in(rvirt_rpc::admin::ADMIN_PROGRAM, ap::CLIENT_CLOSE, &payload)
    };
    // Closed before (or right after) its reply: nothing else ever arrives.
    if let Ok(Some(m)) = c.try_read() {
        assert_eq!(m.header.serial, serial);
        assert!(matches!(c.try_read(), Ok(None) | Err(_)));
    }

    // CONNECT_CLOSE: the reply, then EOF.
    let mut c = Raw::connect(&d.admin_socket());
    ok::<()>(&c.admin_call(ap::CONNECT_CLOSE, &()));
    assert!(c.read().is_none());
}

/// Only peers running as the daemon's own uid are served on the admin socket, whatever
/// its mode (libvirtd disallows other uids the same way).
#[test]
fn admin_socket_serves_only_the_daemon_uid() {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if !root || !Path::new("/usr/bin/setpriv").exists() || !Path::new("/usr/bin/python3").exists() {
        let why = "running a client as another uid needs root, setpriv and python3";
        assert!(std::env::var_os("CI").is_none(), "{why}");
        println!("SKIPPED: {why}");
        return;
    }
    let d = Daemon::start_with("admproto-uid", &["--admin-perms", "0666"]);
    std::fs::set_permissions(&d.dir.0, std::fs::Permissions::from_mode(0o755)).unwrap();
    // As nobody: connect, send CONNECT_OPEN, report whether anything comes back (the
    // connection is closed: EOF, or a reset since the call was never read).
    let script = r#"
import socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
try:
    s.sendall(struct.pack('>IIIiiIiI', 32, 0x06900690, 1, 1, 0, 0, 0, 0))
    print('CLOSED' if s.recv(4096) == b'' else 'REPLY')
except (ConnectionResetError, BrokenPipeError):
    print('CLOSED')
"#;
    let mut cmd = Command::new("setpriv");
    cmd.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "/usr/bin/python3",
        "-c",
        script,
    ])
    .arg(d.admin_socket());
    let o = run(cmd, 30);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert_eq!(out.trim(), "CLOSED", "{err}");
    assert!(
        d.log().contains("disallowing admin client pid"),
        "{}",
        d.log()
    );
    // The daemon's own uid is served.
    let mut c = Raw::connect(&d.admin_socket());
    ok::<()>(&c.admin_call(ap::CONNECT_OPEN, &ConnectOpenArgs { flags: 0 }));
}
