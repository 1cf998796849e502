//! Bandwidth (QoS) of guest NICs and networks through rvirtd, inside a network
//! namespace of the test thread's own: Debian's virsh defines and starts a network
//! with `<bandwidth>` (its bridge shaped with libvirt's htb hierarchy and ingress
//! limit) and a real QEMU guest (TCG) whose `type='network'` NIC asks for
//! inbound/outbound limits and a `floor`, and whose `type='bridge'` NIC asks for an
//! inbound limit: `tc` shows libvirt's numbers (average and peak in kilobytes per
//! second, burst in kilobytes) on the taps and the floor's class on the bridge;
//! python3-libvirt changes the floor live (`virNetworkPortSetParameters`) and is
//! refused one the network cannot give; a floor on a bridge NIC and a floor on a
//! network without inbound QoS are refused with libvirt's words; everything goes
//! with `virsh destroy`. `virsh domiftune` changes a running NIC's limits on its tap
//! and the persistent `<bandwidth>` apart.

use std::process::Command;
use std::time::{Duration, Instant};

use rvirt_testkit::{
    HALT, NetworkDaemon, TempDir, boot_disk, domain_xml, enter_netns, have_python_libvirt,
    have_qemu, have_virsh, ip, python, text, virsh_err, virsh_ok,
};

fn out(prog: &str, args: &[&str]) -> String {
    let o = Command::new(prog).args(args).output().unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn tc(args: &[&str]) -> String {
    out("tc", args)
}

/// The line of `tc class show dev DEV` for `class` (`1:2`, …).
fn class(dev: &str, class: &str) -> Option<String> {
    tc(&["class", "show", "dev", dev])
        .lines()
        .find(|l| l.split_whitespace().nth(2) == Some(class))
        .map(str::to_owned)
}

/// What limits what `dev` receives: tc's policer, or (on kernels without
/// `act_police`) the nftables rule standing in for it.
fn ingress_limit(dev: &str) -> String {
    let f = tc(&["filter", "show", "dev", dev, "parent", "ffff:"]);
    if f.contains("police") {
        return f;
    }
    out(
        "nft",
        &["list", "table", "netdev", &format!("rvirt_bw_{dev}")],
    )
}

fn link_exists(dev: &str) -> bool {
    Command::new("ip")
        .args(["link", "show", "dev", dev])
        .output()
        .is_ok_and(|o| o.status.success())
}

const NET: &str = "<network><name>qos</name><bridge name='rvqos0'/>\
    <bandwidth><inbound average='10000' peak='20000'/><outbound average='8000'/></bandwidth>\
    </network>";

const NICS: &str = "<interface type='network'><mac address='52:54:00:ab:cd:ef'/>\
    <source network='qos'/><bandwidth><inbound average='1000' peak='2000' burst='256' floor='300'/>\
    <outbound average='500'/></bandwidth><model type='virtio'/></interface>\
    <interface type='bridge'><mac address='52:54:00:ab:cd:02'/><source bridge='rvbr8'/>\
    <bandwidth><inbound average='800'/></bandwidth><model type='e1000'/></interface>\
    <memballoon model='none'/>";

fn target_devs(xml: &str) -> Vec<String> {
    xml.split("<target dev='")
        .skip(1)
        .filter_map(|s| s.split('\'').next())
        .filter(|d| d.starts_with("vnet"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn guest_and_network_bandwidth_with_tc() {
    if !have_virsh() || !have_qemu() || !enter_netns() {
        return;
    }
    let tmp = TempDir::new("qos");
    let net = NetworkDaemon::start(&tmp, "qos-d");
    let uri = net.d.qemu_uri();
    let f = tmp.0.join("net.xml");
    std::fs::write(&f, NET).unwrap();
    virsh_ok(&uri, &["net-define", f.to_str().unwrap()]);
    virsh_ok(&uri, &["net-start", "qos"]);
    // The network's bridge: class 1:1 caps it (10000 kB/s = 80 Mbit/s, peak 160),
    // 1:2 takes unguaranteed traffic; what guests send is limited to 8000 kB/s.
    let c1 = class("rvqos0", "1:1").expect("class 1:1 on the bridge");
    assert!(c1.contains("rate 80Mbit ceil 160Mbit"), "{c1}");
    let c2 = class("rvqos0", "1:2").expect("class 1:2 on the bridge");
    assert!(
        c2.contains("parent 1:1") && c2.contains("rate 80Mbit"),
        "{c2}"
    );
    let q = tc(&["qdisc", "show", "dev", "rvqos0"]);
    assert!(
        q.contains("qdisc htb 1: root") && q.contains("default 0x2"),
        "{q}"
    );
    let lim = ingress_limit("rvqos0");
    assert!(
        lim.contains("rate 64Mbit") || lim.contains("limit rate over 8000000 bytes/second"),
        "{lim}"
    );

    ip(&["link", "add", "rvbr8", "type", "bridge"]);
    ip(&["link", "set", "rvbr8", "up"]);
    let disk = boot_disk(&tmp.0.join("g.img"), HALT);
    let xml = domain_xml("qosguest", &disk).replace("<memballoon model='none'/>", NICS);
    let xml_path = tmp.0.join("g.xml");
    std::fs::write(&xml_path, &xml).unwrap();
    virsh_ok(&uri, &["define", xml_path.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "qosguest"]);
    let live = virsh_ok(&uri, &["dumpxml", "qosguest"]);
    let taps = target_devs(&live);
    assert_eq!(taps.len(), 2, "{live}");

    // The network NIC's tap: inbound 1000 kB/s (8 Mbit/s), peak 16, burst 256 KiB on
    // its transmit side; outbound 500 kB/s (4 Mbit/s) on its receive side.
    let t = class(&taps[0], "1:1").expect("class 1:1 on the tap");
    assert!(t.contains("rate 8Mbit ceil 16Mbit burst 256Kb"), "{t}");
    let lim = ingress_limit(&taps[0]);
    assert!(
        lim.contains("rate 4Mbit burst 500Kb")
            || lim.contains("limit rate over 500000 bytes/second burst 500 kbytes"),
        "{lim}"
    );
    // The bridge NIC's tap: inbound 800 kB/s, nothing on its receive side.
    let t = class(&taps[1], "1:1").expect("class 1:1 on the bridge NIC's tap");
    assert!(t.contains("rate 6400Kbit"), "{t}");
    assert!(!ingress_limit(&taps[1]).contains("rate"));
    // virsh domiftune: the bridge NIC's limits changed live on its tap, read back;
    // the persistent definition keeps its own; the floor of a running NIC stays.
    virsh_ok(
        &uri,
        &[
            "domiftune",
            "qosguest",
            &taps[1],
            "--inbound",
            "1500,3000,64",
            "--outbound",
            "700",
            "--live",
        ],
    );
    let t = class(&taps[1], "1:1").expect("class 1:1 after domiftune");
    assert!(t.contains("rate 12Mbit ceil 24Mbit burst 64Kb"), "{t}");
    let lim = ingress_limit(&taps[1]);
    assert!(
        lim.contains("rate 5600Kbit") || lim.contains("limit rate over 700000 bytes/second"),
        "{lim}"
    );
    let shown = virsh_ok(&uri, &["domiftune", "qosguest", &taps[1]]);
    assert!(
        shown.contains("inbound.average: 1500") && shown.contains("outbound.average: 700"),
        "{shown}"
    );
    let inactive = virsh_ok(&uri, &["dumpxml", "--inactive", "qosguest"]);
    assert!(inactive.contains("<inbound average='800'/>"), "{inactive}");
    virsh_ok(
        &uri,
        &[
            "domiftune",
            "qosguest",
            "52:54:00:ab:cd:02",
            "--inbound",
            "900",
            "--config",
        ],
    );
    let inactive = virsh_ok(&uri, &["dumpxml", "--inactive", "qosguest"]);
    assert!(inactive.contains("<inbound average='900'/>"), "{inactive}");
    let err = virsh_err(
        &uri,
        &[
            "domiftune",
            "qosguest",
            &taps[0],
            "--inbound",
            "1000,2000,256,400",
            "--live",
        ],
    );
    assert!(
        err.contains("changing the inbound floor of a running interface"),
        "{err}"
    );
    virsh_ok(
        &uri,
        &[
            "domiftune",
            "qosguest",
            &taps[1],
            "--inbound",
            "0",
            "--outbound",
            "0",
            "--live",
        ],
    );
    assert!(class(&taps[1], "1:1").is_none(), "limits cleared");

    // The floor: class 1:3 on the network's bridge with 300 kB/s (2400 Kbit/s)
    // guaranteed, fed by a filter on the NIC's MAC; 1:2 keeps 9700 kB/s.
    let c3 = class("rvqos0", "1:3").expect("the floor's class");
    assert!(c3.contains("rate 2400Kbit ceil 160Mbit"), "{c3}");
    let c2 = class("rvqos0", "1:2").unwrap();
    assert!(c2.contains("rate 77600Kbit"), "{c2}");
    let filt = tc(&["filter", "show", "dev", "rvqos0"]);
    assert!(
        filt.contains("flowid 1:3") && filt.contains("match 00abcdef/ffffffff at -12"),
        "{filt}"
    );
    let ports = virsh_ok(&uri, &["net-port-list", "qos", "--uuid"]);
    let port = ports.trim().to_string();
    let pxml = virsh_ok(&uri, &["net-port-dumpxml", "qos", &port]);
    assert!(
        pxml.contains("<bandwidth classID='3'>")
            && pxml.contains("<inbound average='1000' peak='2000' floor='300' burst='256'/>"),
        "{pxml}"
    );

    if have_python_libvirt() {
        let o = python(
            "import sys, libvirt\n\
             c = libvirt.open(sys.argv[1])\n\
             p = c.networkLookupByName('qos').portLookupByUUIDString(sys.argv[2])\n\
             p.setParameters({'inbound.average': 1000, 'inbound.floor': 500})\n\
             print('params', sorted(p.parameters().items()))\n\
             try:\n    p.setParameters({'inbound.average': 1000, 'inbound.floor': 30000})\n\
             except libvirt.libvirtError as e:\n    print('over', e.get_error_code(), e)\n",
            &[&uri, &port],
        );
        let (o, e) = text(&o);
        assert!(o.contains("('inbound.floor', 500)"), "{o}\n{e}");
        assert!(
            o.contains(
                "over 55 Requested operation is not valid: Cannot plug '52:54:00:ab:cd:ef' interface \
                 into 'rvqos0' because new combined inbound floor=30000 would overcommit peak=20000 on network 'qos'"
            ),
            "{o}\n{e}"
        );
        let c3 = class("rvqos0", "1:3").unwrap();
        assert!(c3.contains("rate 4Mbit"), "{c3}");
        let c2 = class("rvqos0", "1:2").unwrap();
        assert!(c2.contains("rate 76Mbit"), "{c2}");
    }

    // A floor on a NIC not on a virtual network, or on a network without inbound QoS.
    let bad = xml
        .replace("qosguest", "qosbad")
        .replace("52:54:00:ab:cd:ef", "52:54:00:ab:cd:e1")
        .replace("52:54:00:ab:cd:02", "52:54:00:ab:cd:04")
        .replace(
            "<inbound average='800'/>",
            "<inbound average='800' floor='10'/>",
        );
    std::fs::write(&xml_path, &bad).unwrap();
    virsh_ok(&uri, &["define", xml_path.to_str().unwrap()]);
    let err = virsh_err(&uri, &["start", "qosbad"]);
    assert!(
        err.contains("Invalid use of 'floor' on interface with MAC address 52:54:00:ab:cd:04 - 'floor' is only supported for interface type 'network' with forward type 'nat', 'route', 'open' or none"),
        "{err}"
    );
    let nofloor = "<network><name>plain</name><bridge name='rvqos1'/></network>";
    std::fs::write(&f, nofloor).unwrap();
    virsh_ok(&uri, &["net-create", f.to_str().unwrap()]);
    let bad = xml
        .replace("qosguest", "qosbad2")
        .replace("network='qos'", "network='plain'")
        .replace("52:54:00:ab:cd:ef", "52:54:00:ab:cd:e0")
        .replace("52:54:00:ab:cd:02", "52:54:00:ab:cd:03");
    std::fs::write(&xml_path, &bad).unwrap();
    virsh_ok(&uri, &["define", xml_path.to_str().unwrap()]);
    let err = virsh_err(&uri, &["start", "qosbad2"]);
    assert!(
        err.contains("Invalid use of 'floor' on interface with MAC address 52:54:00:ab:cd:e0 - network 'plain' has no inbound QoS set"),
        "{err}"
    );
    let links = out("ip", &["-o", "link"]);
    assert_eq!(links.matches("vnet").count(), 2, "{links}");

    // Destroy: taps, their limits and the floor's class gone; 1:2 gets it all back.
    virsh_ok(&uri, &["destroy", "qosguest"]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while taps.iter().any(|t| link_exists(t)) {
        assert!(Instant::now() < deadline, "taps left after destroy");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(class("rvqos0", "1:3").is_none());
    let c2 = class("rvqos0", "1:2").unwrap();
    assert!(c2.contains("rate 80Mbit"), "{c2}");
    assert!(!tc(&["filter", "show", "dev", "rvqos0"]).contains("flowid 1:3"));
    let rules = out("nft", &["list", "tables"]);
    assert!(
        !taps
            .iter()
            .any(|t| rules.contains(&format!("rvirt_bw_{t}"))),
        "{rules}"
    );
    virsh_ok(&uri, &["net-destroy", "qos"]);
    assert!(!link_exists("rvqos0"));
    let rules = out("nft", &["list", "tables"]);
    assert!(!rules.contains("rvirt_bw_rvqos0"), "{rules}");
    for d in ["qosguest", "qosbad", "qosbad2"] {
        virsh_ok(&uri, &["undefine", d]);
    }
    virsh_ok(&uri, &["net-destroy", "plain"]);
    ip(&["link", "delete", "rvbr8"]);
}
