//! rvirtd answers like libvirtd: python3-libvirt scripts run against a private
//! libvirtd 9.0 and against rvirtd, both on the test driver, and the two transcripts
//! must be identical, line for line.
//!
//! - `tests/scripts/monitoring_calls.py` (~80 calls): memory/block/interface stats,
//!   vCPU and pinning info, CPU stats, guest facts (the agent response timeout the
//!   test driver does not support), GET_ALL_DOMAIN_STATS with filters
//!   and ENFORCE, node memory/CPU map/security model, metadata get/set with live and
//!   config flags, METADATA_CHANGE events.
//! - `tests/scripts/snapshot_calls.py`: snapshot create (named, unnamed, duplicate,
//!   HALT), the listing filters, tree walks, current, revert with its lifecycle
//!   events, delete (alone, children only, with children), undefine refusals.
//! - `tests/scripts/checkpoint_calls.py`: checkpoint create (named, unnamed, disks by
//!   target and path, refusals of the disk alignment, schema, flags), listing filters,
//!   parents and children, redefinition (cycles, uuid, replacement), delete (alone,
//!   children only, with children, metadata only), the snapshot/checkpoint refusals.
//! - `tests/scripts/config_calls.py`: setMemory/setMaxMemory/setMemoryFlags and
//!   setVcpus/setVcpusFlags on inactive and running domains with live, config and
//!   maximum flags (the definitions read back through the XML), their refusals and
//!   wording; attach/detach/update device, which libvirt's test driver does not have;
//!   rename (refusals, the handle's new name, lookups, UNDEFINED/DEFINED renamed
//!   events).
//! - `tests/scripts/guest_control_calls.py`: file-system freeze/thaw/trim, NMIs, keys,
//!   process signals, passwords, the guest clock and the control state its seconds
//!   select, the balloon's statistics period (live, config, refusals), vCPU and
//!   emulator pinning (live, config, refusals, read back), isUpdated, the
//!   node's CPU counters, the host's sysinfo and most vCPUs.
//! - `tests/scripts/device_tuning_calls.py`: a disk's I/O throttle (`blkdeviotune`), a
//!   NIC's bandwidth (`domiftune`), the NUMA policy, perf events and lifecycle
//!   actions: values by flags, sets with the test driver's checks and wording, the
//!   XML they leave while shut off, running and after, a read-only connection.
//! - `tests/scripts/host_and_threads_calls.py`: memory peeks, CPU model names per
//!   architecture, launch-security info, I/O threads added, pinned and removed in the
//!   live and persistent definitions.
//! - `tests/scripts/tuning_calls.py`: the memory and blkio parameters (`virsh memtune`,
//!   `blkiotune`, device strings parsed and merged as libvirt's): counts,
//!   values of the live and persistent definitions by flags, sets with their
//!   refusals and wording, the `<memtune>` they leave, a read-only connection.

use rvirt_testkit::libvirtd::Libvirtd;
use rvirt_testkit::tmp::TempDir;
use rvirt_testkit::{Daemon, have_python_libvirt, python, text};

const MONITORING: &str = include_str!("../scripts/monitoring_calls.py");
const SNAPSHOTS: &str = include_str!("../scripts/snapshot_calls.py");
const CHECKPOINTS: &str = include_str!("../scripts/checkpoint_calls.py");
const CONFIG: &str = include_str!("../scripts/config_calls.py");
const SAVE: &str = include_str!("../scripts/save_calls.py");
const GUEST_CONTROL: &str = include_str!("../scripts/guest_control_calls.py");
const TUNING: &str = include_str!("../scripts/tuning_calls.py");
const DEVICE_TUNING: &str = include_str!("../scripts/device_tuning_calls.py");
const HOST_AND_THREADS: &str = include_str!("../scripts/host_and_threads_calls.py");

fn transcript(script: &str, uri: &str) -> String {
    let scratch = TempDir::new("save-parity");
    let o = python(
        script,
        &[uri, scratch.path().to_str().expect("utf-8 temp dir")],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{uri}:\n{out}\n{err}");
    out
}

/// Runs `script` on both daemons; returns rvirtd's transcript once it equals libvirtd's.
fn same_as_libvirtd(script: &str, tag: &str) -> Option<String> {
    if !have_python_libvirt() {
        return None;
    }
    let libvirtd = Libvirtd::start()?;
    let want = transcript(script, &libvirtd.uri());
    let d = Daemon::start(tag);
    let got = transcript(script, &d.uri());
    for (n, (w, g)) in want.lines().zip(got.lines()).enumerate() {
        assert_eq!(
            g,
            w,
            "line {} differs\nlibvirtd:\n{want}\nrvirtd:\n{got}",
            n + 1
        );
    }
    assert_eq!(got.lines().count(), want.lines().count(), "{got}");
    Some(got)
}

#[test]
fn monitoring_answers_match_libvirtd() {
    let Some(got) = same_as_libvirtd(MONITORING, "monitoring-parity") else {
        return;
    };
    // The transcript says something: both daemons did not fail the same way.
    for line in [
        "stats mine = [('mon', {'state.state': 1, 'state.reason': 1})]",
        "getSecurityModel = ['testSecurity', '']",
        "OSType = 'linux'",
        "getFreeMemory = 3145728",
        "element = '<foo a=\"1\">\\n  <bar>x &amp; y</bar>\\n</foo>'",
        "metadata-change mon 2 http://example.org/app/",
        "agentSetResponseTimeout 30 ERR 3 20 this function is not supported by the connection driver: virDomainAgentSetResponseTimeout",
    ] {
        assert!(
            got.lines().any(|l| l == line),
            "missing {line:?} in:\n{got}"
        );
    }
}

#[test]
fn snapshot_answers_match_libvirtd() {
    let Some(got) = same_as_libvirtd(SNAPSHOTS, "snapshot-parity") else {
        return;
    };
    for line in [
        "create off1 = 'off1'",
        "list topological = ['off1', 'run1', 'TIME']",
        "revert run1 paused = 0",
        "events [(5, 6), (2, 3), (3, 5)]",
        "num end = 0",
    ] {
        assert!(
            got.lines().any(|l| l == line),
            "missing {line:?} in:\n{got}"
        );
    }
}

#[test]
fn checkpoint_answers_match_libvirtd() {
    let Some(got) = same_as_libvirtd(CHECKPOINTS, "checkpoint-parity") else {
        return;
    };
    for line in [
        "create c1 = 'c1'",
        "topological exact = ['c1', 'TIME', 'r1', 'c2', 'c3', 'q']",
        "create disk twice ERR 67 69 \"unsupported configuration: disk '/var/img/c.qcow2' specified twice\"",
        "redefine cycle ERR 8 20 'invalid argument: parent c3 would create cycle to c2'",
        "parent n2 = 'c2'",
        "snapshot refused ERR 84 12 'Operation not supported: cannot create snapshot while checkpoint exists'",
        "checkpoint after snapshot = 'k'",
    ] {
        assert!(
            got.lines().any(|l| l == line),
            "missing {line:?} in:\n{got}"
        );
    }
}

#[test]
fn configuration_answers_match_libvirtd() {
    let Some(got) = same_as_libvirtd(CONFIG, "config-parity") else {
        return;
    };
    for line in [
        "mem = ['131072', '131072']",
        "mem inactive = ['786432', '196608']",
        "setVcpus too many ERR 8 12 invalid argument: requested cpu amount exceeds maximum (5 > 4)",
        "vcpu xml inactive = \"<vcpu placement='static' current='2'>6</vcpu>\"",
        "attachDeviceFlags config ERR 3 20 this function is not supported by the connection driver: virDomainAttachDeviceFlags",
        "rename same ERR 55 20 Requested operation is not valid: Can't rename domain to itself",
        "events [('lifecycle', 'cfg', 1, 1), ('lifecycle', 'cfg2', 0, 2)]",
        "lookup new = '3d1b0c1e-5a0f-4d8e-9e43-2b8f7c6a9d01'",
    ] {
        assert!(
            got.lines().any(|l| l == line),
            "missing {line:?} in:\n{got}"
        );
    }
}

#[test]
fn save_answers_match_libvirtd() {
    let Some(got) = same_as_libvirtd(SAVE, "save-parity") else {
        return;
    };
    for line in [
        "state = [5, 5]",
        "header = b'TestGuestMagic\\x00'",
        "state = [1, 3]",
        "restore running ERR 55 20 Requested operation is not valid: domain 'sv' is already active",
        "restore missing ERR 38 12 cannot read domain image '<DIR>/nope.img': No such file or directory",
        "restore junk ERR 1 12 internal error: mismatched header magic",
        "imageXML = [('name', 'sv'), ('memory', '1048576'), ('vcpu', '2')]",
        "events [('tr', 2, 2)]",
        "list managedsave = ['sv']",
        "undefine ERR 55 12 Requested operation is not valid: Refusing to undefine while domain managed save image exists",
        "list after = ['test']",
    ] {
        assert!(
            got.lines().any(|l| l == line),
            "missing {line:?} in:\n{got}"
        );
    }
}

#[test]
fn guest_control_answers_match_libvirtd() {
    let Some(got) = same_as_libvirtd(GUEST_CONTROL, "guest-control-parity") else {
        return;
    };
    for line in [
        "control 15000 = [2, 0, 5000]",
        "control 30005 = [3, 1, 5]",
        "getTime = {'seconds': 5, 'nseconds': 7}",
        "freeze all = 1",
        "thaw unknown ERR 55 12 Requested operation is not valid: mount point not found: /x",
        "key unknown ERR 1 12 internal error: invalid keycode 99999 of linux codeset",
        "signal pid 2 ERR 8 12 invalid argument: only sending a signal to pid 1 is supported",
        "period xml = [\"<stats period='5'/>\"]",
        "period negative ERR 8 20 period in virDomainSetMemoryStatsPeriod must be zero or greater",
        "maxVcpus = 32",
        "emulator info = (False, True, False, False, False, False, False, False)",
        "vcpu pin absent ERR 8 12 invalid argument: requested vcpu '5' is not present in the domain",
    ] {
        assert!(
            got.lines().any(|l| l == line),
            "missing {line:?} in:\n{got}"
        );
    }
}

#[test]
fn tuning_answers_match_libvirtd() {
    let Some(got) = same_as_libvirtd(TUNING, "tuning-parity") else {
        return;
    };
    for line in [
        "mem get 0 = {'hard_limit': 2097152, 'soft_limit': 9007199254740991, 'swap_hard_limit': 4194304}",
        "mem set hard above swap ERR 8 12 invalid argument: memory hard_limit tunable value must be lower than or equal to swap_hard_limit",
        "memtune live = \"  <memtune>\\n    <hard_limit unit='KiB'>3145728</hard_limit>\\n    <soft_limit unit='KiB'>1048576</soft_limit>\\n  </memtune>\"",
        "ro mem set ERR 29 20 operation forbidden: read only access prevents virDomainSetMemoryParameters",
        "mem get after = {'hard_limit': 9007199254740991, 'soft_limit': 9007199254740991, 'swap_hard_limit': 4194304}",
        "blkio set bad and good ERR 8 20 invalid argument: invalid value 'x' for parameter 'device_weight' of device '/dev/sdc'",
        "blkio get config = {'weight': 250, 'device_weight': '/dev/vdb,10', 'device_read_iops_sec': '', 'device_write_iops_sec': '', 'device_read_bytes_sec': '', 'device_write_bytes_sec': ''}",
    ] {
        assert!(
            got.lines().any(|l| l == line),
            "missing {line:?} in:\n{got}"
        );
    }
}

#[test]
fn device_tuning_answers_match_libvirtd() {
    let Some(got) = same_as_libvirtd(DEVICE_TUNING, "device-tuning-parity") else {
        return;
    };
    for line in [
        "bio set over ERR 8 12 invalid argument: total_bytes_sec cannot be set higher than total_bytes_sec_max ",
        "bio set huge ERR 74 12 argument unsupported: block I/O throttle limit value must be no more than 1000000000000000",
        "bio run get config = (20, 'grp')",
        "if get peak only = {'inbound.average': 100, 'inbound.peak': 200, 'inbound.burst': 300, 'inbound.floor': 0, 'outbound.average': 50, 'outbound.peak': 0, 'outbound.burst': 60}",
        "if run get live = {'inbound.average': 11, 'inbound.peak': 0, 'inbound.burst': 12, 'inbound.floor': 0, 'outbound.average': 50, 'outbound.peak': 0, 'outbound.burst': 60}",
        "numa run set mode ERR 55 12 Requested operation is not valid: can't change numatune mode for running domain",
        "perf run get live = ['cmt', 'instructions', 'emulation_faults']",
        "lc reboot coredump ERR 67 20 unsupported configuration: Lifecycle event 'reboot' doesn't support 'coredump-restart' action",
        "running inactive on_crash = ['  <on_crash>preserve</on_crash>']",
    ] {
        assert!(
            got.lines().any(|l| l == line),
            "missing {line:?} in:\n{got}"
        );
    }
}

#[test]
fn host_and_thread_answers_match_libvirtd() {
    let Some(got) = same_as_libvirtd(HOST_AND_THREADS, "threads-parity") else {
        return;
    };
    for line in [
        "peek = b'defghijk'",
        "peek large = 100000",
        "models ppc64 = ['POWER6', 'POWER7', 'POWER8', 'POWER9', 'POWER10', 'POWERPC_e5500', 'POWERPC_e6500']",
        "models bogus ERR 8 12 invalid argument: cannot find architecture bogus",
        "pin empty ERR 8 12 invalid argument: Empty iothread cpumap list for pinning",
        "del 0 ERR 8 20 iothread_id in virDomainDelIOThread must not be zero",
        "info cpuset = [(1, [False, True, False, False, False, False, False, False])]",
    ] {
        assert!(
            got.lines().any(|l| l == line),
            "missing {line:?} in:\n{got}"
        );
    }
}
