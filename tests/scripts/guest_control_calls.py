# Guest-control calls on a test-driver daemon: file-system freeze/thaw/trim, NMIs,
# keys, process signals, passwords, the guest clock and the control state it selects,
# the balloon's statistics period, vCPU and emulator pinning, whether a definition is
# updated, the node's CPU
# counters, the host's sysinfo and the most vCPUs, with their errors, printed so that
# libvirtd's transcript and rvirtd's can be compared line by line.
import sys, libvirt

c = libvirt.open(sys.argv[1])
A = libvirt
RUN = """<domain type='test'><name>gc</name><uuid>5b2c1d2e-6a1f-4e8f-9f54-3c9f8d7b0e12</uuid>
<memory unit='KiB'>1048576</memory><vcpu>2</vcpu><os><type arch='x86_64'>hvm</type></os>
<devices><memballoon model='virtio'/></devices></domain>"""
OFF = """<domain type='test'><name>gc-off</name><memory unit='KiB'>1048576</memory>
<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>"""
d = c.defineXML(RUN)
d.create()
x = c.defineXML(OFF)


def show(name, f):
    try:
        print(name, "=", repr(f()))
    except libvirt.libvirtError as e:
        print(name, "ERR", e.get_error_code(), e.get_error_domain(), str(e))


def balloon(dom, flags=0):
    return [l.strip() for l in dom.XMLDesc(flags).splitlines() if "stats" in l]


# The guest clock and the control state its seconds select.
show("control start", lambda: d.controlInfo())
for s in [5, 9999, 10000, 15000, 29999, 30000, 30001, 30002, 30003, 30005, 59999, 60000]:
    show("setTime %d" % s, lambda: d.setTime({"seconds": s}))
    show("control %d" % s, lambda: d.controlInfo())
show("setTime ns", lambda: d.setTime({"seconds": 5, "nseconds": 7}))
show("getTime", lambda: d.getTime())
show("setTime sync", lambda: d.setTime(None, A.VIR_DOMAIN_TIME_SYNC))
show("getTime synced", lambda: d.getTime())
show("setTime flags", lambda: d.setTime({"seconds": 1}, 8))
show("control off", lambda: x.controlInfo())
show("getTime off", lambda: x.getTime())
# File systems.
show("freeze off", lambda: x.fsFreeze())
show("freeze /", lambda: d.fsFreeze(["/"]))
show("freeze all", lambda: d.fsFreeze())
show("thaw /boot", lambda: d.fsThaw(["/boot"]))
show("thaw unknown", lambda: d.fsThaw(["/x"]))
show("thaw all", lambda: d.fsThaw())
show("freeze twice", lambda: d.fsFreeze(["/", "/"]))
show("thaw rest", lambda: d.fsThaw())
show("trim /", lambda: d.fSTrim("/", 0))
show("trim all", lambda: d.fSTrim(None, 1024))
show("trim unknown", lambda: d.fSTrim("/x", 0))
show("trim off", lambda: x.fSTrim(None, 0))
# NMIs, keys, signals, passwords.
show("nmi", lambda: d.injectNMI())
show("nmi off", lambda: x.injectNMI())
show("key", lambda: d.sendKey(A.VIR_KEYCODE_SET_LINUX, 100, [30, 31], 2))
show("key unknown", lambda: d.sendKey(A.VIR_KEYCODE_SET_LINUX, 100, [99999], 1))
show("key xt", lambda: d.sendKey(A.VIR_KEYCODE_SET_XT, 100, [30], 1))
show("key off", lambda: x.sendKey(0, 100, [30], 1))
show("signal", lambda: d.sendProcessSignal(1, 9))
show("signal 0", lambda: d.sendProcessSignal(1, 0))
show("signal pid 2", lambda: d.sendProcessSignal(2, 9))
show("signal 999", lambda: d.sendProcessSignal(1, 999))
show("signal off", lambda: x.sendProcessSignal(1, 15))
show("password", lambda: d.setUserPassword("root", "secret"))
show("password crypted", lambda: d.setUserPassword("root", "$6$x", A.VIR_DOMAIN_PASSWORD_ENCRYPTED))
show("password off", lambda: x.setUserPassword("root", "secret"))
# The balloon's statistics period.
show("period", lambda: d.setMemoryStatsPeriod(5))
show("period xml", lambda: balloon(d))
show("period config", lambda: d.setMemoryStatsPeriod(7, A.VIR_DOMAIN_AFFECT_CONFIG))
show("period xml inactive", lambda: balloon(d, A.VIR_DOMAIN_XML_INACTIVE))
show("period zero", lambda: d.setMemoryStatsPeriod(0, A.VIR_DOMAIN_AFFECT_LIVE))
show("period xml zero", lambda: balloon(d))
show("period negative", lambda: d.setMemoryStatsPeriod(-1))
show("period no balloon", lambda: x.setMemoryStatsPeriod(5))
show("period live off", lambda: x.setMemoryStatsPeriod(5, A.VIR_DOMAIN_AFFECT_LIVE))
# vCPU and emulator pinning, read back through the XML and the info calls.
def cputune(dom, flags=0):
    return [l.strip() for l in dom.XMLDesc(flags).splitlines() if "pin" in l]


show("emulator pin", lambda: d.pinEmulator((False, True)))
show("emulator info", lambda: d.emulatorPinInfo())
show("emulator pin config", lambda: d.pinEmulator((True, True), A.VIR_DOMAIN_AFFECT_CONFIG))
show("emulator info config", lambda: d.emulatorPinInfo(A.VIR_DOMAIN_AFFECT_CONFIG))
show("emulator info live", lambda: d.emulatorPinInfo(A.VIR_DOMAIN_AFFECT_LIVE))
show("emulator info both", lambda: d.emulatorPinInfo(A.VIR_DOMAIN_AFFECT_LIVE | A.VIR_DOMAIN_AFFECT_CONFIG))
show("emulator pin empty", lambda: d.pinEmulator((False, False)))
show("emulator pin off", lambda: x.pinEmulator((True,)))
show("emulator info off", lambda: x.emulatorPinInfo())
show("emulator info off live", lambda: x.emulatorPinInfo(A.VIR_DOMAIN_AFFECT_LIVE))
show("vcpu pin", lambda: d.pinVcpuFlags(1, (False, True, True), 0))
show("vcpu pin absent", lambda: d.pinVcpuFlags(5, (False, True), 0))
show("vcpu pin flags", lambda: d.pinVcpuFlags(0, (True,), A.VIR_DOMAIN_AFFECT_LIVE))
show("vcpu pin legacy", lambda: d.pinVcpu(0, (True,)))
show("vcpu pin info", lambda: d.vcpuPinInfo(0))
show("vcpu pin info config", lambda: d.vcpuPinInfo(A.VIR_DOMAIN_AFFECT_CONFIG))
show("vcpus", lambda: [[(i[0], i[1], i[3]) for i in d.vcpus()[0]], d.vcpus()[1]])
show("vcpu pin off", lambda: x.pinVcpuFlags(0, (True,), 0))
show("cputune", lambda: cputune(d))
show("cputune inactive", lambda: cputune(d, A.VIR_DOMAIN_XML_INACTIVE))
# Definitions, the node, the host.
show("isUpdated", lambda: d.isUpdated())
show("isUpdated off", lambda: x.isUpdated())
show("cpu stats", lambda: c.getCPUStats(-1))
show("cpu stats 0", lambda: c.getCPUStats(0))
show("sysinfo", lambda: c.getSysinfo())
show("sysinfo flags", lambda: c.getSysinfo(1))
show("maxVcpus", lambda: c.getMaxVcpus(None))
show("maxVcpus kvm", lambda: c.getMaxVcpus("kvm"))
d.destroy()
d.undefine()
x.undefine()
