//! `net-dhcp-leases` with a real lease: rvirtd (in a network namespace of this test's
//! own) runs libvirt's `default` network with dnsmasq, busybox's udhcpc in a second
//! namespace takes an address on virbr0 through a veth, and rvirsh prints the lease
//! table exactly as Debian's virsh does on the same daemon (with `--mac` too). Skipped
//! without ip, nft, dnsmasq, busybox, virsh or the right to unshare.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use rvirt_testkit::netns::{NetworkDaemon, enter_netns};
use rvirt_testkit::{TempDir, have_virsh, run, text, virsh};

/// A process sleeping in a network namespace of its own (the DHCP client's side).
struct Peer(Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rvirsh(uri: &str, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rvirsh"));
    c.arg("-c").arg(uri).args(args);
    run(c, 20)
}

fn must(args: &[&str]) {
    let o = Command::new(args[0]).args(&args[1..]).output().unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Both clients' stdout for `args`, asserted successful and equal.
fn same(uri: &str, args: &[&str]) -> String {
    let (v, r) = (virsh(uri, args), rvirsh(uri, args));
    let ((vout, verr), (rout, rerr)) = (text(&v), text(&r));
    assert!(v.status.success(), "virsh {args:?}: {vout}{verr}");
    assert!(r.status.success(), "rvirsh {args:?}: {rout}{rerr}");
    assert_eq!(rout, vout, "{args:?}");
    rout
}

#[test]
fn leases_as_virsh_prints_them() {
    if !have_virsh()
        || Command::new("busybox")
            .args(["udhcpc", "--help"])
            .output()
            .is_err()
        || !enter_netns()
    {
        return;
    }
    let tmp = TempDir::new("rvirsh-leases");
    let d = NetworkDaemon::start(&tmp, "rvirsh-leases-d");
    let uri = d.d.qemu_uri();
    let u = uri.as_str();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !same(u, &["net-list"]).contains(" default   active") {
        assert!(Instant::now() < deadline, "default network never active");
        std::thread::sleep(Duration::from_millis(100));
    }
    let empty = same(u, &["net-dhcp-leases", "default"]);
    assert!(
        empty.starts_with(" Expiry Time   MAC address   Protocol"),
        "{empty}"
    );

    let peer = Peer(
        Command::new("unshare")
            .args(["-n", "sleep", "30"])
            .stdin(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = peer.0.id().to_string();
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::fs::read_link(format!("/proc/{pid}/exe"))
        .is_ok_and(|p| !p.to_string_lossy().contains("sleep"))
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    must(&[
        "ip", "link", "add", "vh0", "type", "veth", "peer", "name", "vc0",
    ]);
    must(&["ip", "link", "set", "vc0", "address", "52:54:00:00:08:01"]);
    must(&["ip", "link", "set", "vc0", "netns", &pid]);
    must(&["ip", "link", "set", "vh0", "master", "virbr0", "up"]);
    must(&[
        "nsenter", "-t", &pid, "-n", "ip", "link", "set", "vc0", "up",
    ]);
    let o = Command::new("nsenter")
        .args(["-t", &pid, "-n", "timeout", "20", "busybox", "udhcpc"])
        .args(["-i", "vc0", "-n", "-q", "-f", "-t", "10", "-T", "1"])
        .args(["-s", "/bin/true", "-x", "hostname:leaseguest"])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "udhcpc: {out}{err}");

    // dnsmasq writes its lease file around its ACK: wait for the row.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut table = same(u, &["net-dhcp-leases", "default"]);
    while !table.contains("52:54:00:00:08:01") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        table = same(u, &["net-dhcp-leases", "default"]);
    }
    let row = table
        .lines()
        .find(|l| l.contains("52:54:00:00:08:01"))
        .unwrap_or_else(|| panic!("no lease row in\n{table}"));
    assert!(
        row.contains("   ipv4       192.168.122.") && row.contains("/24   leaseguest   "),
        "{row}"
    );
    println!("{table}");
    same(
        u,
        &["net-dhcp-leases", "default", "--mac", "52:54:00:00:08:01"],
    );
    let none = same(
        u,
        &["net-dhcp-leases", "default", "--mac", "52:54:00:00:00:99"],
    );
    assert!(!none.contains("52:54"), "{none}");
    drop(peer);
}
