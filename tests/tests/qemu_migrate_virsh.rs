//! Live migration between two rvirtd daemons' QEMU drivers (two roots on one host,
//! the guest's disk shared), driven by Debian's virsh and python3-libvirt:
//! `virsh migrate` as the client runs it (DOMAIN_MIGRATE_*3_PARAMS), peer to peer
//! (`--p2p`: the source daemon connects to the destination itself), `dom.migrate()`
//! (the older DOMAIN_MIGRATE_*3 procedures), offline migration of a definition, and
//! the refusals a hostile or mistaken client meets.
//!
//! The guest counts in memory (`inc dword [0x600]` in a loop): migrated while paused,
//! the destination's counter equals the source's to the unit, which a guest booted
//! afresh could not show; resumed, it counts on from there.

use rvirt_testkit::{
    Daemon, QemuReaper, TempDir, free_port, have_python_libvirt, have_qemu, have_virsh, python,
    text, virsh, virsh_background, virsh_err, virsh_ok, virsh_thread, write_guest,
};

/// The guest: counts in memory and dirties 128 pages (512 KiB) on every turn, so that a
/// migration capped at 1 MiB/s with 1 ms of downtime allowed runs for seconds:
/// `xor ax,ax; mov ds,ax; l: inc dword [0x600]; mov ax,0x1000; s: mov es,ax;
///  xor di,di; p: inc byte es:[di]; add di,0x1000; jnz p; add ax,0x1000; cmp ax,0x9000;
///  jne s; jmp l`.
const COUNTER: &[u8] = &[
    0x31, 0xC0, 0x8E, 0xD8, 0x66, 0xFF, 0x06, 0x00, 0x06, 0xB8, 0x00, 0x10, 0x8E, 0xC0, 0x31, 0xFF,
    0x26, 0xFE, 0x05, 0x81, 0xC7, 0x00, 0x10, 0x75, 0xF7, 0x05, 0x00, 0x10, 0x3D, 0x00, 0x90, 0x75,
    0xEB, 0xEB, 0xE1,
];

/// The guest's counter, read through the QEMU monitor of `uri`'s daemon.
fn counter(uri: &str, name: &str) -> u32 {
    let out = virsh_ok(
        uri,
        &["qemu-monitor-command", name, "--hmp", "xp /1wx 0x600"],
    );
    let hex = out
        .split("0x")
        .last()
        .map(str::trim)
        .unwrap_or_else(|| panic!("no value in {out:?}"));
    u32::from_str_radix(hex, 16).unwrap_or_else(|_| panic!("bad value in {out:?}"))
}

fn state(uri: &str, name: &str) -> String {
    virsh_ok(uri, &["domstate", name, "--reason"])
        .trim()
        .to_string()
}

/// Waits (at most 10 s) until `f` holds.
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !f() {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Two rvirtd daemons with QEMU roots of their own under one test directory (the
/// guest's disk there, shared by both), their QEMUs reaped at the end.
struct Pair {
    root: TempDir,
    a: Daemon,
    b: Daemon,
    _reap: [QemuReaper; 2],
}

impl Pair {
    /// Daemon A gets `a_extra`, both get `extra`.
    fn start(tag: &str, a_extra: &[&str], extra: &[&str]) -> Pair {
        let root = TempDir::new(tag);
        let (qa, qb) = (root.0.join("qa"), root.0.join("qb"));
        let args = |q: &std::path::Path, more: &[&str]| {
            let mut v = vec!["--qemu-root".to_string(), q.to_str().unwrap().to_string()];
            v.extend(extra.iter().chain(more).map(|s| s.to_string()));
            v
        };
        let (aa, ba) = (args(&qa, a_extra), args(&qb, &[]));
        let a = Daemon::start_with("qemu", &aa.iter().map(String::as_str).collect::<Vec<_>>());
        let b = Daemon::start_with("qemu", &ba.iter().map(String::as_str).collect::<Vec<_>>());
        Pair {
            _reap: [QemuReaper(qa), QemuReaper(qb)],
            root,
            a,
            b,
        }
    }

    /// Defines the counting guest `name` on A, and (if `run`) starts it and waits
    /// until it counts.
    fn guest(&self, name: &str, run: bool) {
        let ua = self.a.qemu_uri();
        let xml = write_guest(&self.root, name, COUNTER);
        virsh_ok(&ua, &["define", xml.to_str().unwrap()]);
        if run {
            virsh_ok(&ua, &["start", name]);
            eventually("the guest counts", || counter(&ua, name) > 0);
        }
    }
}

/// `virsh migrate` of `rf` from `from` to `to` at 1 MiB/s (and `extra` options), on a
/// thread of its own; returns once `domjobinfo` shows it running.
fn stuck_migration(
    from: &str,
    to: &str,
    extra: &[&str],
) -> std::thread::JoinHandle<std::process::Output> {
    let mut args = vec![
        "migrate",
        "--live",
        "--unsafe",
        "rf",
        to,
        "--migrateuri",
        "tcp:127.0.0.1",
        "--bandwidth",
        "1",
    ];
    args.extend(extra);
    let running = virsh_thread(from, &args, 60);
    eventually("the migration runs", || {
        text(&virsh(from, &["domjobinfo", "rf"]))
            .0
            .contains("Unbounded")
    });
    running
}

/// `dom.migrate(dconn, LIVE, None, "tcp:127.0.0.1", 0)`: libvirt's client runs the
/// fixed-argument procedures. Prints the destination domain's name and state.
const PY_MIGRATE: &str = r#"
import sys, libvirt
src, dst, name = sys.argv[1], sys.argv[2], sys.argv[3]
s = libvirt.open(src)
d = libvirt.open(dst)
dom = s.lookupByName(name)
ddom = dom.migrate(d, libvirt.VIR_MIGRATE_LIVE | libvirt.VIR_MIGRATE_UNSAFE, None, "tcp:127.0.0.1", 0)
print("name=%s state=%d" % (ddom.name(), ddom.state()[0]))
try:
    s.lookupByName(name)
    print("source=kept")
except libvirt.libvirtError as e:
    print("source=gone %d" % e.get_error_code())
"#;

/// OpenStack Nova's live migration: `migrateToURI3` peer to peer with its flags and
/// parameters (the migratable XML as destination and persistent XML, the stream's URI,
/// no bandwidth cap), `jobStats` afterwards. Prints where the domain is.
const PY_NOVA: &str = r#"
import sys, libvirt
src, dst_tcp, dst, name = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
s = libvirt.open(src)
dom = s.lookupByName(name)
xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_MIGRATABLE | libvirt.VIR_DOMAIN_XML_SECURE)
# The test's disk is on local storage; a Nova deployment's is on shared storage.
flags = (libvirt.VIR_MIGRATE_UNDEFINE_SOURCE | libvirt.VIR_MIGRATE_PERSIST_DEST |
         libvirt.VIR_MIGRATE_PEER2PEER | libvirt.VIR_MIGRATE_LIVE | libvirt.VIR_MIGRATE_UNSAFE)
params = {
    libvirt.VIR_MIGRATE_PARAM_URI: "tcp://127.0.0.1",
    libvirt.VIR_MIGRATE_PARAM_DEST_XML: xml,
    libvirt.VIR_MIGRATE_PARAM_PERSIST_XML: xml,
    libvirt.VIR_MIGRATE_PARAM_BANDWIDTH: 0,
}
dom.migrateToURI3(dst_tcp, params, flags)
try:
    s.lookupByName(name)
    print("source=kept")
except libvirt.libvirtError as e:
    print("source=gone %d" % e.get_error_code())
d = libvirt.open(dst).lookupByName(name)
print("dest state=%d persistent=%d" % (d.state()[0], d.isPersistent()))
"#;

#[test]
fn a_guest_moves_between_daemons_with_its_memory() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    // The source of the peer-to-peer migration below reaches A over TCP, as daemons
    // on two hosts would.
    let tcp = format!("127.0.0.1:{}", free_port());
    let pair = Pair::start(
        "qemu-migrate",
        &["--listen-tcp", &tcp, "--auth-tcp", "none"],
        &[],
    );
    let (ua, ub) = (pair.a.qemu_uri(), pair.b.qemu_uri());
    pair.a.wait_tcp(&tcp);
    pair.guest("mg", true);

    // Paused, client-driven, kept on the destination, gone from the source.
    virsh_ok(&ua, &["suspend", "mg"]);
    let before = counter(&ua, "mg");
    virsh_ok(
        &ua,
        &[
            "migrate",
            "--live",
            "--unsafe",
            "--persistent",
            "--undefinesource",
            "mg",
            &ub,
            "--migrateuri",
            "tcp:127.0.0.1",
            "--listen-address",
            "127.0.0.1",
        ],
    );
    assert_eq!(state(&ub, "mg"), "paused (user)");
    assert_eq!(counter(&ub, "mg"), before, "the memory came along");
    assert!(!virsh_ok(&ua, &["list", "--all", "--name"]).contains("mg"));
    assert!(virsh_ok(&ub, &["dominfo", "mg"]).contains("Persistent:     yes"));
    virsh_ok(&ub, &["resume", "mg"]);
    eventually("it counts on", || counter(&ub, "mg") != before);

    // Peer to peer, running: daemon B connects to daemon A itself (`qemu+tcp://`).
    let a_tcp = format!("qemu+tcp://{tcp}/system");
    virsh_ok(
        &ub,
        &[
            "migrate",
            "--live",
            "--unsafe",
            "--p2p",
            "mg",
            &a_tcp,
            "--migrateuri",
            "tcp:127.0.0.1",
        ],
    );
    assert_eq!(state(&ua, "mg"), "running (migrated)");
    assert!(virsh_ok(&ua, &["dominfo", "mg"]).contains("Persistent:     no"));
    // Persistent at the source, not undefined: shut off there, reason migrated.
    assert_eq!(state(&ub, "mg"), "shut off (migrated)");
    // The source keeps the completed migration's statistics.
    let done = virsh_ok(&ub, &["domjobinfo", "mg", "--completed"]);
    assert!(
        done.contains("Completed") && done.contains("Outgoing migration"),
        "{done}"
    );
    let there = counter(&ua, "mg");
    eventually("it runs after p2p", || counter(&ua, "mg") != there);

    // The older procedures, from python3-libvirt.
    if have_python_libvirt() {
        let out = python(PY_MIGRATE, &[&ua, &ub, "mg"]);
        let (said, err) = text(&out);
        assert!(said.contains("name=mg state=1"), "{said} {err}");
        assert!(said.contains("source=gone 42"), "{said} {err}");
        assert_eq!(state(&ub, "mg"), "running (migrated)");

        let out = python(PY_NOVA, &[&ub, &a_tcp, &ua, "mg"]);
        let (said, err) = text(&out);
        assert!(said.contains("source=gone 42"), "{said} {err}");
        assert!(said.contains("dest state=1 persistent=1"), "{said} {err}");
        let there = counter(&ua, "mg");
        eventually("it runs after Nova's migration", || {
            counter(&ua, "mg") != there
        });
    }
}

#[test]
fn refusals_and_offline_migration() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let pair = Pair::start("qemu-migrate-no", &[], &[]);
    let (ua, ub) = (pair.a.qemu_uri(), pair.b.qemu_uri());
    pair.guest("rf", false);

    // Not running, no --offline.
    let e = virsh_err(&ua, &["migrate", "--live", "rf", &ub]);
    assert!(e.contains("domain is not running"), "{e}");
    // Offline: the definition moves; the source keeps it unless told.
    let e = virsh_err(&ua, &["migrate", "--offline", "rf", &ub]);
    assert!(e.contains("requires the --persistent flag"), "{e}");
    virsh_ok(&ua, &["migrate", "--offline", "--persistent", "rf", &ub]);
    assert_eq!(state(&ub, "rf"), "shut off (unknown)");
    assert_eq!(state(&ua, "rf"), "shut off (unknown)");
    virsh_ok(&ub, &["undefine", "rf"]);

    virsh_ok(&ua, &["start", "rf"]);
    // QEMU's exec: would run the client's command as QEMU: refused before QEMU starts.
    let e = virsh_err(
        &ua,
        &[
            "migrate",
            "--live",
            "--unsafe",
            "rf",
            &ub,
            "--migrateuri",
            "exec:touch /tmp/rvt-pwned",
        ],
    );
    assert!(e.contains("unsupported scheme exec"), "{e}");
    assert!(!std::path::Path::new("/tmp/rvt-pwned").exists());
    // Only an IP address to listen on reaches QEMU.
    let e = virsh_err(
        &ua,
        &[
            "migrate",
            "--live",
            "--unsafe",
            "rf",
            &ub,
            "--listen-address",
            "0.0.0.0,x=y",
        ],
    );
    assert!(e.contains("invalid listen address"), "{e}");
    // The disk is on the test's local file system: libvirt's safety refusal.
    let e = virsh_err(&ua, &["migrate", "--live", "rf", &ub]);
    assert!(
        e.contains("Unsafe migration: Migration without shared storage is unsafe"),
        "{e}"
    );
    // To itself.
    let e = virsh_err(&ua, &["migrate", "--live", "--unsafe", "rf", &ua]);
    assert!(
        e.contains("Attempt to migrate guest to the same host"),
        "{e}"
    );
    // Read-only clients migrate nothing.
    let ro = format!(
        "qemu+unix:///system?socket={}",
        pair.a.ro_socket().display()
    );
    let e = virsh_err(&ro, &["migrate", "--live", "rf", &ub]);
    assert!(e.contains("read only access prevents"), "{e}");
    // A slow migration (1 MiB/s, 1 ms of downtime allowed, 512 KiB dirtied per turn)
    // seen by domjobinfo and cancelled by domjobabort: the guest runs on at the source,
    // the destination's waiting QEMU goes.
    virsh_ok(&ua, &["migrate-setmaxdowntime", "rf", "1"]);
    let slow = stuck_migration(&ua, &ub, &[]);
    let info = virsh_ok(&ua, &["domjobinfo", "rf"]);
    assert!(info.contains("Outgoing migration"), "{info}");
    let e = virsh_err(&ua, &["migrate-postcopy", "rf"]);
    assert!(
        e.contains("requires migration to be started with VIR_MIGRATE_POSTCOPY"),
        "{e}"
    );
    virsh_ok(&ua, &["domjobabort", "rf"]);
    let out = slow.join().unwrap();
    assert!(!out.status.success());
    let (_, e) = text(&out);
    assert!(
        e.contains("operation aborted: job 'migration out' canceled by client"),
        "{e}"
    );
    assert_eq!(e.matches("operation aborted").count(), 1, "{e}");
    // A live migration never paused the guest: its state and reason stay (libvirt's
    // too), and the destination has nothing.
    assert_eq!(state(&ua, "rf"), "running (booted)");
    assert!(!virsh_ok(&ub, &["list", "--all", "--name"]).contains("rf"));

    // After every refusal the guest still runs at the source, and nothing is left at
    // the destination.
    let running = state(&ua, "rf");
    assert!(running.starts_with("running"), "{running}");
    assert!(!virsh_ok(&ub, &["list", "--all", "--name"]).contains("rf"));

    // The same slow migration, its speed raised while it runs (`migrate-setspeed`, as
    // an operator does): the guest moves.
    let stuck = stuck_migration(&ua, &ub, &[]);
    virsh_ok(&ua, &["migrate-setspeed", "rf", "1000"]);
    let out = stuck.join().unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(state(&ub, "rf"), "running (migrated)");
    assert_eq!(state(&ua, "rf"), "shut off (migrated)");

    // Slow again, back to A, the guest paused while its migration runs (OpenStack's
    // way to force one to complete): the destination runs the guest.
    virsh_ok(&ub, &["migrate-setmaxdowntime", "rf", "1"]);
    let stuck = stuck_migration(&ub, &ua, &[]);
    virsh_ok(&ub, &["suspend", "rf"]);
    let out = stuck.join().unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(state(&ua, "rf"), "running (migrated)");
}

#[test]
fn disks_that_are_not_shared_are_copied() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let pair = Pair::start("qemu-migrate-copy", &[], &[]);
    let (ua, ub) = (pair.a.qemu_uri(), pair.b.qemu_uri());
    let root = &pair.root;
    pair.guest("cp", true);

    // The destination's own image, at another path (both "hosts" share this file
    // system): the destination XML names it.
    let live = virsh_ok(&ua, &["dumpxml", "cp", "--migratable", "--security-info"]);
    let source = root.join("cp.img");
    let copy = root.join("cp-copy.img");
    assert!(live.contains(source.to_str().unwrap()), "{live}");
    let dest_xml = root.join("dest.xml");
    std::fs::write(
        &dest_xml,
        live.replace(source.to_str().unwrap(), copy.to_str().unwrap()),
    )
    .unwrap();
    let args = [
        "migrate",
        "--live",
        "--copy-storage-all",
        "cp",
        &ub,
        "--migrateuri",
        "tcp:127.0.0.1",
        "--listen-address",
        "127.0.0.1",
        "--xml",
        dest_xml.to_str().unwrap(),
    ];
    // Its image must exist there.
    let e = virsh_err(&ua, &args);
    assert!(e.contains("does not exist on the destination"), "{e}");
    assert!(state(&ua, "cp").starts_with("running"));
    let size = std::fs::metadata(&source).unwrap().len();
    std::fs::File::create(&copy).unwrap().set_len(size).unwrap();

    // No --unsafe: a copied disk is safe.
    virsh_ok(&ua, &args);
    assert_eq!(state(&ub, "cp"), "running (migrated)");
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(&source).unwrap(),
        "the disk came along"
    );
    let there = counter(&ub, "cp");
    eventually("it counts on", || counter(&ub, "cp") != there);
    let dumped = virsh_ok(&ub, &["dumpxml", "cp"]);
    assert!(dumped.contains(copy.to_str().unwrap()), "{dumped}");
}

#[test]
fn post_copy_and_the_passes_of_a_migration() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    // Post-copy needs userfaultfd, which this kernel (vm.unprivileged_userfaultfd=0)
    // and Debian's QEMU 7.2 give only to a privileged QEMU: the QEMUs run as root, as
    // libvirt 9.0's with qemu.conf's user = "root".
    let pair = Pair::start("qemu-migrate-pc", &[], &["--qemu-user", "root"]);
    let (ua, ub) = (pair.a.qemu_uri(), pair.b.qemu_uri());
    pair.guest("rf", true);

    // A slow migration started with --postcopy, switched by migrate-postcopy
    // (OpenStack's other way to finish one): the guest runs on B and fetches the rest
    // of its memory from A.
    let e = virsh_err(&ua, &["migrate-postcopy", "rf"]);
    assert!(
        e.contains("post-copy can be started only during migration"),
        "{e}"
    );
    virsh_ok(&ua, &["migrate-setmaxdowntime", "rf", "1"]);
    let before = counter(&ua, "rf");
    let stuck = stuck_migration(&ua, &ub, &["--postcopy"]);
    virsh_ok(&ua, &["migrate-postcopy", "rf"]);
    let out = stuck.join().unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(state(&ub, "rf"), "running (migrated)");
    let there = counter(&ub, "rf");
    assert_ne!(there, before);
    eventually("it counts on after post-copy", || {
        counter(&ub, "rf") != there
    });

    // And back: each pass over the guest's memory is a migration-iteration event
    // (what virsh's --postcopy-after-precopy waits for).
    let events = virsh_background(
        &ub,
        &[
            "event",
            "rf",
            "--event",
            "migration-iteration",
            "--loop",
            "--timeout",
            "4",
        ],
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    let args = [
        "migrate",
        "--live",
        "--unsafe",
        "rf",
        &ua,
        "--migrateuri",
        "tcp:127.0.0.1",
    ];
    virsh_ok(&ub, &args);
    assert_eq!(state(&ua, "rf"), "running (migrated)");
    let (seen, _) = text(&events.wait_exit(10));
    assert!(
        seen.contains("event 'migration-iteration' for domain 'rf': iteration: '1'"),
        "{seen}"
    );
}
