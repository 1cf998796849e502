//! Encrypted (LUKS) disks through rvirtd with Debian's virsh (`qemu:///system`):
//! secrets defined and valued (`secret-define`, `secret-set-value`); the storage
//! driver creating a raw LUKS volume (secret named by UUID) and a qcow2 one with LUKS
//! encryption (secret named by usage) that the secret's value unlocks, and refusing a
//! secret that does not exist; a TCG guest started on both volumes, QEMU's nodes
//! showing them opened encrypted (`qemu-monitor-command`) and QEMU reading back the
//! plaintext that `qemu-io` wrote as ciphertext; an encrypted volume hot-plugged. The
//! passphrase is in neither QEMU's command line nor the domain's log, and in no file but the
//! secret driver's 0600 store. A missing secret and a wrong passphrase fail
//! `virsh start` with libvirt's errors. Each LUKS key derivation takes QEMU's default
//! of about 2 s of CPU.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use rvirt_testkit::{
    Daemon, QemuReaper, TempDir, have_qemu, have_virsh, qemu_pids, text, virsh, virsh_ok,
    virsh_thread,
};

/// `virsh` for the calls that derive LUKS keys, bounded to two minutes on a loaded
/// host.
fn slow(uri: &str, args: &[&str]) -> std::process::Output {
    virsh_thread(uri, args, 120).join().unwrap()
}

fn slow_ok(uri: &str, args: &[&str]) -> String {
    let o = slow(uri, args);
    let (out, err) = text(&o);
    assert!(o.status.success(), "virsh {args:?}: {out}\n{err}");
    out
}

const PASS: &str = "rvirt-luks-Pa55phrase-7f3c";
const PASS2: &str = "rvirt-qcow-luks-Phrase-91ad";
const S1: &str = "6c1a9d0e-36f1-4c1b-9b7e-5a2f3d4c5b61";
const S2: &str = "6c1a9d0e-36f1-4c1b-9b7e-5a2f3d4c5b62";
const WRONG: &str = "6c1a9d0e-36f1-4c1b-9b7e-5a2f3d4c5b63";
const ABSENT: &str = "6c1a9d0e-36f1-4c1b-9b7e-5a2f3d4c5b6f";

/// Standard base64, as `virsh secret-set-value --base64` takes a value.
fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            out.push(if i <= c.len() {
                char::from(A[(n >> (18 - 6 * i) & 63) as usize])
            } else {
                '='
            });
        }
    }
    out
}

fn define_secret(uri: &str, dir: &Path, uuid: &str, usage: &str, value: &str) {
    let xml = dir.join(format!("secret-{uuid}.xml"));
    std::fs::write(
        &xml,
        format!(
            "<secret ephemeral='no' private='yes'><uuid>{uuid}</uuid>\
             <usage type='volume'><volume>{usage}</volume></usage></secret>"
        ),
    )
    .unwrap();
    let said = virsh_ok(uri, &["secret-define", xml.to_str().unwrap()]);
    assert!(said.contains(&format!("Secret {uuid} created")), "{said}");
    let b64 = base64(value.as_bytes());
    virsh_ok(uri, &["secret-set-value", uuid, "--base64", &b64]);
}

fn vol_xml(name: &str, format: &str, mib: u32, secret: &str) -> String {
    format!(
        "<volume><name>{name}</name><capacity unit='MiB'>{mib}</capacity>\
         <target><format type='{format}'/><encryption format='luks'>\
         <secret type='passphrase' {secret}/></encryption></target></volume>"
    )
}

fn disk_xml(dev: &str, path: &Path, format: &str, secret: &str) -> String {
    format!(
        "<disk type='file' device='disk'><driver name='qemu' type='{format}'/>\
         <source file='{}'><encryption format='luks'>\
         <secret type='passphrase' {secret}/></encryption></source>\
         <target dev='{dev}' bus='virtio'/></disk>",
        path.display()
    )
}

/// A diskless-firmware TCG guest (SeaBIOS finds nothing to boot): QEMU opens its
/// disks at start all the same.
fn domain(name: &str, disks: &str) -> String {
    format!(
        "<domain type='qemu'><name>{name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>\
         <os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features>\
         <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>{disks}\
         <memballoon model='none'/></devices></domain>"
    )
}

/// Every regular file under `dir` (symlinks not followed).
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            files_under(&e.path(), out);
        } else if ft.is_file() {
            out.push(e.path());
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// No file under `dir` holds a passphrase, plain or base64, but the secret driver's
/// two 0600 value files.
fn assert_no_secret_in_files(dir: &Path) {
    let mut files = Vec::new();
    files_under(dir, &mut files);
    assert!(!files.is_empty());
    let mut stores = 0;
    for f in files {
        let data = std::fs::read(&f).unwrap_or_default();
        for p in [PASS, PASS2] {
            assert!(
                !contains(&data, p.as_bytes()),
                "{} holds the passphrase",
                f.display()
            );
            if contains(&data, base64(p.as_bytes()).as_bytes()) {
                let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
                assert!(
                    f.extension().is_some_and(|e| e == "base64") && mode == 0o600,
                    "{} (mode {mode:o}) holds the encoded passphrase",
                    f.display()
                );
                stores += 1;
            }
        }
    }
    assert_eq!(stores, 2, "the secret driver's two value files");
}

/// The first `len` bytes of the data of `path` (`driver` `luks` or `qcow2`), read by
/// `qemu-img dd` with the passphrase (QEMU refuses any other).
fn decrypted_head(path: &Path, driver: &str, pass: &str, out: &Path, len: u32) -> Vec<u8> {
    let secret = format!("secret,id=s0,data={pass}");
    let key = if driver == "luks" {
        "key-secret"
    } else {
        "encrypt.key-secret"
    };
    let opts = format!(
        "if=driver={driver},{key}=s0,file.filename={}",
        path.display()
    );
    let _ = std::fs::remove_file(out);
    let mut c = std::process::Command::new("qemu-img");
    c.args(["dd", "--image-opts", "--object", &secret, "-O", "raw"])
        .arg(format!("bs={len}"))
        .args(["count=1", &opts, &format!("of={}", out.display())]);
    let o = rvirt_testkit::process::run(c, 120);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read(out).unwrap()
}

/// Writes 4 KiB of `0x5a` at the start of the raw LUKS image `path` with `qemu-io`
/// and the passphrase.
fn write_pattern(path: &Path, pass: &str) {
    let mut c = std::process::Command::new("qemu-io");
    c.args([
        "--object",
        &format!("secret,id=s0,data={pass}"),
        "--image-opts",
    ])
    .arg(format!(
        "driver=luks,key-secret=s0,file.filename={}",
        path.display()
    ))
    .args(["-c", "write -P 0x5a 0 4k"]);
    let o = rvirt_testkit::process::run(c, 120);
    let (out, err) = text(&o);
    assert!(
        o.status.success() && out.contains("wrote 4096/4096"),
        "{out}\n{err}"
    );
}

/// A start refused: its stderr.
fn refused(uri: &str, name: &str) -> String {
    let o = slow(uri, &["start", name]);
    let (_, err) = text(&o);
    assert!(!o.status.success(), "{name} started");
    err
}

#[test]
fn luks_volumes_and_disks_through_virsh() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let d = Daemon::start_with("luks", &[]);
    let _reaper = QemuReaper(d.dir.0.clone());
    let uri = d.qemu_uri();
    let work = TempDir::new("luks-work");
    let pool = d.dir.0.join("pool");
    let (vol, volq, hot) = (
        pool.join("vol.img"),
        pool.join("volq.qcow2"),
        pool.join("hot.img"),
    );

    // S1 by UUID for the raw volumes, S2 by its usage (the qcow2 volume's path); a
    // third holds a wrong passphrase.
    define_secret(&uri, &work.0, S1, vol.to_str().unwrap(), PASS);
    define_secret(&uri, &work.0, S2, volq.to_str().unwrap(), PASS2);
    define_secret(&uri, &work.0, WRONG, "/nonexistent/wrong.img", "not-it");
    let by_uuid = format!("uuid='{S1}'");
    let by_usage = format!("usage='{}'", volq.display());

    // The storage driver makes encrypted volumes, reading the secrets itself.
    let target = pool.to_str().unwrap();
    virsh_ok(&uri, &["pool-define-as", "lp", "dir", "--target", target]);
    virsh_ok(&uri, &["pool-build", "lp"]);
    virsh_ok(&uri, &["pool-start", "lp"]);
    for (name, format, mib, secret) in [
        ("vol.img", "raw", 8, &by_uuid),
        ("volq.qcow2", "qcow2", 16, &by_usage),
        ("hot.img", "raw", 4, &by_uuid),
    ] {
        let xml = work.join(format!("{name}.xml"));
        std::fs::write(&xml, vol_xml(name, format, mib, secret)).unwrap();
        let said = slow_ok(&uri, &["vol-create", "lp", xml.to_str().unwrap()]);
        assert!(said.contains(&format!("Vol {name} created")), "{said}");
    }
    let x = virsh_ok(&uri, &["vol-dumpxml", "--pool", "lp", "vol.img"]);
    assert!(x.contains("<format type='raw'/>"), "{x}");
    assert!(
        x.contains("<capacity unit='bytes'>8388608</capacity>"),
        "{x}"
    );
    assert!(
        x.contains(&format!("<secret type='passphrase' {by_uuid}/>")),
        "{x}"
    );
    let x = virsh_ok(&uri, &["vol-dumpxml", "--pool", "lp", "volq.qcow2"]);
    assert!(x.contains("<format type='qcow2'/>"), "{x}");
    assert!(
        x.contains("<capacity unit='bytes'>16777216</capacity>"),
        "{x}"
    );
    assert!(
        x.contains(&format!("<secret type='passphrase' {by_usage}/>")),
        "{x}"
    );
    assert!(std::fs::read(&vol).unwrap().starts_with(b"LUKS\xba\xbe"));
    // The secret's value unlocks the volume (its data is not zeroed: whatever
    // decrypting the sparse file's zeroes gives).
    let head = decrypted_head(&vol, "luks", PASS, &work.join("vol.bin"), 512);
    assert_eq!(head.len(), 512);
    // After a refresh the probe finds the encryption (a refresh knows no secret).
    virsh_ok(&uri, &["pool-refresh", "lp"]);
    let x = virsh_ok(&uri, &["vol-dumpxml", "--pool", "lp", "volq.qcow2"]);
    assert!(x.contains("<encryption format='luks'/>"), "{x}");
    // A secret that does not exist: libvirt's VIR_ERR_NO_SECRET, and no volume.
    let xml = work.join("absent.xml");
    let absent = format!("uuid='{ABSENT}'");
    std::fs::write(&xml, vol_xml("absent.img", "raw", 1, &absent)).unwrap();
    let o = virsh(&uri, &["vol-create", "lp", xml.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    let no_secret = format!("error: Secret not found: no secret with matching uuid '{ABSENT}'");
    assert!(err.contains(&no_secret), "{err}");
    assert!(!pool.join("absent.img").exists());

    // Plaintext written with the passphrase is ciphertext in the image.
    write_pattern(&vol, PASS);
    assert!(!contains(&std::fs::read(&vol).unwrap(), &[0x5a; 512]));

    // A guest on both volumes.
    let disks =
        disk_xml("vda", &vol, "raw", &by_uuid) + &disk_xml("vdb", &volq, "qcow2", &by_usage);
    let xml = work.join("luks.xml");
    std::fs::write(&xml, domain("luks", &disks)).unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    slow_ok(&uri, &["start", "luks"]);
    let pids = qemu_pids(&d.dir.0);
    assert_eq!(pids.len(), 1, "{pids:?}");
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", pids[0])).unwrap();
    let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
    for p in [PASS, PASS2] {
        assert!(!cmdline.contains(p), "{cmdline}");
        assert!(!cmdline.contains(&base64(p.as_bytes())), "{cmdline}");
    }
    // The secrets are base64 files in the private directory, gone once QEMU read them.
    let obj = "\"format\":\"base64\",\"id\":\"libvirt-1-format-encryption-secret0\"";
    assert!(cmdline.contains(obj), "{cmdline}");
    let file = cmdline
        .split("\"file\":\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap();
    assert!(
        file.ends_with("libvirt-1-format-encryption-secret0.secret"),
        "{file}"
    );
    assert!(!Path::new(file).exists(), "{file} is still there");
    let log_path = d.dir.0.join("q/log/qemu/luks.log");
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("encryption-secret0"), "{log}");
    for p in [PASS, PASS2] {
        assert!(
            !log.contains(p) && !log.contains(&base64(p.as_bytes())),
            "{log}"
        );
    }

    // QEMU opened both images decrypted: a luks node and a qcow2 node with encryption.
    let q = r#"{"execute":"query-named-block-nodes"}"#;
    let nodes = virsh_ok(&uri, &["qemu-monitor-command", "luks", q]);
    let nodes: serde_json::Value = serde_json::from_str(nodes.trim()).unwrap();
    let list = nodes["return"].as_array().unwrap();
    let node = |n: &str| {
        list.iter()
            .find(|x| x["node-name"] == n)
            .unwrap_or_else(|| panic!("no node {n}: {list:?}"))
    };
    for (n, drv, size) in [
        ("libvirt-1-format", "luks", 8 << 20),
        ("libvirt-2-format", "qcow2", 16 << 20),
    ] {
        assert_eq!(node(n)["drv"], drv, "{n}");
        assert_eq!(node(n)["encrypted"], true, "{n}");
        assert_eq!(node(n)["image"]["virtual-size"], size, "{n}");
    }
    // QEMU reads the plaintext written before the start (qemu-io prints to the
    // monitor or to QEMU's stdout, the log).
    let said = virsh_ok(
        &uri,
        &[
            "qemu-monitor-command",
            "luks",
            "--hmp",
            "qemu-io libvirt-1-format \"read -P 0x5a 0 4k\"",
        ],
    );
    let said = said + &std::fs::read_to_string(&log_path).unwrap();
    assert!(said.contains("read 4096/4096 bytes at offset 0"), "{said}");
    assert!(!said.contains("Pattern verification failed"), "{said}");

    // Hotplug: a third encrypted volume, its passphrase over the monitor.
    let hot_xml = work.join("hot-disk.xml");
    std::fs::write(&hot_xml, disk_xml("vdc", &hot, "raw", &by_uuid)).unwrap();
    let said = slow_ok(
        &uri,
        &["attach-device", "luks", hot_xml.to_str().unwrap(), "--live"],
    );
    assert!(said.contains("Device attached successfully"), "{said}");
    let q = r#"{"execute":"query-block"}"#;
    let blocks = virsh_ok(&uri, &["qemu-monitor-command", "luks", q]);
    let v: serde_json::Value = serde_json::from_str(blocks.trim()).unwrap();
    let vdc = v["return"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| {
            b["qdev"]
                .as_str()
                .is_some_and(|q| q.contains("virtio-disk2"))
        })
        .unwrap_or_else(|| panic!("no hot-plugged disk: {v}"));
    assert_eq!(vdc["inserted"]["drv"], "luks", "{vdc}");
    assert_eq!(vdc["inserted"]["encrypted"], true, "{vdc}");
    assert_eq!(vdc["inserted"]["image"]["virtual-size"], 4 << 20, "{vdc}");

    assert_no_secret_in_files(&d.dir.0);
    virsh_ok(&uri, &["destroy", "luks"]);
    assert!(qemu_pids(&d.dir.0).is_empty());

    // A secret that does not exist: libvirt's VIR_ERR_NO_SECRET, by UUID and usage.
    let xml = work.join("nosec.xml");
    std::fs::write(
        &xml,
        domain("nosec", &disk_xml("vda", &vol, "raw", &absent)),
    )
    .unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    let err = refused(&uri, "nosec");
    assert!(err.contains(&no_secret), "{err}");
    virsh_ok(&uri, &["undefine", "nosec"]);
    let disks = disk_xml("vda", &vol, "raw", "usage='/nonexistent/none.img'");
    std::fs::write(&xml, domain("nosec", &disks)).unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    let err = refused(&uri, "nosec");
    let want = "error: Secret not found: no secret with matching usage '/nonexistent/none.img'";
    assert!(err.contains(want), "{err}");

    // A wrong passphrase: QEMU's refusal, reported as libvirt reports a QEMU that
    // exits while starting.
    let xml = work.join("wrong.xml");
    let wrong = format!("uuid='{WRONG}'");
    std::fs::write(&xml, domain("wrong", &disk_xml("vda", &vol, "raw", &wrong))).unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    let err = refused(&uri, "wrong");
    assert!(
        err.contains("error: internal error: qemu unexpectedly closed the monitor: "),
        "{err}"
    );
    assert!(
        err.contains("Invalid password, cannot unlock any keyslot"),
        "{err}"
    );
    assert!(qemu_pids(&d.dir.0).is_empty());
    assert_no_secret_in_files(&d.dir.0);
}
