//! rvirtd's host secrets and network filters (`qemu:///system`, `lxc:///system`)
//! through Debian's virsh and python3-libvirt: secrets defined, valued (base64 from a
//! file), listed, read back, private and read-only refusals, the files on disk (0600
//! in 0700), a daemon restart keeping persistent secrets and dropping ephemeral ones;
//! filters defined, listed, dumped as written, loops refused, undefined; secret
//! events delivered to python3-libvirt; and python3-libvirt scripts answered
//! identically by rvirtd and libvirtd 9.0's own secret and nwfilter drivers.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::{Daemon, have_python_libvirt, have_virsh, python, text, virsh, virsh_ok};
use rvirt_testkit::libvirtd::{Libvirtd, Options};

const PERSISTENT: &str = "7f4d9a36-3b7c-4a0e-9b1f-2a6c5d8e0f11";
const EPHEMERAL: &str = "7f4d9a36-3b7c-4a0e-9b1f-2a6c5d8e0f22";
const PRIVATE: &str = "7f4d9a36-3b7c-4a0e-9b1f-2a6c5d8e0f33";
/// `b"rbd key\0\xff"` in base64.
const VALUE_B64: &str = "cmJkIGtleQD/";

fn system_uri(d: &Daemon) -> String {
    d.qemu_uri()
}

fn ro_system_uri(d: &Daemon) -> String {
    format!("qemu+unix:///system?socket={}", d.ro_socket().display())
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn write(d: &Daemon, name: &str, text: &str) -> String {
    let p = d.dir.0.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn secret_xml(uuid: &str, attrs: &str, usage: &str) -> String {
    format!(
        "<secret {attrs}><uuid>{uuid}</uuid><description>test</description>\
         <usage type='ceph'><name>{usage}</name></usage></secret>"
    )
}

fn secrets_dir(d: &Daemon) -> PathBuf {
    d.dir.0.join("sec/secrets")
}

fn failure(o: &std::process::Output) -> String {
    assert!(!o.status.success(), "expected a failure: {}", text(o).0);
    text(o).1
}

#[test]
fn virsh_secrets_persist_and_stay_private() {
    if !have_virsh() {
        return;
    }
    let mut d = Daemon::start("secrets");
    let uri = system_uri(&d);
    let f = write(
        &d,
        "p.xml",
        &secret_xml(PERSISTENT, "ephemeral='no' private='no'", "client.admin"),
    );
    let out = virsh_ok(&uri, &["secret-define", &f]);
    assert!(
        out.contains(&format!("Secret {PERSISTENT} created")),
        "{out}"
    );
    let value_file = write(&d, "value.b64", VALUE_B64);
    let out = virsh_ok(
        &uri,
        &["secret-set-value", PERSISTENT, "--file", &value_file],
    );
    assert!(out.contains("Secret value set"), "{out}");
    let out = virsh_ok(&uri, &["secret-get-value", PERSISTENT]);
    assert_eq!(out.trim(), VALUE_B64);

    let f = write(
        &d,
        "e.xml",
        &secret_xml(EPHEMERAL, "ephemeral='yes' private='no'", "client.tmp"),
    );
    virsh_ok(&uri, &["secret-define", &f]);
    virsh_ok(
        &uri,
        &["secret-set-value", EPHEMERAL, "--file", &value_file],
    );
    let f = write(
        &d,
        "x.xml",
        &secret_xml(PRIVATE, "ephemeral='no' private='yes'", "client.priv"),
    );
    virsh_ok(&uri, &["secret-define", &f]);
    virsh_ok(&uri, &["secret-set-value", PRIVATE, "--file", &value_file]);

    // A private value never goes back to a client.
    let err = failure(&virsh(&uri, &["secret-get-value", PRIVATE]));
    assert!(err.contains("Invalid secret: secret is private"), "{err}");
    // Nor does any value to a read-only client.
    let err = failure(&virsh(
        &ro_system_uri(&d),
        &["secret-get-value", PERSISTENT],
    ));
    assert!(
        err.contains("read only access prevents virSecretGetValue"),
        "{err}"
    );
    assert!(!err.contains(VALUE_B64));
    // A usage belongs to one secret.
    let f = write(
        &d,
        "dup.xml",
        &secret_xml("7f4d9a36-3b7c-4a0e-9b1f-2a6c5d8e0f44", "", "client.admin"),
    );
    let err = failure(&virsh(&uri, &["secret-define", &f]));
    assert!(
        err.contains(&format!(
            "a secret with UUID {PERSISTENT} already defined for use with client.admin"
        )),
        "{err}"
    );

    let list = virsh_ok(&uri, &["secret-list"]);
    for u in [PERSISTENT, EPHEMERAL, PRIVATE] {
        assert!(list.contains(u), "{list}");
    }
    assert!(list.contains("ceph client.admin"), "{list}");
    let list = virsh_ok(&uri, &["secret-list", "--ephemeral"]);
    assert!(
        list.contains(EPHEMERAL) && !list.contains(PERSISTENT),
        "{list}"
    );
    let list = virsh_ok(&uri, &["secret-list", "--private"]);
    assert!(
        list.contains(PRIVATE) && !list.contains(EPHEMERAL),
        "{list}"
    );
    // lxc:///system sees the same host secrets.
    let lxc = format!("lxc+unix:///system?socket={}", d.rw_socket().display());
    assert!(virsh_ok(&lxc, &["secret-list"]).contains(PERSISTENT));
    let xml = virsh_ok(&uri, &["secret-dumpxml", PRIVATE]);
    assert!(
        xml.contains("<secret ephemeral='no' private='yes'>"),
        "{xml}"
    );
    assert!(xml.contains("<name>client.priv</name>"), "{xml}");

    // On disk: persistent definitions and values, private files, nothing ephemeral.
    let dir = secrets_dir(&d);
    assert_eq!(mode(&dir), 0o700);
    for u in [PERSISTENT, PRIVATE] {
        assert_eq!(mode(&dir.join(format!("{u}.xml"))), 0o600);
        let b64 = dir.join(format!("{u}.base64"));
        assert_eq!(mode(&b64), 0o600);
        assert_eq!(std::fs::read_to_string(&b64).unwrap(), VALUE_B64);
    }
    assert!(!dir.join(format!("{EPHEMERAL}.xml")).exists());
    assert!(!dir.join(format!("{EPHEMERAL}.base64")).exists());
    assert!(!d.log().contains(VALUE_B64), "a value reached the log");

    // A new daemon on the same root: persistent secrets and values back, ephemeral gone.
    let sec_root = d.dir.0.join("sec").display().to_string();
    let _ = d.child.kill();
    let _ = d.child.wait();
    let d2 = Daemon::start_with("secrets-again", &["--secret-root", &sec_root]);
    let uri2 = system_uri(&d2);
    let list = virsh_ok(&uri2, &["secret-list"]);
    assert!(
        list.contains(PERSISTENT) && list.contains(PRIVATE),
        "{list}"
    );
    assert!(!list.contains(EPHEMERAL), "{list}");
    assert_eq!(
        virsh_ok(&uri2, &["secret-get-value", PERSISTENT]).trim(),
        VALUE_B64
    );
    let err = failure(&virsh(&uri2, &["secret-get-value", PRIVATE]));
    assert!(err.contains("secret is private"), "{err}");

    let out = virsh_ok(&uri2, &["secret-undefine", PERSISTENT]);
    assert!(
        out.contains(&format!("Secret {PERSISTENT} deleted")),
        "{out}"
    );
    assert!(!dir.join(format!("{PERSISTENT}.xml")).exists());
    assert!(!dir.join(format!("{PERSISTENT}.base64")).exists());
    let err = failure(&virsh(&uri2, &["secret-get-value", PERSISTENT]));
    assert!(
        err.contains(&format!("no secret with matching uuid '{PERSISTENT}'")),
        "{err}"
    );
    // test:///default still has no secrets, as libvirt's test driver.
    let err = failure(&virsh(&d2.uri(), &["secret-list"]));
    assert!(err.contains("not supported"), "{err}");
}

const BASE_UUID: &str = "3c1b1d5e-60a4-4f0e-8f0c-5a1e2b9d7c00";

const FILTER: &str = "<filter name='rvirt-no-spoof' chain='ipv4' priority='-650'>\
  <uuid>3c1b1d5e-60a4-4f0e-8f0c-5a1e2b9d7c01</uuid>\
  <rule action='drop' direction='out' priority='400'><ip match='no' srcipaddr='$IP'/></rule>\
  <filterref filter='rvirt-base'/>\
  <rule action='accept' direction='inout' priority='500'/>\
</filter>";

#[test]
fn virsh_nwfilters_are_kept_as_written() {
    if !have_virsh() {
        return;
    }
    // Bindings load nftables rules: only in a network namespace of this thread's own
    // (rvirtd inherits it); without one the binding part is skipped.
    let isolated = rvirt_testkit::enter_netns();
    let mut d = Daemon::start("nwfilters");
    let uri = system_uri(&d);
    let base = write(
        &d,
        "base.xml",
        &format!(
            "<filter name='rvirt-base' chain='root'><uuid>{BASE_UUID}</uuid>\
             <rule action='accept' direction='in'><all/></rule></filter>"
        ),
    );
    let out = virsh_ok(&uri, &["nwfilter-define", &base]);
    assert!(out.contains("Network filter rvirt-base defined"), "{out}");
    let f = write(&d, "f.xml", FILTER);
    virsh_ok(&uri, &["nwfilter-define", &f]);
    let list = virsh_ok(&uri, &["nwfilter-list"]);
    assert!(
        list.contains("3c1b1d5e-60a4-4f0e-8f0c-5a1e2b9d7c01") && list.contains("rvirt-no-spoof"),
        "{list}"
    );
    assert!(list.contains("rvirt-base"), "{list}");
    let xml = virsh_ok(&uri, &["nwfilter-dumpxml", "rvirt-no-spoof"]);
    assert!(
        xml.starts_with("<filter name='rvirt-no-spoof' chain='ipv4' priority='-650'>"),
        "{xml}"
    );
    let drop_rule = xml.find("action='drop'").expect("drop rule");
    let fref = xml
        .find("<filterref filter='rvirt-base'/>")
        .expect("filterref");
    let accept = xml.find("action='accept'").expect("accept rule");
    assert!(drop_rule < fref && fref < accept, "order kept: {xml}");
    assert!(xml.contains("srcipaddr='$IP'"), "{xml}");
    let on_disk = d.dir.0.join("nwf/nwfilter/rvirt-no-spoof.xml");
    assert_eq!(mode(&on_disk), 0o600);

    // The base filter referring back to the one that uses it would close a loop.
    let looped = write(
        &d,
        "loop.xml",
        &format!(
            "<filter name='rvirt-base' chain='root'><uuid>{BASE_UUID}</uuid>\
             <filterref filter='rvirt-no-spoof'/></filter>"
        ),
    );
    let err = failure(&virsh(&uri, &["nwfilter-define", &looped]));
    assert!(err.contains("filter would introduce a loop"), "{err}");
    let bindings = virsh_ok(&uri, &["nwfilter-binding-list"]);
    assert!(!bindings.contains("vnet"), "{bindings}");

    // A binding of the filter to a port: listed, dumped, and it keeps the filter.
    if isolated {
        let binding = write(
            &d,
            "binding.xml",
            "<filterbinding><owner><name>guest1</name>\
         <uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid></owner>\
         <portdev name='vnet7'/><mac address='52:54:00:7B:35:93'/>\
         <filterref filter='rvirt-no-spoof'><parameter name='IP' value='10.0.0.7'/></filterref>\
         </filterbinding>",
        );
        let out = virsh_ok(&uri, &["nwfilter-binding-create", &binding]);
        assert!(out.contains("vnet7"), "{out}");
        let bindings = virsh_ok(&uri, &["nwfilter-binding-list"]);
        assert!(
            bindings.contains("vnet7") && bindings.contains("rvirt-no-spoof"),
            "{bindings}"
        );
        let xml = virsh_ok(&uri, &["nwfilter-binding-dumpxml", "vnet7"]);
        assert!(xml.contains("<mac address='52:54:00:7b:35:93'/>"), "{xml}");
        assert!(
            xml.contains("<parameter name='IP' value='10.0.0.7'/>"),
            "{xml}"
        );
        let err = failure(&virsh(&uri, &["nwfilter-undefine", "rvirt-no-spoof"]));
        assert!(err.contains("nwfilter is in use"), "{err}");
        virsh_ok(&uri, &["nwfilter-binding-delete", "vnet7"]);
        let err = failure(&virsh(&uri, &["nwfilter-binding-dumpxml", "vnet7"]));
        assert!(
            err.contains("no nwfilter binding for port dev 'vnet7'"),
            "{err}"
        );
    }

    let out = virsh_ok(&uri, &["nwfilter-undefine", "rvirt-no-spoof"]);
    assert!(
        out.contains("Network filter rvirt-no-spoof undefined"),
        "{out}"
    );
    assert!(!on_disk.exists());
    let err = failure(&virsh(&uri, &["nwfilter-dumpxml", "rvirt-no-spoof"]));
    assert!(
        err.contains("no nwfilter with matching name 'rvirt-no-spoof'"),
        "{err}"
    );

    // A new daemon on the same root has the remaining filter, as written.
    let root = d.dir.0.join("nwf").display().to_string();
    let _ = d.child.kill();
    let _ = d.child.wait();
    let d2 = Daemon::start_with("nwfilters-again", &["--nwfilter-root", &root]);
    let uri2 = system_uri(&d2);
    let list = virsh_ok(&uri2, &["nwfilter-list"]);
    assert!(
        list.contains("rvirt-base") && list.contains(BASE_UUID),
        "{list}"
    );
    assert!(!list.contains("rvirt-no-spoof"), "{list}");
    let xml = virsh_ok(&uri2, &["nwfilter-dumpxml", "rvirt-base"]);
    assert!(
        xml.contains("<rule action='accept' direction='in' priority='500'>"),
        "{xml}"
    );
}

const EVENTS: &str = r#"
import sys, time, libvirt
libvirt.virEventRegisterDefaultImpl()
c = libvirt.open(sys.argv[1])
seen = []
c.secretEventRegisterAny(None, libvirt.VIR_SECRET_EVENT_ID_LIFECYCLE,
    lambda conn, s, ev, det, o: seen.append(("lifecycle", s.UUIDString(), ev)), None)
c.secretEventRegisterAny(None, libvirt.VIR_SECRET_EVENT_ID_VALUE_CHANGED,
    lambda conn, s, o: seen.append(("value", s.UUIDString(), s.usageID())), None)
s = c.secretDefineXML(sys.argv[2], 0)
s.setValue(b"pw\x00x", 0)
print("value", s.value(0) == b"pw\x00x")
s.undefine()
deadline = time.time() + 5
while len(seen) < 3 and time.time() < deadline:
    libvirt.virEventRunDefaultImpl()
print("events", seen)
"#;

#[test]
fn python_sees_secret_events() {
    if !have_python_libvirt() {
        return;
    }
    let d = Daemon::start("secret-events");
    let o = python(
        EVENTS,
        &[
            &system_uri(&d),
            &secret_xml(PERSISTENT, "", "client.events"),
        ],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}\n{}", d.log());
    assert!(out.contains("value True"), "{out}");
    assert!(
        out.contains(&format!(
            "events [('lifecycle', '{PERSISTENT}', 0), ('value', '{PERSISTENT}', 'client.events'), ('lifecycle', '{PERSISTENT}', 1)]"
        )),
        "{out}"
    );
}

const PARITY: &str = include_str!("scripts/secrets.py");

/// Lines of `a` and `b` that differ, for the failure message.
fn diff(a: &str, b: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let mut out = String::new();
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i).copied(), b.get(i).copied());
        if x != y {
            out.push_str(&format!(
                "line {}:\n  libvirtd: {x:?}\n  rvirtd:   {y:?}\n",
                i + 1
            ));
        }
    }
    out
}

/// Runs `script` against libvirtd's `SCHEME:///system` (with `opts`) and rvirtd's
/// `qemu:///system`; returns both outputs (`None` when no private libvirtd can run).
fn both(script: &str, scheme: &str, opts: Options, tag: &str) -> Option<(String, String)> {
    let lv = Libvirtd::start_with(opts)?;
    let d = Daemon::start(tag);
    let theirs = python(
        script,
        &[
            &format!("{scheme}+unix:///system?socket={}", lv.socket().display()),
            &format!(
                "{scheme}+unix:///system?socket={}",
                lv.dir.join("sock/libvirt-sock-ro").display()
            ),
        ],
    );
    let ours = python(script, &[&system_uri(&d), &ro_system_uri(&d)]);
    let (t_out, t_err) = text(&theirs);
    let (o_out, o_err) = text(&ours);
    assert!(
        theirs.status.success(),
        "libvirtd run failed: {t_out}\n{t_err}"
    );
    assert!(ours.status.success(), "rvirtd run failed: {o_out}\n{o_err}");
    Some((t_out, o_out))
}

#[test]
fn python_answers_match_libvirtd_secret_driver() {
    if !have_python_libvirt() {
        return;
    }
    let opts = Options {
        secret_driver: true,
        ..Options::default()
    };
    let Some((theirs, ours)) = both(PARITY, "secret", opts, "secret-parity") else {
        return;
    };
    assert!(theirs.contains("events ["), "{theirs}");
    assert!(
        theirs.contains("Secret not found"),
        "libvirtd answered: {theirs}"
    );
    assert_eq!(theirs, ours, "\n{}", diff(&theirs, &ours));
}

#[test]
fn python_answers_match_libvirtd_nwfilter_driver() {
    if !have_python_libvirt() {
        return;
    }
    let opts = Options {
        nwfilter_driver: true,
        ..Options::default()
    };
    let script = include_str!("scripts/nwfilters.py");
    let Some((theirs, ours)) = both(script, "nwfilter", opts, "nwfilter-parity") else {
        return;
    };
    assert!(
        theirs.contains("gone ('error', 62"),
        "libvirtd answered: {theirs}"
    );
    assert_eq!(theirs, ours, "\n{}", diff(&theirs, &ours));
}
