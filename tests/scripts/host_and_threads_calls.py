# Memory peeks, CPU model names, launch-security info and I/O threads on a test-driver
# daemon (virDomainMemoryPeek, virConnectGetCPUModelNames,
# virDomainGetLaunchSecurityInfo, virDomain{Add,Del,Pin}IOThread,
# virDomainGetIOThreadInfo): values, libvirt's refusals and wording, the XML the
# thread calls leave in the live and persistent definitions, a read-only connection.
# Printed so that libvirtd's transcript and rvirtd's can be compared line by line.
import re, sys, libvirt

libvirt.registerErrorHandler(lambda *a: None, None)
URI = sys.argv[1]
c = libvirt.open(URI)
ro = libvirt.openReadOnly(URI.replace("libvirt-sock", "libvirt-sock-ro"))
A = libvirt
L, C = A.VIR_DOMAIN_AFFECT_LIVE, A.VIR_DOMAIN_AFFECT_CONFIG
V, P = A.VIR_MEMORY_VIRTUAL, A.VIR_MEMORY_PHYSICAL


def show(name, f):
    try:
        print(name, "=", repr(f()))
    except libvirt.libvirtError as e:
        print(name, "ERR", e.get_error_code(), e.get_error_domain(), str(e))
    except (LookupError, TypeError, ValueError, OverflowError) as e:
        print(name, "EXC", type(e).__name__, str(e))


t = c.lookupByName("test")
rot = ro.lookupByName("test")
show("peek", lambda: t.memoryPeek(100, 8, V))
show("peek wraps", lambda: list(t.memoryPeek(250, 10, P)))
show("peek large", lambda: len(t.memoryPeek(0, 100000, V)))
show("peek both", lambda: t.memoryPeek(0, 8, V | P))
show("peek neither", lambda: t.memoryPeek(0, 8, 0))
show("peek unknown flag", lambda: t.memoryPeek(0, 8, 4))
show("peek ro", lambda: rot.memoryPeek(0, 8, V))
off = c.defineXML("<domain type='test'><name>off</name><memory>1024</memory>"
                  "<os><type>hvm</type></os></domain>")
show("peek off", lambda: off.memoryPeek(0, 8, V))
off.undefine()

for arch in ("x86_64", "i686", "ppc64", "ppc64le", "aarch64", "s390x", "riscv64", "bogus"):
    show("models " + arch, lambda: c.getCPUModelNames(arch))
show("models flags", lambda: c.getCPUModelNames("x86_64", 1))
show("models ro", lambda: len(ro.getCPUModelNames("x86_64")))

show("launch security", lambda: t.launchSecurityInfo(0))
show("launch security ro", lambda: rot.launchSecurityInfo(0))


def threads_xml(d, flags=0):
    s = d.XMLDesc(flags)
    return re.findall(r"\n( *<(?:iothreads|iothreadids|cputune)[ >].*?"
                      r"(?:</iothreads>|</iothreadids>|</cputune>))", s, re.S)


d = c.defineXML("<domain type='test'><name>io</name><memory>1024</memory>"
                "<vcpu>2</vcpu><iothreads>2</iothreads><os><type>hvm</type></os></domain>")
show("info implied", lambda: d.ioThreadInfo(0))
show("xml implied", lambda: threads_xml(d))
show("add 5", lambda: d.addIOThread(5, 0))
show("add 5 again", lambda: d.addIOThread(5, 0))
show("add 0", lambda: d.addIOThread(0, 0))
show("xml added", lambda: threads_xml(d))
show("pin 5", lambda: d.pinIOThread(5, (False, True), 0))
show("pin missing", lambda: d.pinIOThread(9, (False, True), 0))
show("pin empty", lambda: d.pinIOThread(5, (False, False), 0))
show("info pinned", lambda: d.ioThreadInfo(0))
show("xml pinned", lambda: threads_xml(d))
show("del 1", lambda: d.delIOThread(1, 0))
show("del missing", lambda: d.delIOThread(9, 0))
show("del 0", lambda: d.delIOThread(0, 0))
show("add live off", lambda: d.addIOThread(7, L))
show("info live off", lambda: d.ioThreadInfo(L))
rod = ro.lookupByName("io")
show("add ro", lambda: rod.addIOThread(8, 0))
show("info ro", lambda: rod.ioThreadInfo(0))
d.create()
show("add live", lambda: d.addIOThread(7, L))
show("pin live", lambda: d.pinIOThread(7, (True,), L))
show("info live", lambda: d.ioThreadInfo(L))
show("info config", lambda: d.ioThreadInfo(C))
show("add config", lambda: d.addIOThread(9, C))
show("xml live", lambda: threads_xml(d))
show("xml config", lambda: threads_xml(d, A.VIR_DOMAIN_XML_INACTIVE))
show("del pinned", lambda: d.delIOThread(5, 0))
show("info after", lambda: d.ioThreadInfo(0))
show("xml after", lambda: threads_xml(d))
d.destroy()
show("xml stopped", lambda: threads_xml(d))
d.undefine()
c4 = c.defineXML("<domain type='test'><name>io4</name><memory>1024</memory>"
                 "<vcpu cpuset='1'>4</vcpu><iothreads>1</iothreads><os><type>hvm</type></os></domain>")
show("info cpuset", lambda: c4.ioThreadInfo(0))
c4.undefine()

# Functions libvirt's test driver lacks: "not supported", named, in libvirt's domain.
show("job stats", lambda: t.jobStats(0))
show("job info", lambda: t.jobInfo())
show("max speed", lambda: t.migrateGetMaxSpeed(0))
show("block peek", lambda: t.blockPeek("vda", 0, 8, 0))
show("node memory stats", lambda: c.getMemoryStats(-1, 0))
show("sev info", lambda: c.getSEVInfo(0))
show("storage pool caps", lambda: len(c.getStoragePoolCapabilities(0)))
