//! UEFI and the other machine-level features of issue #17 on real QEMU (TCG): an OVMF
//! guest chosen by firmware autoselection from Debian's descriptors boots a Linux
//! kernel, keeps its variable store across restarts and refuses a plain undefine.
//! Every QEMU is killed by pid when a test ends ([`Env`]).

mod support;

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, Instant};

use rvirt_core::{Domain, ErrorCode};
use rvirt_testkit::have_qemu;
use rvirt_testkit::linux_guest::linux_guest;
use support::{Env, setup};

/// Debian's `ovmf` descriptor of the plain (no secure boot) firmware.
const PLAIN: &str = "/usr/share/qemu/firmware/60-edk2-x86_64.json";
const PLAIN_CODE: &str = "/usr/share/OVMF/OVMF_CODE_4M.fd";
const PLAIN_VARS: &str = "/usr/share/OVMF/OVMF_VARS_4M.fd";
/// The bound on an OVMF boot of the test kernel to its first console lines under TCG.
const BOOT_DEADLINE: Duration = Duration::from_secs(30);
/// The kernel command line: every message on the serial console (not `quiet`), so
/// that the kernel's first lines show as soon as its console is up.
const CMDLINE: &str = "console=ttyS0 panic=-1";
/// What Linux prints when UEFI started it: the firmware's vendor, EDK II (OVMF).
const EFI_MARKER: &str = "by EDK II";
/// OVMF's first words on the serial console: its terminal driver clears the screen.
const OVMF_CONSOLE: &str = "\x1b[2J";

fn have_ovmf() -> bool {
    if Path::new(PLAIN).exists() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{PLAIN} is required in CI (Debian's ovmf, installed by tools/setup.sh)");
    }
    println!("SKIPPED: Debian's ovmf is not installed (and CI is unset)");
    false
}

/// A q35 guest with `os` extras (firmware attribute and children) that boots the
/// test kernel directly (OVMF loads it from fw_cfg), its console in `serial`.
fn uefi_xml(
    name: &str,
    firmware: &str,
    os_extra: &str,
    env: &Env,
    serial: &Path,
) -> Option<String> {
    let guest = linux_guest(&env.root)?;
    Some(format!(
        "<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os{firmware}>
    <type arch='x86_64' machine='q35'>hvm</type>
    {os_extra}
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{CMDLINE}</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='file'><source path='{serial}'/><target port='0'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>",
        kernel = guest.kernel.display(),
        initrd = guest.initrd.display(),
        serial = serial.display(),
    ))
}

fn wait_for_console(env: &Env, serial: &Path, marker: &str) {
    let t = Instant::now();
    loop {
        let text = std::fs::read_to_string(serial).unwrap_or_default();
        if text.contains(marker) {
            println!("{marker:?} on the console after {:?}", t.elapsed());
            return;
        }
        assert!(
            t.elapsed() < BOOT_DEADLINE,
            "no {marker:?} on the console within {BOOT_DEADLINE:?}: {text}"
        );
        env.l.run_once_timeout(Duration::from_millis(100)).unwrap();
    }
}

fn cmdline_of(env: &Env, name: &str) -> Vec<String> {
    let raw = std::fs::read(format!("/proc/{}/cmdline", env.pid(name))).unwrap();
    raw.split(|b| *b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

fn start(dom: &mut Domain) {
    dom.create().unwrap();
}

#[test]
fn autoselected_ovmf_boots_linux_and_keeps_its_nvram() {
    if !have_qemu() || !have_ovmf() {
        return;
    }
    let env = setup("efi");
    let serial = env.root.join("console.log");
    let Some(xml) = uefi_xml(
        "efi",
        " firmware='efi'",
        "<firmware><feature enabled='no' name='secure-boot'/></firmware>",
        &env,
        &serial,
    ) else {
        return;
    };
    let mut dom = env.conn().define_xml(&xml).unwrap();
    // The inactive definition keeps the request, as libvirt 9.0's does.
    let inactive = dom.xml_desc(0).unwrap();
    assert!(inactive.contains("<os firmware='efi'>"), "{inactive}");
    assert!(!inactive.contains("<loader"), "{inactive}");

    start(&mut dom);
    wait_for_console(&env, &serial, EFI_MARKER);
    // The live definition names the firmware as libvirt 9.0's does.
    assert!(dom.xml_desc(0).unwrap().contains("<os>"));

    let store = env.root.join("lib/qemu/nvram/efi_VARS.fd");
    let live = dom.xml_desc(0).unwrap();
    assert!(
        live.contains(&format!(
            "<loader readonly='yes' type='pflash'>{PLAIN_CODE}</loader>"
        )),
        "{live}"
    );
    assert!(
        live.contains(&format!(
            "<nvram template='{PLAIN_VARS}'>{}</nvram>",
            store.display()
        )),
        "{live}"
    );
    // QEMU runs the code and the store from flash.
    let nodes = dom
        .qemu_monitor_command(r#"{"execute":"query-named-block-nodes"}"#, 0)
        .unwrap();
    assert!(
        nodes.contains("libvirt-pflash0-format") && nodes.contains(PLAIN_CODE),
        "{nodes}"
    );
    assert!(nodes.contains(&store.display().to_string()), "{nodes}");
    let argv = cmdline_of(&env, "efi");
    assert!(
        argv.iter()
            .any(|a| a.contains("pflash0=libvirt-pflash0-format,pflash1=libvirt-pflash1-format")),
        "{argv:?}"
    );
    assert_eq!(
        std::fs::metadata(&store).unwrap().len(),
        std::fs::metadata(PLAIN_VARS).unwrap().len()
    );
    let ino = std::fs::metadata(&store).unwrap().ino();

    // Kept across a restart (not copied again): the firmware runs on the same store.
    dom.destroy().unwrap();
    std::fs::remove_file(&serial).unwrap();
    start(&mut dom);
    wait_for_console(&env, &serial, OVMF_CONSOLE);
    assert_eq!(std::fs::metadata(&store).unwrap().ino(), ino);
    dom.destroy().unwrap();

    // libvirt refuses to drop a definition whose store exists unless told what to do.
    let e = dom.undefine().unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationInvalid);
    assert!(
        e.message().contains("cannot undefine domain with nvram"),
        "{e}"
    );
    assert!(store.exists());
    dom.undefine_with_flags(1 << 2).unwrap(); // VIR_DOMAIN_UNDEFINE_NVRAM
    assert!(!store.exists());
}

/// Without a feature request on Q35 libvirt takes Debian's first descriptor: secure
/// boot with Microsoft's keys enrolled, which needs SMM. QEMU accepts the whole.
#[test]
fn default_autoselection_on_q35_is_secure_boot_with_smm() {
    if !have_qemu() || !have_ovmf() {
        return;
    }
    let env = setup("efisb");
    let serial = env.root.join("console.log");
    let Some(xml) = uefi_xml("efisb", " firmware='efi'", "", &env, &serial) else {
        return;
    };
    let mut dom = env.conn().define_xml(&xml).unwrap();
    dom.create_with_flags(1).unwrap(); // paused: the firmware need not run
    let argv = cmdline_of(&env, "efisb").join(" ");
    assert!(argv.contains("OVMF_CODE_4M.ms.fd"), "{argv}");
    assert!(argv.contains(",smm=on,"), "{argv}");
    assert!(
        argv.contains("driver=cfi.pflash01,property=secure,value=on"),
        "{argv}"
    );
    let live = dom.xml_desc(0).unwrap();
    assert!(live.contains("<smm state='on'/>"), "{live}");
    assert!(live.contains("secure='yes'"), "{live}");
    dom.destroy().unwrap();
    dom.undefine_with_flags(1 << 3).unwrap(); // VIR_DOMAIN_UNDEFINE_KEEP_NVRAM
    assert!(env.root.join("lib/qemu/nvram/efisb_VARS.fd").exists());
}

/// Secure boot on i440FX is refused at define, autoselected or explicit (libvirt's
/// validation); a firmware request no descriptor satisfies fails the start with
/// libvirt's error.
#[test]
fn secure_boot_on_i440fx_is_refused() {
    if !have_qemu() || !have_ovmf() {
        return;
    }
    let env = setup("efipc");
    let xml = |os: &str| {
        format!(
            "<domain type='qemu'><name>sbpc</name><memory unit='MiB'>64</memory>
             <os{os}</os><devices><memballoon model='none'/></devices></domain>"
        )
    };
    for os in [
        " firmware='efi'><type machine='pc'>hvm</type><loader secure='yes'/>".to_owned(),
        format!(
            "><type machine='pc'>hvm</type><loader readonly='yes' secure='yes' type='pflash'>{PLAIN_CODE}</loader>"
        ),
    ] {
        let e = env.conn().define_xml(&xml(&os)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
        assert!(
            e.message()
                .contains("Secure boot is supported with q35 machine types only"),
            "{e}"
        );
    }
    let mut dom = env
        .conn()
        .define_xml(&xml(" firmware='efi'><type machine='pc'>hvm</type>\
             <firmware><feature enabled='yes' name='enrolled-keys'/></firmware>"))
        .unwrap();
    let e = dom.create().unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationFailed);
    assert!(
        e.message()
            .contains("Unable to find any firmware to satisfy 'efi'"),
        "{e}"
    );
    assert!(!env.root.join("lib/qemu/nvram/sbpc_VARS.fd").exists());
    dom.undefine().unwrap();
}

/// A minimal guest with `extra` at the top of `<domain>` and `devices` (started paused:
/// these checks need QEMU, not a running guest).
fn small_xml(name: &str, ns: &str, extra: &str, devices: &str, tail: &str) -> String {
    format!(
        "<domain type='qemu'{ns}><name>{name}</name><memory unit='MiB'>64</memory>{extra}
         <os><type arch='x86_64' machine='pc'>hvm</type></os>
         <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>{devices}
         <memballoon model='none'/></devices>{tail}</domain>"
    )
}

#[test]
fn iothreads_are_qemus_and_serve_the_disk() {
    if !have_qemu() {
        return;
    }
    let env = setup("ioth");
    let img = env.root.join("data.img");
    std::fs::write(&img, vec![0u8; 1 << 20]).unwrap();
    let xml = small_xml(
        "ioth",
        "",
        "<iothreads>2</iothreads>",
        &format!(
            "<disk type='file' device='disk'><driver name='qemu' type='raw' iothread='2'/>\
             <source file='{}'/><target dev='vda' bus='virtio'/></disk>",
            img.display()
        ),
        "",
    );
    let mut dom = env.conn().define_xml(&xml).unwrap();
    dom.create_with_flags(1).unwrap();
    let reply = dom
        .qemu_monitor_command(r#"{"execute":"query-iothreads"}"#, 0)
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
    let mut ids: Vec<&str> = v["return"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ["iothread1", "iothread2"], "{reply}");
    // Each is a thread of QEMU's.
    assert!(v["return"].as_array().unwrap().iter().all(|t| {
        let tid = t["thread-id"].as_u64().unwrap();
        Path::new(&format!("/proc/{}/task/{tid}", env.pid("ioth"))).exists()
    }));
    let qom = dom
        .qemu_monitor_command(
            r#"{"execute":"qom-get","arguments":{"path":"/machine/peripheral/virtio-disk0/virtio-backend","property":"iothread"}}"#,
            0,
        )
        .unwrap();
    assert!(qom.contains("iothread2"), "{qom}");
    // The iothread statistics group: QEMU's threads with their polling figures.
    let recs = env
        .conn()
        .all_domain_stats(rvirt_core::api::StatsGroups::IOTHREAD, 0)
        .unwrap();
    let fields: Vec<(String, String)> = recs[0]
        .params
        .iter()
        .map(|p| (p.field.clone(), format!("{:?}", p.value)))
        .collect();
    let poll = |id: u32| {
        v["return"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == format!("iothread{id}").as_str())
            .unwrap()["poll-max-ns"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        fields[0],
        ("iothread.count".into(), "UInt(2)".into()),
        "{fields:?}"
    );
    for id in [1, 2] {
        assert!(
            fields.contains(&(
                format!("iothread.{id}.poll-max-ns"),
                format!("ULLong({})", poll(id))
            )),
            "{fields:?}"
        );
        assert!(
            fields
                .iter()
                .any(|(f, _)| *f == format!("iothread.{id}.poll-grow"))
        );
        assert!(
            fields
                .iter()
                .any(|(f, _)| *f == format!("iothread.{id}.poll-shrink"))
        );
    }
    dom.destroy().unwrap();
}

#[test]
fn qemu_commandline_reaches_qemu_and_taints_the_domain() {
    if !have_qemu() {
        return;
    }
    let env = setup("qcl");
    let ns = " xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'";
    let xml = small_xml(
        "qcl",
        ns,
        "",
        "",
        "<qemu:commandline><qemu:arg value='-smbios'/><qemu:arg value='type=1,product=rvirt-custom-argv'/>\
         <qemu:env name='RVIRT_CUSTOM_ENV' value='from-xml'/></qemu:commandline>",
    );
    let mut dom = env.conn().define_xml(&xml).unwrap();
    let stored = dom.xml_desc(0).unwrap();
    assert!(
        stored.contains("xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'"),
        "{stored}"
    );
    assert!(
        stored.contains("<qemu:arg value='type=1,product=rvirt-custom-argv'/>"),
        "{stored}"
    );
    dom.create_with_flags(1).unwrap();
    let argv = cmdline_of(&env, "qcl");
    let n = argv.len();
    assert_eq!(
        argv[n - 3..n - 1],
        ["-smbios", "type=1,product=rvirt-custom-argv"],
        "{argv:?}"
    );
    let environ = std::fs::read(format!("/proc/{}/environ", env.pid("qcl"))).unwrap();
    assert!(
        environ
            .split(|b| *b == 0)
            .any(|e| e == b"RVIRT_CUSTOM_ENV=from-xml")
    );
    let log = std::fs::read_to_string(env.root.join("log/qemu/qcl.log")).unwrap();
    let id = dom.id().unwrap();
    assert!(
        log.contains(&format!("Domain id={id} is tainted: custom-argv")),
        "{log}"
    );
    dom.destroy().unwrap();

    // Another prefix for the namespace is stored under libvirt's `qemu`.
    let other = small_xml(
        "qcl2",
        " xmlns:q='http://libvirt.org/schemas/domain/qemu/1.0'",
        "",
        "",
        "<q:commandline><q:arg value='-no-hpet'/></q:commandline>",
    );
    let dom = env.conn().define_xml(&other).unwrap();
    let stored = dom.xml_desc(0).unwrap();
    assert!(stored.contains("<qemu:arg value='-no-hpet'/>"), "{stored}");
}

/// A guest with 2 NUMA cells: QEMU has both memory backends and both nodes, with the
/// cells' CPUs and sizes, seen through the driver's monitor passthrough (QMP and HMP).
#[test]
fn numa_cells_are_qemus_nodes() {
    if !have_qemu() {
        return;
    }
    let env = setup("numa");
    let xml = small_xml(
        "numa",
        "",
        "<vcpu>2</vcpu><cpu><numa>\
         <cell id='0' cpus='0' memory='32' unit='MiB'/>\
         <cell id='1' cpus='1' memory='32' unit='MiB' memAccess='shared'/></numa></cpu>",
        "",
        "",
    );
    let mut dom = env.conn().define_xml(&xml).unwrap();
    dom.create_with_flags(1).unwrap();
    let reply = dom
        .qemu_monitor_command(r#"{"execute":"query-memdev"}"#, 0)
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
    let mut devs: Vec<(String, u64, bool)> = v["return"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap_or_default().to_owned(),
                m["size"].as_u64().unwrap(),
                m["share"].as_bool().unwrap(),
            )
        })
        .collect();
    devs.sort();
    assert_eq!(
        devs,
        [
            ("ram-node0".to_owned(), 32 << 20, false),
            ("ram-node1".to_owned(), 32 << 20, true)
        ],
        "{reply}"
    );
    let info = dom.qemu_monitor_command("info numa", 1).unwrap(); // HMP
    assert!(info.contains("2 nodes"), "{info}");
    assert!(
        info.contains("node 0 cpus: 0") && info.contains("node 1 cpus: 1"),
        "{info}"
    );
    assert!(info.contains("node 1 size: 32 MB"), "{info}");
    dom.destroy().unwrap();

    // A host node the host does not have is refused at start, in libvirt's words.
    let bad = small_xml(
        "numabad",
        "",
        "<vcpu>2</vcpu><numatune><memory mode='strict' nodeset='63'/></numatune>\
         <cpu><numa><cell id='0' cpus='0-1' memory='64' unit='MiB'/></numa></cpu>",
        "",
        "",
    );
    let mut dom = env.conn().define_xml(&bad).unwrap();
    let e = dom.create().unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
    assert!(e.message().contains("NUMA node 63 is unavailable"), "{e}");
}

/// RAM from a shared memfd runs; huge pages without a hugetlbfs mount are refused
/// with libvirt's error (on a host that has one, the start is left to the host).
#[test]
fn memory_backing_on_real_qemu() {
    if !have_qemu() {
        return;
    }
    let env = setup("mback");
    let xml = small_xml(
        "memfd",
        "",
        "<memoryBacking><source type='memfd'/><access mode='shared'/><nosharepages/></memoryBacking>",
        "",
        "",
    );
    let mut dom = env.conn().define_xml(&xml).unwrap();
    dom.create_with_flags(1).unwrap();
    let reply = dom
        .qemu_monitor_command(r#"{"execute":"query-memdev"}"#, 0)
        .unwrap();
    assert!(
        reply.contains(r#""id":"pc.ram""#) && reply.contains(r#""share":true"#),
        "{reply}"
    );
    assert!(
        cmdline_of(&env, "memfd")
            .iter()
            .any(|a| a.contains("memory-backend-memfd"))
    );
    dom.destroy().unwrap();

    if rvirt_driver_qemu::host::memory::hugetlbfs_mounts().is_empty() {
        let xml = small_xml(
            "huge",
            "",
            "<memoryBacking><hugepages/></memoryBacking>",
            "",
            "",
        );
        let mut dom = env.conn().define_xml(&xml).unwrap();
        let e = dom.create().unwrap_err();
        assert_eq!(e.code(), ErrorCode::InternalError);
        assert!(
            e.message().contains(
                "hugetlbfs filesystem is not mounted or disabled by administrator config"
            ),
            "{e}"
        );
    }
}

/// The host's pool of 2 MiB pages grown by `pages` for as long as it lives (the old
/// size put back on drop); `None` when the kernel could not find them.
struct HugepagePool {
    old: u64,
}

const NR_HUGEPAGES: &str = "/proc/sys/vm/nr_hugepages";

impl HugepagePool {
    fn grow(pages: u64) -> Option<HugepagePool> {
        let read = || -> Option<u64> {
            std::fs::read_to_string(NR_HUGEPAGES)
                .ok()?
                .trim()
                .parse()
                .ok()
        };
        let old = read()?;
        let pool = HugepagePool { old };
        std::fs::write(NR_HUGEPAGES, (old + pages).to_string()).ok()?;
        (read()? >= old + pages).then_some(pool)
    }
}

impl Drop for HugepagePool {
    fn drop(&mut self) {
        let _ = std::fs::write(NR_HUGEPAGES, self.old.to_string());
    }
}

/// Moves this test's thread into a mount namespace of its own (nothing propagates to
/// the host's) with hugetlbfs mounted on `at`; false when not allowed.
fn mount_hugetlbfs_privately(at: &Path) -> bool {
    std::fs::create_dir_all(at).unwrap();
    // SAFETY: unshare(2) of this thread's mount namespace; no memory involved.
    let unshared = unsafe { libc::unshare(libc::CLONE_NEWNS) } == 0;
    unshared && rvirt_testkit::netns::mount_in_own_namespace("hugetlbfs", at)
}

/// Free 2 MiB pages of the host's pool.
fn free_2m_pages() -> u64 {
    rvirt_driver_qemu::host::memory::free_hugepages(2048)
}

/// `<hugepages/>` on a host with a hugetlbfs mount (this thread's own, in a private
/// mount namespace) and a pool grown for the test: QEMU's RAM is a preallocated file
/// in the domain's directory on the mount, owned by QEMU's user, taking the guest's
/// 64 MiB from the pool; the pages and the directory are given back at destroy. A
/// guest larger than the free pages is refused before QEMU runs.
#[test]
fn hugepage_backed_ram_on_real_qemu() {
    // SAFETY: geteuid(2) has no preconditions.
    if !have_qemu() || unsafe { libc::geteuid() } != 0 {
        return;
    }
    let Some(_pool) = HugepagePool::grow(40) else {
        println!("SKIPPED: the kernel has no 40 free 2 MiB pages to add to its pool");
        return;
    };
    let env = setup("hpage");
    let mount = env.root.join("hugepages");
    if !mount_hugetlbfs_privately(&mount) {
        println!(
            "SKIPPED: no private mount namespace: {}",
            std::io::Error::last_os_error()
        );
        return;
    }
    let free_before = free_2m_pages();
    let xml = small_xml(
        "huge",
        "",
        "<memoryBacking><hugepages><page size='2048' unit='KiB'/></hugepages></memoryBacking>",
        "",
        "",
    );
    let mut dom = env.conn().define_xml(&xml).unwrap();
    dom.create_with_flags(1).unwrap();
    let argv = cmdline_of(&env, "huge").join(" ");
    let dir = mount.join(format!("libvirt/qemu/{}-huge", dom.id().unwrap()));
    assert!(
        argv.contains("memory-backend-file")
            && argv.contains(&format!("\"mem-path\":\"{}\"", dir.display()))
            && argv.contains("\"prealloc\":true"),
        "{argv}"
    );
    let owner = std::fs::metadata(&dir).unwrap();
    let qemu_uid = std::fs::metadata(format!("/proc/{}", env.pid("huge")))
        .unwrap()
        .uid();
    assert_eq!(owner.uid(), qemu_uid);
    assert_eq!(
        free_before - free_2m_pages(),
        32,
        "64 MiB of 2 MiB pages taken"
    );
    let memdev = dom
        .qemu_monitor_command(r#"{"execute":"query-memdev"}"#, 0)
        .unwrap();
    assert!(memdev.contains(r#""prealloc":true"#), "{memdev}");
    dom.destroy().unwrap();
    assert_eq!(free_2m_pages(), free_before, "pages given back");
    assert!(!dir.exists(), "{} left behind", dir.display());

    let big = small_xml(
        "toobig",
        "",
        "<memoryBacking><hugepages/></memoryBacking>",
        "",
        "",
    )
    .replace(
        "<memory unit='MiB'>64</memory>",
        &format!("<memory unit='MiB'>{}</memory>", free_before * 2 + 2),
    );
    let mut dom = env.conn().define_xml(&big).unwrap();
    let e = dom.create().unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationFailed);
    assert!(
        e.message()
            .contains("not enough free huge pages of 2048 KiB"),
        "{e}"
    );
    assert_eq!(free_2m_pages(), free_before);
}

/// `<cpu mode='custom'>` against QEMU's own models under TCG (probed, cached): a model
/// TCG runs starts with its features and topology; one with features TCG lacks is
/// refused by the default check and runs with `check='none'`; an unknown one is
/// refused in libvirt's words.
#[test]
fn custom_cpu_models_against_qemus() {
    if !have_qemu() {
        return;
    }
    let env = setup("cpum");
    let cpu_xml = |name: &str, cpu: &str| {
        small_xml(
            name,
            "",
            &format!("<vcpu current='1'>2</vcpu>{cpu}"),
            "",
            "",
        )
    };
    let mut dom = env
        .conn()
        .define_xml(&cpu_xml(
            "nehalem",
            "<cpu mode='custom' match='exact'><model fallback='forbid'>Nehalem</model>\
             <topology sockets='1' dies='1' cores='2' threads='1'/>\
             <feature policy='disable' name='popcnt'/></cpu>",
        ))
        .unwrap();
    dom.create_with_flags(1).unwrap();
    let argv = cmdline_of(&env, "nehalem");
    let at = argv.iter().position(|a| a == "-cpu").unwrap();
    assert_eq!(argv[at + 1], "Nehalem,popcnt=off");
    let cpus = dom
        .qemu_monitor_command(r#"{"execute":"query-cpus-fast"}"#, 0)
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&cpus).unwrap();
    assert_eq!(v["return"].as_array().unwrap().len(), 1, "{cpus}");
    let hot = dom
        .qemu_monitor_command(r#"{"execute":"query-hotpluggable-cpus"}"#, 0)
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&hot).unwrap();
    assert_eq!(v["return"].as_array().unwrap().len(), 2, "{hot}");
    dom.destroy().unwrap();

    let mut dom = env
        .conn()
        .define_xml(&cpu_xml(
            "sky",
            "<cpu mode='custom'><model>Skylake-Client</model></cpu>",
        ))
        .unwrap();
    let e = dom.create().unwrap_err();
    assert_eq!(e.code(), ErrorCode::CpuIncompatible);
    assert!(
        e.message()
            .contains("Host CPU does not provide required features: ")
            && e.message().contains("invpcid"),
        "{e}"
    );
    let mut dom = env
        .conn()
        .define_xml(&cpu_xml(
            "skynone",
            "<cpu mode='custom' check='none'><model>Skylake-Client</model></cpu>",
        ))
        .unwrap();
    dom.create_with_flags(1).unwrap();
    dom.destroy().unwrap();

    let mut dom = env
        .conn()
        .define_xml(&cpu_xml(
            "nosuch",
            "<cpu mode='custom'><model>Pentium9000</model></cpu>",
        ))
        .unwrap();
    let e = dom.create().unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
    assert!(
        e.message()
            .contains("CPU model Pentium9000 is not supported by hypervisor"),
        "{e}"
    );
}

/// `<vsock>`: without `/dev/vhost-vsock` (no vhost_vsock module) the start is refused
/// with libvirt's error; with it, the guest gets a vhost-vsock-pci device with the
/// first free CID, shown in the live XML.
#[test]
fn vsock_needs_vhost_vsock() {
    if !have_qemu() {
        return;
    }
    let env = setup("vsock");
    let xml = small_xml(
        "vsock",
        "",
        "",
        "<vsock model='virtio'><cid auto='yes'/></vsock>",
        "",
    );
    let mut dom = env.conn().define_xml(&xml).unwrap();
    if !Path::new("/dev/vhost-vsock").exists() {
        let e = dom.create().unwrap_err();
        assert_eq!(e.code(), ErrorCode::SystemError);
        assert!(
            e.message()
                .starts_with("unable to open vhost-vsock device: "),
            "{e}"
        );
        return;
    }
    dom.create_with_flags(1).unwrap();
    let live = dom.xml_desc(0).unwrap();
    assert!(live.contains("<cid auto='yes' address='"), "{live}");
    let pci = dom
        .qemu_monitor_command(r#"{"execute":"query-pci"}"#, 0)
        .unwrap();
    assert!(pci.contains("vsock0"), "{pci}");
    dom.destroy().unwrap();
}

/// `<memoryBacking><locked/>`: QEMU locks its RAM (`-overcommit mem-lock=on`) with its
/// memory-lock limit lifted, as libvirt does.
#[test]
fn locked_memory_is_locked() {
    if !have_qemu() {
        return;
    }
    let env = setup("mlock");
    let xml = small_xml(
        "mlock",
        "",
        "<memoryBacking><locked/></memoryBacking>",
        "",
        "",
    );
    let mut dom = env.conn().define_xml(&xml).unwrap();
    dom.create_with_flags(1).unwrap();
    let pid = env.pid("mlock");
    // The limit is lifted where the daemon may raise it (CAP_SYS_RESOURCE; a
    // container's root may lack it).
    let can_raise = std::process::Command::new("prlimit")
        .args(["--memlock=unlimited:unlimited", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if can_raise {
        let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
        let line = limits
            .lines()
            .find(|l| l.starts_with("Max locked memory"))
            .unwrap();
        assert!(line.contains("unlimited"), "{line}");
    }
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let locked_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmLck:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    assert!(locked_kib >= 64 * 1024, "VmLck {locked_kib} kB");
    dom.destroy().unwrap();
}
