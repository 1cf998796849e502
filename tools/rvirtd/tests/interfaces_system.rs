//! rvirtd's host interfaces (`qemu:///system`, `lxc:///system`) against libvirtd 9.0's
//! own interface driver (its udev backend), both daemons in one network namespace of
//! the test thread's own with its own sysfs on `/sys`: a bridge with a veth port, the
//! veth's peer, a second veth pair left down and a tap device. Debian's virsh
//! (`iface-list`, `iface-dumpxml`, `iface-name`, `iface-mac`, refused changes) and
//! python3-libvirt (lists by flag, counts, lookups, error codes and domains) get the
//! same answers from both.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Daemon, have_python_libvirt, have_virsh, python, text, virsh};
use rvirt_testkit::libvirtd::{Libvirtd, Options};
use rvirt_testkit::{enter_netns_with_sysfs, ip};

fn sys(name: &str, attr: &str) -> String {
    std::fs::read_to_string(format!("/sys/class/net/{name}/{attr}"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// The namespace's interfaces: `br0` (STP off) with port `va`, its peer `vb`, `vc`/`vd`
/// left down, and `tap0` when tun devices can be made.
fn make_interfaces() -> bool {
    ip(&["link", "add", "br0", "type", "bridge"]);
    ip(&["link", "add", "va", "type", "veth", "peer", "name", "vb"]);
    ip(&["link", "add", "vc", "type", "veth", "peer", "name", "vd"]);
    ip(&["link", "set", "va", "master", "br0"]);
    for dev in ["va", "vb", "br0"] {
        ip(&["link", "set", dev, "up"]);
    }
    let tap = Command::new("ip")
        .args(["tuntap", "add", "tap0", "mode", "tap"])
        .output()
        .is_ok_and(|o| o.status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while ["br0", "va", "vb"]
        .iter()
        .any(|d| sys(d, "operstate") != "up")
    {
        assert!(Instant::now() < deadline, "links did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
    tap
}

fn out(uri: &str, args: &[&str]) -> (bool, String, String) {
    let o = virsh(uri, args);
    let (so, se) = text(&o);
    (o.status.success(), so, se)
}

const PY: &str = r#"
import libvirt, sys
c = libvirt.open(sys.argv[1])
def err(fn):
    try:
        return ('ok', fn())
    except libvirt.libvirtError as e:
        return (e.get_error_code(), e.get_error_domain(), e.get_error_message())
for f in (0, 1, 2, 3):
    print(f, sorted((i.name(), i.MACString(), i.isActive()) for i in c.listAllInterfaces(f)))
print(c.numOfInterfaces(), sorted(c.listInterfaces()))
print(c.numOfDefinedInterfaces(), sorted(c.listDefinedInterfaces()))
print(err(lambda: c.listAllInterfaces(4)))
print(err(lambda: c.interfaceLookupByName('nosuch0').name()))
print(err(lambda: c.interfaceLookupByName('../../../etc').name()))
print(err(lambda: c.interfaceLookupByName('va').MACString()))
print(err(lambda: c.interfaceLookupByMACString(sys.argv[2]).name()))
print(err(lambda: c.interfaceLookupByMACString('00:00:00:00:00:01').name()))
print(err(lambda: c.interfaceDefineXML("<interface type='ethernet' name='x0'/>").name()))
br = c.interfaceLookupByName('br0')
print(err(lambda: br.XMLDesc(1) == br.XMLDesc(0)))
print(err(lambda: br.XMLDesc(2)))
print(err(lambda: br.isActive()))
print(err(lambda: br.destroy()))
print(err(lambda: br.create()))
print(err(lambda: br.undefine()))
print(err(lambda: c.changeBegin()))
print(err(lambda: c.changeCommit()))
print(err(lambda: c.changeRollback()))
"#;

#[test]
fn interfaces_answer_as_libvirtds_udev_backend() {
    if !have_virsh() || !enter_netns_with_sysfs() {
        return;
    }
    let tap = make_interfaces();
    let d = Daemon::start("iface");
    let ours = d.qemu_uri();

    // rvirtd alone, against the sysfs facts: `lo` is listed too (inactive: its
    // operstate is `unknown`), as libvirt 9.0's udev backend lists it.
    let (ok, all, err) = out(&ours, &["iface-list", "--all"]);
    assert!(ok, "{err}");
    for want in ["br0", "vb", "vc", "vd", "lo"] {
        assert!(
            all.lines()
                .any(|l| l.split_whitespace().next() == Some(want)),
            "{want} missing:\n{all}"
        );
    }
    // The bridge's port and the tap are not listed (as udev's enumeration skips them).
    assert!(
        !all.lines().any(|l| l.trim_start().starts_with("va ")),
        "{all}"
    );
    if tap {
        assert!(!all.contains("tap0"), "{all}");
    }
    let br = out(&ours, &["iface-dumpxml", "br0"]).1;
    assert_eq!(
        br.trim_end(),
        format!(
            "<interface type='bridge' name='br0'>\n  <mtu size='{}'/>\n  \
             <bridge stp='off' delay='{}'>\n    <interface type='ethernet' name='va'>\n      \
             <link speed='{}' state='up'/>\n      <mac address='{}'/>\n    </interface>\n  \
             </bridge>\n</interface>",
            sys("br0", "mtu"),
            sys("br0", "bridge/forward_delay"),
            sys("va", "speed"),
            sys("va", "address"),
        )
    );
    // lxc:///system is served the same interfaces.
    let lxc = format!("lxc+unix:///system?socket={}", d.rw_socket().display());
    assert_eq!(out(&lxc, &["iface-list", "--all"]).1, all);

    // libvirtd 9.0 in the same namespaces: every answer byte for byte.
    let Some(lv) = Libvirtd::start_with(Options {
        interface_driver: true,
        ..Options::default()
    }) else {
        return;
    };
    let theirs = lv.interface_uri();
    for args in [
        &["iface-list", "--all"][..],
        &["iface-list"],
        &["iface-list", "--inactive"],
    ] {
        assert_eq!(out(&ours, args), out(&theirs, args), "virsh {args:?}");
    }

    // Each listed interface's XML, a bridge port's and lookups by MAC.
    let mut names: Vec<&str> = all
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    names.push("va");
    for name in &names {
        let args = ["iface-dumpxml", name];
        let mine = out(&ours, &args);
        assert!(mine.0, "{name}: {}", mine.2);
        assert_eq!(mine, out(&theirs, &args), "virsh iface-dumpxml {name}");
        let mac = ["iface-mac", name];
        assert_eq!(out(&ours, &mac), out(&theirs, &mac), "{mac:?}");
    }
    let vb_mac = sys("vb", "address");
    let vb_glob = format!("{}?", &vb_mac[..16]);
    for args in [
        &["iface-name", vb_mac.as_str()][..],
        &["iface-name", vb_glob.as_str()],
        &["iface-name", "*"],
        &["iface-name", vb_mac.to_uppercase().as_str()],
        &["iface-name", "00:00:00:00:00:01"],
        &["iface-dumpxml", "nosuch0"],
        &["iface-dumpxml", "../../../etc/passwd"],
        &["iface-destroy", "br0"],
        &["iface-start", "vc"],
        &["iface-undefine", "vc"],
        &["iface-begin"],
    ] {
        let (mine, lv_out) = (out(&ours, args), out(&theirs, args));
        assert_eq!(mine, lv_out, "virsh {args:?}");
    }
    let (ok, _, e) = out(&ours, &["iface-destroy", "br0"]);
    assert!(!ok);
    assert!(
        e.contains("this function is not supported by the connection driver: virInterfaceDestroy"),
        "{e}"
    );

    // python3-libvirt: every call, with error codes and domains.
    if have_python_libvirt() {
        let a = python(PY, &[&ours, &vb_mac]);
        let b = python(PY, &[&theirs, &vb_mac]);
        assert!(a.status.success(), "{}", text(&a).1);
        assert_eq!(text(&a), text(&b));
    }
}
