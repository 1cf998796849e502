//! rvirtd's host networks (qemu:///system) through Debian's virsh and python3-libvirt,
//! with rvirtd and every tool it runs inside a network namespace of the test thread's
//! own (`unshare(CLONE_NEWNET)`), so the host's networking is never touched: libvirt's
//! `default` network autostarted, listed, dumped, stopped and started again; a NAT
//! network defined, started, set to autostart, destroyed and undefined by
//! python3-libvirt with its lifecycle events; the definitions after a daemon restart.

mod common;

use common::{Daemon, TempDir, have_python_libvirt, have_virsh, python, text, virsh_ok};

/// Moves this thread (and what it spawns) into a new network namespace; false (test
/// skipped) when that is not allowed or dnsmasq / nft are missing.
fn enter_netns() -> bool {
    for tool in ["dnsmasq", "nft"] {
        if std::process::Command::new(tool)
            .arg("--version")
            .output()
            .is_err()
        {
            eprintln!("skipped: {tool} missing");
            return false;
        }
    }
    // SAFETY: unshare(2) of this thread's network namespace; no memory involved.
    if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
        eprintln!(
            "skipped: unshare(CLONE_NEWNET): {}",
            std::io::Error::last_os_error()
        );
        return false;
    }
    true
}

/// Kills, when dropped, the dnsmasq processes whose pid files are under `dir`.
struct Reaper(std::path::PathBuf);

impl Drop for Reaper {
    fn drop(&mut self) {
        for e in std::fs::read_dir(&self.0).into_iter().flatten().flatten() {
            let p = e.path();
            if p.extension().is_none_or(|x| x != "pid") {
                continue;
            }
            let Some(pid) = std::fs::read_to_string(&p)
                .ok()
                .and_then(|s| s.trim().parse::<i32>().ok())
            else {
                continue;
            };
            let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            if String::from_utf8_lossy(&cmd).contains(&*p.with_extension("conf").to_string_lossy())
            {
                // SAFETY: kill(2) of a dnsmasq this test's daemon started.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
    }
}

const SCRIPT: &str = r#"
import sys, time, libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
libvirt.virEventRegisterDefaultImpl()
c = libvirt.open(sys.argv[1])
events = []
c.networkEventRegisterAny(None, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE,
    lambda conn, n, ev, det, o: events.append((n.name(), ev)), None)
print("nets", sorted(n.name() for n in c.listAllNetworks(0)))
n = c.networkDefineXML("<network><name>lab</name><forward mode='nat'/><bridge name='rvbr5'/>"
    "<ip address='10.5.0.1' prefix='24'><dhcp><range start='10.5.0.100' end='10.5.0.199'/>"
    "</dhcp></ip></network>")
n.create()
n.setAutostart(1)
print("lab", n.isActive(), n.isPersistent(), n.autostart(), n.bridgeName())
print("leases", n.DHCPLeases())
print("active", sorted(x.name() for x in c.listAllNetworks(libvirt.VIR_CONNECT_LIST_NETWORKS_ACTIVE)))
n.destroy()
n.undefine()
try:
    c.networkLookupByName("lab")
except libvirt.libvirtError as e:
    print("gone", e.get_error_code() == libvirt.VIR_ERR_NO_NETWORK)
deadline = time.time() + 5
while len(events) < 4 and time.time() < deadline:
    libvirt.virEventRunDefaultImpl()
print("events", events)
"#;

fn ip_addr(dev: &str) -> String {
    let o = std::process::Command::new("ip")
        .args(["-4", "addr", "show", "dev", dev])
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn default_network_through_virsh_and_python() {
    if !have_virsh() || !have_python_libvirt() || !enter_netns() {
        return;
    }
    let tmp = TempDir::new("network-root");
    let root = tmp.0.join("n").display().to_string();
    let args = ["--network-autostart", "yes", "--network-root", &root];
    let _reaper = Reaper(tmp.0.join("n/run/network/dnsmasq"));
    let d = Daemon::start_with("network", &args);
    let uri = format!("qemu+unix:///system?socket={}", d.rw_socket().display());

    let list = virsh_ok(&uri, &["net-list", "--all"]);
    let row = list
        .lines()
        .find(|l| l.contains("default"))
        .unwrap_or_default();
    assert!(row.contains("active") && row.contains("yes"), "{list}");
    let xml = virsh_ok(&uri, &["net-dumpxml", "default"]);
    assert!(
        xml.contains("<forward mode='nat'") && xml.contains("192.168.122.1"),
        "{xml}"
    );
    assert!(ip_addr("virbr0").contains("192.168.122.1/24"));
    virsh_ok(&uri, &["net-destroy", "default"]);
    assert!(ip_addr("virbr0").is_empty());
    let list = virsh_ok(&uri, &["net-list", "--all"]);
    assert!(list.contains("inactive"), "{list}");
    virsh_ok(&uri, &["net-start", "default"]);
    assert!(ip_addr("virbr0").contains("192.168.122.1/24"));
    let leases = virsh_ok(&uri, &["net-dhcp-leases", "default"]);
    assert!(leases.contains("MAC address"), "{leases}");

    let o = python(SCRIPT, &[&uri]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}\n{}", d.log());
    for want in [
        "nets ['default']",
        "lab 1 1 1 rvbr5",
        "leases []",
        "active ['default', 'lab']",
        "gone True",
        "events [('lab', 0), ('lab', 2), ('lab', 3), ('lab', 1)]",
    ] {
        assert!(out.contains(want), "{want}\n{out}\n{}", d.log());
    }
    assert!(ip_addr("rvbr5").is_empty());

    // After a restart the running default network is adopted, still active.
    virsh_ok(&uri, &["net-autostart", "default", "--disable"]);
    drop(d);
    let d = Daemon::start_with("network2", &args);
    let uri = format!("qemu+unix:///system?socket={}", d.rw_socket().display());
    let list = virsh_ok(&uri, &["net-list", "--all"]);
    let row = list
        .lines()
        .find(|l| l.contains("default"))
        .unwrap_or_default();
    assert!(row.contains("active") && row.contains("no"), "{list}");
    virsh_ok(&uri, &["net-destroy", "default"]);
    assert!(ip_addr("virbr0").is_empty());
}
