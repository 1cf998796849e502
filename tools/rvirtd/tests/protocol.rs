//! The wire protocol with a raw client: malformed input closes only the offending
//! client, unknown procedures/programs get libvirtd's errors, keepalive, pre-open
//! rules, in-order replies and a clean SIGTERM shutdown.

mod common;

use std::time::Duration;

use common::{Daemon, Raw, error_of, mode};
use rvirt_rpc::types::*;
use rvirt_rpc::{
    Header, KEEPALIVE_PROGRAM, MessageStatus, MessageType, RemoteError, encode_message,
    keepalive_header, procs,
};

fn lookup_test(c: &mut Raw) {
    let m = c.call(
        procs::DOMAIN_LOOKUP_BY_NAME,
        &DomainLookupByNameArgs {
            name: "test".into(),
        },
    );
    assert_eq!(m.header.status, MessageStatus::OK);
    let r: DomainRet = m.decode_payload().unwrap();
    assert_eq!((r.dom.name.as_str(), r.dom.id), ("test", 1));
}

#[test]
fn malformed_frames_close_only_that_client() {
    let mut d = Daemon::start("proto-malformed");
    let mut good = Raw::connect(&d.rw_socket());
    good.open();
    lookup_test(&mut good);

    // Length word below the 28-byte minimum.
    let mut bad = Raw::connect(&d.rw_socket());
    bad.send_raw(&[0, 0, 0, 4, 1, 2, 3, 4]);
    assert!(
        bad.read().is_none(),
        "undersize frame must close the client"
    );

    // Length word above libvirt 9's 32 MiB + 4.
    let mut bad = Raw::connect(&d.rw_socket());
    bad.send_raw(&(33_554_437u32).to_be_bytes());
    assert!(bad.read().is_none(), "oversize frame must close the client");
    d.wait_log("exceeds the maximum");

    // Truncated packet, then the peer goes away.
    let mut bad = Raw::connect(&d.rw_socket());
    let h = Header::call(rvirt_rpc::REMOTE_PROGRAM, 1, procs::AUTH_LIST, 0);
    let frame = encode_message(&h, &[0; 16]).unwrap();
    bad.send_raw(&frame[..20]);
    drop(bad);
    d.wait_log("connection closed inside a packet");

    // Garbage XDR arguments: answered like libvirtd ("Unable to decode message
    // payload", 39/7), and the connection stays usable.
    let mut odd = Raw::connect(&d.rw_socket());
    odd.open();
    let serial = odd.call_raw(procs::DOMAIN_LOOKUP_BY_NAME, &[0xff, 0xff, 0xff, 0xff, 1]);
    let m = odd.read().unwrap();
    assert_eq!(m.header.serial, serial);
    let e = error_of(&m);
    assert_eq!((e.code, e.domain), (39, 7));
    assert_eq!(
        e.message.as_deref(),
        Some("Unable to decode message payload")
    );
    lookup_test(&mut odd);

    // The first client never noticed, and the daemon lives.
    lookup_test(&mut good);
    assert!(d.alive());
    assert!(d.log().contains("malformed packet"), "{}", d.log());
}

#[test]
fn unknown_procedure_and_program() {
    let d = Daemon::start("proto-unknown");
    let mut c = Raw::connect(&d.rw_socket());
    c.open();
    let serial = c.call_raw(9999, &[]);
    let m = c.read().unwrap();
    assert_eq!((m.header.proc_, m.header.serial), (9999, serial));
    assert_eq!(m.header.msg_type, MessageType::REPLY);
    let e = error_of(&m);
    assert_eq!(e, RemoteError::unknown_procedure(9999));
    assert!(e.is_unknown_procedure());
    // A procedure libvirt has but rvirtd does not (DOMAIN_MIGRATE_PREPARE, 61).
    let m = c.call(
        61,
        &DomainArgs {
            dom: RemoteNonnullDomain {
                name: "test".into(),
                uuid: [0; 16],
                id: 1,
            },
        },
    );
    assert!(error_of(&m).is_unknown_procedure());

    // Unknown program: echoed prog/vers, "Cannot find program".
    let h = Header::call(0x1234_5678, 1, 1, 77);
    c.send_raw(&encode_message(&h, &[]).unwrap());
    let m = c.read().unwrap();
    assert_eq!((m.header.prog, m.header.serial), (0x1234_5678, 77));
    let e = error_of(&m);
    assert_eq!((e.code, e.domain), (39, 7));
    assert_eq!(
        e.message.as_deref(),
        Some("Cannot find program 305419896 version 1")
    );

    // CALL with status ERROR.
    let mut h = Header::call(rvirt_rpc::REMOTE_PROGRAM, 1, procs::AUTH_LIST, 78);
    h.status = MessageStatus::ERROR;
    c.send_raw(&encode_message(&h, &[]).unwrap());
    let e = error_of(&c.read().unwrap());
    assert_eq!(e.message.as_deref(), Some("Unexpected message status 1"));
    lookup_test(&mut c);
}

#[test]
fn before_open_keepalive_and_close() {
    let d = Daemon::start("proto-open");
    let mut c = Raw::connect(&d.rw_socket());
    let m = c.call(procs::AUTH_LIST, &());
    let r: AuthListRet = m.decode_payload().unwrap();
    assert_eq!(r.types, vec![auth_type::NONE]);
    // Keepalive may be asked before open; other features need a connection.
    let m = c.call(
        procs::CONNECT_SUPPORTS_FEATURE,
        &ConnectSupportsFeatureArgs { feature: 10 },
    );
    let r: ConnectSupportsFeatureRet = m.decode_payload().unwrap();
    assert_eq!(r.supported, 1);
    let m = c.call(
        procs::CONNECT_LIST_ALL_DOMAINS,
        &ConnectListAllDomainsArgs {
            need_results: 1,
            flags: 0,
        },
    );
    let e = error_of(&m);
    assert_eq!((e.code, e.domain), (1, 7));
    assert_eq!(
        e.message.as_deref(),
        Some("internal error: hypervisor connection not open")
    );

    // PING is answered with PONG at once.
    c.send_raw(&encode_message(&keepalive_header(procs::keepalive::PING), &[]).unwrap());
    let m = c.read().unwrap();
    assert_eq!(m.header, keepalive_header(procs::keepalive::PONG));
    assert_eq!(m.header.prog, KEEPALIVE_PROGRAM);

    // A URI no driver accepts.
    let m = c.call(
        procs::CONNECT_OPEN,
        &ConnectOpenArgs {
            name: Some("nosuch:///x".into()),
            flags: 0,
        },
    );
    assert_eq!(error_of(&m).code, 5);

    c.open();
    // Several calls in flight: each answered once, by its serial, in whatever order
    // they finish (as libvirtd answers up to max_client_requests at once).
    let mut serials: Vec<u32> = (0..5)
        .map(|_| c.call_raw(procs::CONNECT_GET_TYPE, &[]))
        .collect();
    let mut answered: Vec<u32> = (0..5)
        .map(|_| {
            let m = c.read().unwrap();
            let r: ConnectGetTypeRet = m.decode_payload().unwrap();
            assert_eq!(r.type_, "TEST");
            m.header.serial
        })
        .collect();
    serials.sort_unstable();
    answered.sort_unstable();
    assert_eq!(answered, serials);
    let m = c.call(procs::CONNECT_CLOSE, &());
    assert_eq!(m.header.status, MessageStatus::OK);
    assert!(c.read().is_none(), "the daemon closes after CONNECT_CLOSE");
}

#[test]
fn idle_keepalive_client_gets_pinged_then_dropped() {
    let d = Daemon::start_with(
        "proto-ping",
        &["--keepalive-interval", "1", "--keepalive-count", "2"],
    );
    let mut c = Raw::connect(&d.rw_socket());
    c.call(
        procs::CONNECT_SUPPORTS_FEATURE,
        &ConnectSupportsFeatureArgs { feature: 10 },
    );
    let t0 = std::time::Instant::now();
    // Answering keeps the client alive.
    let m = c.read().unwrap();
    assert_eq!(m.header, keepalive_header(procs::keepalive::PING));
    c.send_raw(&encode_message(&keepalive_header(procs::keepalive::PONG), &[]).unwrap());
    // Silence: two more PINGs, then the daemon gives up.
    for _ in 0..2 {
        let m = c.read().unwrap();
        assert_eq!(m.header, keepalive_header(procs::keepalive::PING));
    }
    assert!(c.read().is_none(), "dead client must be closed");
    assert!(t0.elapsed() >= Duration::from_secs(3));
    d.wait_log("keepalive timeout");
    // A client that never asked for keepalive is never pinged.
    let mut quiet = Raw::connect(&d.rw_socket());
    quiet.open();
    std::thread::sleep(Duration::from_millis(1500));
    lookup_test(&mut quiet);
}

#[test]
fn sigterm_removes_sockets() {
    let tmp = common::TempDir::new("proto-term-pid");
    let pidfile = tmp.0.join("rvirtd.pid");
    let mut d = Daemon::start_with("proto-term", &["--pidfile", pidfile.to_str().unwrap()]);
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(pid, d.pid());
    // SAFETY: kill(2) on the pid of the child this test started.
    let r = unsafe { libc::kill(d.pid(), libc::SIGTERM) };
    assert_eq!(r, 0);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while d.alive() {
        assert!(
            std::time::Instant::now() < deadline,
            "rvirtd ignored SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!d.rw_socket().exists());
    assert!(!d.ro_socket().exists());
    assert!(!pidfile.exists());
}

/// A driver call that blocks (starting a QEMU domain whose "emulator" takes 1.5 s to
/// give up: the driver waits for its monitor) runs on a worker: the loop keeps serving
/// other clients, and even the blocked client's keepalive PING, until the call
/// completes.
#[test]
fn a_blocking_call_does_not_stall_the_loop() {
    use std::os::unix::fs::PermissionsExt;
    let d = Daemon::start("proto-block");
    let emulator = d.dir.0.join("slow-emulator");
    std::fs::write(&emulator, "#!/bin/sh\nsleep 1.5\n").unwrap();
    std::fs::set_permissions(&emulator, std::fs::Permissions::from_mode(0o755)).unwrap();

    let mut slow = Raw::connect(&d.rw_socket());
    slow.call(procs::AUTH_LIST, &());
    let m = slow.call(
        procs::CONNECT_OPEN,
        &ConnectOpenArgs {
            name: Some("qemu:///system".into()),
            flags: 0,
        },
    );
    assert_eq!(m.header.status, MessageStatus::OK);
    let xml = format!(
        "<domain type='qemu'><name>slow</name><memory unit='MiB'>32</memory>\
         <os><type arch='x86_64'>hvm</type></os>\
         <devices><emulator>{}</emulator></devices></domain>",
        emulator.display()
    );
    let payload = rvirt_rpc::Message::with_body(
        Header::call(0, 0, 0, 0),
        &rvirt_rpc::types::DomainCreateXmlArgs {
            xml_desc: xml,
            flags: 0,
        },
    )
    .unwrap()
    .payload;
    let t_call = std::time::Instant::now();
    let serial = slow.call_raw(procs::DOMAIN_CREATE_XML, &payload);
    std::thread::sleep(Duration::from_millis(300));

    // Other clients are served while the start waits.
    let t0 = std::time::Instant::now();
    for _ in 0..3 {
        let mut other = Raw::connect(&d.rw_socket());
        other.open();
        lookup_test(&mut other);
    }
    assert!(t0.elapsed() < Duration::from_millis(1000));
    // The waiting client's PING is answered on the loop thread.
    slow.send_raw(&encode_message(&keepalive_header(procs::keepalive::PING), &[]).unwrap());
    let m = slow.read().unwrap();
    assert_eq!(m.header, keepalive_header(procs::keepalive::PONG));

    // The "emulator" exits without a monitor: the reply arrives, an error.
    let m = slow.read().unwrap();
    assert_eq!(m.header.serial, serial);
    assert_eq!(m.header.status, MessageStatus::ERROR);
    assert!(t_call.elapsed() >= Duration::from_secs(1));
}

#[test]
fn socket_permissions() {
    let d = Daemon::start_with("proto-perms", &["--ro-perms", "0644"]);
    assert_eq!(mode(&d.rw_socket()), 0o600);
    assert_eq!(mode(&d.ro_socket()), 0o644);
}

/// Many calls pipelined without waiting: the daemon stops reading while its per-client
/// queue is full, and every call is still answered once (several run at once, so the
/// replies come in the order the calls finish, matched by serial as libvirtd's).
#[test]
fn pipelined_calls_are_all_answered() {
    let d = Daemon::start("proto-pipeline");
    let mut c = Raw::connect(&d.rw_socket());
    c.open();
    let payload = rvirt_rpc::Message::with_body(
        Header::call(0, 0, 0, 0),
        &DomainLookupByNameArgs {
            name: "test".into(),
        },
    )
    .unwrap()
    .payload;
    let mut frames = Vec::new();
    let first = c.serial;
    for i in 0..200u32 {
        let h = Header::call(
            rvirt_rpc::REMOTE_PROGRAM,
            1,
            procs::DOMAIN_LOOKUP_BY_NAME,
            first + i,
        );
        frames.extend(encode_message(&h, &payload).unwrap());
    }
    c.send_raw(&frames);
    let mut answered = std::collections::BTreeSet::new();
    for _ in 0..200u32 {
        let m = c.read().unwrap();
        assert_eq!(m.header.status, MessageStatus::OK);
        assert!(
            answered.insert(m.header.serial),
            "{:?} answered twice",
            m.header
        );
    }
    assert_eq!(answered, (first..first + 200).collect());
}

/// A client that sends calls but never reads its replies is disconnected once its
/// unread output passes the limit; the daemon and other clients go on.
#[test]
fn a_client_that_never_reads_is_disconnected() {
    let mut d = Daemon::start_with("proto-noread", &["--max-client-output", "100000"]);
    let mut hog = Raw::connect(&d.rw_socket());
    hog.open();
    let payload = rvirt_rpc::Message::with_body(
        Header::call(0, 0, 0, 0),
        &DomainFlagsArgs {
            dom: RemoteNonnullDomain {
                name: "test".into(),
                uuid: *rvirt_core::Uuid::parse_str("6695eb01-f6a4-8304-79aa-97f2502e193f")
                    .unwrap()
                    .as_bytes(),
                id: 1,
            },
            flags: 0,
        },
    )
    .unwrap()
    .payload;
    let mut writer = hog.stream.try_clone().unwrap();
    let t = std::thread::spawn(move || {
        use std::io::Write;
        for i in 0..5000u32 {
            let h = Header::call(
                rvirt_rpc::REMOTE_PROGRAM,
                1,
                procs::DOMAIN_GET_XML_DESC,
                10 + i,
            );
            if writer
                .write_all(&encode_message(&h, &payload).unwrap())
                .is_err()
            {
                return;
            }
        }
    });
    d.wait_log("bytes of unread output; disconnecting");
    t.join().unwrap();
    // Drain: the hog's socket reaches EOF (or a reset: its input was never read).
    let mut buf = [0u8; 65536];
    loop {
        use std::io::Read;
        match hog.stream.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("hog socket: {e}"),
        }
    }
    let mut good = Raw::connect(&d.rw_socket());
    good.open();
    lookup_test(&mut good);
    assert!(d.alive());
}

/// Event MESSAGEs on the wire: callback (318, with callbackID) and legacy (107)
/// registrations, type MESSAGE, serial 1; deregistration; event ids libvirt 9 does not have.
#[test]
fn event_messages_on_the_wire() {
    let d = Daemon::start("proto-events");
    let mut ev = Raw::connect(&d.ro_socket());
    ev.open();
    let m = ev.call(
        procs::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
        &ConnectDomainEventCallbackRegisterAnyArgs {
            event_id: 0,
            dom: None,
        },
    );
    let r: ConnectDomainEventCallbackRegisterAnyRet = m.decode_payload().unwrap();
    let cb = r.callback_id;
    let m = ev.call(
        procs::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
        &ConnectDomainEventCallbackRegisterAnyArgs {
            event_id: 1,
            dom: None,
        },
    );
    assert_eq!(
        m.header.status,
        MessageStatus::OK,
        "reboot events are relayed too"
    );
    let m = ev.call(
        procs::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
        &ConnectDomainEventCallbackRegisterAnyArgs {
            event_id: 27,
            dom: None,
        },
    );
    let e = error_of(&m);
    assert_eq!(
        (e.code, e.message.as_deref()),
        (8, Some("invalid argument: unsupported event ID 27"))
    );
    let m = ev.call(
        procs::CONNECT_DOMAIN_EVENT_REGISTER_ANY,
        &ConnectDomainEventRegisterAnyArgs { event_id: 0 },
    );
    assert_eq!(m.header.status, MessageStatus::OK);

    let mut actor = Raw::connect(&d.rw_socket());
    actor.open();
    let test = {
        let m = actor.call(
            procs::DOMAIN_LOOKUP_BY_NAME,
            &DomainLookupByNameArgs {
                name: "test".into(),
            },
        );
        m.decode_payload::<DomainRet>().unwrap().dom
    };
    let m = actor.call(procs::DOMAIN_SUSPEND, &DomainArgs { dom: test.clone() });
    assert_eq!(m.header.status, MessageStatus::OK);

    let mut seen = Vec::new();
    for _ in 0..2 {
        let m = ev.read().unwrap();
        assert_eq!(m.header.msg_type, MessageType::MESSAGE);
        assert_eq!((m.header.serial, m.header.status), (1, MessageStatus::OK));
        seen.push(m.header.proc_);
        if m.header.proc_ == procs::DOMAIN_EVENT_CALLBACK_LIFECYCLE {
            let msg: DomainEventCallbackLifecycleMsg = m.decode_payload().unwrap();
            assert_eq!(msg.callback_id, cb);
            assert_eq!((msg.msg.event, msg.msg.detail), (3, 0));
            assert_eq!(msg.msg.dom, test);
        } else {
            let msg: DomainEventLifecycleMsg = m.decode_payload().unwrap();
            assert_eq!((msg.event, msg.detail), (3, 0));
        }
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            procs::DOMAIN_EVENT_LIFECYCLE,
            procs::DOMAIN_EVENT_CALLBACK_LIFECYCLE
        ]
    );

    // After deregistering both, a change produces no message.
    let m = ev.call(
        procs::CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
        &ConnectDomainEventCallbackDeregisterAnyArgs { callback_id: cb },
    );
    assert_eq!(m.header.status, MessageStatus::OK);
    let m = ev.call(
        procs::CONNECT_DOMAIN_EVENT_DEREGISTER_ANY,
        &ConnectDomainEventRegisterAnyArgs { event_id: 0 },
    );
    assert_eq!(m.header.status, MessageStatus::OK);
    let m = ev.call(
        procs::CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
        &ConnectDomainEventCallbackDeregisterAnyArgs { callback_id: cb },
    );
    assert_eq!(error_of(&m).code, 1);
    let m = actor.call(procs::DOMAIN_RESUME, &DomainArgs { dom: test });
    assert_eq!(m.header.status, MessageStatus::OK);
    let m = ev.call(procs::CONNECT_GET_TYPE, &());
    assert_eq!(m.header.msg_type, MessageType::REPLY, "no event may arrive");
}

/// `--timeout`: the daemon stays up while a client is connected and exits (status 0,
/// sockets removed) once it has had none for that long.
#[test]
fn idle_timeout_exits() {
    let mut d = Daemon::start_with("proto-timeout", &["--timeout", "1"]);
    let mut c = Raw::connect(&d.rw_socket());
    c.open();
    std::thread::sleep(Duration::from_millis(1600));
    assert!(d.alive(), "a connected client keeps the daemon up");
    lookup_test(&mut c);
    drop(c);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(st) = d.child.try_wait().unwrap() {
            break st;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "rvirtd did not time out"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}\n{}", d.log());
    assert!(!d.rw_socket().exists());
}
