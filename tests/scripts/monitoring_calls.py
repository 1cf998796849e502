# Calls the monitoring and metadata APIs on a test-driver daemon and prints the results
# with what varies between runs (clock-derived counters, domain ids) normalised, so
# that libvirtd's output and rvirtd's can be compared line by line.
import sys, time, libvirt

libvirt.virEventRegisterDefaultImpl()
# A periodic timer, so that each turn of the loop returns even when nothing happens.
libvirt.virEventAddTimeout(50, lambda timer, opaque: None, None)
c = libvirt.open(sys.argv[1])
XML = """<domain type='test'><name>mon</name>
<memory unit='KiB'>1048576</memory><currentMemory unit='KiB'>524288</currentMemory>
<vcpu placement='static' current='2'>3</vcpu><os><type arch='x86_64'>hvm</type></os>
<devices>
  <disk type='file' device='disk'><source file='/var/img/mon.qcow2'/><target dev='vdb' bus='virtio'/></disk>
  <interface type='network'><mac address='52:54:00:11:22:33'/><source network='default'/></interface>
  <memballoon model='virtio'/>
</devices></domain>"""
events = []
def on_metadata(conn, dom, mtype, nsuri, opaque):
    events.append((dom.name(), mtype, nsuri))
cb = c.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_METADATA_CHANGE, on_metadata, None)
d = c.defineXML(XML)

def show(name, f):
    try:
        print(name, "=", repr(f()))
    except libvirt.libvirtError as e:
        print(name, "ERR", e.get_error_code(), e.get_error_domain(), str(e))

def positive(t):
    return tuple(v > 0 for v in t)

def vcpus():
    info, maps = d.vcpus()
    return [(n, s, t > 0, cpu) for n, s, t, cpu in info], maps

def stats(doms, groups, flags=0):
    if doms is None:
        return sorted((x.name(), st) for x, st in c.getAllDomainStats(groups, flags))
    return [(x.name(), st) for x, st in c.domainListGetStats(doms, groups, flags)]

def addresses():
    out = {}
    for name, v in d.interfaceAddresses(0).items():
        addrs = [(a["type"], a["addr"].rsplit(".", 1)[0], a["prefix"]) for a in v["addrs"]]
        out[name] = (v["hwaddr"], addrs)
    return out

A = libvirt
for phase in ("inactive", "active"):
    if phase == "active":
        d.create()
    print("--", phase)
    show("memoryStats", lambda: d.memoryStats())
    show("controlInfo", lambda: d.controlInfo())
    show("vcpus", vcpus)
    show("vcpuPinInfo", lambda: d.vcpuPinInfo(0))
    show("emulatorPinInfo", lambda: d.emulatorPinInfo(0))
    show("ioThreadInfo", lambda: d.ioThreadInfo(0))
    show("blockInfo target", lambda: d.blockInfo("vdb"))
    show("blockInfo path", lambda: d.blockInfo("/var/img/mon.qcow2"))
    show("blockInfo missing", lambda: d.blockInfo("/nope"))
    show("blockStats", lambda: positive(d.blockStats("vdb")))
    show("blockStats missing", lambda: d.blockStats("vda"))
    show("interfaceStats mac", lambda: positive(d.interfaceStats("52:54:00:11:22:33")))
    show("interfaceStats missing", lambda: d.interfaceStats("vnet7"))
    show("interfaceAddresses", addresses)
    show("cpuStats total", lambda: d.getCPUStats(True))
    show("cpuStats per cpu", lambda: d.getCPUStats(False))
    show("hostname", lambda: d.hostname())
    for t in (-3, -2, -1, 0, 30):
        show("agentSetResponseTimeout %d" % t, lambda: d.agentSetResponseTimeout(t, 0))
    show("agentSetResponseTimeout flags", lambda: d.agentSetResponseTimeout(5, 1))
    show("fsInfo", lambda: d.fsInfo())
    show("getTime", lambda: d.getTime())
    show("diskErrors", lambda: d.diskErrors())
    show("schedulerType", lambda: d.schedulerType())
    show("vcpusFlags", lambda: [d.vcpusFlags(f) for f in (0, A.VIR_DOMAIN_VCPU_MAXIMUM)])
    show("vcpusFlags config", lambda: d.vcpusFlags(A.VIR_DOMAIN_AFFECT_CONFIG))
    show("vcpusFlags guest", lambda: d.vcpusFlags(A.VIR_DOMAIN_VCPU_GUEST))
    show("maxVcpus", lambda: d.maxVcpus())
    show("maxMemory", lambda: d.maxMemory())
    show("OSType", lambda: d.OSType())
    show("securityLabel", lambda: d.securityLabel())
    show("stats mine", lambda: stats([d], 0))
    show("stats state", lambda: stats([d], A.VIR_DOMAIN_STATS_STATE))
    show("stats balloon", lambda: stats([d], A.VIR_DOMAIN_STATS_BALLOON))
    show("stats enforce", lambda: stats([d], A.VIR_DOMAIN_STATS_BALLOON,
                                         A.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS))
    show("stats all", lambda: stats(None, 0))
    show("stats active", lambda: stats(None, 0, A.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE))
    show("stats inactive", lambda: stats(None, 0, A.VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE))
    show("stats list filter", lambda: stats([d], 0, A.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE))

print("-- node")
show("getFreeMemory", lambda: c.getFreeMemory())
show("getCellsFreeMemory", lambda: c.getCellsFreeMemory(0, 2))
show("getCellsFreeMemory tail", lambda: c.getCellsFreeMemory(1, 5))
show("getCellsFreeMemory beyond", lambda: c.getCellsFreeMemory(3, 1))
show("getCPUMap", lambda: c.getCPUMap(0))
show("getSecurityModel", lambda: c.getSecurityModel())

print("-- metadata")
M = (A.VIR_DOMAIN_METADATA_DESCRIPTION, A.VIR_DOMAIN_METADATA_TITLE, A.VIR_DOMAIN_METADATA_ELEMENT)
URI = "http://example.org/app/"
show("title none", lambda: d.metadata(A.VIR_DOMAIN_METADATA_TITLE, None))
show("set title", lambda: d.setMetadata(A.VIR_DOMAIN_METADATA_TITLE, "My VM", None, None, 0))
show("title", lambda: d.metadata(A.VIR_DOMAIN_METADATA_TITLE, None))
show("set title newline", lambda: d.setMetadata(A.VIR_DOMAIN_METADATA_TITLE, "a\nb", None, None, 0))
show("set element", lambda: d.setMetadata(A.VIR_DOMAIN_METADATA_ELEMENT,
                                          "<foo a='1'><bar>x &amp; y</bar></foo>", "app", URI, 0))
show("element", lambda: d.metadata(A.VIR_DOMAIN_METADATA_ELEMENT, URI))
show("element other", lambda: d.metadata(A.VIR_DOMAIN_METADATA_ELEMENT, "http://other/"))
show("xml metadata", lambda: [l for l in d.XMLDesc(0).splitlines()
                               if "title" in l or "app:" in l or "metadata" in l])
show("set description config", lambda: d.setMetadata(A.VIR_DOMAIN_METADATA_DESCRIPTION, "desc",
                                                     None, None, A.VIR_DOMAIN_AFFECT_CONFIG))
show("description live", lambda: d.metadata(A.VIR_DOMAIN_METADATA_DESCRIPTION, None,
                                            A.VIR_DOMAIN_AFFECT_LIVE))
show("description config", lambda: d.metadata(A.VIR_DOMAIN_METADATA_DESCRIPTION, None,
                                              A.VIR_DOMAIN_AFFECT_CONFIG))
show("remove element", lambda: d.setMetadata(A.VIR_DOMAIN_METADATA_ELEMENT, None, None, URI, 0))
show("element removed", lambda: d.metadata(A.VIR_DOMAIN_METADATA_ELEMENT, URI))
d.destroy()
show("description after stop", lambda: d.metadata(A.VIR_DOMAIN_METADATA_DESCRIPTION, None))
show("title after stop", lambda: d.metadata(A.VIR_DOMAIN_METADATA_TITLE, None))
deadline = time.time() + 5
while len(events) < 4 and time.time() < deadline:
    libvirt.virEventRunDefaultImpl()
print("-- events")
for e in events:
    print("metadata-change", *e)
c.domainEventDeregisterAny(cb)
d.undefine()
c.close()
