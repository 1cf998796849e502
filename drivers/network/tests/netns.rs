//! The network driver in process, inside a network namespace of the test thread's own
//! (`unshare(CLONE_NEWNET)`: the thread and the tools it runs see only that namespace,
//! which goes away with the thread and the processes the test kills): libvirt's
//! `default` NAT network defined and autostarted on a fresh root, its bridge, address,
//! dnsmasq and masquerade rule, their removal on destroy, definitions and running
//! networks across a restart of the state, transient networks, and DHCP leases taken
//! by busybox udhcpc from a second namespace (one for a static host added live, which
//! the same dnsmasq serves after the hosts file is rewritten and it is signalled).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rvirt_core::driver::{
    EventSink, NetworkDriver, ObjectEventSink, OpenContext, SecondaryDriver, StateContext,
};
use rvirt_core::event::DefaultLoop;
use rvirt_core::uri::Uri;
use rvirt_driver_network::HostNetwork;
use rvirt_testkit::{TempDir, enter_netns};

/// Kills, when dropped, every dnsmasq whose pid file is under the root (a failed
/// assertion must not leave one holding the namespace).
struct Reaper(PathBuf);

impl Drop for Reaper {
    fn drop(&mut self) {
        let dir = self.0.join("run/network/dnsmasq");
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.path().extension().is_some_and(|x| x == "pid")
                && let Some(pid) = pid_of(&e.path())
            {
                // SAFETY: kill(2) of a dnsmasq this test's driver started.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
    }
}

/// The pid in `file` if that process is a dnsmasq running with our configuration.
fn pid_of(file: &Path) -> Option<i32> {
    let pid: i32 = std::fs::read_to_string(file).ok()?.trim().parse().ok()?;
    let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let cmd = String::from_utf8_lossy(&cmd);
    (cmd.contains("dnsmasq") && cmd.contains(&*file.with_extension("conf").to_string_lossy()))
        .then_some(pid)
}

fn start(root: &Path, l: &DefaultLoop) -> (HostNetwork, Arc<dyn NetworkDriver>) {
    let drv = HostNetwork::with_root(root);
    drv.state_initialize(&StateContext {
        event_loop: l.shared(),
    })
    .unwrap();
    let ctx = OpenContext {
        event_loop: None,
        events: EventSink::detached(),
        read_only: false,
        object_events: ObjectEventSink::detached(),
    };
    assert!(
        drv.open(&Uri::parse("qemu:///session").unwrap(), &ctx)
            .unwrap()
            .network
            .is_none()
    );
    let set = drv
        .open(&Uri::parse("lxc:///system").unwrap(), &ctx)
        .unwrap();
    assert!(set.network.is_some());
    let set = drv
        .open(&Uri::parse("qemu:///system").unwrap(), &ctx)
        .unwrap();
    (drv, set.network.expect("network for qemu:///system"))
}

fn out(prog: &str, args: &[&str]) -> String {
    let o = Command::new(prog).args(args).output().unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

fn link_exists(name: &str) -> bool {
    Command::new("ip")
        .args(["link", "show", "dev", name])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn names(n: &dyn NetworkDriver, flags: u32) -> Vec<String> {
    n.list_all_networks(flags)
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect()
}

const ISOLATED: &str = "<network><name>iso</name><bridge name='rvbr1'/>\
    <ip address='10.7.0.1' prefix='24'><dhcp><range start='10.7.0.10' end='10.7.0.20'/>\
    <host mac='52:54:00:00:07:05' name='fixed' ip='10.7.0.5'/></dhcp></ip></network>";

#[test]
fn default_nat_network_on_the_host_and_across_restarts() {
    if !enter_netns() {
        return;
    }
    let tmp = TempDir::new("net-nat");
    let root = tmp.0.join("root");
    let _reaper = Reaper(root.clone());
    let l = DefaultLoop::new().unwrap();
    let (drv, n) = start(&root, &l);

    // libvirt's default network: defined, autostart, started.
    assert_eq!(names(&*n, 0), ["default"]);
    let def = n.lookup_network_by_name("default").unwrap();
    assert!(n.network_is_active(&def).unwrap());
    assert!(n.network_is_persistent(&def).unwrap());
    assert!(n.network_autostart(&def).unwrap());
    assert_eq!(n.network_bridge_name(&def).unwrap(), "virbr0");
    let xml = n.network_xml_desc(&def, 0).unwrap();
    assert!(
        xml.contains("<forward mode='nat'") || xml.contains("<forward"),
        "{xml}"
    );
    assert!(xml.contains("192.168.122.1"), "{xml}");
    let addr = out("ip", &["-4", "addr", "show", "dev", "virbr0"]);
    assert!(addr.contains("inet 192.168.122.1/24"), "{addr}");
    let link = out("ip", &["-d", "link", "show", "dev", "virbr0"]);
    assert!(link.contains("bridge") && link.contains("UP"), "{link}");
    let pidfile = root.join("run/network/dnsmasq/default.pid");
    let pid = pid_of(&pidfile).expect("dnsmasq running with our pid file");
    let conf = std::fs::read_to_string(root.join("run/network/dnsmasq/default.conf")).unwrap();
    assert!(
        conf.contains("dhcp-range=192.168.122.2,192.168.122.254,255.255.255.0"),
        "{conf}"
    );
    let rules = out("nft", &["list", "ruleset"]);
    assert!(rules.contains("masquerade"), "{rules}");
    assert!(rules.contains("192.168.122.0/24"), "{rules}");
    assert_eq!(
        std::fs::read_to_string("/proc/sys/net/ipv4/ip_forward")
            .unwrap()
            .trim(),
        "1"
    );
    assert!(n.network_dhcp_leases(&def, None, 0).unwrap().is_empty());

    // An isolated network, defined and started: no masquerade for it, no forwarding out.
    let iso = n.network_define_xml(ISOLATED, 0).unwrap();
    assert!(!n.network_is_active(&iso).unwrap());
    assert_eq!(names(&*n, 1), ["iso"]); // inactive
    n.network_create(&iso).unwrap();
    assert_eq!(names(&*n, 2), ["default", "iso"]); // active
    assert!(link_exists("rvbr1"));
    // Its static host in the hosts file dnsmasq re-reads on SIGHUP (its user can
    // reach the run directory), named by the configuration.
    let conf = std::fs::read_to_string(root.join("run/network/dnsmasq/iso.conf")).unwrap();
    let hostsfile = root.join("run/network/dnsmasq/iso.hostsfile");
    assert!(
        conf.contains(&format!("dhcp-hostsfile={}\n", hostsfile.display())),
        "{conf}"
    );
    let hosts = std::fs::read_to_string(&hostsfile).unwrap();
    assert_eq!(hosts, "52:54:00:00:07:05,10.7.0.5,fixed\n");
    let rules = out("nft", &["list", "ruleset"]);
    assert_eq!(rules.matches("masquerade").count(), 1, "{rules}");
    assert!(rules.contains("iifname \"rvbr1\" reject"), "{rules}");

    // Destroy removes bridge, dnsmasq and the table.
    n.network_destroy(&def).unwrap();
    assert!(!link_exists("virbr0"));
    let deadline = Instant::now() + Duration::from_secs(5);
    while Path::new(&format!("/proc/{pid}/cmdline")).exists()
        && std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| !c.is_empty())
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(pid_of(&pidfile).is_none());
    assert!(!pidfile.exists());
    let rules = out("nft", &["list", "ruleset"]);
    assert!(
        !rules.contains("masquerade") && !rules.contains("virbr0"),
        "{rules}"
    );
    assert!(n.network_dhcp_leases(&def, None, 0).is_err());

    // A transient network: listed as such, gone once destroyed.
    let t = n
        .network_create_xml(
            "<network><name>tmp</name><forward mode='route'/><bridge name='rvbr2'/>\
             <ip address='10.8.0.1' prefix='24'/></network>",
            0,
        )
        .unwrap();
    assert_eq!(names(&*n, 8), ["tmp"]); // transient
    assert!(n.network_set_autostart(&t, true).is_err());
    assert!(link_exists("rvbr2"));
    n.network_destroy(&t).unwrap();
    assert!(!link_exists("rvbr2"));
    assert!(n.lookup_network_by_name("tmp").is_err());

    // A restart: definitions and autostart kept, the running network adopted, the
    // default network autostarted again.
    n.network_set_autostart(&iso, false).unwrap();
    drop(n);
    drv.state_cleanup();
    drop(drv);
    let (drv, n) = start(&root, &l);
    assert_eq!(names(&*n, 0), ["default", "iso"]);
    let iso = n.lookup_network_by_name("iso").unwrap();
    assert!(n.network_is_active(&iso).unwrap());
    assert!(!n.network_autostart(&iso).unwrap());
    let def = n.lookup_network_by_name("default").unwrap();
    assert!(n.network_is_active(&def).unwrap());
    assert!(link_exists("virbr0"));

    // Undefine while running keeps it until destroyed; the default network does not
    // come back on the next start once undefined.
    n.network_undefine(&def).unwrap();
    assert!(n.network_is_active(&def).unwrap());
    assert!(!n.network_is_persistent(&def).unwrap());
    n.network_destroy(&def).unwrap();
    n.network_destroy(&iso).unwrap();
    n.network_undefine(&iso).unwrap();
    assert!(names(&*n, 0).is_empty());
    drop(n);
    drv.state_cleanup();
    drop(drv);
    let (drv, n) = start(&root, &l);
    assert!(names(&*n, 0).is_empty());
    drop(n);
    drv.state_cleanup();
    assert!(!link_exists("virbr0") && !link_exists("rvbr1"));
    assert!(!out("nft", &["list", "ruleset"]).contains("table"));
}

/// A process sleeping in a network namespace of its own (the DHCP client's side).
struct Peer(Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn dhcp_lease_from_udhcpc_in_a_second_namespace() {
    if Command::new("busybox")
        .arg("udhcpc")
        .arg("--help")
        .output()
        .is_err()
    {
        eprintln!("skipped: busybox missing");
        return;
    }
    if !enter_netns() {
        return;
    }
    let tmp = TempDir::new("net-dhcp");
    let root = tmp.0.join("root");
    let _reaper = Reaper(root.clone());
    let l = DefaultLoop::new().unwrap();
    let drv = HostNetwork::with_root(&root);
    drv.set_autostart_enabled(false);
    drv.state_initialize(&StateContext {
        event_loop: l.shared(),
    })
    .unwrap();
    let ctx = OpenContext {
        event_loop: None,
        events: EventSink::detached(),
        read_only: false,
        object_events: ObjectEventSink::detached(),
    };
    let n = drv
        .open(&Uri::parse("qemu:///system").unwrap(), &ctx)
        .unwrap()
        .network
        .unwrap();
    let def = n.lookup_network_by_name("default").unwrap();
    assert!(!n.network_is_active(&def).unwrap()); // autostart off
    let iso = n.network_define_xml(ISOLATED, 0).unwrap();
    n.network_create(&iso).unwrap();

    let peer = Peer(
        Command::new("unshare")
            .args(["-n", "sleep", "30"])
            .stdin(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = peer.0.id().to_string();
    let ok = |args: &[&str]| {
        let o = Command::new(args[0]).args(&args[1..]).output().unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    // Wait until `unshare` has switched namespace (its exec of sleep).
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::fs::read_link(format!("/proc/{pid}/exe"))
        .is_ok_and(|p| !p.to_string_lossy().contains("sleep"))
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    ok(&[
        "ip", "link", "add", "vh0", "type", "veth", "peer", "name", "vc0",
    ]);
    ok(&["ip", "link", "set", "vc0", "address", "52:54:00:00:07:05"]);
    ok(&["ip", "link", "set", "vc0", "netns", &pid]);
    ok(&["ip", "link", "set", "vh0", "master", "rvbr1", "up"]);
    ok(&[
        "nsenter", "-t", &pid, "-n", "ip", "link", "set", "vc0", "up",
    ]);
    let o = Command::new("nsenter")
        .args(["-t", &pid, "-n", "timeout", "20", "busybox", "udhcpc"])
        .args([
            "-i",
            "vc0",
            "-n",
            "-q",
            "-f",
            "-t",
            "10",
            "-T",
            "1",
            "-s",
            "/bin/true",
        ])
        .args(["-x", "hostname:guest1"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "udhcpc: {log}");
    // dnsmasq writes its lease file around its ACK, not necessarily before udhcpc
    // returns: give it a moment.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut leases = n.network_dhcp_leases(&iso, None, 0).unwrap();
    while leases.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        leases = n.network_dhcp_leases(&iso, None, 0).unwrap();
    }
    assert_eq!(leases.len(), 1, "{log}");
    let l0 = &leases[0];
    assert_eq!(
        (l0.ip.as_str(), l0.prefix, l0.iface.as_str(), l0.ip_type),
        ("10.7.0.5", 24, "rvbr1", 0)
    );
    assert_eq!(l0.mac.as_deref(), Some("52:54:00:00:07:05"));
    assert_eq!(l0.hostname.as_deref(), Some("fixed"));
    assert_eq!(
        n.network_dhcp_leases(&iso, Some("52:54:00:00:07:05"), 0)
            .unwrap()
            .len(),
        1
    );
    assert!(
        n.network_dhcp_leases(&iso, Some("52:54:00:00:00:99"), 0)
            .unwrap()
            .is_empty()
    );

    // A static host added live (virNetworkUpdate, AFFECT_LIVE): the same dnsmasq,
    // signalled, hands its address to the next client with that MAC.
    let pidfile = root.join("run/network/dnsmasq/iso.pid");
    let dnsmasq = pid_of(&pidfile).expect("dnsmasq of iso");
    n.network_update(
        &iso,
        3,
        4,
        -1,
        "<host mac='52:54:00:00:07:06' name='hot' ip='10.7.0.6'/>",
        1,
    )
    .unwrap();
    assert_eq!(pid_of(&pidfile), Some(dnsmasq));
    for args in [
        ["link", "set", "vc0", "down"].as_slice(),
        &["link", "set", "vc0", "address", "52:54:00:00:07:06"],
        &["link", "set", "vc0", "up"],
    ] {
        let mut cmd = vec!["nsenter", "-t", &pid, "-n", "ip"];
        cmd.extend_from_slice(args);
        ok(&cmd);
    }
    let o = Command::new("nsenter")
        .args(["-t", &pid, "-n", "timeout", "20", "busybox", "udhcpc"])
        .args([
            "-i",
            "vc0",
            "-n",
            "-q",
            "-f",
            "-t",
            "10",
            "-T",
            "1",
            "-s",
            "/bin/true",
        ])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "udhcpc: {log}");
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut hot = n
        .network_dhcp_leases(&iso, Some("52:54:00:00:07:06"), 0)
        .unwrap();
    while hot.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        hot = n
            .network_dhcp_leases(&iso, Some("52:54:00:00:07:06"), 0)
            .unwrap();
    }
    assert_eq!(hot.len(), 1, "{log}");
    assert_eq!(
        (hot[0].ip.as_str(), hot[0].hostname.as_deref()),
        ("10.7.0.6", Some("hot")),
        "{log}"
    );
    assert_eq!(pid_of(&pidfile), Some(dnsmasq));

    n.network_destroy(&iso).unwrap();
    drop(peer);
    assert!(!link_exists("rvbr1") && !link_exists("vh0"));
    drv.state_cleanup();
}
