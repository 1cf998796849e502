//! A real Linux guest (Debian's kernel, a busybox initramfs: rvirt-testkit's
//! `linux_guest`) through rvirtd's QEMU driver (`qemu:///system`), on `pc` and on
//! `q35`, with the devices virt-install gives a Linux guest: a qcow2 virtio disk, a
//! user NIC (virtio), VNC and a virtio video adapter, a pty serial console, the qemu-ga
//! channel (unix, virtio-serial), a virtio rng and a USB tablet. Debian's `virsh
//! console` sees the guest come up, runs a command in its shell whose answer shows the
//! guest found its disk, the agent's port, the rng and a DHCP address on its NIC; Debian's
//! `virsh screenshot` saves a PPM image of its screen.

use rvirt_testkit::{
    Daemon, QemuReaper, TempDir, fact, have_qemu, have_virsh, linux_domain_xml, linux_guest,
    python, qcow2_image, text, virsh_ok,
};

/// Opens `virsh console --force` on each domain under a pty (python3's `pty`), waits
/// for the guest's ready line, types `COMMAND` into its shell and waits for the answer;
/// prints `DOM.boot=SECONDS` and `DOM.answer=LINE` (or everything seen, on a timeout).
/// Every virsh it starts is killed by pid before it exits.
const SESSIONS: &str = r#"
import os, pty, select, signal, sys, time
uri, ready, command, doms = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode(), sys.argv[4:]
sessions, kids = {}, []
t0 = time.time()
try:
    for dom in doms:
        pid, fd = pty.fork()
        if pid == 0:
            os.execvp("virsh", ["virsh", "-c", uri, "console", "--force", dom])
        kids.append(pid)
        sessions[dom] = {"fd": fd, "out": b"", "state": "boot"}
    end = time.time() + 120
    while time.time() < end and any(s["state"] != "done" for s in sessions.values()):
        fds = [s["fd"] for s in sessions.values() if s["state"] != "done"]
        r, _, _ = select.select(fds, [], [], 0.2)
        for dom, s in sessions.items():
            if s["fd"] not in r:
                continue
            try:
                s["out"] += os.read(s["fd"], 4096)
            except OSError:
                s["state"] = "done"
                continue
            if s["state"] == "boot" and ready in s["out"]:
                print("%s.boot=%.1f" % (dom, time.time() - t0), flush=True)
                s["state"] = "shell"
                time.sleep(0.5)
                os.write(s["fd"], command + b"\r")
            elif s["state"] == "shell":
                after = s["out"].split(ready, 1)[1]
                for line in after.splitlines():
                    if line.startswith(b"vda=") and b"end" in line:
                        print("%s.answer=%s" % (dom, line.decode(errors="replace").strip()), flush=True)
                        s["state"] = "done"
    for dom, s in sessions.items():
        if s["state"] != "done":
            print("%s.timeout=%r" % (dom, s["out"][-3000:]), flush=True)
finally:
    for pid in kids:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass
"#;

/// What the guest is asked: its disk's size in sectors, the name of its virtio-serial
/// port, its rng, its NIC's address, and a sum only the shell computes (the typed line
/// echoed back says `$((6*7))`, the answer `42`).
const COMMAND: &str = "echo vda=$(cat /sys/block/vda/size) \
    port=$(cat /sys/class/virtio-ports/vport*/name) \
    rng=$(cat /sys/class/misc/hw_random/rng_current) \
    ip=$(ip -4 -o addr show dev eth0 | sed 's/.* inet \\([^ ]*\\).*/\\1/') \
    sum=$((6*7)) end";

#[test]
fn linux_guest_on_pc_and_q35_through_virsh_console() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-linux");
    let Some(guest) = linux_guest(&root) else {
        return;
    };
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("linux", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let machines = [("lgpc", "pc"), ("lgq35", "q35")];
    for (name, machine) in machines {
        let disk = qcow2_image(&root.join(format!("{name}.qcow2")), "64M");
        let xml = root.join(format!("{name}.xml"));
        std::fs::write(&xml, linux_domain_xml(name, machine, &guest, &disk)).unwrap();
        virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
        virsh_ok(&uri, &["start", name]);
    }

    let mut args = vec![uri.as_str(), rvirt_testkit::linux_guest::READY, COMMAND];
    args.extend(machines.iter().map(|(n, _)| *n));
    let o = python(SESSIONS, &args);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    println!("{out}");
    for (name, machine) in machines {
        let answer = fact(&out, &format!("{name}.answer"));
        // 64 MiB in 512-byte sectors, the agent's channel, the virtio rng, slirp's
        // DHCP address, the shell's arithmetic.
        for want in [
            "vda=131072 ",
            "port=org.qemu.guest_agent.0 ",
            "rng=virtio_rng.0 ",
            "ip=10.0.2.15/24 ",
            "sum=42 ",
        ] {
            assert!(answer.contains(want), "{machine}: {want:?} in {answer:?}");
        }
        let live = virsh_ok(&uri, &["dumpxml", name]);
        // The machine asked for (libvirt would show QEMU's versioned name for the alias).
        let versioned = if machine == "pc" {
            "pc-i440fx-"
        } else {
            "pc-q35-"
        };
        assert!(
            live.contains(&format!("machine='{machine}'"))
                || live.contains(&format!("machine='{versioned}")),
            "{live}"
        );

        let shot = root.join(format!("{name}.ppm"));
        let said = virsh_ok(&uri, &["screenshot", name, shot.to_str().unwrap()]);
        assert!(said.contains("Screenshot saved to"), "{said}");
        let data = std::fs::read(&shot).unwrap();
        let header = String::from_utf8_lossy(&data[..data.len().min(20)]).into_owned();
        let mut fields = header.split_ascii_whitespace();
        assert_eq!(fields.next(), Some("P6"), "{header:?}");
        let w: usize = fields.next().unwrap().parse().unwrap();
        let h: usize = fields.next().unwrap().parse().unwrap();
        assert!(w > 0 && h > 0, "{header:?}");
        assert!(data.len() >= w * h * 3, "{} bytes for {w}x{h}", data.len());

        virsh_ok(&uri, &["destroy", name]);
        virsh_ok(&uri, &["undefine", name]);
    }
}
