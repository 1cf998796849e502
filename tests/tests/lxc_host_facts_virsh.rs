//! Host facts of rvirtd's LXC driver (`lxc:///system`) through Debian's virsh, as
//! libvirt's LXC driver reports them: the kernel's version as the hypervisor's, the
//! node's CPUs and memory, `<capabilities>` with `exe` guests run by the controller,
//! free memory per NUMA cell, the CPU map, node statistics, KSM's tunables, free
//! pages and the host's sysinfo.

use rvirt_testkit::{Daemon, have_virsh, text, virsh, virsh_ok};

#[test]
fn version_nodeinfo_capabilities_and_node_statistics() {
    if !have_virsh() {
        return;
    }
    let d = Daemon::start("lxc-facts");
    let uri = format!("lxc+unix:///system?socket={}", d.rw_socket().display());

    // The kernel's release, as libvirt's LXC driver gives it.
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let numbers: Vec<&str> = release
        .trim()
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .take(3)
        .collect();
    let version = virsh_ok(&uri, &["version"]);
    assert!(
        version.contains(&format!("Running hypervisor: LXC {}", numbers.join("."))),
        "{version}"
    );

    let ni = virsh_ok(&uri, &["nodeinfo"]);
    let cpus: u32 = ni
        .lines()
        .find_map(|l| l.strip_prefix("CPU(s):"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{ni}"));
    let online = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
    assert!(cpus >= online, "{ni}");

    let caps = virsh_ok(&uri, &["capabilities"]);
    assert!(caps.contains("<os_type>exe</os_type>"), "{caps}");
    assert!(caps.contains("<domain type='lxc'/>"), "{caps}");
    assert!(caps.contains("rvirt-lxc-controller</emulator>"), "{caps}");
    assert!(caps.contains("<cells num="), "{caps}");

    let free = virsh_ok(&uri, &["freecell"]);
    assert!(free.contains("KiB"), "{free}");
    let all = virsh_ok(&uri, &["freecell", "--all"]);
    assert!(all.contains("Total:"), "{all}");
    let map = virsh_ok(&uri, &["nodecpumap"]);
    let present: u32 = map
        .lines()
        .find_map(|l| l.strip_prefix("CPUs present:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{map}"));
    assert_eq!(present, cpus, "{map}");
    let stats = virsh_ok(&uri, &["nodecpustats"]);
    assert!(
        stats.contains("user:") && stats.contains("idle:"),
        "{stats}"
    );
    let mem = virsh_ok(&uri, &["nodememstats"]);
    assert!(
        mem.contains("total  :") && mem.contains("free   :"),
        "{mem}"
    );

    // KSM's tunables and the free 2 MiB pages of cell 0.
    let tune = virsh_ok(&uri, &["node-memory-tune"]);
    assert!(tune.contains("shm_pages_to_scan"), "{tune}");
    let free = virsh_ok(&uri, &["freepages", "--cellno", "0", "--pagesize", "2048"]);
    assert!(free.contains("2048KiB:"), "{free}");

    // Without SMBIOS tables, libvirt's refusal; with them, the tables.
    let o = virsh(&uri, &["sysinfo"]);
    let (out, err) = text(&o);
    if o.status.success() {
        assert!(out.starts_with("<sysinfo type='smbios'>"), "{out}");
    } else {
        assert!(
            err.contains("Host SMBIOS information is not available"),
            "{err}"
        );
    }
}
