//! A real Linux guest: Debian's kernel (fetched into the cache by
//! `tools/fetch-linux-guest.sh`, which `tools/setup.sh` runs) and an initramfs built
//! here around Debian's static busybox, whose `/init` loads the virtio modules, takes a
//! DHCP lease on `eth0` when there is one, prints [`READY`] on the serial console and
//! runs a shell there.
//!
//! The initramfs is cached next to the kernel under a name derived from its contents
//! (written to a temp file, then renamed: test binaries building it at once agree).
//! Each test gets its own copies ([`linux_guest`]): QEMU's user must be able to read
//! them, and the QEMU driver changes their owner while the guest runs.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::clients::missing;

/// The line `/init` prints on the console once the guest is up (its NIC configured):
/// a shell prompt follows.
pub const READY: &str = "rvirt-linux-guest: ready";

/// The kernel command line: the console on the first serial port, kernel messages
/// kept short.
pub const CMDLINE: &str = "console=ttyS0 quiet panic=-1";

/// A kernel and initramfs a test's guest boots directly (`<os><kernel>/<initrd>`).
#[derive(Debug, Clone)]
pub struct LinuxGuest {
    /// Debian's `vmlinuz`.
    pub kernel: PathBuf,
    /// The busybox initramfs (newc cpio, uncompressed).
    pub initrd: PathBuf,
}

const BUSYBOX: &str = "/bin/busybox";

/// The default guest's `/init` (the agent variant adds to it before the ready line).
pub(crate) const INIT: &str = r#"#!/bin/sh
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m.ko; done
hostname rvirt-guest
ip link set lo up
if [ -e /sys/class/net/eth0 ]; then
  ip link set eth0 up
  udhcpc -i eth0 -t 30 -T 1 -A 1 -n -q -s /usr/share/udhcpc/default.script -x hostname:rvirt-guest
fi
echo "rvirt-linux-guest: ready"
exec setsid cttyhack sh
"#;

/// What udhcpc runs on a lease: the address and default route on the interface.
const UDHCPC_SCRIPT: &str = r#"#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
    echo "udhcpc: $interface $ip"
    ;;
esac
exit 0
"#;

/// The cache directory: `$RVIRT_CACHE_DIR`, else `$XDG_CACHE_HOME/rvirt`, else
/// `~/.cache/rvirt` (where `tools/fetch-linux-guest.sh` puts the kernel).
pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("RVIRT_CACHE_DIR") {
        return PathBuf::from(d);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache")
        });
    base.join("rvirt")
}

/// The Linux guest's kernel and initramfs, copied into `dir`; `None` (a printed skip)
/// when the kernel was never fetched or busybox is not the static one, and a failure
/// when `CI` is set.
pub fn linux_guest(dir: &Path) -> Option<LinuxGuest> {
    copy_into(dir, cached()?)
}

/// `cached`'s kernel and initramfs copied into `dir`.
pub(crate) fn copy_into(dir: &Path, cached: LinuxGuest) -> Option<LinuxGuest> {
    let kernel = dir.join("vmlinuz");
    let initrd = dir.join("initrd.cpio");
    std::fs::copy(&cached.kernel, &kernel).unwrap();
    std::fs::copy(&cached.initrd, &initrd).unwrap();
    Some(LinuxGuest { kernel, initrd })
}

/// The cached kernel and initramfs (the initramfs built if missing).
fn cached() -> Option<LinuxGuest> {
    let (kdir, busybox) = kernel_and_busybox()?;
    let image = initramfs(&kdir, busybox, INIT).finish();
    Some(LinuxGuest {
        kernel: kdir.join("vmlinuz"),
        initrd: cache_image("initramfs", &image),
    })
}

/// The cached kernel's directory and the static busybox, or `None` (a printed skip).
pub(crate) fn kernel_and_busybox() -> Option<(PathBuf, Vec<u8>)> {
    let kdir = cache_dir().join("linux-guest").join("kernel");
    let kernel = kdir.join("vmlinuz");
    if !kernel.exists() {
        missing(&format!(
            "the Linux guest's kernel {} (tools/fetch-linux-guest.sh)",
            kernel.display()
        ));
        return None;
    }
    let Ok(busybox) = std::fs::read(BUSYBOX) else {
        missing("busybox (Debian package busybox-static)");
        return None;
    };
    if has_interpreter(&busybox) {
        missing("a static busybox (Debian package busybox-static, not busybox)");
        return None;
    }
    Some((kdir, busybox))
}

/// Caches `image` as `linux-guest/PREFIX-HASH.cpio` (temp file, then rename) and
/// returns its path.
pub(crate) fn cache_image(prefix: &str, image: &[u8]) -> PathBuf {
    let dir = cache_dir().join("linux-guest");
    let mut h = DefaultHasher::new();
    image.hash(&mut h);
    let initrd = dir.join(format!("{prefix}-{:016x}.cpio", h.finish()));
    if !initrd.exists() {
        static N: AtomicUsize = AtomicUsize::new(0);
        let tmp = dir.join(format!(
            ".initramfs-{}-{}.tmp",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&tmp, image).unwrap();
        std::fs::rename(&tmp, &initrd).unwrap();
    }
    initrd
}

/// True if the ELF64 executable `elf` names a program interpreter (a `PT_INTERP`
/// program header): it is dynamically linked.
fn has_interpreter(elf: &[u8]) -> bool {
    let u16_at = |o: usize| u16::from_le_bytes([elf[o], elf[o + 1]]) as usize;
    let phoff = u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap()) as usize;
    let (size, count) = (u16_at(0x36), u16_at(0x38));
    (0..count).any(|i| {
        let at = phoff + i * size;
        elf[at..at + 4] == 3u32.to_le_bytes()
    })
}

/// The initramfs (not yet finished): busybox, `init`, udhcpc's script, `/dev/console`,
/// and the modules of `kdir/modules` with their load order.
pub(crate) fn initramfs(kdir: &Path, busybox: Vec<u8>, init: &str) -> Cpio {
    let mut c = Cpio::default();
    for d in [
        "bin",
        "sbin",
        "usr",
        "usr/bin",
        "usr/sbin",
        "usr/share",
        "usr/share/udhcpc",
        "dev",
        "proc",
        "sys",
        "tmp",
        "etc",
        "root",
        "lib",
        "lib/modules",
    ] {
        c.entry(d, 0o040755, 0, &[]);
    }
    c.entry("dev/console", 0o020600, 5 << 8 | 1, &[]);
    c.entry("bin/busybox", 0o100755, 0, &busybox);
    c.entry("bin/sh", 0o120777, 0, b"busybox");
    c.entry("init", 0o100755, 0, init.as_bytes());
    c.entry(
        "usr/share/udhcpc/default.script",
        0o100755,
        0,
        UDHCPC_SCRIPT.as_bytes(),
    );
    let mods = kdir.join("modules");
    let order = std::fs::read_to_string(mods.join("order")).unwrap();
    c.entry("lib/modules/order", 0o100644, 0, order.as_bytes());
    for m in order.split_whitespace() {
        let ko = std::fs::read(mods.join(format!("{m}.ko"))).unwrap();
        c.entry(&format!("lib/modules/{m}.ko"), 0o100644, 0, &ko);
    }
    c
}

/// A newc ("070701") cpio archive, the format the kernel unpacks as an initramfs.
#[derive(Default)]
pub(crate) struct Cpio {
    out: Vec<u8>,
    ino: u32,
}

impl Cpio {
    /// Appends `name` with `mode` (file type included), device `rdev` (major << 8 |
    /// minor, for device nodes) and contents `data` (a symlink's target).
    pub(crate) fn entry(&mut self, name: &str, mode: u32, rdev: u32, data: &[u8]) {
        self.ino += 1;
        let fields = [
            self.ino,
            mode,
            0, // uid
            0, // gid
            1, // nlink
            0, // mtime
            data.len() as u32,
            0, // devmajor
            0, // devminor
            rdev >> 8,
            rdev & 0xff,
            name.len() as u32 + 1,
            0, // check
        ];
        self.out.extend_from_slice(b"070701");
        for f in fields {
            self.out.extend_from_slice(format!("{f:08x}").as_bytes());
        }
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(0);
        self.pad();
        self.out.extend_from_slice(data);
        self.pad();
    }

    fn pad(&mut self) {
        while !self.out.len().is_multiple_of(4) {
            self.out.push(0);
        }
    }

    /// The archive, with its trailer.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.entry("TRAILER!!!", 0, 0, &[]);
        self.out
    }
}

/// A domain virt-install would write for a small Linux guest on `machine` (`pc` or
/// `q35`), booting `guest` directly: a qcow2 virtio disk `disk`, a user NIC (virtio),
/// VNC with a virtio video adapter, a pty serial console, the qemu-ga channel (unix,
/// virtio-serial), a virtio rng and a USB tablet on qemu-xhci.
pub fn linux_domain_xml(name: &str, machine: &str, guest: &LinuxGuest, disk: &Path) -> String {
    format!(
        "<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='{machine}'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{CMDLINE}</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <controller type='usb' model='qemu-xhci' ports='15'/>
    <interface type='user'><model type='virtio'/></interface>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <channel type='unix'>
      <source mode='bind'/>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
    </channel>
    <input type='tablet' bus='usb'/>
    <graphics type='vnc' port='-1'/>
    <video><model type='virtio'/></video>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
  </devices>
</domain>
",
        kernel = guest.kernel.display(),
        initrd = guest.initrd.display(),
        disk = disk.display(),
    )
}
