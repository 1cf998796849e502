//! The opt-in Linux guest that runs the QEMU guest agent: the default guest's kernel
//! and initramfs ([`crate::linux_guest`]) plus Debian's `qemu-ga` (package
//! qemu-guest-agent, unpacked by `tools/fetch-linux-guest.sh` into
//! `linux-guest/agent/`, not installed), the shared libraries it needs copied from the
//! host (`ldd`; the same Debian release), and the ext4 modules. Its `/init` formats the
//! virtio disk (`mke2fs`) and mounts it on `/mnt/data` (so `guest-get-fsinfo` has a
//! file system on a disk to report), starts `qemu-ga` on the
//! `org.qemu.guest_agent.0` port, then goes on as the default guest does.
//! `guest-shutdown` runs `/sbin/shutdown`, here a script calling busybox's
//! `poweroff -f` / `reboot -f` / `halt -f`; `guest-set-user-password` runs `chpasswd`, here
//! a script on busybox's `mkpasswd` and a root account in `/etc/passwd` and `/etc/shadow`.
//!
//! The default initramfs is untouched; this one is cached beside it under its own
//! content hash.

use std::path::Path;
use std::process::Command;

use crate::clients::missing;
use crate::linux_guest::{
    INIT, LinuxGuest, cache_dir, cache_image, copy_into, initramfs, kernel_and_busybox,
};

/// The line `/init` prints once `qemu-ga` was started (before [`crate::linux_guest::READY`]).
pub const AGENT_STARTED: &str = "rvirt-linux-guest: qemu-ga on /dev/vport";

/// Where the guest mounts its formatted virtio disk.
pub const DATA_MOUNT: &str = "/mnt/data";

/// What `/init` does for the agent before the ready line.
const AGENT_INIT: &str = r#"for m in $(cat /lib/modules/agent-order); do insmod /lib/modules/$m.ko; done
if [ -b /dev/vda ]; then
  mkdir -p /mnt/data
  mke2fs -q /dev/vda >/dev/null 2>&1 && mount -t ext4 /dev/vda /mnt/data
fi
port=
for i in $(seq 50); do
  for p in /sys/class/virtio-ports/*; do
    [ "$(cat $p/name 2>/dev/null)" = org.qemu.guest_agent.0 ] && port=/dev/${p##*/}
  done
  [ -n "$port" ] && [ -e "$port" ] && break
  sleep 0.1
done
if [ -n "$port" ]; then
  qemu-ga -m virtio-serial -p "$port" -d -f /tmp/qemu-ga.pid -t /tmp -l /tmp/qemu-ga.log
  echo "rvirt-linux-guest: qemu-ga on $port"
fi
"#;

/// What qemu-ga runs for `guest-shutdown` (`shutdown -h -P|-H|-r +0 MESSAGE`).
const SHUTDOWN: &str = r#"#!/bin/sh
for a in "$@"; do
  case "$a" in
    -r) exec reboot -f ;;
    -H) exec halt -f ;;
  esac
done
exec poweroff -f
"#;

/// Debian's busybox has no `chpasswd`, which qemu-ga runs for
/// `guest-set-user-password`: this one reads `user:password` (crypted with `-e`,
/// else hashed here with busybox's `mkpasswd`) and rewrites the user's `/etc/shadow` line.
const CHPASSWD: &str = r#"#!/bin/sh
IFS= read -r line
user=${line%%:*}
pass=${line#*:}
if [ "$1" = "-e" ]; then hash=$pass; else hash=$(mkpasswd -m sha512 "$pass"); fi
grep -q "^$user:" /etc/shadow || exit 1
sed -i "s|^$user:[^:]*:|$user:$hash:|" /etc/shadow
"#;

/// `/etc/shadow`: root's password locked ([`LOCKED`]) until an agent sets one.
const SHADOW: &str = "root:*:19000:0:99999:7:::\n";

/// Root's password field in the guest's `/etc/shadow` before anyone sets one.
pub const LOCKED: &str = "*";

const READY_LINE: &str = "echo \"rvirt-linux-guest: ready\"";

/// The agent guest's kernel and initramfs, copied into `dir`; `None` (a printed skip,
/// a failure when `CI` is set) when the kernel, busybox, the unpacked qemu-ga or one
/// of its libraries is missing.
pub fn linux_guest_with_agent(dir: &Path) -> Option<LinuxGuest> {
    let (kdir, busybox) = kernel_and_busybox()?;
    let adir = cache_dir().join("linux-guest").join("agent");
    let qga = adir.join("qemu-ga");
    let Ok(binary) = std::fs::read(&qga) else {
        missing(&format!(
            "Debian's qemu-ga at {} (tools/fetch-linux-guest.sh)",
            qga.display()
        ));
        return None;
    };
    let libs = shared_libraries(&qga)?;
    assert!(INIT.contains(READY_LINE), "the default /init changed");
    let init = INIT.replacen(READY_LINE, &format!("{AGENT_INIT}{READY_LINE}"), 1);
    let mut c = initramfs(&kdir, busybox, &init);
    for d in ["lib/x86_64-linux-gnu", "lib64", "mnt", "var", "var/run"] {
        c.entry(d, 0o040755, 0, &[]);
    }
    // Root's home, where guest-ssh-add-authorized-keys makes `.ssh`.
    c.entry("root", 0o040700, 0, &[]);
    c.entry("usr/sbin/qemu-ga", 0o100755, 0, &binary);
    c.entry("sbin/shutdown", 0o100755, 0, SHUTDOWN.as_bytes());
    // A root account for guest-set-user-password (busybox chpasswd), locked at first.
    c.entry(
        "etc/passwd",
        0o100644,
        0,
        b"root:x:0:0:root:/root:/bin/sh\n",
    );
    c.entry("etc/shadow", 0o100600, 0, SHADOW.as_bytes());
    c.entry("usr/sbin/chpasswd", 0o100755, 0, CHPASSWD.as_bytes());
    for (path, data) in &libs {
        c.entry(path, 0o100755, 0, data);
    }
    let order = std::fs::read_to_string(adir.join("modules/order")).ok()?;
    c.entry("lib/modules/agent-order", 0o100644, 0, order.as_bytes());
    for m in order.split_whitespace() {
        let ko = std::fs::read(adir.join(format!("modules/{m}.ko"))).ok()?;
        c.entry(&format!("lib/modules/{m}.ko"), 0o100644, 0, &ko);
    }
    let image = c.finish();
    copy_into(
        dir,
        LinuxGuest {
            kernel: kdir.join("vmlinuz"),
            initrd: cache_image("initramfs-agent", &image),
        },
    )
}

/// The libraries `ldd` names for `binary` (the dynamic loader included), each as its
/// path inside the initramfs (no leading `/`) and contents.
fn shared_libraries(binary: &Path) -> Option<Vec<(String, Vec<u8>)>> {
    let out = Command::new("ldd").arg(binary).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut libs = Vec::new();
    for line in text.lines() {
        let path = match line.split_once("=>") {
            Some((_, rest)) => rest.split_whitespace().next(),
            None => line
                .split_whitespace()
                .next()
                .filter(|p| p.starts_with('/')),
        };
        let Some(path) = path.filter(|p| p.starts_with('/')) else {
            if line.contains("not found") {
                missing(&format!("qemu-ga's library: {}", line.trim()));
                return None;
            }
            continue;
        };
        let data = std::fs::read(path).ok()?;
        libs.push((path.trim_start_matches('/').to_owned(), data));
    }
    (!libs.is_empty()).then_some(libs)
}
