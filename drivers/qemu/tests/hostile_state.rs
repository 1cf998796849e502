//! State files a driver root may hold after crashes or tampering (issue 14): status
//! files naming paths outside the root, symlinked lock files, leftovers of writes cut
//! short, truncated definitions and status files of guests that still run. Real QEMU
//! (TCG) where a guest runs.

mod support;

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use rvirt_core::api::{DomainState, XmlFlags};
use rvirt_core::log::{self, Record};
use rvirt_core::{Connect, ErrorCode};
use rvirt_driver_qemu::process::process_alive;
use rvirt_testkit::{LOOP, domain_xml, mode};
use support::*;

/// Every message the driver logged in this test process.
fn logged() -> &'static Mutex<Vec<String>> {
    static LOG: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    let log = LOG.get_or_init(Default::default);
    static SINK: OnceLock<()> = OnceLock::new();
    SINK.get_or_init(|| {
        log::set_sink(Some(Arc::new(|r: &Record<'_>| {
            let line = r.message.to_string();
            eprintln!("log: {line}");
            logged().lock().unwrap().push(line);
        })))
    });
    log
}

/// The logged lines that mention `needle`.
fn log_lines(needle: &str) -> Vec<String> {
    logged()
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains(needle))
        .cloned()
        .collect()
}

fn open_root(root: &Path) -> rvirt_core::Result<Connect> {
    rvirt_driver_qemu::register().unwrap();
    let l = rvirt_core::event::DefaultLoop::new().unwrap();
    Connect::open_with_loop(
        &format!("qemu:///embed?root={}", root.display()),
        l.shared(),
    )
}

#[test]
fn status_file_paths_outside_the_root_are_never_touched() {
    logged();
    let root = root_for("evil");
    let outside = root.with_extension("outside");
    std::fs::create_dir_all(outside.join("precious")).unwrap();
    std::fs::create_dir_all(root.join("run/qemu")).unwrap();
    // A dead pid and a libDir naming a directory outside the root.
    std::fs::write(
        root.join("run/qemu/evil.xml"),
        format!(
            "<domstatus state='running' reason='booted' pid='999999'>\n  <monitor path='{0}/monitor.sock' type='unix'/>\n  <libDir path='{0}'/>\n<domain type='qemu' id='1'>\n  <name>evil</name>\n  <uuid>0b5a3c1e-5f6d-4e2a-9c1b-7d8e9f0a1b2d</uuid>\n  <memory unit='KiB'>65536</memory>\n  <os><type arch='x86_64'>hvm</type></os>\n</domain>\n</domstatus>\n",
            outside.display()
        ),
    )
    .unwrap();
    let conn = open_root(&root).unwrap();
    assert!(
        outside.join("precious").is_dir(),
        "a directory outside the root was removed"
    );
    assert_eq!(
        conn.lookup_domain_by_name("evil").unwrap_err().code(),
        ErrorCode::NoDomain
    );
    assert!(!root.join("run/qemu/evil.xml").exists());
    let lines = log_lines(&root.join("run/qemu/evil.xml").display().to_string());
    assert!(
        lines.iter().any(|l| l.contains("is not inside")),
        "{lines:?}"
    );
    conn.close().unwrap();
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::remove_dir_all(&outside);
}

#[test]
fn a_symlinked_lock_file_is_refused_and_its_target_untouched() {
    let root = root_for("lnk");
    let victim = root.with_extension("victim");
    std::fs::write(&victim, b"precious\n").unwrap();
    std::fs::create_dir_all(root.join("run/qemu")).unwrap();
    std::os::unix::fs::symlink(&victim, root.join("run/qemu/driver.pid")).unwrap();
    let err = open_root(&root).unwrap_err();
    assert_eq!(err.code(), ErrorCode::SystemError, "{err}");
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious\n");
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::remove_file(&victim);
}

#[test]
fn files_are_private_and_unrunnable_parts_are_refused_at_define() {
    let env = setup("priv");
    let disk = env.disk(LOOP);
    // What this driver does not carry out (an SDL window) is refused at define,
    // naming the element, instead of stored and ignored.
    let xml = domain_xml("priv", &disk).replace(
        "<memballoon model='none'/>",
        "<memballoon model='none'/><graphics type='sdl'/>",
    );
    let e = env.conn().define_xml(&xml).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigUnsupported, "{e}");
    assert!(e.message().contains("<graphics type='sdl'>"), "{e}");
    env.conn().define_xml(&domain_xml("priv", &disk)).unwrap();
    for sub in ["etc", "run", "log", "cache", "lib"] {
        assert_eq!(mode(&env.root.join(sub).join("qemu")), 0o700, "{sub}");
    }
    let config = env.root.join("etc/qemu/priv.xml");
    assert_eq!(mode(&config), 0o600);
    let ro = Connect::open_read_only(&format!("qemu:///embed?root={}", env.root.display()));
    // The root is this process's instance; a read-only view of it refuses SECURE.
    if let Ok(ro) = ro {
        let d = ro.lookup_domain_by_name("priv").unwrap();
        let e = d.xml_desc(XmlFlags::SECURE).unwrap_err();
        assert_eq!(e.code(), ErrorCode::OperationDenied);
    }
    // The running guest's status and log files.
    env.conn().create_xml(&domain_xml("run", &disk), 0).unwrap();
    for f in ["run/qemu/run.xml", "run/qemu/run.pid", "log/qemu/run.log"] {
        assert_eq!(mode(&env.root.join(f)), 0o600, "{f}");
    }
}

#[test]
fn leftovers_are_removed_and_every_skipped_definition_is_logged() {
    logged();
    let root = root_for("left");
    for d in ["etc/qemu", "run/qemu"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::write(root.join("etc/qemu/a.xml.new"), b"<domain").unwrap();
    std::fs::write(root.join("run/qemu/b.xml.new"), b"<domstatus").unwrap();
    std::fs::write(
        root.join("etc/qemu/cut.xml"),
        b"<domain type='qemu'><name>cut</name><memory>1024</me",
    )
    .unwrap();
    std::fs::write(
        root.join("etc/qemu/wrongname.xml"),
        b"<domain type='qemu'><name>other</name><memory>1024</memory><os><type>hvm</type></os></domain>",
    )
    .unwrap();
    let conn = open_root(&root).unwrap();
    assert!(!root.join("etc/qemu/a.xml.new").exists());
    assert!(!root.join("run/qemu/b.xml.new").exists());
    assert!(
        conn.list_all_domains(Default::default())
            .unwrap()
            .is_empty()
    );
    for (file, why) in [
        ("etc/qemu/a.xml.new", "did not finish"),
        ("run/qemu/b.xml.new", "did not finish"),
        ("etc/qemu/cut.xml", "skipping"),
        ("etc/qemu/wrongname.xml", "does not match"),
    ] {
        let lines = log_lines(&root.join(file).display().to_string());
        assert!(lines.iter().any(|l| l.contains(why)), "{file}: {lines:?}");
    }
    // Nothing is lost: the unusable definitions stay for the operator.
    assert!(root.join("etc/qemu/cut.xml").exists());
    conn.close().unwrap();
    let _ = std::fs::remove_dir_all(&root);
}

/// A guest keeps running while its status file is truncated; a new instance finds it
/// through its command line and monitor, and a second QEMU for it is refused.
fn truncated_status_is_recovered(tag: &str, persistent: bool) {
    logged();
    let mut env = setup(tag);
    let disk = env.disk(LOOP);
    let dom = if persistent {
        let mut d = env.conn().define_xml(&domain_xml(tag, &disk)).unwrap();
        d.create().unwrap();
        d
    } else {
        env.conn().create_xml(&domain_xml(tag, &disk), 0).unwrap()
    };
    let pid = env.pid(tag);
    let uuid = dom.uuid();
    env.conn.take().unwrap().close().unwrap();
    let status = env.root.join(format!("run/qemu/{tag}.xml"));
    let text = std::fs::read_to_string(&status).unwrap();
    std::fs::write(&status, &text[..text.len() / 2]).unwrap();

    let root = std::mem::take(&mut env.root);
    drop(env);
    let again = reopen(&root);
    let found = again.conn().lookup_domain_by_name(tag).unwrap();
    assert_eq!(found.uuid(), uuid);
    assert_eq!(found.state().unwrap().state(), DomainState::Running);
    assert_eq!(found.is_persistent().unwrap(), persistent);
    assert!(process_alive(pid));
    let lines = log_lines(&status.display().to_string());
    assert!(
        lines.iter().any(|l| l.contains("cannot use status file")),
        "{lines:?}"
    );
    assert!(!log_lines(&format!("recovered domain '{tag}'")).is_empty());
    // The status file is whole again.
    let text = std::fs::read_to_string(&status).unwrap();
    assert!(text.trim_end().ends_with("</domstatus>"), "{text}");

    // Another root with the same definition may not start a second QEMU for it.
    let other = setup(&format!("{tag}2"));
    let xml = found.xml_desc(XmlFlags::INACTIVE).unwrap();
    let mut twin = other.conn().define_xml(&xml).unwrap();
    let err = twin.create().unwrap_err();
    assert_eq!(err.code(), ErrorCode::OperationInvalid, "{err}");
    assert!(
        err.message().contains(&format!("QEMU process {pid}")),
        "{err}"
    );

    found.destroy().unwrap();
    again.run_until_gone(pid);
    twin.create().unwrap();
}

#[test]
fn a_running_guest_with_a_truncated_status_file_is_recovered() {
    truncated_status_is_recovered("trunc", true);
}

#[test]
fn a_transient_guest_with_a_truncated_status_file_is_recovered() {
    truncated_status_is_recovered("trans", false);
}

/// What lives beside the runs' private directories in `lib/qemu` outlives a new
/// instance: a stale `domain-*` directory goes, a managed save image and a defined
/// domain's snapshot metadata stay (the metadata read back, the current snapshot
/// with it); snapshot files that lie about their name are skipped, and the metadata
/// of a domain that is no longer there is removed.
#[test]
fn lib_state_beside_run_directories_survives_a_new_instance() {
    logged();
    let root = root_for("libstate");
    let lib = root.join("lib/qemu");
    for d in [
        "etc/qemu",
        "lib/qemu/domain-7-gone",
        "lib/qemu/save",
        "lib/qemu/snapshot/kept",
        "lib/qemu/snapshot/ghost",
    ] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::write(
        root.join("etc/qemu/kept.xml"),
        domain_xml("kept", &root.join("kept.img")),
    )
    .unwrap();
    std::fs::write(lib.join("save/kept.save"), b"LibvirtQemudSave").unwrap();
    let snap = |name: &str, t: u32, extra: &str| {
        format!(
            "<domainsnapshot><name>{name}</name>{extra}<state>shutoff</state>\
             <creationTime>{t}</creationTime></domainsnapshot>"
        )
    };
    std::fs::write(lib.join("snapshot/kept/s1.xml"), snap("s1", 1, "")).unwrap();
    std::fs::write(
        lib.join("snapshot/kept/s2.xml"),
        snap(
            "s2",
            2,
            "<parent><name>s1</name></parent><active>1</active>",
        ),
    )
    .unwrap();
    std::fs::write(lib.join("snapshot/kept/liar.xml"), snap("../x", 3, "")).unwrap();
    std::fs::write(lib.join("snapshot/ghost/g.xml"), snap("g", 1, "")).unwrap();

    let conn = open_root(&root).unwrap();
    assert!(!lib.join("domain-7-gone").exists());
    assert!(lib.join("save/kept.save").exists());
    assert!(!lib.join("snapshot/ghost").exists());
    let dom = conn.lookup_domain_by_name("kept").unwrap();
    let names: Vec<String> = dom
        .list_all_snapshots(0)
        .unwrap()
        .iter()
        .map(|s| s.name().to_string())
        .collect();
    assert_eq!(names, ["s1", "s2"]);
    assert_eq!(dom.snapshot_current(0).unwrap().name(), "s2");
    assert!(
        log_lines(&lib.join("snapshot/kept/liar.xml").display().to_string())
            .iter()
            .any(|l| l.contains("skipping")),
    );
    // Undefine keeps refusing while metadata exists, as libvirt.
    let e = dom.undefine().unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationInvalid);
    assert!(
        e.message()
            .contains("cannot delete inactive domain with 2 snapshots"),
        "{e}"
    );
    dom.undefine_with_flags(2).unwrap();
    assert!(!lib.join("snapshot/kept").exists());
    conn.close().unwrap();
    let _ = std::fs::remove_dir_all(&root);
}
