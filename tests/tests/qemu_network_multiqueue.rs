//! Multiqueue virtio NICs (`<driver queues='N'/>`) through rvirtd inside a network
//! namespace of the test thread's own: Debian's virsh starts a real QEMU guest (TCG)
//! whose bridge NIC's tap is opened four times (`IFF_MULTI_QUEUE`, `vnet_hdr`) and
//! whose macvtap is opened twice; QEMU's command line has `fds=A:B:…` and the device
//! `mq=on,vectors=2N+2`, QEMU holds the N fds of each device and answers `mq` and
//! `vectors` through `virsh qemu-monitor-command`, and the kernel counts the tap's
//! queues (attached and detached); `txmode`, `packed` and offloads reach QEMU's device. vhost-net as libvirt decides it (there is no `/dev/vhost-net` where these
//! tests run): a plain QEMU domain ignores `name='vhost'`; a KVM domain that asks for
//! it is refused with libvirt's error, as is multiqueue on a user-mode NIC.

use std::process::Command;

use rvirt_testkit::{
    HALT, NetworkDaemon, TempDir, boot_disk, domain_xml, enter_netns, have_qemu, have_virsh, ip,
    qemu_pids, virsh, virsh_ok,
};

/// `ip -o -d link show dev DEV`.
fn link(dev: &str) -> String {
    let o = Command::new("ip")
        .args(["-o", "-d", "link", "show", "dev", dev])
        .output()
        .unwrap();
    assert!(o.status.success(), "no {dev}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The `-netdev`/`-device` JSON argument of QEMU's command line whose `id` is `id`.
fn arg_with_id(argv: &[String], id: &str) -> serde_json::Value {
    argv.iter()
        .filter_map(|a| serde_json::from_str::<serde_json::Value>(a).ok())
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {argv:?}"))
}

/// How many of `pid`'s fds are attached to the tap `dev` (`iff:` in their fdinfo).
fn tun_fds(pid: i32, dev: &str) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fdinfo"))
        .unwrap()
        .flatten()
        .filter(|e| {
            std::fs::read_to_string(e.path())
                .unwrap_or_default()
                .lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["iff:", dev])
        })
        .count()
}

/// How many of `pid`'s fds are open on `path`.
fn fds_on(pid: i32, path: &str) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .flatten()
        .filter(|e| std::fs::read_link(e.path()).is_ok_and(|p| p.to_str() == Some(path)))
        .count()
}

/// `virsh qemu-monitor-command DOM` of `qom-get PATH PROPERTY`: the value returned.
fn qom_get(uri: &str, dom: &str, path: &str, prop: &str) -> serde_json::Value {
    let cmd = serde_json::json!({"execute": "qom-get",
        "arguments": {"path": path, "property": prop}});
    let out = virsh_ok(uri, &["qemu-monitor-command", dom, &cmd.to_string()]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    v["return"].clone()
}

const NICS: &str = "<interface type='bridge'><mac address='52:54:00:0e:0f:01'/>\
    <source bridge='rvbr8'/><model type='virtio'/><driver name='qemu' queues='4' txmode='iothread' \
    packed='on'><host csum='off' tso4='off'/><guest tso4='off'/></driver></interface>\
    <interface type='direct'><mac address='52:54:00:0e:0f:02'/>\
    <source dev='rvq0' mode='bridge'/><model type='virtio'/><driver queues='2'/></interface>\
    <interface type='bridge'><mac address='52:54:00:0e:0f:03'/>\
    <source bridge='rvbr8'/><model type='virtio'/><driver name='vhost'/></interface>\
    <memballoon model='none'/>";

#[test]
fn multiqueue_nics_get_one_fd_per_queue() {
    if !have_virsh() || !have_qemu() || !enter_netns() {
        return;
    }
    let tmp = TempDir::new("mq");
    let net = NetworkDaemon::start(&tmp, "mq-d");
    let uri = net.d.qemu_uri();
    ip(&["link", "add", "rvbr8", "type", "bridge"]);
    ip(&["link", "set", "rvbr8", "up"]);
    ip(&[
        "link", "add", "rvq0", "type", "veth", "peer", "name", "rvq1",
    ]);
    ip(&["link", "set", "rvq0", "up"]);

    let disk = boot_disk(&tmp.0.join("g.img"), HALT);
    let xml = domain_xml("mqguest", &disk).replace("<memballoon model='none'/>", NICS);
    let xml_path = tmp.0.join("g.xml");
    std::fs::write(&xml_path, &xml).unwrap();
    virsh_ok(&uri, &["define", xml_path.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "mqguest"]);
    let live = virsh_ok(&uri, &["dumpxml", "mqguest"]);
    assert!(
        live.contains("<driver name='qemu' txmode='iothread' queues='4' packed='on'>"),
        "{live}"
    );
    let devs: Vec<String> = live
        .split("<target dev='")
        .skip(1)
        .filter_map(|s| s.split('\'').next())
        .filter(|d| d.starts_with("vnet") || d.starts_with("macvtap"))
        .map(str::to_owned)
        .collect();
    assert_eq!(devs.len(), 3, "{live}");

    let pids = qemu_pids(&tmp.0.join("q"));
    assert_eq!(pids.len(), 1, "{pids:?}");
    let pid = pids[0];
    let argv: Vec<String> = std::fs::read(format!("/proc/{pid}/cmdline"))
        .unwrap()
        .split(|b| *b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();

    // The bridge NIC: four tap fds, all on its tap, multi-queue with a vnet header.
    let net0 = arg_with_id(&argv, "hostnet0");
    let fds = net0["fds"].as_str().unwrap_or_else(|| panic!("{net0}"));
    assert_eq!(fds.split(':').count(), 4, "{net0}");
    assert!(net0.get("vhost").is_none(), "{net0}");
    let dev0 = arg_with_id(&argv, "net0");
    assert_eq!(dev0["mq"], true, "{dev0}");
    assert_eq!(dev0["vectors"], 10, "{dev0}");
    assert_eq!(tun_fds(pid, &devs[0]), 4);
    let line = link(&devs[0]);
    // The kernel's count: queues attached plus those QEMU detached until the guest's
    // driver enables them (this guest has none).
    let count = |key: &str| -> u32 {
        let mut w = line.split_whitespace().skip_while(|w| *w != key);
        w.nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{line}"))
    };
    assert!(line.contains("multi_queue"), "{line}");
    assert_eq!(count("numqueues") + count("numdisabled"), 4, "{line}");
    assert!(line.contains("vnet_hdr on"), "{line}");
    // QEMU's device has the queues.
    assert_eq!(
        qom_get(&uri, "mqguest", "/machine/peripheral/net0", "mq"),
        true
    );
    assert_eq!(
        qom_get(&uri, "mqguest", "/machine/peripheral/net0", "vectors"),
        10
    );

    // The tunables libvirt passes: QEMU's device has them.
    for (prop, want) in [
        ("tx", serde_json::json!("bh")),
        ("packed", serde_json::json!(true)),
        ("csum", serde_json::json!(false)),
        ("host_tso4", serde_json::json!(false)),
        ("guest_tso4", serde_json::json!(false)),
    ] {
        assert_eq!(dev0[prop], want, "{dev0}");
        assert_eq!(
            qom_get(&uri, "mqguest", "/machine/peripheral/net0", prop),
            want,
            "{prop}"
        );
    }

    // The direct NIC: its macvtap opened twice.
    let net1 = arg_with_id(&argv, "hostnet1");
    let fds = net1["fds"].as_str().unwrap_or_else(|| panic!("{net1}"));
    assert_eq!(fds.split(':').count(), 2, "{net1}");
    assert_eq!(arg_with_id(&argv, "net1")["vectors"], 6);
    let ifindex = link(&devs[1]).split(':').next().unwrap().trim().to_owned();
    assert_eq!(fds_on(pid, &format!("/dev/tap{ifindex}")), 2);

    // name='vhost' on a plain QEMU domain: QEMU's userspace backend, one queue.
    let net2 = arg_with_id(&argv, "hostnet2");
    assert!(
        net2["fd"].is_string() && net2.get("vhost").is_none(),
        "{net2}"
    );
    assert!(arg_with_id(&argv, "net2").get("mq").is_none());
    assert_eq!(tun_fds(pid, &devs[2]), 1);
    let line = link(&devs[2]);
    assert!(!line.contains("multi_queue"), "{line}");

    virsh_ok(&uri, &["destroy", "mqguest"]);
    virsh_ok(&uri, &["undefine", "mqguest"]);
    ip(&["link", "delete", "rvbr8"]);
}

#[test]
fn vhost_and_multiqueue_refusals_are_libvirts() {
    if !have_virsh() || !have_qemu() || !enter_netns() {
        return;
    }
    if std::path::Path::new("/dev/vhost-net").exists() {
        eprintln!("skipped: this host has /dev/vhost-net");
        return;
    }
    let tmp = TempDir::new("vhost");
    let net = NetworkDaemon::start(&tmp, "vhost-d");
    let uri = net.d.qemu_uri();
    ip(&["link", "add", "rvbr7", "type", "bridge"]);
    ip(&["link", "set", "rvbr7", "up"]);
    let disk = boot_disk(&tmp.0.join("g.img"), HALT);
    let xml_path = tmp.0.join("g.xml");
    let cases = [(
        "kvm",
        "<interface type='bridge'><source bridge='rvbr7'/><model type='virtio'/>\
             <driver name='vhost' queues='2'/></interface>",
        "unsupported configuration: vhost-net was requested for an interface, but is unavailable",
    )];
    for (i, (dtype, nic, want)) in cases.iter().enumerate() {
        let name = format!("vh{i}");
        let xml = domain_xml(&name, &disk)
            .replace("<domain type='qemu'>", &format!("<domain type='{dtype}'>"))
            .replace(
                "<memballoon model='none'/>",
                &format!("{nic}<memballoon model='none'/>"),
            );
        std::fs::write(&xml_path, &xml).unwrap();
        virsh_ok(&uri, &["define", xml_path.to_str().unwrap()]);
        let o = virsh(&uri, &["start", &name]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(want), "{nic}: {err}");
        assert!(qemu_pids(&tmp.0.join("q")).is_empty());
        let o = Command::new("ip").args(["-o", "link"]).output().unwrap();
        let links = String::from_utf8_lossy(&o.stdout);
        assert!(!links.contains("vnet"), "{links}");
        virsh_ok(&uri, &["undefine", &name]);
    }
    // Multiqueue needs a tap: refused on a user-mode NIC when defined.
    let xml = domain_xml("mquser", &disk).replace(
        "<memballoon model='none'/>",
        "<interface type='user'><mac address='52:54:00:0e:0f:09'/><model type='virtio'/>\
         <driver queues='2'/></interface><memballoon model='none'/>",
    );
    std::fs::write(&xml_path, &xml).unwrap();
    let o = virsh(&uri, &["define", xml_path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success()
            && err.contains(
                "unsupported configuration: interface 52:54:00:0e:0f:09 - multiqueue is not supported for network interfaces of type user"
            ),
        "{err}"
    );
    ip(&["link", "delete", "rvbr7"]);
}
