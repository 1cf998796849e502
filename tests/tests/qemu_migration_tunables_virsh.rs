//! A domain's migration tunables through rvirtd's QEMU driver (DOMAIN_MIGRATE_SET_MAX_SPEED,
//! DOMAIN_MIGRATE_GET_MAX_SPEED, DOMAIN_MIGRATE_SET_MAX_DOWNTIME,
//! DOMAIN_MIGRATE_GET_MAX_DOWNTIME) with Debian's virsh (`migrate-setspeed`,
//! `migrate-getspeed`, `migrate-setmaxdowntime`, `migrate-getmaxdowntime`,
//! `migrate-compcache`, DOMAIN_MIGRATE_GET/SET_COMPRESSION_CACHE, which alone follows
//! libvirt's source rather than a probe of libvirtd) and
//! python3-libvirt, checked in QEMU's own migration parameters. Every answer is the one
//! libvirtd 9.0's QEMU driver gives on the same kind of guest: the bandwidth cap is kept
//! for the domain across its runs and given to QEMU while it runs; the post-copy cap and the
//! downtime limit are QEMU's, so they need a running domain.

use rvirt_testkit::{
    Daemon, HALT, QemuReaper, TempDir, have_python_libvirt, have_qemu, have_virsh, python,
    qmp_return, text, virsh_err, virsh_ok, write_guest,
};

/// Flags, limits and read-only access, one `label -> answer` line each.
const SCRIPT: &str = r#"
import sys, libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
uri, ro_uri, name = sys.argv[1:4]
d = libvirt.open(uri).lookupByName(name)
rd = libvirt.openReadOnly(ro_uri).lookupByName(name)
def show(label, f):
    try:
        print(label, "->", f())
    except libvirt.libvirtError as e:
        print(label, "-> ERR", e.get_error_code(), e.get_error_domain(), e.get_error_message())
show("speed flags", lambda: d.migrateSetMaxSpeed(1, 2))
show("getspeed flags", lambda: d.migrateGetMaxSpeed(2))
show("downtime flags", lambda: d.migrateSetMaxDowntime(100, 1))
show("postcopy too fast", lambda: d.migrateSetMaxSpeed(2**44, 1))
show("downtime too long", lambda: d.migrateSetMaxDowntime(2000001, 0))
show("ro getdowntime", lambda: rd.migrateGetMaxDowntime(0))
show("ro setdowntime", lambda: rd.migrateSetMaxDowntime(100, 0))
show("ro setspeed", lambda: rd.migrateSetMaxSpeed(1, 0))
"#;

/// One of QEMU's migration parameters, read through `qemu-monitor-command`.
fn qemu_parameter(uri: &str, dom: &str, name: &str) -> u64 {
    let params = qmp_return(uri, dom, "query-migrate-parameters");
    params[name].as_u64().unwrap_or_else(|| panic!("{params}"))
}

#[test]
fn bandwidth_and_downtime_caps_as_libvirt_keeps_them() {
    if !have_virsh() || !have_qemu() || !have_python_libvirt() {
        return;
    }
    let root = TempDir::new("qemu-migtune");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let ro_uri = uri.replace("libvirt-sock", "libvirt-sock-ro");
    let xml = write_guest(&root, "migtune", HALT);
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    let getspeed = |extra: &[&str]| {
        let mut args = vec!["migrate-getspeed", "migtune"];
        args.extend_from_slice(extra);
        virsh_ok(&uri, &args).trim().to_string()
    };
    let not_running = "Requested operation is not valid: domain is not running";

    // Shut off: the cap is the domain's; QEMU's parameters are not there.
    assert_eq!(getspeed(&[]), "8796093022207", "libvirt's default: no cap");
    virsh_ok(&uri, &["migrate-setspeed", "migtune", "100"]);
    assert_eq!(getspeed(&[]), "100");
    let err = virsh_err(&uri, &["migrate-getspeed", "migtune", "--postcopy"]);
    assert!(err.contains(not_running), "{err}");
    let err = virsh_err(&uri, &["migrate-setspeed", "migtune", "5", "--postcopy"]);
    assert!(err.contains(not_running), "{err}");
    let err = virsh_err(&uri, &["migrate-getmaxdowntime", "migtune"]);
    assert!(err.contains(not_running), "{err}");
    let err = virsh_err(&uri, &["migrate-setmaxdowntime", "migtune", "400"]);
    assert!(err.contains(not_running), "{err}");
    let err = virsh_err(&uri, &["migrate-compcache", "migtune"]);
    assert!(err.contains(not_running), "{err}");
    let err = virsh_err(&uri, &["migrate-setspeed", "migtune", "8796093022208"]);
    assert!(
        err.contains("numerical overflow: bandwidth must be less than 8796093022208"),
        "{err}"
    );
    assert_eq!(getspeed(&[]), "100", "a refused cap changes nothing");

    // Running: the cap set before the start is kept (and QEMU keeps its own default
    // until the cap is set while it runs, as with libvirt).
    virsh_ok(&uri, &["start", "migtune"]);
    assert_eq!(getspeed(&[]), "100");
    assert_eq!(getspeed(&["--postcopy"]), "0");
    virsh_ok(&uri, &["migrate-setspeed", "migtune", "200"]);
    assert_eq!(getspeed(&[]), "200");
    assert_eq!(qemu_parameter(&uri, "migtune", "max-bandwidth"), 200 << 20);
    virsh_ok(&uri, &["migrate-setspeed", "migtune", "70", "--postcopy"]);
    assert_eq!(getspeed(&["--postcopy"]), "70");
    assert_eq!(getspeed(&[]), "200", "the post-copy cap is another one");
    assert_eq!(
        qemu_parameter(&uri, "migtune", "max-postcopy-bandwidth"),
        70 << 20
    );
    let downtime = || {
        virsh_ok(&uri, &["migrate-getmaxdowntime", "migtune"])
            .trim()
            .to_string()
    };
    assert_eq!(downtime(), "300", "QEMU's default");
    virsh_ok(&uri, &["migrate-setmaxdowntime", "migtune", "450"]);
    assert_eq!(downtime(), "450");
    assert_eq!(qemu_parameter(&uri, "migtune", "downtime-limit"), 450);

    // The XBZRLE cache (virsh migrate-compcache): QEMU's parameter, read and set.
    let cache = virsh_ok(&uri, &["migrate-compcache", "migtune"]);
    let default = qemu_parameter(&uri, "migtune", "xbzrle-cache-size");
    assert!(
        cache.contains(&format!("{:.3} MiB", default as f64 / 1048576.0)),
        "{cache} vs {default}"
    );
    let set = virsh_ok(
        &uri,
        &["migrate-compcache", "migtune", "--size", "134217728"],
    );
    assert!(set.contains("Compression cache: 128.000 MiB"), "{set}");
    assert_eq!(
        qemu_parameter(&uri, "migtune", "xbzrle-cache-size"),
        128 << 20
    );
    let err = virsh_err(&uri, &["migrate-compcache", "migtune", "--size", "1000"]);
    assert!(
        err.contains("unable to execute QEMU command 'migrate-set-parameters'"),
        "{err}"
    );
    // A read-only connection may read it (libvirt's public API does not refuse it), not
    // set it.
    let ro = virsh_ok(&ro_uri, &["migrate-compcache", "migtune"]);
    assert!(ro.contains("Compression cache: 128.000 MiB"), "{ro}");
    let err = virsh_err(
        &ro_uri,
        &["migrate-compcache", "migtune", "--size", "1048576"],
    );
    assert!(
        err.contains("read only access prevents virDomainMigrateSetCompressionCache"),
        "{err}"
    );

    let o = python(SCRIPT, &[&uri, &ro_uri, "migtune"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    let line = |name: &str| -> String {
        out.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(" -> "))
            .unwrap_or_else(|| panic!("no {name} in:\n{out}"))
            .to_string()
    };
    assert_eq!(
        line("speed flags"),
        "ERR 8 10 unsupported flags (0x2) in function qemuDomainMigrateSetMaxSpeed"
    );
    assert_eq!(
        line("getspeed flags"),
        "ERR 8 10 unsupported flags (0x2) in function qemuDomainMigrateGetMaxSpeed"
    );
    assert_eq!(
        line("downtime flags"),
        "ERR 8 10 unsupported flags (0x1) in function qemuDomainMigrateSetMaxDowntime"
    );
    assert_eq!(
        line("postcopy too fast"),
        "ERR 82 10 numerical overflow: bandwidth must be less than 17592186044416"
    );
    let refused = line("downtime too long");
    assert!(
        refused.starts_with(
            "ERR 1 10 internal error: unable to execute QEMU command 'migrate-set-parameters': "
        ) && refused.contains("downtime_limit"),
        "{refused}"
    );
    assert_eq!(
        line("ro getdowntime"),
        "450",
        "a read-only connection may read it"
    );
    assert_eq!(
        line("ro setdowntime"),
        "ERR 29 20 operation forbidden: read only access prevents virDomainMigrateSetMaxDowntime"
    );
    assert_eq!(
        line("ro setspeed"),
        "ERR 29 20 operation forbidden: read only access prevents virDomainMigrateSetMaxSpeed"
    );
    assert_eq!(downtime(), "450", "a refused limit changes nothing");

    // Stopped again: the cap stays the domain's.
    virsh_ok(&uri, &["destroy", "migtune"]);
    assert_eq!(getspeed(&[]), "200");
    virsh_ok(&uri, &["undefine", "migtune"]);
}
