//! The QEMU guest agent through rvirtd, with Debian's clients: a real Linux guest
//! running Debian's `qemu-ga` (rvirt-testkit's `linux_guest_with_agent`) under TCG.
//! python3-libvirt starts it and sees the agent connect (AGENT_LIFECYCLE
//! connected/channel); Debian's virsh runs `qemu-agent-command` (guest-ping, an
//! unknown command), `domifaddr --source agent`, `domhostname`, `domtime` (read and
//! set), `domfsinfo`, `guestinfo` (disks and interfaces too), `guestvcpus` (a vCPU taken
//! offline and back), `openChannel` (python3-libvirt reads what the guest writes to a
//! channel), `dompmsuspend mem`/`dompmwakeup`, `set-user-sshkeys`/`get-user-sshkeys`, `set-user-password` (checked in the guest through
//! `guest-exec`), `domfsfreeze`/`domfsthaw`, `guest-agent-timeout` (its bound, the
//! handshake bounded by a short timeout while qemu-ga is stopped in the guest, `domstats`
//! answering at once meanwhile, "no wait" failing every agent call, kept across a
//! restart); after rvirtd is killed
//! and started again the agent answers again; `reboot --mode agent` restarts the guest
//! (the agent goes and comes back); `shutdown --mode agent` powers the guest off. Guests without an agent get libvirt's errors: "QEMU guest agent is not
//! configured" (no channel) and "Guest agent is not responding" (a channel nobody
//! answers on).

use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rvirt_testkit::{
    Daemon, LOOP, QemuReaper, TempDir, boot_disk, domain_xml, fact, have_python_libvirt, have_qemu,
    have_virsh, linux_domain_xml, linux_guest_with_agent, process::run, qcow2_image, text, virsh,
    virsh_err, virsh_ok,
};

/// Defines and starts the domain of `argv[2]`, waits (bounded) for its agent to
/// connect, prints every agent lifecycle event as `agent STATE REASON`.
const SCRIPT: &str = r#"
import sys, time, libvirt
libvirt.virEventRegisterDefaultImpl()
c = libvirt.open(sys.argv[1])
got = []
def agent(conn, dom, state, reason, opaque):
    got.append((dom.name(), state, reason))
cb = c.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE, agent, None)
dom = c.defineXML(open(sys.argv[2]).read())
dom.create()
deadline = time.time() + 150
while time.time() < deadline and not any(g[1] == 1 for g in got):
    libvirt.virEventRunDefaultImpl()
c.domainEventDeregisterAny(cb)
for g in got:
    print("agent", *g)
"#;

const AGENT_CHANNEL: &str =
    "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>";

/// Opens channel `org.rvirt.test` of `lga` (virDomainOpenChannel), says `opened`, then
/// prints the first line the guest writes to its port as `got=…`.
const CHANNEL: &str = r#"
import sys, signal, libvirt
signal.alarm(60)
c = libvirt.open(sys.argv[1])
d = c.lookupByName("lga")
st = c.newStream(0)
d.openChannel("org.rvirt.test", st, 0)
print("opened", flush=True)
data = b""
while b"\n" not in data:
    chunk = st.recv(64)
    if not chunk:
        break
    data += chunk
print("got=%s" % data.decode().strip(), flush=True)
st.finish()
"#;

/// Polls `virsh domstate` until it says `want` (at most `secs`).
fn wait_state(uri: &str, dom: &str, want: &str, secs: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let o = virsh(uri, &["domstate", dom]);
        let (out, _) = text(&o);
        if out.trim() == want || Instant::now() > deadline {
            return out.trim().to_owned();
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Runs `script` with the guest's shell through the agent (`guest-exec`) and returns
/// its standard output.
fn guest_exec(uri: &str, script: &str) -> String {
    let cmd = serde_json::json!({"execute": "guest-exec", "arguments":
        {"path": "/bin/sh", "arg": ["-c", script], "capture-output": true}});
    let started: serde_json::Value = serde_json::from_str(&virsh_ok(
        uri,
        &["qemu-agent-command", "lga", &cmd.to_string()],
    ))
    .unwrap();
    let pid = started["return"]["pid"].as_i64().unwrap();
    let status = serde_json::json!({"execute": "guest-exec-status", "arguments": {"pid": pid}});
    for _ in 0..100 {
        let st: serde_json::Value = serde_json::from_str(&virsh_ok(
            uri,
            &["qemu-agent-command", "lga", &status.to_string()],
        ))
        .unwrap();
        if st["return"]["exited"] == true {
            let out = st["return"]["out-data"].as_str().unwrap_or_default();
            let bytes = base64_decode(out);
            return String::from_utf8_lossy(&bytes).trim().to_owned();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{script} did not finish in the guest");
}

/// Decodes the agent's standard base64.
fn base64_decode(text: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let digits: Vec<u8> = text.bytes().filter(|&c| c != b'=').map(val).collect();
    let mut out = Vec::new();
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &d)| n | u32::from(d) << (18 - 6 * i));
        out.extend(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

/// With the agent response timeout "no wait" (0) even the handshake has no time:
/// `domhostname` fails at once, as libvirt's does.
fn assert_no_wait(uri: &str) {
    for _ in 0..3 {
        let t = Instant::now();
        let err = virsh_err(uri, &["domhostname", "lga"]);
        assert!(
            err.contains("Guest agent is not responding: Guest agent not available for now"),
            "{err}"
        );
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    }
}

/// `virsh domstats` of `dom` within `secs`: its `key=value` lines.
fn domstats_within(uri: &str, dom: &str, secs: u64) -> Vec<String> {
    let t = Instant::now();
    let out = virsh_ok(uri, &["domstats", dom]);
    assert!(
        t.elapsed() < Duration::from_secs(secs),
        "domstats took {:?}",
        t.elapsed()
    );
    out.lines().map(|l| l.trim().to_owned()).collect()
}

/// The guest's clock as `virsh domtime` prints it (seconds since the epoch).
fn guest_time(uri: &str) -> i64 {
    let time = virsh_ok(uri, &["domtime", "lga"]);
    time.trim()
        .strip_prefix("Time:")
        .unwrap_or_else(|| panic!("{time}"))
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn guest_agent_through_virsh_and_python() {
    if !have_virsh() || !have_qemu() || !have_python_libvirt() {
        return;
    }
    let root = TempDir::new("qemu-agent");
    let Some(guest) = linux_guest_with_agent(&root) else {
        return;
    };
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("agent", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();

    // The guest with the agent, started by python3-libvirt, which waits for the agent.
    let disk = qcow2_image(&root.join("lga.qcow2"), "64M");
    let xml = root.join("lga.xml");
    // Two vCPUs, so that the guest has one it can take offline.
    // And a channel of its own for virDomainOpenChannel.
    let domain = linux_domain_xml("lga", "pc", &guest, &disk)
        .replace("<vcpu>1</vcpu>", "<vcpu>2</vcpu>")
        .replace(
            "</devices>",
            "<channel type='unix'><target type='virtio' name='org.rvirt.test'/></channel></devices>",
        );
    std::fs::write(&xml, domain).unwrap();
    let mut py = Command::new("/usr/bin/python3");
    py.arg("-c")
        .arg(SCRIPT)
        .args([uri.as_str(), xml.to_str().unwrap()]);
    let o = run(py, 200);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}\n{}", d.log());
    // VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED (1), reason CHANNEL (2).
    assert!(out.lines().any(|l| l == "agent lga 1 2"), "{out}\n{err}");

    let ping = virsh_ok(
        &uri,
        &["qemu-agent-command", "lga", r#"{"execute":"guest-ping"}"#],
    );
    assert_eq!(ping.trim(), r#"{"return":{}}"#);
    let err = virsh_err(
        &uri,
        &[
            "qemu-agent-command",
            "lga",
            r#"{"execute":"guest-no-such"}"#,
        ],
    );
    assert!(
        err.contains("unable to execute QEMU agent command 'guest-no-such'"),
        "{err}"
    );

    let addrs = virsh_ok(&uri, &["domifaddr", "lga", "--source", "agent"]);
    let row = |name: &str| {
        addrs
            .lines()
            .filter(|l| l.split_whitespace().next() == Some(name))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(row("lo").contains("127.0.0.1/8"), "{addrs}");
    // slirp's DHCP address on the virtio NIC.
    assert!(row("eth0").contains("10.0.2.15/24"), "{addrs}");

    let host = virsh_ok(&uri, &["domhostname", "lga"]);
    assert_eq!(host.trim(), "rvirt-guest");

    let secs = guest_time(&uri);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // The guest's clock starts from the host's RTC (UTC).
    assert!((secs - now).abs() < 600, "guest {secs}, host {now}");

    let fs = virsh_ok(&uri, &["domfsinfo", "lga"]);
    let data = fs
        .lines()
        .find(|l| l.split_whitespace().next() == Some("/mnt/data"))
        .unwrap_or_else(|| panic!("{fs}"));
    let cols: Vec<&str> = data.split_whitespace().collect();
    // Mountpoint, name, type, target: the formatted virtio disk.
    assert_eq!(cols[1..], ["vda", "ext4", "vda"], "{fs}");

    // virsh guestinfo: every group the agent answers, or one.
    let info = virsh_ok(&uri, &["guestinfo", "lga"]);
    let field = |key: &str| {
        info.lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                (k.trim() == key).then(|| v.trim().to_owned())
            })
            .unwrap_or_else(|| panic!("no {key} in {info}"))
    };
    assert_eq!(field("hostname"), "rvirt-guest");
    assert_eq!(field("user.count"), "0");
    assert!(field("os.kernel-release").ends_with("-amd64"), "{info}");
    assert_eq!(field("os.machine"), "x86_64");
    assert_eq!(field("timezone.offset"), "0");
    assert_eq!(field("fs.count"), "1");
    assert_eq!(field("fs.0.mountpoint"), "/mnt/data");
    assert_eq!(field("fs.0.fstype"), "ext4");
    assert_eq!(field("fs.0.disk.0.alias"), "vda");
    let total: u64 = field("fs.0.total-bytes").parse().unwrap();
    assert!(total > 32 << 20 && total <= 64 << 20, "{info}");
    let only = virsh_ok(&uri, &["guestinfo", "lga", "--hostname"]);
    assert_eq!(only.trim().lines().count(), 1, "{only}");
    assert!(only.contains("rvirt-guest"), "{only}");
    // Disks (guest-get-disks): the virtio disk, named by the domain's target.
    let disks = virsh_ok(&uri, &["guestinfo", "lga", "--disk"]);
    let dfield = |key: &str| {
        disks
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                (k.trim() == key).then(|| v.trim().to_owned())
            })
            .unwrap_or_else(|| panic!("no {key} in {disks}"))
    };
    let count: usize = dfield("disk.count").parse().unwrap();
    let vda = (0..count)
        .find(|i| dfield(&format!("disk.{i}.name")) == "/dev/vda")
        .unwrap_or_else(|| panic!("no /dev/vda in {disks}"));
    assert_eq!(dfield(&format!("disk.{vda}.partition")), "no", "{disks}");
    assert_eq!(dfield(&format!("disk.{vda}.alias")), "vda", "{disks}");
    // virsh guestvcpus (guest-get-vcpus, guest-set-vcpus): vCPU 1 offline and back, as
    // the guest's sysfs shows; libvirt's refusals in its words.
    let vcpus = |uri: &str| {
        let out = virsh_ok(uri, &["guestvcpus", "lga"]);
        out.lines()
            .filter_map(|l| {
                let (k, v) = l.split_once(':')?;
                Some(format!("{}={}", k.trim(), v.trim()))
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(vcpus(&uri), ["vcpus=0-1", "online=0-1", "offlinable=1"]);
    virsh_ok(&uri, &["guestvcpus", "lga", "--cpulist", "1", "--disable"]);
    assert_eq!(vcpus(&uri), ["vcpus=0-1", "online=0", "offlinable=1"]);
    assert_eq!(
        guest_exec(&uri, "cat /sys/devices/system/cpu/cpu1/online"),
        "0"
    );
    virsh_ok(&uri, &["guestvcpus", "lga", "--cpulist", "1", "--enable"]);
    assert_eq!(
        guest_exec(&uri, "cat /sys/devices/system/cpu/cpu1/online"),
        "1"
    );
    let err = virsh_err(&uri, &["guestvcpus", "lga", "--cpulist", "0", "--disable"]);
    assert!(
        err.contains("invalid argument: vCPU '0' is not offlinable"),
        "{err}"
    );
    let err = virsh_err(&uri, &["guestvcpus", "lga", "--cpulist", "5", "--enable"]);
    assert!(
        err.contains("invalid argument: requested vcpu '5' is not present in the guest"),
        "{err}"
    );
    let ro = format!("qemu+unix:///system?socket={}", d.ro_socket().display());
    let err = virsh_err(&ro, &["guestvcpus", "lga"]);
    assert!(
        err.contains("read only access prevents virDomainGetGuestVcpus"),
        "{err}"
    );
    // virsh set-user-sshkeys / get-user-sshkeys (guest-ssh-*-authorized-keys): root's
    // keys replaced (--reset), appended to (virsh's default) and removed from, as the
    // guest's file shows.
    let key = |n: u32| format!("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRvirtTestKey{n} t{n}@rvirt");
    let keys_file = |name: &str, keys: &[String]| {
        let p = root.join(name);
        std::fs::write(&p, keys.join("\n") + "\n").unwrap();
        p.to_str().unwrap().to_owned()
    };
    let two = keys_file("two.keys", &[key(1), key(2)]);
    virsh_ok(
        &uri,
        &["set-user-sshkeys", "lga", "root", "--reset", "--file", &two],
    );
    // virsh prints the keys as the agent lists them (qemu-ga: last line first), with no
    // separator of its own: look for each.
    let get = || virsh_ok(&uri, &["get-user-sshkeys", "lga", "root"]);
    let has = |out: &str, n: u32| out.contains(&key(n));
    let out = get();
    assert!(has(&out, 1) && has(&out, 2) && !has(&out, 3), "{out}");
    let three = keys_file("three.keys", &[key(3)]);
    virsh_ok(&uri, &["set-user-sshkeys", "lga", "root", "--file", &three]);
    let one = keys_file("one.keys", &[key(1)]);
    virsh_ok(
        &uri,
        &[
            "set-user-sshkeys",
            "lga",
            "root",
            "--remove",
            "--file",
            &one,
        ],
    );
    let out = get();
    assert!(!has(&out, 1) && has(&out, 2) && has(&out, 3), "{out}");
    let in_guest = guest_exec(&uri, "cat /root/.ssh/authorized_keys");
    assert!(
        in_guest.contains(&key(2)) && in_guest.contains(&key(3)) && !in_guest.contains(&key(1)),
        "{in_guest}"
    );
    let err = virsh_err(&uri, &["get-user-sshkeys", "lga", "nosuchuser"]);
    assert!(
        err.contains("unable to execute QEMU agent command 'guest-ssh-get-authorized-keys'"),
        "{err}"
    );
    // virDomainOpenChannel: what the guest writes to its port reaches python3-libvirt's
    // stream.
    let mut py = Command::new("/usr/bin/python3");
    py.arg("-c")
        .arg(CHANNEL)
        .arg(&uri)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = py.spawn().unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.as_mut().unwrap()),
        &mut first,
    )
    .unwrap();
    assert_eq!(first.trim(), "opened");
    guest_exec(
        &uri,
        "for p in /sys/class/virtio-ports/*; do            [ \"$(cat $p/name)\" = org.rvirt.test ] && echo hello-from-guest > /dev/${p##*/};          done",
    );
    let o = child.wait_with_output().unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    assert_eq!(fact(&out, "got"), "hello-from-guest", "{out}");
    // dompmsuspend / dompmwakeup (guest-suspend-ram, QEMU's S3 and system_wakeup): the
    // domain is pmsuspended until woken, and its agent answers again.
    let err = virsh_err(&uri, &["dompmsuspend", "lga", "mem", "--duration", "5"]);
    assert!(
        err.contains("invalid argument: Duration not supported. Use 0 for now"),
        "{err}"
    );
    virsh_ok(&uri, &["dompmsuspend", "lga", "mem"]);
    assert_eq!(wait_state(&uri, "lga", "pmsuspended", 30), "pmsuspended");
    virsh_ok(&uri, &["dompmwakeup", "lga"]);
    assert_eq!(wait_state(&uri, "lga", "running", 30), "running");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !virsh(
        &uri,
        &["qemu-agent-command", "lga", r#"{"execute":"guest-ping"}"#],
    )
    .status
    .success()
    {
        assert!(
            Instant::now() < deadline,
            "the agent did not come back after the wakeup"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Interfaces (guest-network-get-interfaces): lo and slirp's address on eth0.
    let ifs = virsh_ok(&uri, &["guestinfo", "lga", "--interface"]);
    assert!(
        ifs.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["if.0.name", ":", "lo"])
            || ifs.contains(": lo"),
        "{ifs}"
    );
    assert!(ifs.contains("10.0.2.15"), "{ifs}");
    assert!(
        ifs.lines()
            .any(|l| l.contains(".addr.") && l.contains("prefix") && l.trim_end().ends_with("24")),
        "{ifs}"
    );

    // Root's password set through the agent (busybox chpasswd in the guest).
    let shadow = || guest_exec(&uri, "grep ^root: /etc/shadow");
    let locked = format!("root:{}:", rvirt_testkit::linux_guest_agent::LOCKED);
    assert!(shadow().starts_with(&locked), "{}", shadow());
    virsh_ok(&uri, &["set-user-password", "lga", "root", "s3cret"]);
    let now_set = shadow();
    let hash = now_set.split(':').nth(1).unwrap_or_default();
    assert!(hash.len() > 10 && hash != "*", "{now_set}");
    virsh_ok(
        &uri,
        &[
            "set-user-password",
            "lga",
            "root",
            "$1$salt$abcdefghijklmnopqrstuv",
            "--encrypted",
        ],
    );
    assert!(
        shadow().starts_with("root:$1$salt$abcdefghijklmnopqrstuv:"),
        "{}",
        shadow()
    );

    // Its file systems frozen and thawed.
    let froze = virsh_ok(&uri, &["domfsfreeze", "lga"]);
    assert!(froze.contains("Froze 1 filesystem(s)"), "{froze}");
    let thawed = virsh_ok(&uri, &["domfsthaw", "lga"]);
    assert!(thawed.contains("Thawed 1 filesystem(s)"), "{thawed}");
    let err = virsh_err(&uri, &["domfsthaw", "lga", "--mountpoint", "/mnt/data"]);
    assert!(
        err.contains("specifying mountpoints is not supported"),
        "{err}"
    );

    // Its clock set an hour ahead, read back, and set back.
    let ahead = (now + 3600).to_string();
    virsh_ok(&uri, &["domtime", "lga", "--time", &ahead]);
    let read = guest_time(&uri);
    assert!(
        (read - (now + 3600)).abs() < 120,
        "guest {read}, set {ahead}"
    );
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    virsh_ok(&uri, &["domtime", "lga", "--time", &now.to_string()]);
    assert!((guest_time(&uri) - now).abs() < 120);

    // A guest without the agent's channel, and one with a channel nobody answers on.
    let plain_disk = boot_disk(&root.join("plain.img"), LOOP);
    let plain = root.join("plain.xml");
    std::fs::write(&plain, domain_xml("plain", &plain_disk)).unwrap();
    let silent_disk = boot_disk(&root.join("silent.img"), LOOP);
    let silent = root.join("silent.xml");
    let silent_xml = domain_xml("silent", &silent_disk).replace(
        "<memballoon model='none'/>",
        &format!("{AGENT_CHANNEL}<memballoon model='none'/>"),
    );
    assert!(silent_xml.contains("guest_agent"));
    std::fs::write(&silent, silent_xml).unwrap();
    for x in [&plain, &silent] {
        virsh_ok(&uri, &["create", x.to_str().unwrap()]);
    }
    let ping = r#"{"execute":"guest-ping"}"#;
    let err = virsh_err(&uri, &["qemu-agent-command", "plain", ping]);
    assert!(
        err.contains("argument unsupported: QEMU guest agent is not configured"),
        "{err}"
    );
    let err = virsh_err(&uri, &["domhostname", "plain"]);
    assert!(err.contains("QEMU guest agent is not configured"), "{err}");
    for args in [
        &["qemu-agent-command", "silent", ping][..],
        &["domifaddr", "silent", "--source", "agent"],
        &["domtime", "silent"],
        &["shutdown", "silent", "--mode", "agent"],
    ] {
        let err = virsh_err(&uri, args);
        assert!(
            err.contains("Guest agent is not responding: QEMU guest agent is not connected"),
            "{args:?}: {err}"
        );
    }
    for dom in ["plain", "silent"] {
        virsh_ok(&uri, &["destroy", dom]);
    }

    // virsh guest-agent-timeout: libvirt's lower bound and flags.
    let err = virsh_err(&uri, &["guest-agent-timeout", "lga", "--timeout", "-3"]);
    assert!(
        err.contains("guest agent timeout '-3' is less than the minimum '-2'"),
        "{err}"
    );
    // qemu-ga stopped in the guest for 12 s (SIGSTOP, then SIGCONT by a shell left
    // running there): a 2 s timeout bounds the handshake too; with the default
    // (blocking) one the handshake's own 5 s bound applies. Meanwhile domstats,
    // which never asks the agent, answers at once with every group, even while an
    // agent command waits.
    guest_exec(
        &uri,
        "(sleep 1; p=$(cat /tmp/qemu-ga.pid); kill -STOP $p; sleep 12; kill -CONT $p) \
         </dev/null >/dev/null 2>&1 &",
    );
    std::thread::sleep(Duration::from_millis(1500));
    virsh_ok(&uri, &["guest-agent-timeout", "lga", "--timeout", "2"]);
    let t = Instant::now();
    let err = virsh_err(&uri, &["domhostname", "lga"]);
    let waited = t.elapsed();
    assert!(err.contains("Guest agent not available for now"), "{err}");
    assert!(
        waited >= Duration::from_millis(1900) && waited < Duration::from_millis(4500),
        "{waited:?}"
    );
    virsh_ok(&uri, &["guest-agent-timeout", "lga", "--timeout", "-2"]);
    let blocked = {
        let uri = uri.clone();
        std::thread::spawn(move || {
            let t = Instant::now();
            let o = virsh(&uri, &["domhostname", "lga"]);
            (o, t.elapsed())
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let stats = domstats_within(&uri, "lga", 3);
    for key in ["state.state=1", "vcpu.current=2", "block.count=1"] {
        assert!(stats.iter().any(|l| l == key), "{key}: {stats:?}");
    }
    for key in [
        "cpu.time=",
        "balloon.current=",
        "block.0.rd.reqs=",
        "block.0.capacity=",
    ] {
        assert!(stats.iter().any(|l| l.starts_with(key)), "{key}: {stats:?}");
    }
    let (o, waited) = blocked.join().unwrap();
    let (_, err) = text(&o);
    assert!(err.contains("Guest agent not available for now"), "{err}");
    assert!(
        waited >= Duration::from_millis(4500) && waited < Duration::from_secs(8),
        "{waited:?}"
    );
    // Once qemu-ga runs again, the agent answers again.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let o = virsh(&uri, &["domhostname", "lga"]);
        if o.status.success() {
            assert_eq!(text(&o).0.trim(), "rvirt-guest");
            break;
        }
        assert!(Instant::now() < deadline, "{:?}", text(&o));
        std::thread::sleep(Duration::from_millis(500));
    }

    // "No wait": every agent call fails at once; domstats still answers. Kept in the
    // status file, across the restart below.
    virsh_ok(&uri, &["guest-agent-timeout", "lga", "--timeout", "0"]);
    assert_no_wait(&uri);
    let status = std::fs::read_to_string(root.join("run/qemu/lga.xml")).unwrap();
    assert!(
        status.contains("<agentTimeout>0</agentTimeout>"),
        "{status}"
    );

    // rvirtd killed and started again on the same root: the guest runs on and its
    // agent, whose port the guest keeps open, is connected again, with the timeout
    // set before.
    drop(d);
    let d = Daemon::start_with("agent-again", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    assert_no_wait(&uri);
    for timeout in ["30", "-1", "-2"] {
        virsh_ok(&uri, &["guest-agent-timeout", "lga", "--timeout", timeout]);
        let host = virsh_ok(&uri, &["domhostname", "lga"]);
        assert_eq!(host.trim(), "rvirt-guest", "{timeout}: {}", d.log());
    }

    // The agent reboots the guest: its port closes (the agent is disconnected) and opens
    // again once the guest is back (the agent answers again).
    let said = virsh_ok(&uri, &["reboot", "lga", "--mode", "agent"]);
    assert!(said.contains("is being rebooted"), "{said}");
    let (mut gone, deadline) = (false, Instant::now() + Duration::from_secs(120));
    loop {
        let o = virsh(&uri, &["domhostname", "lga"]);
        let (out, err) = text(&o);
        if o.status.success() && gone {
            assert_eq!(out.trim(), "rvirt-guest");
            break;
        }
        if !o.status.success() {
            let st = virsh(&uri, &["domstate", "lga", "--reason"]);
            assert!(
                err.contains("QEMU guest agent is not connected"),
                "{err} {:?}\n{}",
                text(&st),
                d.log()
            );
            gone = true;
        }
        assert!(
            Instant::now() < deadline,
            "gone={gone}: {out} {err}\n{}",
            d.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(wait_state(&uri, "lga", "running", 1), "running");

    // The agent powers the guest off; QEMU's SHUTDOWN stops the domain.
    let said = virsh_ok(&uri, &["shutdown", "lga", "--mode", "agent"]);
    assert!(said.contains("is being shutdown"), "{said}");
    assert_eq!(
        wait_state(&uri, "lga", "shut off", 60),
        "shut off",
        "{}",
        d.log()
    );
    virsh_ok(&uri, &["undefine", "lga"]);
}
