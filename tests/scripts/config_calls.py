# Domain configuration calls on a test-driver daemon: memory, vCPUs, device
# attach/detach/update, with their live/config flags, errors and events, printed so
# that libvirtd's transcript and rvirtd's can be compared line by line.
import re, sys, time, libvirt

libvirt.virEventRegisterDefaultImpl()
libvirt.virEventAddTimeout(50, lambda timer, opaque: None, None)
c = libvirt.open(sys.argv[1])
A = libvirt
events = []
c.domainEventRegisterAny(None, A.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                         lambda conn, dom, e, d, o: events.append(("lifecycle", dom.name(), e, d)), None)
c.domainEventRegisterAny(None, A.VIR_DOMAIN_EVENT_ID_DEVICE_ADDED,
                         lambda conn, dom, dev, o: events.append(("added", dom.name(), dev)), None)
c.domainEventRegisterAny(None, A.VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
                         lambda conn, dom, dev, o: events.append(("removed", dom.name(), dev)), None)
XML = """<domain type='test'><name>cfg</name><uuid>3d1b0c1e-5a0f-4d8e-9e43-2b8f7c6a9d01</uuid>
<memory unit='KiB'>1048576</memory><currentMemory unit='KiB'>524288</currentMemory>
<vcpu current='1'>4</vcpu><os><type arch='x86_64'>hvm</type></os>
<devices><disk type='file' device='disk'><source file='/var/img/c.qcow2'/>
<target dev='vda' bus='virtio'/></disk></devices></domain>"""
d = c.defineXML(XML)

def show(name, f):
    try:
        print(name, "=", repr(f()))
    except libvirt.libvirtError as e:
        print(name, "ERR", e.get_error_code(), e.get_error_domain(), str(e))

def pump():
    deadline = time.time() + 0.3
    while time.time() < deadline:
        libvirt.virEventRunDefaultImpl()
    got = list(events)
    events.clear()
    return got

def mem():
    x = d.XMLDesc(0)
    return [re.search(r"<memory[^>]*>(\d+)", x).group(1),
            re.search(r"<currentMemory[^>]*>(\d+)", x).group(1)]

def mem_inactive():
    x = d.XMLDesc(A.VIR_DOMAIN_XML_INACTIVE)
    return [re.search(r"<memory[^>]*>(\d+)", x).group(1),
            re.search(r"<currentMemory[^>]*>(\d+)", x).group(1)]

def vcpu_xml(flags=0):
    return re.search(r"<vcpu[^>]*>\d+</vcpu>", d.XMLDesc(flags)).group(0)

L, C, M = A.VIR_DOMAIN_AFFECT_LIVE, A.VIR_DOMAIN_AFFECT_CONFIG, A.VIR_DOMAIN_MEM_MAXIMUM
pump()
print("# memory, inactive")
show("info", lambda: d.info()[:3])
show("setMemory off", lambda: d.setMemory(262144))
show("setMemoryFlags config", lambda: d.setMemoryFlags(262144, C))
show("mem", mem)
show("setMemoryFlags current", lambda: d.setMemoryFlags(393216, 0))
show("mem", mem)
show("setMemoryFlags live off", lambda: d.setMemoryFlags(262144, L))
show("setMemoryFlags live+config", lambda: d.setMemoryFlags(262144, L | C))
show("setMemoryFlags too high", lambda: d.setMemoryFlags(2097152, C))
show("setMemoryFlags bad flag", lambda: d.setMemoryFlags(262144, 1 << 7))
show("setMaxMemory off", lambda: d.setMaxMemory(786432))
show("mem", mem)
show("maxMemory", lambda: d.maxMemory())
show("setMemoryFlags max config", lambda: d.setMemoryFlags(917504, C | M))
show("mem", mem)
show("setMaxMemory lower than current", lambda: d.setMaxMemory(131072))
show("mem", mem)
show("setMaxMemory back", lambda: d.setMaxMemory(1048576))
show("setMemory zero", lambda: d.setMemory(0))
print("events", pump())
print("# memory, running")
d.create()
pump()
show("setMemory run", lambda: d.setMemory(262144))
show("mem", mem)
show("mem inactive", mem_inactive)
show("info", lambda: d.info()[:3])
show("setMemoryFlags config run", lambda: d.setMemoryFlags(196608, C))
show("mem", mem)
show("mem inactive", mem_inactive)
show("setMemoryFlags live+config run", lambda: d.setMemoryFlags(196608, L | C))
show("setMaxMemory run", lambda: d.setMaxMemory(786432))
show("setMemoryFlags max live", lambda: d.setMemoryFlags(786432, L | M))
show("setMemoryFlags max config run", lambda: d.setMemoryFlags(786432, C | M))
show("mem inactive", mem_inactive)
show("setMemory too high run", lambda: d.setMemory(4194304))
print("events", pump())
print("# vcpus, running")
V = A.VIR_DOMAIN_VCPU_MAXIMUM
for label, fl in [("live", L), ("config", C), ("max live", L | V), ("max config", C | V)]:
    show("vcpusFlags " + label, lambda: d.vcpusFlags(fl))
show("setVcpus 2", lambda: d.setVcpus(2))
show("vcpusFlags live", lambda: d.vcpusFlags(L))
show("vcpusFlags config", lambda: d.vcpusFlags(C))
show("vcpu xml", vcpu_xml)
show("setVcpus too many", lambda: d.setVcpus(5))
show("setVcpus 0", lambda: d.setVcpus(0))
show("setVcpus beyond driver", lambda: d.setVcpus(40))
show("setVcpusFlags config 3", lambda: d.setVcpusFlags(3, C))
show("vcpu xml inactive", lambda: vcpu_xml(A.VIR_DOMAIN_XML_INACTIVE))
show("setVcpusFlags max live", lambda: d.setVcpusFlags(2, L | V))
show("setVcpusFlags max config", lambda: d.setVcpusFlags(2, C | V))
show("vcpu xml inactive", lambda: vcpu_xml(A.VIR_DOMAIN_XML_INACTIVE))
show("setVcpusFlags max config 6", lambda: d.setVcpusFlags(6, C | V))
show("vcpu xml inactive", lambda: vcpu_xml(A.VIR_DOMAIN_XML_INACTIVE))
show("setVcpusFlags live+config", lambda: d.setVcpusFlags(1, L | C))
show("vcpusFlags live", lambda: d.vcpusFlags(L))
show("vcpusFlags config", lambda: d.vcpusFlags(C))
show("setVcpusFlags bad flag", lambda: d.setVcpusFlags(1, 1 << 6))
show("info", lambda: d.info()[3])
print("events", pump())
d.destroy()
pump()
print("# vcpus, inactive")
show("setVcpus off", lambda: d.setVcpus(2))
show("setVcpusFlags current", lambda: d.setVcpusFlags(2, 0))
show("vcpu xml", vcpu_xml)
show("setVcpusFlags max", lambda: d.setVcpusFlags(1, V))
show("vcpu xml", vcpu_xml)
show("setVcpusFlags max current", lambda: d.setVcpusFlags(8, V))
show("vcpu xml", vcpu_xml)
print("events", pump())
print("# devices")
DISK = """<disk type='file' device='disk'><source file='/var/img/d.img'/><target dev='vdb' bus='virtio'/></disk>"""
show("attachDevice", lambda: d.attachDevice(DISK))
show("attachDeviceFlags config", lambda: d.attachDeviceFlags(DISK, C))
show("detachDevice", lambda: d.detachDevice(DISK))
show("detachDeviceFlags config", lambda: d.detachDeviceFlags(DISK, C))
show("updateDeviceFlags config", lambda: d.updateDeviceFlags(DISK, C))
print("events", pump())
print("# rename")
show("rename bad flag", lambda: d.rename("cfg2", 1))
show("rename same", lambda: d.rename("cfg", 0))
other = c.defineXML("<domain type='test'><name>other</name><memory>1048576</memory><os><type>hvm</type></os></domain>")
show("rename taken", lambda: d.rename("other", 0))
show("rename empty", lambda: d.rename("", 0))
print("events", pump())
show("rename", lambda: d.rename("cfg2", 0))
show("name", lambda: d.name())
show("lookup new", lambda: c.lookupByName("cfg2").UUIDString())
# The code only: libvirt's test driver words a failed lookup by name "Domain not
# found" alone, rvirt's test driver adds libvirt's shared "no domain with matching
# name" detail (a lookup difference, not a rename one).
try:
    c.lookupByName("cfg")
    print("lookup old found")
except libvirt.libvirtError as e:
    print("lookup old ERR", e.get_error_code(), e.get_error_domain())
show("xml name", lambda: re.search(r"<name>[^<]*</name>", d.XMLDesc(0)).group(0))
print("events", pump())
d.create()
pump()
show("rename running", lambda: d.rename("cfg3", 0))
d.destroy()
pump()
t = c.createXML("<domain type='test'><name>tr</name><memory>1048576</memory><os><type>hvm</type></os></domain>", 0)
show("rename transient", lambda: t.rename("tr2", 0))
t.destroy()
d.snapshotCreateXML("<domainsnapshot><name>s1</name></domainsnapshot>", 0)
show("rename with snapshot", lambda: d.rename("cfg3", 0))
print("events", pump())
other.undefine()
