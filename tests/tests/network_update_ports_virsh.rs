//! Live network updates and network ports through rvirtd, as Debian's virsh and
//! python3-libvirt use them, inside a network namespace of the test thread's own
//! (rvirtd, dnsmasq and QEMU inherit it): `net-update` of DHCP hosts (dnsmasq's hosts
//! file rewritten, dnsmasq signalled, not restarted), DNS hosts (answered by the
//! network's dnsmasq to a real DNS query), DHCP ranges (dnsmasq restarted), libvirt's
//! refusals; `net-port-create`/`-list`/`-dumpxml`/`-delete`, ports across a daemon
//! restart, a real TCG guest's `<interface type='network'>` holding a port while it
//! runs (given back with its tap re-plugged by the next daemon after its network was
//! restarted; released by the next daemon when the guest died meanwhile), bandwidth
//! parameters from python3-libvirt.

use std::net::{Ipv4Addr, UdpSocket};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rvirt_testkit::{
    HALT, NetworkDaemon, TempDir, boot_disk, domain_xml, enter_netns, have_python_libvirt,
    have_qemu, have_virsh, ip, python, text, virsh, virsh_err, virsh_ok,
};

/// The pid in dnsmasq's pid file of network `name` under the network root `n`.
fn dnsmasq_pid(n: &Path, name: &str) -> i32 {
    let f = n.join(format!("run/network/dnsmasq/{name}.pid"));
    std::fs::read_to_string(&f)
        .unwrap_or_else(|e| panic!("{}: {e}", f.display()))
        .trim()
        .parse()
        .unwrap()
}

fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/cmdline")).is_ok_and(|c| c.contains("dnsmasq"))
}

/// Asks the DNS server at `server` for the A record of `name` (one UDP query, 2 s
/// bound); the addresses answered.
fn dns_a(server: Ipv4Addr, name: &str) -> Vec<Ipv4Addr> {
    let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in name.split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    let s = UdpSocket::bind("0.0.0.0:0").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    s.send_to(&q, (server, 53)).unwrap();
    let mut buf = [0u8; 512];
    let Ok(n) = s.recv(&mut buf) else {
        return Vec::new();
    };
    let r = &buf[..n];
    let answers = u16::from_be_bytes([r[6], r[7]]);
    // Skip the header and the echoed question, then walk the answers.
    let mut i = q.len();
    let mut out = Vec::new();
    for _ in 0..answers {
        if r[i] & 0xc0 == 0xc0 {
            i += 2;
        } else {
            while r[i] != 0 {
                i += r[i] as usize + 1;
            }
            i += 1;
        }
        let (ty, len) = (
            u16::from_be_bytes([r[i], r[i + 1]]),
            u16::from_be_bytes([r[i + 8], r[i + 9]]) as usize,
        );
        i += 10;
        if ty == 1 && len == 4 {
            out.push(Ipv4Addr::new(r[i], r[i + 1], r[i + 2], r[i + 3]));
        }
        i += len;
    }
    out
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

const HOST: &str = "<host mac='52:54:00:aa:00:45' name='h1' ip='192.168.122.45'/>";

#[test]
fn net_update_live_and_config_through_virsh() {
    if !have_virsh() || !enter_netns() {
        return;
    }
    ip(&["link", "set", "lo", "up"]); // the queries to the bridge's address go through lo
    let tmp = TempDir::new("netupd");
    let net = NetworkDaemon::start(&tmp, "netupd-d");
    let uri = net.d.qemu_uri();
    let n = tmp.0.join("n");
    let hostsfile = n.join("run/network/dnsmasq/default.hostsfile");
    let pidfile = n.join("run/network/dnsmasq/default.pid");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !pidfile.exists() {
        assert!(
            Instant::now() < deadline,
            "no dnsmasq; log:\n{}",
            net.d.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = dnsmasq_pid(&n, "default");
    assert!(alive(pid));

    // A DHCP host, live and persistent: in dnsmasq's hosts file, the same dnsmasq.
    let out = virsh_ok(
        &uri,
        &[
            "net-update",
            "default",
            "add",
            "ip-dhcp-host",
            HOST,
            "--live",
            "--config",
        ],
    );
    assert!(
        out.contains("Updated network default persistent config and live state"),
        "{out}"
    );
    let hosts = std::fs::read_to_string(&hostsfile).unwrap();
    assert!(
        hosts.contains("52:54:00:aa:00:45,192.168.122.45,h1"),
        "{hosts}"
    );
    assert_eq!(dnsmasq_pid(&n, "default"), pid, "dnsmasq was restarted");
    assert!(alive(pid));
    assert!(virsh_ok(&uri, &["net-dumpxml", "default"]).contains(HOST));
    assert!(virsh_ok(&uri, &["net-dumpxml", "--inactive", "default"]).contains(HOST));
    let config = std::fs::read_to_string(n.join("etc/network/default.xml")).unwrap();
    assert!(config.contains(HOST), "{config}");

    // The same host again: libvirt's refusal, word for word.
    let err = virsh_err(
        &uri,
        &[
            "net-update",
            "default",
            "add-last",
            "ip-dhcp-host",
            HOST,
            "--live",
        ],
    );
    assert!(
        err.contains(&format!(
            "there is an existing dhcp host entry in network 'default' that matches \"{HOST}\""
        )),
        "{err}"
    );

    // Deleted (matched by its MAC), live and persistent.
    virsh_ok(
        &uri,
        &[
            "net-update",
            "default",
            "delete",
            "ip-dhcp-host",
            "<host mac='52:54:00:aa:00:45'/>",
            "--live",
            "--config",
        ],
    );
    assert!(!std::fs::read_to_string(&hostsfile).unwrap().contains("h1"));
    assert!(!virsh_ok(&uri, &["net-dumpxml", "default"]).contains("h1"));
    assert!(!virsh_ok(&uri, &["net-dumpxml", "--inactive", "default"]).contains("h1"));
    let err = virsh_err(
        &uri,
        &[
            "net-update",
            "default",
            "delete",
            "ip-dhcp-host",
            "<host mac='52:54:00:aa:00:45'/>",
        ],
    );
    assert!(
        err.contains("couldn't locate a matching dhcp host entry in network 'default'"),
        "{err}"
    );

    // Live only (the default for a running network): not in the persistent definition.
    virsh_ok(
        &uri,
        &["net-update", "default", "add", "ip-dhcp-host", HOST],
    );
    assert!(virsh_ok(&uri, &["net-dumpxml", "default"]).contains(HOST));
    assert!(!virsh_ok(&uri, &["net-dumpxml", "--inactive", "default"]).contains(HOST));

    // A DNS host: dnsmasq answers for it after the SIGHUP, still the same process.
    let dns = "<host ip='192.168.122.60'><hostname>web1</hostname></host>";
    let gw = Ipv4Addr::new(192, 168, 122, 1);
    assert!(dns_a(gw, "web1").is_empty());
    virsh_ok(
        &uri,
        &["net-update", "default", "add", "dns-host", dns, "--live"],
    );
    let addn = std::fs::read_to_string(n.join("run/network/dnsmasq/default.addnhosts")).unwrap();
    assert!(addn.contains("192.168.122.60\tweb1"), "{addn}");
    let mut answer = Vec::new();
    wait_for("dnsmasq to answer for web1", || {
        answer = dns_a(gw, "web1");
        !answer.is_empty()
    });
    assert_eq!(answer, [Ipv4Addr::new(192, 168, 122, 60)]);
    assert_eq!(dnsmasq_pid(&n, "default"), pid, "dnsmasq was restarted");
    let err = virsh_err(
        &uri,
        &["net-update", "default", "modify", "dns-host", dns, "--live"],
    );
    assert!(
        err.contains("DNS HOST records cannot be modified, only added or deleted"),
        "{err}"
    );

    // A DHCP range is on dnsmasq's command line: a new dnsmasq.
    virsh_ok(
        &uri,
        &[
            "net-update",
            "default",
            "delete",
            "ip-dhcp-range",
            "<range start='192.168.122.2' end='192.168.122.254'/>",
            "--live",
        ],
    );
    virsh_ok(
        &uri,
        &[
            "net-update",
            "default",
            "add",
            "ip-dhcp-range",
            "<range start='192.168.122.100' end='192.168.122.120'/>",
            "--live",
        ],
    );
    let conf = std::fs::read_to_string(n.join("run/network/dnsmasq/default.conf")).unwrap();
    assert!(
        conf.contains("dhcp-range=192.168.122.100,192.168.122.120,255.255.255.0"),
        "{conf}"
    );
    let pid2 = dnsmasq_pid(&n, "default");
    assert_ne!(pid2, pid);
    assert!(alive(pid2) && !alive(pid));
    // The DNS host is still served by the new one.
    wait_for("the new dnsmasq to answer", || {
        !dns_a(gw, "web1").is_empty()
    });

    // A stopped network: live updates refused, persistent ones written.
    virsh_ok(&uri, &["net-destroy", "default"]);
    let err = virsh_err(
        &uri,
        &[
            "net-update",
            "default",
            "add",
            "ip-dhcp-host",
            HOST,
            "--live",
        ],
    );
    assert!(err.contains("network is not running"), "{err}");
    virsh_ok(
        &uri,
        &["net-update", "default", "add", "ip-dhcp-host", HOST],
    );
    assert!(virsh_ok(&uri, &["net-dumpxml", "default"]).contains(HOST));
    let config = std::fs::read_to_string(n.join("etc/network/default.xml")).unwrap();
    assert!(config.contains(HOST), "{config}");
    virsh_ok(&uri, &["net-start", "default"]);
    let hosts = std::fs::read_to_string(&hostsfile).unwrap();
    assert!(hosts.contains("h1"), "{hosts}");
    virsh_ok(&uri, &["net-destroy", "default"]);
}

const PORT_UUID: &str = "7c3a2b1e-4d5f-4a6b-8c7d-9e0f1a2b3c4d";

fn port_xml(uuid: &str, mac: &str) -> String {
    format!(
        "<networkport><uuid>{uuid}</uuid><owner><name>ext</name>\
         <uuid>0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9</uuid></owner>\
         <mac address='{mac}'/><bandwidth><inbound average='1000' burst='64'/></bandwidth></networkport>"
    )
}

/// The port files of network `net_uuid` under the network root `n`.
fn port_files(n: &Path, net_uuid: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(n.join("run/network/ports").join(net_uuid))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    v.sort();
    v
}

/// The bridge `dev` is enslaved to (`ip -o link show dev DEV`: the namespace's view).
fn master_of(dev: &str) -> Option<String> {
    let o = std::process::Command::new("ip")
        .args(["-o", "link", "show", "dev", dev])
        .output()
        .unwrap();
    let line = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut words = line.split_whitespace();
    words.find(|w| *w == "master")?;
    words.next().map(str::to_owned)
}

fn port_uuids(uri: &str) -> Vec<String> {
    virsh_ok(uri, &["net-port-list", "default", "--uuid"])
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn network_ports_through_virsh_python_and_a_guest() {
    if !have_virsh() || !have_qemu() || !enter_netns() {
        return;
    }
    let tmp = TempDir::new("netport");
    let mut net = NetworkDaemon::start(&tmp, "netport-d");
    let uri = net.d.qemu_uri();
    let n = tmp.0.join("n");
    let net_uuid = virsh_ok(&uri, &["net-uuid", "default"]).trim().to_owned();
    assert!(port_uuids(&uri).is_empty());

    // A port from XML: plugged into the bridge, recorded, counted.
    let f = tmp.0.join("port.xml");
    std::fs::write(&f, port_xml(PORT_UUID, "52:54:00:cc:00:01")).unwrap();
    let out = virsh_ok(&uri, &["net-port-create", "default", f.to_str().unwrap()]);
    assert!(out.contains(PORT_UUID), "{out}");
    assert_eq!(port_uuids(&uri), [PORT_UUID]);
    let xml = virsh_ok(&uri, &["net-port-dumpxml", "default", PORT_UUID]);
    for want in [
        &format!("<uuid>{PORT_UUID}</uuid>") as &str,
        "<name>ext</name>",
        "<mac address='52:54:00:cc:00:01'/>",
        "<inbound average='1000' burst='64'/>",
        "<plug type='network' bridge='virbr0'/>",
    ] {
        assert!(xml.contains(want), "{want}\n{xml}");
    }
    assert!(
        virsh_ok(&uri, &["net-dumpxml", "default"]).contains("connections='1'"),
        "no connection count"
    );
    assert_eq!(port_files(&n, &net_uuid).len(), 1);

    // The same UUID, and another port with the same MAC: refused.
    let err = virsh_err(&uri, &["net-port-create", "default", f.to_str().unwrap()]);
    assert!(
        err.contains(&format!(
            "Network port with UUID {PORT_UUID} already exists"
        )),
        "{err}"
    );
    std::fs::write(
        &f,
        port_xml("7c3a2b1e-4d5f-4a6b-8c7d-000000000002", "52:54:00:cc:00:01"),
    )
    .unwrap();
    let err = virsh_err(&uri, &["net-port-create", "default", f.to_str().unwrap()]);
    assert!(err.contains("52:54:00:cc:00:01"), "{err}");

    // Bandwidth parameters through python3-libvirt: read, changed, a floor refused.
    if have_python_libvirt() {
        let o = python(
            "import sys, libvirt\n\
             c = libvirt.open(sys.argv[1])\n\
             p = c.networkLookupByName('default').portLookupByUUIDString(sys.argv[2])\n\
             print('before', sorted(p.parameters().items()))\n\
             p.setParameters({'inbound.average': 500, 'inbound.peak': 800})\n\
             print('after', sorted(p.parameters().items()))\n\
             try:\n    p.setParameters({'inbound.floor': 5})\nexcept libvirt.libvirtError as e:\n    print('floor', e.get_error_code(), e)\n",
            &[&uri, PORT_UUID],
        );
        let (out, err) = text(&o);
        assert!(o.status.success(), "{out}\n{err}");
        assert!(
            out.contains("before [('inbound.average', 1000), ('inbound.burst', 64), ('inbound.floor', 0), ('inbound.peak', 0)]"),
            "{out}"
        );
        assert!(
            out.contains("after [('inbound.average', 500), ('inbound.burst', 0), ('inbound.floor', 0), ('inbound.peak', 800)]"),
            "{out}"
        );
        assert!(out.contains("floor 67 "), "{out}");
        let xml = virsh_ok(&uri, &["net-port-dumpxml", "default", PORT_UUID]);
        assert!(xml.contains("<inbound average='500' peak='800'/>"), "{xml}");
    }

    // Across a daemon restart.
    net.restart("netport-d2");
    let uri = net.d.qemu_uri();
    assert_eq!(port_uuids(&uri), [PORT_UUID]);
    virsh_ok(&uri, &["net-port-delete", "default", PORT_UUID]);
    assert!(port_uuids(&uri).is_empty());
    assert!(port_files(&n, &net_uuid).is_empty());
    // (Debian's virsh 9.0 exits 0 from net-port-dumpxml of a missing port, saying
    // only that it failed; python3-libvirt shows the error.)
    let (_, err) = text(&virsh(&uri, &["net-port-dumpxml", "default", PORT_UUID]));
    assert!(err.contains("failed to get network port"), "{err}");
    if have_python_libvirt() {
        let o = python(
            "import sys, libvirt\n\
             c = libvirt.open(sys.argv[1])\n\
             try:\n    c.networkLookupByName('default').portLookupByUUIDString(sys.argv[2])\n\
             except libvirt.libvirtError as e:\n    print('lookup', e.get_error_code(), e)\n",
            &[&uri, PORT_UUID],
        );
        let (out, _) = text(&o);
        assert!(
            out.contains(&format!(
                "lookup 107 network port not found: Network port with UUID {PORT_UUID} does not exist"
            )),
            "{out}"
        );
    }

    // A guest's NIC on the network holds a port while it runs.
    let disk = boot_disk(&tmp.0.join("g.img"), HALT);
    let nic = "<interface type='network'><mac address='52:54:00:0a:0c:01'/>\
        <source network='default'/><model type='virtio'/></interface><memballoon model='none'/>";
    let xml = domain_xml("portguest", &disk).replace("<memballoon model='none'/>", nic);
    let xml_path = tmp.0.join("g.xml");
    std::fs::write(&xml_path, &xml).unwrap();
    virsh_ok(&uri, &["define", xml_path.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "portguest"]);
    let ports = port_uuids(&uri);
    assert_eq!(ports.len(), 1, "{ports:?}");
    let port = virsh_ok(&uri, &["net-port-dumpxml", "default", &ports[0]]);
    assert!(port.contains("<name>portguest</name>"), "{port}");
    assert!(
        port.contains("<mac address='52:54:00:0a:0c:01'/>"),
        "{port}"
    );
    let live = virsh_ok(&uri, &["dumpxml", "portguest"]);
    assert!(live.contains(&format!("portid='{}'", ports[0])), "{live}");

    // The guest and its port survive a daemon restart; destroy releases the port.
    net.restart("netport-d3");
    let uri = net.d.qemu_uri();
    assert_eq!(port_uuids(&uri), ports);
    assert!(virsh_ok(&uri, &["domstate", "portguest"]).contains("running"));

    // The network restarted under the running guest drops its ports and takes the
    // tap off the bridge; the next daemon gives the port back (same UUID, the
    // domain's portid) and puts the tap on the new bridge, as libvirtd does.
    let tap = live
        .split("<target dev='vnet")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .map(|n| format!("vnet{n}"))
        .unwrap_or_else(|| panic!("no tap in {live}"));
    assert_eq!(master_of(&tap).as_deref(), Some("virbr0"));
    virsh_ok(&uri, &["net-destroy", "default"]);
    virsh_ok(&uri, &["net-start", "default"]);
    assert!(port_uuids(&uri).is_empty());
    assert_eq!(master_of(&tap), None); // its bridge went with the network
    net.restart("netport-d4");
    let uri = net.d.qemu_uri();
    assert_eq!(port_uuids(&uri), ports);
    assert_eq!(
        master_of(&tap).as_deref(),
        Some("virbr0"),
        "{tap}; log:\n{}",
        net.d.log()
    );

    virsh_ok(&uri, &["destroy", "portguest"]);
    assert!(port_uuids(&uri).is_empty());

    // A guest that dies while no daemon runs: the next daemon releases its port.
    virsh_ok(&uri, &["start", "portguest"]);
    assert_eq!(port_uuids(&uri).len(), 1);
    let _ = net.d.child.kill();
    let _ = net.d.child.wait();
    let qpid: i32 = std::fs::read_to_string(tmp.0.join("q/run/qemu/portguest.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // SAFETY: kill(2) of the QEMU this test's daemon started (its pid file is under
    // the test's root).
    unsafe { libc::kill(qpid, libc::SIGKILL) };
    wait_for("QEMU to exit", || {
        std::fs::read_to_string(format!("/proc/{qpid}/stat"))
            .map_or(true, |s| s.split_whitespace().nth(2) == Some("Z"))
    });
    net.restart("netport-d5");
    let uri = net.d.qemu_uri();
    assert!(virsh_ok(&uri, &["domstate", "portguest"]).contains("shut off"));
    assert!(port_uuids(&uri).is_empty());
    assert!(!virsh_ok(&uri, &["net-dumpxml", "default"]).contains("connections="));

    // Destroying a network with a port in use is allowed (as libvirt does); its ports go.
    virsh_ok(&uri, &["start", "portguest"]);
    assert_eq!(port_uuids(&uri).len(), 1);
    virsh_ok(&uri, &["net-destroy", "default"]);
    assert!(port_files(&n, &net_uuid).is_empty());
    virsh_ok(&uri, &["destroy", "portguest"]);
    virsh_ok(&uri, &["net-start", "default"]);
    assert!(port_uuids(&uri).is_empty());
    virsh_ok(&uri, &["undefine", "portguest"]);
    virsh_ok(&uri, &["net-destroy", "default"]);
}
