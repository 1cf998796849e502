//! rvirsh's network, storage pool, volume and secret commands against rvirtd, each
//! compared with Debian's virsh running the same command on the same daemon: the same
//! exit status, the same stdout line for line (tables, info blocks, XML, messages) and
//! the same error lines. Networks, pools and volumes live in rvirtd's test driver
//! (`test:///default`, kept open so one world serves every client), secrets in the
//! daemon's secret driver (`qemu:///system`, under the test's own `--secret-root`).

use std::process::{Command, Output};

use rvirt_testkit::{Daemon, have_virsh, run, text, virsh};

fn rvirsh(uri: &str, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rvirsh"));
    c.arg("-c").arg(uri).args(args);
    run(c, 20)
}

/// Runs `args` with virsh and rvirsh, asserts they agree, returns rvirsh's stdout.
/// On failure virsh also prints a blank line on stdout: only the error lines count.
fn same(uri: &str, args: &[&str]) -> String {
    let v = virsh(uri, args);
    let r = rvirsh(uri, args);
    let ((vout, verr), (rout, rerr)) = (text(&v), text(&r));
    assert_eq!(
        v.status.success(),
        r.status.success(),
        "{args:?}: virsh {vout}{verr}\nrvirsh {rout}{rerr}"
    );
    if v.status.success() {
        assert_eq!(rout, vout, "stdout of {args:?}");
    } else {
        assert_eq!(rerr, verr, "stderr of {args:?}");
    }
    rout
}

/// Runs `args` with virsh, undoes it with `undo` (virsh), then runs `args` with rvirsh:
/// the same message; the state rvirsh leaves is virsh's (checked by the caller).
fn same_action(uri: &str, args: &[&str], undo: &[&str]) -> String {
    let v = virsh(uri, args);
    let (vout, verr) = text(&v);
    assert!(v.status.success(), "virsh {args:?}: {vout}{verr}");
    let u = virsh(uri, undo);
    assert!(u.status.success(), "virsh {undo:?}: {:?}", text(&u));
    let r = rvirsh(uri, args);
    let (rout, rerr) = text(&r);
    assert!(r.status.success(), "rvirsh {args:?}: {rout}{rerr}");
    assert_eq!(rout, vout, "stdout of {args:?}");
    rout
}

fn ok(uri: &str, args: &[&str]) -> String {
    let r = rvirsh(uri, args);
    let (out, err) = text(&r);
    assert!(r.status.success(), "rvirsh {args:?}: {out}{err}");
    out
}

#[test]
fn networks_as_virsh_prints_them() {
    if !have_virsh() {
        return;
    }
    let d = Daemon::start("rvirsh-nets");
    let uri = d.uri();
    let u = uri.as_str();
    assert_eq!(
        same(u, &["net-list"]),
        " Name      State    Autostart   Persistent\n\
         --------------------------------------------\n \
         default   active   no          yes\n\n"
    );
    let info = same(u, &["net-info", "default"]);
    assert!(info.contains("Bridge:         virbr0\n"), "{info}");
    same(u, &["net-info", "dd8fe884-6c02-601e-7551-cca97df1c5df"]);
    assert!(same(u, &["net-dumpxml", "default"]).starts_with("<network>\n"));
    same(u, &["net-info", "nosuch"]);
    same(u, &["net-dhcp-leases", "default"]);
    same(u, &["net-dhcp-leases", "nosuch"]);

    // A network defined from a file, listed, started, stopped and undefined.
    let file = d.dir.0.join("extra.xml");
    std::fs::write(
        &file,
        "<network><name>extra</name><bridge name='virbr9'/>\
         <ip address='192.168.150.1' netmask='255.255.255.0'/></network>",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let msg = same_action(u, &["net-define", f], &["net-undefine", "extra"]);
    assert_eq!(msg, format!("Network extra defined from {f}\n\n"));
    let all = same(u, &["net-list", "--all"]);
    assert!(
        all.contains(" extra     inactive   no          yes\n"),
        "{all}"
    );
    same(u, &["net-list"]);
    same(u, &["net-info", "extra"]);
    same(u, &["net-dumpxml", "extra", "--inactive"]);
    let started = same_action(u, &["net-start", "extra"], &["net-destroy", "extra"]);
    assert_eq!(started, "Network extra started\n\n");
    same(u, &["net-start", "extra"]);
    same(u, &["net-undefine", "extra"]);
    same(u, &["net-list", "--all"]);
    let marked = same_action(
        u,
        &["net-autostart", "extra"],
        &["net-autostart", "extra", "--disable"],
    );
    assert_eq!(marked, "Network extra marked as autostarted\n\n");
    assert!(same(u, &["net-info", "extra"]).contains("Autostart:      yes\n"));
    same_action(
        u,
        &["net-autostart", "extra", "--disable"],
        &["net-autostart", "extra"],
    );
    assert!(same(u, &["net-info", "extra"]).contains("Autostart:      no\n"));
    let destroyed = same_action(u, &["net-destroy", "extra"], &["net-start", "extra"]);
    assert_eq!(destroyed, "Network extra destroyed\n\n");
    same(u, &["net-destroy", "extra"]);
    let undefined = same_action(u, &["net-undefine", "extra"], &["net-define", f]);
    assert_eq!(undefined, "Network extra has been undefined\n\n");
    assert_eq!(same(u, &["net-list", "--all"]).matches("extra").count(), 0);
    std::fs::write(&file, "<network><name>broken").unwrap();
    same(u, &["net-define", f]);
}

#[test]
fn pools_and_volumes_as_virsh_prints_them() {
    if !have_virsh() {
        return;
    }
    let d = Daemon::start("rvirsh-pools");
    let uri = d.uri();
    let u = uri.as_str();
    assert_eq!(
        same(u, &["pool-list"]),
        " Name           State    Autostart\n\
         ------------------------------------\n \
         default-pool   active   no\n\n"
    );
    let info = same(u, &["pool-info", "default-pool"]);
    assert!(info.contains("Capacity:       100.00 GiB\n"), "{info}");
    same(u, &["pool-dumpxml", "default-pool"]);
    same(u, &["pool-info", "nosuch"]);
    assert_eq!(
        same(u, &["vol-list", "default-pool"]),
        " Name   Path\n--------------\n\n"
    );

    // Volumes: created as virsh creates them, listed, described, deleted.
    let made = same_action(
        u,
        &["vol-create-as", "default-pool", "v1", "10M"],
        &["vol-delete", "v1", "--pool", "default-pool"],
    );
    assert_eq!(made, "Vol v1 created\n\n");
    same_action(
        u,
        &[
            "vol-create-as",
            "default-pool",
            "v2.qcow2",
            "1G",
            "--format",
            "qcow2",
        ],
        &["vol-delete", "/default-pool/v2.qcow2"],
    );
    same(u, &["vol-create-as", "default-pool", "v1", "10M"]);
    assert_eq!(
        same(u, &["vol-list", "default-pool"]),
        " Name       Path\n\
         ------------------------------------\n \
         v1         /default-pool/v1\n \
         v2.qcow2   /default-pool/v2.qcow2\n\n"
    );
    assert_eq!(
        same(u, &["vol-info", "v1", "--pool", "default-pool"]),
        "Name:           v1\nType:           file\nCapacity:       10.00 MiB\n\
         Allocation:     10.00 MiB\n\n"
    );
    same(u, &["vol-info", "/default-pool/v2.qcow2"]);
    same(u, &["vol-info", "nosuch", "--pool", "default-pool"]);
    same(u, &["vol-info", "v1", "--pool", "nosuch"]);
    let xml = same(u, &["vol-dumpxml", "v2.qcow2", "--pool", "default-pool"]);
    assert!(xml.contains("<format type='qcow2'/>"), "{xml}");
    let deleted = same_action(
        u,
        &["vol-delete", "v1", "--pool", "default-pool"],
        &["vol-create-as", "default-pool", "v1", "10M"],
    );
    assert_eq!(deleted, "Vol v1 deleted\n\n");
    same(u, &["vol-delete", "v1", "--pool", "default-pool"]);
    same(u, &["vol-list", "default-pool"]);

    // A pool defined from a file; the default pool stopped, described and restarted.
    let file = d.dir.0.join("p2.xml");
    std::fs::write(
        &file,
        "<pool type='dir'><name>p2</name><target><path>/p2</path></target></pool>",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let msg = same_action(u, &["pool-define", f], &["pool-undefine", "p2"]);
    assert_eq!(msg, format!("Pool p2 defined from {f}\n\n"));
    assert!(same(u, &["pool-list", "--all"]).contains(" p2             inactive   no\n"));
    same(u, &["pool-list"]);
    same(u, &["pool-info", "p2"]);
    same(u, &["pool-dumpxml", "p2", "--inactive"]);
    let started = same_action(u, &["pool-start", "p2"], &["pool-destroy", "p2"]);
    assert_eq!(started, "Pool p2 started\n\n");
    same(u, &["pool-start", "p2"]);
    same(u, &["pool-undefine", "p2"]);
    let refreshed = same(u, &["pool-refresh", "p2"]);
    assert_eq!(refreshed, "Pool p2 refreshed\n\n");
    let destroyed = same_action(u, &["pool-destroy", "p2"], &["pool-start", "p2"]);
    assert_eq!(destroyed, "Pool p2 destroyed\n\n");
    same(u, &["pool-refresh", "p2"]);
    let info = same(u, &["pool-info", "p2"]);
    assert!(info.contains("State:          inactive\n") && !info.contains("Capacity"));
    let undefined = same_action(u, &["pool-undefine", "p2"], &["pool-define", f]);
    assert_eq!(undefined, "Pool p2 has been undefined\n\n");
    assert_eq!(same(u, &["pool-list", "--all"]).matches("p2").count(), 0);
}

#[test]
fn secrets_as_virsh_prints_them() {
    if !have_virsh() {
        return;
    }
    let d = Daemon::start("rvirsh-secrets");
    let uri = d.qemu_uri();
    let u = uri.as_str();
    let ceph = "0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f";
    let unused = "1a81f5b2-8403-7b23-c8d6-21ccc2f80d6f";
    let f1 = d.dir.0.join("s1.xml");
    std::fs::write(
        &f1,
        format!(
            "<secret ephemeral='no' private='no'><uuid>{ceph}</uuid>\
             <usage type='ceph'><name>client.admin secret</name></usage></secret>"
        ),
    )
    .unwrap();
    let f2 = d.dir.0.join("s2.xml");
    std::fs::write(
        &f2,
        format!("<secret ephemeral='no' private='no'><uuid>{unused}</uuid></secret>"),
    )
    .unwrap();
    let (f1, f2) = (f1.to_str().unwrap(), f2.to_str().unwrap());
    assert_eq!(
        same(u, &["secret-list"]),
        " UUID   Usage\n---------------\n\n"
    );
    let created = same_action(u, &["secret-define", f1], &["secret-undefine", ceph]);
    assert_eq!(created, format!("Secret {ceph} created\n\n"));
    ok(u, &["secret-define", f2]);
    assert_eq!(
        same(u, &["secret-list"]),
        format!(
            " UUID                                   Usage\n\
             {}\n \
             {ceph}   ceph client.admin secret\n \
             {unused}   Unused\n\n",
            "-".repeat(66)
        )
    );
    let xml = same(u, &["secret-dumpxml", ceph]);
    assert!(xml.contains("<name>client.admin secret</name>"), "{xml}");
    same(u, &["secret-dumpxml", "nosuch"]);
    same(
        u,
        &["secret-dumpxml", "2a81f5b2-8403-7b23-c8d6-21ccc2f80d6f"],
    );
    same(u, &["secret-get-value", unused]);

    // The value: base64 in a file, as virsh reads it; read back by both clients.
    let value = d.dir.0.join("value.b64");
    std::fs::write(&value, "aGVsbG8gd29ybGQ=\n").unwrap();
    let v = value.to_str().unwrap();
    assert_eq!(
        ok(u, &["secret-set-value", ceph, "--file", v]),
        "Secret value set\n\n"
    );
    assert_eq!(same(u, &["secret-get-value", ceph]), "aGVsbG8gd29ybGQ=\n");
    assert_eq!(
        same(u, &["secret-get-value", ceph, "--plain"]),
        "hello world\n"
    );
    std::fs::write(&value, "c2Vjb25k").unwrap();
    same(u, &["secret-set-value", ceph, "--file", v]);
    assert_eq!(ok(u, &["secret-get-value", ceph]), "c2Vjb25k\n");
    // A file beyond virsh's 1 KiB is refused before anything is sent.
    std::fs::write(&value, "QUFB".repeat(300)).unwrap();
    let big = rvirsh(u, &["secret-set-value", ceph, "--file", v]);
    assert!(!big.status.success());
    assert_eq!(ok(u, &["secret-get-value", ceph]), "c2Vjb25k\n");

    let deleted = same_action(u, &["secret-undefine", unused], &["secret-define", f2]);
    assert_eq!(deleted, format!("Secret {unused} deleted\n\n"));
    same(u, &["secret-undefine", unused]);
    same(u, &["secret-list"]);
}
