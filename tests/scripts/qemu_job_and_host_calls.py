#!/usr/bin/python3
"""Job, label, managed-save, NUMA, block, dirty-rate and host-memory calls of python3-libvirt on one
running guest of a QEMU driver, one line each: the value, or "ERR code domain
message". Used by tests/tests/qemu_job_and_host_virsh.rs against rvirtd; the answers
it expects are libvirtd 9.0's QEMU driver's on the same guest.

Usage: qemu_job_and_host_calls.py URI RO_URI DOMAIN
"""
import sys

import libvirt

libvirt.registerErrorHandler(lambda *_: None, None)


def show(name, call):
    try:
        print(name, repr(call()))
    except libvirt.libvirtError as e:
        print(name, "ERR", e.get_error_code(), e.get_error_domain(), e.get_error_message())


def main():
    uri, ro_uri, name = sys.argv[1:4]
    c = libvirt.open(uri)
    d = c.lookupByName(name)
    show("getMemoryParameters", lambda: sorted(c.getMemoryParameters()))
    show("getSEVInfo", c.getSEVInfo)
    show("jobStats", d.jobStats)
    show("jobStats completed", lambda: d.jobStats(libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED))
    show("abortJobFlags", d.abortJobFlags)
    show("migrateGetMaxSpeed", d.migrateGetMaxSpeed)
    show("securityLabelList", d.securityLabelList)
    show("isUpdated", d.isUpdated)
    show("launchSecurityInfo", d.launchSecurityInfo)
    show("numaParameters", d.numaParameters)
    show("setNumaParameters live", lambda: d.setNumaParameters({"numa_nodeset": "0"}, libvirt.VIR_DOMAIN_AFFECT_LIVE))
    show("setNumaParameters config", lambda: d.setNumaParameters({"numa_nodeset": "0"}, libvirt.VIR_DOMAIN_AFFECT_CONFIG))
    show("numaParameters config", lambda: d.numaParameters(libvirt.VIR_DOMAIN_AFFECT_CONFIG))
    show("managedSaveGetXMLDesc", lambda: d.managedSaveGetXMLDesc(0))
    show("blockStatsFlags", lambda: sorted(d.blockStatsFlags("hda")))
    show("blockJobInfo", lambda: d.blockJobInfo("hda", 0))
    show("blockPeek", lambda: d.blockPeek("hda", 510, 2, 0).hex())
    show("blockPeek beyond", lambda: d.blockPeek("hda", 511, 2, 0))
    show("freePages", lambda: {c: sorted(p) for c, p in c.getFreePages([4, 2048], 0, 1).items()})
    show("freePages bad size", lambda: c.getFreePages([3], 0, 1))
    show("zeroDirtyRateCalc", lambda: d.startDirtyRateCalc(0, 0))
    show("startDirtyRateCalc", lambda: d.startDirtyRateCalc(1, 0))
    show("detachDeviceAlias missing", lambda: d.detachDeviceAlias("nosuch", 0))
    ro = libvirt.openReadOnly(ro_uri)
    rd = ro.lookupByName(name)
    show("ro migrateGetMaxSpeed", rd.migrateGetMaxSpeed)
    show("ro jobStats", rd.jobStats)
    show("ro getSEVInfo", ro.getSEVInfo)


if __name__ == "__main__":
    main()
