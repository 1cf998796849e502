//! rvirtd attacked as a local user would attack it (issue 14): an unprivileged uid on
//! the read-only socket, raw protocol clients that pipeline, never read or never
//! authenticate, admin calls with absurd values, hostile state files. Every test is
//! bounded (seconds), uses loopback and private directories only, and kills the
//! daemons it starts by pid.

mod common;

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use rvirt_rpc::types::{
    ConnectDomainEventCallbackRegisterAnyArgs, ConnectListDefinedDomainsArgs,
    ConnectListDomainsArgs, DomainDefineXmlArgs, DomainLookupByNameArgs, DomainRet,
};
use rvirt_rpc::{Header, Message, MessageStatus, procs};

/// The unprivileged user the attacks run as where the uid matters.
const NOBODY: u32 = 65534;

/// A raw CONNECT_OPEN of `uri` on `socket`, sent by a python3 process running as
/// `uid`: `(status, code, message)` of the reply.
fn open_as(uid: u32, socket: &Path, uri: &str) -> (u32, i32, String) {
    const SCRIPT: &str = r#"
import socket, struct, sys
def xstr(s):
    b = s.encode()
    return struct.pack('>I', len(b)) + b + b'\0' * ((4 - len(b) % 4) % 4)
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
body = struct.pack('>I', 1) + xstr(sys.argv[2]) + struct.pack('>I', 0)
h = struct.pack('>IIiiIi', 0x20008086, 1, 1, 0, 0, 0)
s.sendall(struct.pack('>I', 4 + len(h) + len(body)) + h + body)
b = b''
while len(b) < 4 or len(b) < struct.unpack('>I', b[:4])[0]:
    c = s.recv(65536)
    if not c:
        break
    b += c
status = struct.unpack('>i', b[24:28])[0]
if status == 0:
    print('0 0 ok')
else:
    code, dom, has = struct.unpack('>iiI', b[28:40])
    n = struct.unpack('>I', b[40:44])[0] if has else 0
    print(status, code, b[44:44 + n].decode())
"#;
    let mut c = Command::new("/usr/bin/setpriv");
    c.args([
        &format!("--reuid={uid}"),
        &format!("--regid={uid}"),
        "--clear-groups",
        "/usr/bin/python3",
        "-c",
        SCRIPT,
    ])
    .arg(socket)
    .arg(uri);
    let o = run(c, 20);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    let mut f = out.trim().splitn(3, ' ');
    (
        f.next().unwrap().parse().unwrap(),
        f.next().unwrap().parse().unwrap(),
        f.next().unwrap_or("").to_string(),
    )
}

fn payload<T: serde::Serialize>(args: &T) -> Vec<u8> {
    Message::with_body(Header::call(0, 0, 0, 0), args)
        .unwrap()
        .payload
}

fn lookup(c: &mut Raw, name: &str) -> DomainRet {
    let m = c.call(
        procs::DOMAIN_LOOKUP_BY_NAME,
        &DomainLookupByNameArgs { name: name.into() },
    );
    m.decode_payload().unwrap()
}

/// Hole 1: a read-only client (uid 65534) names an embedded QEMU root holding a
/// status file whose libDir is a root-only directory elsewhere, and a `driver.pid`
/// symlink to a root-owned file. The daemon opens nothing, creates nothing, deletes
/// nothing; only the URIs it serves are opened.
#[test]
fn a_read_only_client_cannot_make_the_daemon_touch_its_files() {
    let d = Daemon::start("atk-embed");
    let base = d.dir.0.join("victim");
    // A root-only directory inside a 0700 parent, and a root-owned file.
    let precious = base.join("private/precious");
    std::fs::create_dir_all(&precious).unwrap();
    std::fs::set_permissions(base.join("private"), std::fs::Permissions::from_mode(0o700)).unwrap();
    let secret = base.join("secret");
    std::fs::write(&secret, "root only\n").unwrap();
    // The attacker's root (world-writable, as a /tmp directory would be).
    let evil = d.dir.0.join("evil");
    std::fs::create_dir_all(evil.join("run/qemu")).unwrap();
    std::fs::write(
        evil.join("run/qemu/x.xml"),
        format!(
            "<domstatus state='running' reason='booted' pid='999999'>\n  <monitor path='{0}/m' type='unix'/>\n  <libDir path='{0}'/>\n<domain type='qemu' id='1'>\n  <name>x</name>\n  <uuid>0b5a3c1e-5f6d-4e2a-9c1b-7d8e9f0a1b2e</uuid>\n  <memory unit='KiB'>65536</memory>\n  <os><type arch='x86_64'>hvm</type></os>\n</domain>\n</domstatus>\n",
            precious.display()
        ),
    )
    .unwrap();
    std::os::unix::fs::symlink(&secret, evil.join("run/qemu/driver.pid")).unwrap();
    let elsewhere = d.dir.0.join("made-by-attacker");
    for uri in [
        format!("qemu:///embed?root={}", evil.display()),
        format!("qemu:///embed?root={}", elsewhere.display()),
        format!("lxc:///embed?root={}", elsewhere.display()),
        "qemu:///session".to_string(),
        format!("qemu:///system?root={}", evil.display()),
        format!("test://{}", secret.display()),
        "test:///dev/zero".to_string(),
    ] {
        let (status, code, msg) = open_as(NOBODY, &d.ro_socket(), &uri);
        assert_eq!(status, 1, "{uri} was opened");
        assert!(matches!(code, 1 | 5), "{uri}: {code} {msg}");
    }
    assert!(
        precious.is_dir(),
        "a directory outside any served root was deleted"
    );
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "root only\n");
    assert!(!elsewhere.exists(), "a client-chosen directory was created");
    assert!(!evil.join("etc").exists(), "the attacker's root was set up");
    // What the daemon serves still opens for the same client.
    let (status, _, msg) = open_as(NOBODY, &d.ro_socket(), "test:///default");
    assert_eq!(status, 0, "{msg}");
}

/// Hole 2: graphics passwords never reach read-only clients; SECURE is refused there
/// and honoured on the read-write socket.
#[test]
fn secrets_never_reach_read_only_clients() {
    if !have_virsh() {
        return;
    }
    let d = Daemon::start("atk-secret");
    let xml = d.dir.0.join("pw.xml");
    std::fs::write(
        &xml,
        "<domain type='test'><name>pw</name><memory>8192</memory><os><type>hvm</type></os>\
         <devices><graphics type='vnc' port='-1' passwd='s3cret'/></devices></domain>",
    )
    .unwrap();
    virsh_ok(&d.uri(), &["define", xml.to_str().unwrap()]);
    let ro = virsh_ok(&d.ro_uri(), &["dumpxml", "pw"]);
    assert!(ro.contains("<graphics") && !ro.contains("s3cret"), "{ro}");
    let rw = virsh_ok(&d.uri(), &["dumpxml", "pw"]);
    assert!(!rw.contains("s3cret"), "{rw}");
    let o = virsh(&d.ro_uri(), &["dumpxml", "pw", "--security-info"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("virDomainGetXMLDesc with secure flag"),
        "{err}"
    );
    let secure = virsh_ok(&d.uri(), &["dumpxml", "pw", "--security-info"]);
    assert!(secure.contains("passwd='s3cret'") || secure.contains("passwd=\"s3cret\""));
}

/// Hole 3: one read-only client registering callbacks as fast as it can: duplicates
/// are refused as libvirtd refuses them, the per-connection cap holds, and other
/// clients' calls and the teardown stay fast.
#[test]
fn a_callback_flood_stalls_no_one() {
    const DOMAINS: usize = rvirtd::MAX_CALLBACKS_PER_CLIENT + 50;
    let d = Daemon::start("atk-flood");
    // Enough domains to reach the cap with per-domain registrations.
    let mut admin = Raw::connect(&d.rw_socket());
    admin.open();
    let mut w = admin.stream.try_clone().unwrap();
    let defines: Vec<u8> = (0..DOMAINS)
        .flat_map(|i| {
            let xml = format!(
                "<domain type='test'><name>f{i}</name><memory>1024</memory><os><type>hvm</type></os></domain>"
            );
            let h = Header::call(
                rvirt_rpc::REMOTE_PROGRAM,
                rvirt_rpc::REMOTE_PROTOCOL_VERSION,
                procs::DOMAIN_DEFINE_XML,
                1000 + i as u32,
            );
            rvirt_rpc::encode_message(&h, &payload(&DomainDefineXmlArgs { xml })).unwrap()
        })
        .collect();
    let writer = std::thread::spawn(move || w.write_all(&defines).unwrap());
    let mut doms = Vec::new();
    for _ in 0..DOMAINS {
        let m = admin.read().unwrap();
        assert_eq!(m.header.status, MessageStatus::OK);
        doms.push(m.decode_payload::<DomainRet>().unwrap().dom);
    }
    writer.join().unwrap();

    // The attacker: 20,000 global registrations, then one per domain, pipelined.
    let mut atk = Raw::connect(&d.ro_socket());
    atk.open();
    let mut w = atk.stream.try_clone().unwrap();
    let global = payload(&ConnectDomainEventCallbackRegisterAnyArgs {
        event_id: 0,
        dom: None,
    });
    let mut calls = Vec::new();
    let mut serial = 100u32;
    let mut push = |p: &[u8], calls: &mut Vec<u8>| {
        let h = Header::call(
            rvirt_rpc::REMOTE_PROGRAM,
            rvirt_rpc::REMOTE_PROTOCOL_VERSION,
            procs::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
            serial,
        );
        serial += 1;
        calls.extend(rvirt_rpc::encode_message(&h, p).unwrap());
    };
    for _ in 0..20_000 {
        push(&global, &mut calls);
    }
    for dom in &doms {
        push(
            &payload(&ConnectDomainEventCallbackRegisterAnyArgs {
                event_id: 0,
                dom: Some(dom.clone()),
            }),
            &mut calls,
        );
    }
    let total = 20_000 + doms.len();
    let t = Instant::now();
    let writer = std::thread::spawn(move || w.write_all(&calls).unwrap());
    let (mut ok, mut tracked, mut capped) = (0, 0, 0);
    for _ in 0..total {
        let m = atk.read().unwrap();
        if m.header.status == MessageStatus::OK {
            ok += 1;
            continue;
        }
        let e = error_of(&m);
        match (e.code, e.message.as_deref().unwrap_or("")) {
            (8, "invalid argument: event callback already tracked") => tracked += 1,
            (39, msg) if msg.contains("too many event callbacks") => capped += 1,
            other => panic!("unexpected refusal {other:?}"),
        }
    }
    writer.join().unwrap();
    eprintln!("{total} registrations answered in {:?}", t.elapsed());
    let cap = rvirtd::MAX_CALLBACKS_PER_CLIENT;
    assert_eq!((ok, tracked, capped), (cap, 19_999, total - cap - 19_999));

    // Another client's calls, each raising an event the attacker subscribed to.
    let mut victim = Raw::connect(&d.rw_socket());
    victim.open();
    let test = lookup(&mut victim, "test").dom;
    let mut worst = Duration::ZERO;
    for i in 0..20 {
        let p = if i % 2 == 0 {
            procs::DOMAIN_SUSPEND
        } else {
            procs::DOMAIN_RESUME
        };
        let t = Instant::now();
        let m = victim.call(p, &rvirt_rpc::types::DomainArgs { dom: test.clone() });
        worst = worst.max(t.elapsed());
        assert_eq!(m.header.status, MessageStatus::OK);
    }
    // The attacker hangs up: its 4,096 callbacks go at once.
    drop(atk);
    let t = Instant::now();
    lookup(&mut victim, "test");
    let after_hangup = t.elapsed();
    eprintln!("victim calls: worst {worst:?}; first call after the hang-up {after_hangup:?}");
    assert!(worst < Duration::from_millis(250), "{worst:?}");
    assert!(
        after_hangup < Duration::from_millis(250),
        "{after_hangup:?}"
    );
}

/// Hole 4: test:/// paths from remote clients — devices, FIFOs and files the client
/// could not read itself are refused at once and pin no worker; an operator-allowed
/// node file that turns out to be a FIFO is refused by the driver without blocking.
#[test]
fn test_driver_paths_are_not_for_remote_clients() {
    let dir = TempDir::new("atk-test-files");
    let fifo = dir.0.join("node.xml");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo(3) with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o666) }, 0);
    let d = Daemon::start_with(
        "atk-test-paths",
        &["--allow-test-file", fifo.to_str().unwrap()],
    );
    let rss_before = rss_kib(d.pid());
    let t = Instant::now();
    for _ in 0..4 {
        for uri in [
            "test:///dev/zero",
            "test:///etc/shadow",
            "test:///tmp/nonexistent.xml",
        ] {
            let (status, code, msg) = open_as(NOBODY, &d.ro_socket(), uri);
            assert_eq!((status, code), (1, 5), "{uri}: {msg}");
        }
        let (status, _, msg) = open_as(
            NOBODY,
            &d.ro_socket(),
            &format!("test://{}", fifo.display()),
        );
        assert_eq!(status, 1);
        assert!(msg.contains("not a regular file"), "{msg}");
    }
    assert!(t.elapsed() < Duration::from_secs(10));
    // Every worker is free: normal calls are answered at once.
    let mut c = Raw::connect(&d.rw_socket());
    let t = Instant::now();
    c.open();
    lookup(&mut c, "test");
    assert!(t.elapsed() < Duration::from_secs(1));
    assert!(rss_kib(d.pid()) < rss_before + 32 * 1024);
}

/// Hole 5: an absurd thread-pool size is refused with an error reply; the daemon
/// keeps running with the pool it had.
#[test]
fn an_absurd_thread_pool_is_refused() {
    if !have_virt_admin() {
        return;
    }
    let mut d = Daemon::start("atk-pool");
    // A first admin call lets the daemon start whatever it starts lazily for an
    // admin client, so the count below is the pool's, not a startup moment's.
    let info = virt_admin_ok(&d.admin_uri(), &["server-threadpool-info", "libvirtd"]);
    assert_eq!(admin_field(&info, "maxWorkers"), Some("4"), "{info}");
    let before = threads(d.pid());
    let o = virt_admin(
        &d.admin_uri(),
        &[
            "server-threadpool-set",
            "libvirtd",
            "--max-workers",
            "100000",
            "--min-workers",
            "100000",
        ],
    );
    let (out, err) = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(err.contains("more than the limit"), "{err}");
    assert!(d.alive());
    // A pool of 100,000 would show as tens of thousands of threads; a helper
    // thread that comes and goes (a client's, a timer's) is not the pool.
    let after = threads(d.pid());
    assert!(after <= before + 2, "threads {before} -> {after}");
    let info = virt_admin_ok(&d.admin_uri(), &["server-threadpool-info", "libvirtd"]);
    assert_eq!(admin_field(&info, "maxWorkers"), Some("4"), "{info}");
}

/// Hole 6: leftovers of writes cut short and truncated definitions in the daemon's
/// QEMU root: removed or skipped, each with a log line naming the file.
#[test]
fn leftovers_in_the_qemu_root_are_cleaned_and_logged() {
    if !have_virsh() {
        return;
    }
    let root = TempDir::short("rvd", "left");
    for sub in ["etc/qemu", "run/qemu"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    std::fs::write(root.join("etc/qemu/a.xml.new"), "<domain").unwrap();
    std::fs::write(root.join("run/qemu/b.xml.new"), "<domstatus").unwrap();
    std::fs::write(
        root.join("etc/qemu/cut.xml"),
        "<domain type='qemu'><name>cut</name>",
    )
    .unwrap();
    let d = Daemon::start_with("atk-left", &["--qemu-root", root.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let list = virsh_ok(&uri, &["list", "--all", "--name"]);
    assert!(list.trim().is_empty(), "{list}");
    assert!(!root.join("etc/qemu/a.xml.new").exists());
    assert!(!root.join("run/qemu/b.xml.new").exists());
    let log = d.log();
    for f in [
        "etc/qemu/a.xml.new",
        "run/qemu/b.xml.new",
        "etc/qemu/cut.xml",
    ] {
        let path = root.join(f).display().to_string();
        assert!(log.contains(&path), "no log line for {path}:\n{log}");
    }
    for sub in ["etc/qemu", "run/qemu", "log/qemu", "lib/qemu"] {
        let mode = std::fs::metadata(root.join(sub))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o700, "{sub}");
    }
}

/// Hole 7a: clients that never read: each is held to its own limit and all of them
/// together to the daemon-wide budget; the daemon's memory stays bounded and other
/// clients are served.
#[test]
fn clients_that_never_read_are_held_to_a_total_budget() {
    const BUDGET: usize = 8 << 20;
    let d = Daemon::start_with("atk-budget", &["--max-total-output", &BUDGET.to_string()]);
    // A domain whose XML is about 512 KiB.
    let mut admin = Raw::connect(&d.rw_socket());
    admin.open();
    let big = "x".repeat(512 << 10);
    let m = admin.call(
        procs::DOMAIN_DEFINE_XML,
        &DomainDefineXmlArgs {
            xml: format!(
                "<domain type='test'><name>big</name><memory>1024</memory><os><type>hvm</type></os>\
                 <metadata><b:big xmlns:b='urn:b'>{big}</b:big></metadata></domain>"
            ),
        },
    );
    assert_eq!(m.header.status, MessageStatus::OK, "{:?}", error_of(&m));
    let dom = m.decode_payload::<DomainRet>().unwrap().dom;
    let rss_before = rss_kib(d.pid());
    // Twelve clients each ask for the XML 24 times (12 MiB each) and never read.
    let get = payload(&rvirt_rpc::types::DomainFlagsArgs { dom, flags: 0 });
    let mut hogs = Vec::new();
    for _ in 0..12 {
        let mut c = Raw::connect(&d.ro_socket());
        c.open();
        c.stream
            .set_write_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        for _ in 0..24 {
            c.call_raw(procs::DOMAIN_GET_XML_DESC, &get);
        }
        hogs.push(c);
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while !d.log().contains("while all clients hold more than") {
        assert!(
            Instant::now() < deadline,
            "budget never enforced:\n{}",
            d.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    let grown = rss_kib(d.pid()).saturating_sub(rss_before);
    eprintln!("rvirtd RSS grew by {grown} KiB with 12 clients that never read");
    assert!(grown < 96 * 1024, "RSS grew by {grown} KiB");
    let mut c = Raw::connect(&d.rw_socket());
    c.open();
    lookup(&mut c, "test");
}

#[cfg(feature = "tls")]
/// Hole 7b: clients that never finish a TLS handshake or never authenticate are
/// disconnected after `--auth-timeout`, so they cannot hold the daemon's client slots.
#[test]
fn handshakes_and_authentication_time_out() {
    let port = free_port();
    let pki = d_pki();
    let tls_addr = format!("127.0.0.1:{port}");
    let d = Daemon::start_with(
        "atk-auth",
        &[
            "--auth-unix-ro",
            "polkit",
            "--auth-timeout",
            "1",
            "--listen-tls",
            &tls_addr,
            "--pki-dir",
            pki.0.to_str().unwrap(),
        ],
    );
    d.wait_tcp(&tls_addr);
    // 21 silent clients on the polkit socket (more than max_anonymous_clients = 20)
    // and 30 silent TCP connections on the TLS port.
    let silent: Vec<UnixStream> = (0..21)
        .map(|_| UnixStream::connect(d.ro_socket()).unwrap())
        .collect();
    let tcp: Vec<std::net::TcpStream> = (0..30)
        .map(|_| std::net::TcpStream::connect(&tls_addr).unwrap())
        .collect();
    let t = Instant::now();
    for mut s in silent {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut b = [0u8; 16];
        assert_eq!(s.read(&mut b).unwrap_or(0), 0);
    }
    for mut s in tcp {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut b = [0u8; 16];
        assert_eq!(s.read(&mut b).unwrap_or(0), 0);
    }
    let waited = t.elapsed();
    assert!(waited < Duration::from_secs(4), "{waited:?}");
    // The server accepts again: a read-write client is served.
    let mut c = Raw::connect(&d.rw_socket());
    c.open();
    lookup(&mut c, "test");
    assert!(d.log().contains("no TLS handshake or authentication"));
}

#[cfg(feature = "tls")]
/// A `pkipath` directory with a CA, a server certificate and a client certificate.
fn d_pki() -> TempDir {
    let dir = TempDir::new("atk-pki");
    let ca = pki::TestCa::new("rvirt attack CA");
    pki::write_dir(&dir.0, &ca, Some(&ca.server()), Some(&ca.client("c")));
    dir
}

/// Hole 8: validation as libvirt validates.
#[test]
fn malformed_values_are_refused_as_libvirt_refuses_them() {
    let d = Daemon::start("atk-valid");
    let mut c = Raw::connect(&d.rw_socket());
    c.open();
    let m = c.call(
        procs::DOMAIN_DEFINE_XML,
        &DomainDefineXmlArgs {
            xml: "<domain type='test'><name>v</name><memory>1024</memory>\
                  <vcpu cpuset='aaa'>1</vcpu><os><type>hvm</type></os></domain>"
                .into(),
        },
    );
    let e = error_of(&m);
    assert_eq!(
        (e.code, e.domain, e.message.as_deref()),
        (8, 0, Some("invalid argument: Failed to parse bitmap 'aaa'"))
    );
    for (proc_, args, what) in [
        (
            procs::CONNECT_LIST_DEFINED_DOMAINS,
            payload(&ConnectListDefinedDomainsArgs { maxnames: 100_000 }),
            "maxnames > REMOTE_DOMAIN_LIST_MAX",
        ),
        (
            procs::CONNECT_LIST_DOMAINS,
            payload(&ConnectListDomainsArgs { maxids: 100_000 }),
            "maxids > REMOTE_DOMAIN_LIST_MAX",
        ),
        (
            procs::CONNECT_LIST_DEFINED_DOMAINS,
            payload(&ConnectListDefinedDomainsArgs { maxnames: -1 }),
            "maxnames must be non-negative",
        ),
    ] {
        let serial = c.call_raw(proc_, &args);
        let m = c.read().unwrap();
        assert_eq!(m.header.serial, serial);
        let e = error_of(&m);
        assert_eq!(
            (e.code, e.domain, e.message.as_deref()),
            (39, 7, Some(what))
        );
    }
}
