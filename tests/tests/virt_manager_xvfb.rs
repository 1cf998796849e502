//! Debian's virt-manager (4.1) under Xvfb against rvirtd's QEMU driver, connecting as
//! to a local libvirtd (`qemu:///system`, see testkit's `run-virt-manager.sh`), inside
//! a network namespace of the test thread's own:
//!
//! - the details window of a running real QEMU guest (TCG) opens, with its graphics
//!   console connected through `virDomainOpenGraphicsFD`, and so does the one of a
//!   shut-off guest;
//! - the host details window (Virtual Networks and Storage pages) lists the networks
//!   and pools, and its wizards, opened with the pages' "+" buttons and finished with
//!   their default answers (`tests/scripts/virt_manager_host_wizards.py` runs
//!   virt-manager and presses the buttons), define, start and autostart a NAT network
//!   and a `dir` pool, which the pages then show active;
//!
//! and neither run logs a libvirt error: none in virt-manager's debug log (exceptions,
//! `ERROR` records, failed registrations) and none in the libvirt client library's own
//! log, where even the errors virt-manager swallows appear (but the wizards' lookups of
//! the names they are about to create, which fail by design).
//!
//! On the test driver, the same details window through rvirtd and through a private
//! libvirtd 9.0 hits no libvirt error on rvirtd that it does not hit on libvirtd.

use std::path::Path;
use std::time::Duration;

use rvirt_testkit::{
    Daemon, DnsmasqReaper, HALT, QemuReaper, TempDir, VirtManager, boot_disk, desktop_domain_xml,
    enter_netns, have_python_libvirt, have_qemu, have_virsh, have_virt_manager, ip, libvirt_errors,
    python, text, virsh_ok, write_guest,
};

/// Runs virt-manager and presses the buttons of its network and pool wizards.
const HOST_WIZARDS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scripts/virt_manager_host_wizards.py"
);

/// Reads the first bytes of the VNC server `openGraphicsFD` connects to.
const GRAPHICS_FD: &str = "
import libvirt, os, sys
conn = libvirt.open(sys.argv[1])
fd = conn.lookupByName(sys.argv[2]).openGraphicsFD(0)
print(os.read(fd, 12))
";

/// Asserts that neither of virt-manager's logs reports a libvirt error.
fn assert_no_libvirt_error(vm: &VirtManager, what: &str) {
    let (log, client) = (vm.log(), vm.libvirt_log());
    let errors: Vec<String> = libvirt_errors(&log)
        .into_iter()
        .chain(libvirt_errors(&client))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: libvirt errors:\n{}\n--- libvirt client log:\n{client}",
        errors.join("\n")
    );
}

#[test]
fn details_networks_and_storage_without_libvirt_errors() {
    if !have_virt_manager()
        || !have_virsh()
        || !have_qemu()
        || !have_python_libvirt()
        || !enter_netns()
    {
        return;
    }
    ip(&["link", "set", "lo", "up"]); // VNC listens on 127.0.0.1
    let tmp = TempDir::new("vmgr");
    let root = tmp.join("q");
    let net_root = tmp.join("n");
    std::fs::create_dir_all(&root).unwrap();
    let _qemu = QemuReaper(root.clone());
    let _dnsmasq = DnsmasqReaper(net_root.clone());
    let d = Daemon::start_with(
        "vmgr-d",
        &[
            "--qemu-root",
            root.to_str().unwrap(),
            "--network-root",
            net_root.to_str().unwrap(),
        ],
    );
    let uri = d.qemu_uri();
    // The pool virt-manager looks for at connect, else creates at
    // /var/lib/libvirt/images: here, in the test's directory.
    let images = tmp.join("images");
    virsh_ok(
        &uri,
        &[
            "pool-define-as",
            "default",
            "dir",
            "--target",
            images.to_str().unwrap(),
        ],
    );
    virsh_ok(&uri, &["pool-build", "default"]);
    virsh_ok(&uri, &["pool-start", "default"]);

    let disk = boot_disk(&tmp.join("vmgr-run.img"), HALT);
    let xml = tmp.join("vmgr-run.xml");
    std::fs::write(&xml, desktop_domain_xml("vmgr-run", &disk)).unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "vmgr-run"]);
    let off = write_guest(&tmp, "vmgr-off", HALT);
    virsh_ok(&uri, &["define", off.to_str().unwrap()]);

    // What virt-manager's console does first: a socket on the guest's VNC server.
    let o = python(GRAPHICS_FD, &[&uri, "vmgr-run"]);
    let (out, err) = text(&o);
    assert!(
        o.status.success() && out.contains("RFB 003.008"),
        "{out}\n{err}"
    );

    // The details window of the running guest, its console connected.
    let mut vm = VirtManager::start(
        &tmp.join("details"),
        &d.rw_socket(),
        &["--show-domain-editor", "vmgr-run"],
    );
    vm.wait_log("Showing VM details", 60);
    vm.wait_log_any(
        &["Viewer connected", "Error connecting to graphical console"],
        60,
    );
    // One more round of virt-manager's polling (every 3 s) after the window is up.
    std::thread::sleep(Duration::from_secs(4));
    vm.stop();
    assert_no_libvirt_error(&vm, "details window");
    let log = vm.log();
    for needle in [
        "Viewer connected",
        "domain=vmgr-run status=Running added",
        "domain=vmgr-off status=Shutoff added",
        "virDomain.listAllSnapshots",
        "virDomain.openGraphicsFD",
        "virConnect.nodeDeviceEventRegisterAny",
        "virConnect.getAllDomainStats",
    ] {
        assert!(log.contains(needle), "details: no {needle:?} in:\n{log}");
    }
    drop(vm);

    // The details window of the shut-off guest.
    let mut vm = VirtManager::start(
        &tmp.join("details-off"),
        &d.rw_socket(),
        &["--show-domain-editor", "vmgr-off"],
    );
    vm.wait_log("Showing VM details: <vmmDomain name=vmgr-off", 60);
    std::thread::sleep(Duration::from_secs(4));
    vm.stop();
    assert_no_libvirt_error(&vm, "details window of the shut-off guest");
    drop(vm);

    // The host details window; the network and pool wizards run from its pages.
    let pool_dir = tmp.join("wizard-pool");
    let mut vm = VirtManager::start_harness(
        &tmp.join("host"),
        &d.rw_socket(),
        "qemu:///system",
        Some(Path::new(HOST_WIZARDS)),
        &[("RVIRT_VMGR_POOL_DIR", pool_dir.to_str().unwrap())],
        &["--show-host-summary"],
    );
    vm.wait_log("Showing host details", 60);
    vm.wait_log_any(&["harness: done", "harness: step"], 60);
    // One more round of virt-manager's polling after the objects came up.
    std::thread::sleep(Duration::from_secs(4));
    vm.stop();
    let log = vm.log();
    let errors = libvirt_errors(&log);
    assert!(errors.is_empty(), "host details: {}", errors.join("\n"));
    // The wizards look up the names they are about to create (libvirt answers
    // "not found" then, as libvirtd does): those lookups are the only errors.
    let probes = [
        "Network not found: no network with matching name 'network'",
        "Storage pool not found: no storage pool with matching name 'pool'",
    ];
    let client = client_errors(&vm);
    let other: Vec<&String> = client
        .iter()
        .filter(|e| !probes.iter().any(|p| e.ends_with(p)))
        .collect();
    assert!(other.is_empty(), "host details: libvirt errors {other:?}");
    for needle in [
        "pool=default status=Active added",
        "harness: network wizard finish, name network",
        "network=network status=Active added",
        "harness: pool wizard finish",
        "pool=pool status=Active added",
        "Pool creation succeeded",
    ] {
        assert!(
            log.contains(needle),
            "host details: no {needle:?} in:\n{log}"
        );
    }
    let net = virsh_ok(&uri, &["net-info", "network"]);
    assert!(
        net.lines()
            .any(|l| l.starts_with("Active:") && l.ends_with("yes"))
            && net
                .lines()
                .any(|l| l.starts_with("Autostart:") && l.ends_with("yes")),
        "{net}"
    );
    let pool = virsh_ok(&uri, &["pool-info", "pool"]);
    assert!(
        pool.lines()
            .any(|l| l.starts_with("State:") && l.ends_with("running"))
            && pool
                .lines()
                .any(|l| l.starts_with("Autostart:") && l.ends_with("yes")),
        "{pool}"
    );
    assert!(pool_dir.is_dir(), "the pool was not built");

    virsh_ok(&uri, &["net-destroy", "network"]);
    virsh_ok(&uri, &["destroy", "vmgr-run"]);
}

/// The libvirt errors of one virt-manager run without their time stamps and thread
/// ids: what the client library reported.
fn client_errors(vm: &VirtManager) -> Vec<String> {
    let mut v: Vec<String> = libvirt_errors(&vm.libvirt_log())
        .iter()
        .filter_map(|l| l.split_once(" error : ").map(|(_, e)| e.to_string()))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// virt-manager's details window of the test driver's `test` domain on `uri`; the
/// errors the client library logged.
fn test_driver_details(dir: &std::path::Path, socket: &std::path::Path, uri: &str) -> Vec<String> {
    let mut vm = VirtManager::start_uri(dir, socket, uri, &["--show-domain-editor", "test"]);
    vm.wait_log("Showing VM details", 60);
    std::thread::sleep(Duration::from_secs(4));
    vm.stop();
    client_errors(&vm)
}

/// The same window on the test driver through rvirtd and through a private libvirtd
/// 9.0: rvirtd's run hits no libvirt error libvirtd's does not (libvirt's test driver
/// has no `virNodeDeviceIsActive` nor `virConnectGetDomainCapabilities`; virt-manager
/// calls both).
#[test]
fn test_driver_details_err_only_where_libvirtd_does() {
    if !have_virt_manager() || !have_python_libvirt() {
        return;
    }
    let Some(libvirtd) = rvirt_testkit::Libvirtd::start() else {
        return;
    };
    let tmp = TempDir::new("vmgr-test");
    let want = test_driver_details(&tmp.join("libvirtd"), &libvirtd.socket(), &libvirtd.uri());
    let d = Daemon::start("vmgr-test-d");
    let got = test_driver_details(&tmp.join("rvirtd"), &d.rw_socket(), &d.uri());
    let extra: Vec<&String> = got.iter().filter(|e| !want.contains(e)).collect();
    assert!(
        extra.is_empty(),
        "rvirtd only: {extra:?}\nrvirtd: {got:?}\nlibvirtd: {want:?}"
    );
}
