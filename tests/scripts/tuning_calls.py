# Domain tuning parameters on a test-driver daemon (virDomain{Get,Set}MemoryParameters,
# virDomain{Get,Set}BlkioParameters): counts, values of the live and the persistent definition by flags, sets and
# their refusals, the XML they leave, a read-only connection; printed so that
# libvirtd's transcript and rvirtd's can be compared line by line.
import re, sys, libvirt

libvirt.registerErrorHandler(lambda *a: None, None)
URI = sys.argv[1]
c = libvirt.open(URI)
ro = libvirt.openReadOnly(URI.replace("libvirt-sock", "libvirt-sock-ro"))
A = libvirt
L, C = A.VIR_DOMAIN_AFFECT_LIVE, A.VIR_DOMAIN_AFFECT_CONFIG
UNLIMITED = 9007199254740991  # VIR_DOMAIN_MEMORY_PARAM_UNLIMITED
XML = """<domain type='test'><name>tun</name><uuid>6f1c0c1e-5a0f-4d8e-9e43-2b8f7c6a9d02</uuid>
<memory unit='KiB'>1048576</memory><vcpu>2</vcpu><os><type arch='x86_64'>hvm</type></os>
<memtune><hard_limit unit='GiB'>2</hard_limit><swap_hard_limit unit='MiB'>4096</swap_hard_limit></memtune>
<blkiotune><weight>300</weight><device><path>/dev/sda</path><weight>200</weight>
<read_iops_sec>1000</read_iops_sec></device></blkiotune>
<devices><disk type='file' device='disk'><source file='/var/img/t.qcow2'/>
<target dev='vda' bus='virtio'/></disk>
<interface type='network'><mac address='52:54:00:11:22:33'/><source network='default'/>
<target dev='vnet7'/></interface></devices></domain>"""
d = c.defineXML(XML)
rod = ro.lookupByName("tun")


def show(name, f):
    try:
        print(name, "=", repr(f()))
    except libvirt.libvirtError as e:
        print(name, "ERR", e.get_error_code(), e.get_error_domain(), str(e))
    except (LookupError, TypeError, ValueError) as e:
        print(name, "EXC", type(e).__name__, str(e))


def section(xml, tag):
    m = re.search(r"\n( *<%s>.*?</%s>)" % (tag, tag), xml, re.S)
    return m.group(1) if m else None


def memtune(flags=0):
    return section(d.XMLDesc(flags), "memtune")


print("# memory parameters, inactive")
for f in (0, L, C, L | C):
    show("mem get %d" % f, lambda: d.memoryParameters(f))
show("mem set current", lambda: d.setMemoryParameters({"soft_limit": 524288}, 0))
show("mem set live off", lambda: d.setMemoryParameters({"soft_limit": 1}, L))
show("mem set both off", lambda: d.setMemoryParameters({"soft_limit": 1}, L | C))
show("mem set swap below hard", lambda: d.setMemoryParameters({"swap_hard_limit": 1024}, C))
show("mem set hard above swap", lambda: d.setMemoryParameters({"hard_limit": 8388608}, C))
show("mem set both ok", lambda: d.setMemoryParameters(
    {"hard_limit": 8388608, "swap_hard_limit": 9437184}, C))
show("mem set unlimited", lambda: d.setMemoryParameters({"soft_limit": UNLIMITED}, C))
show("mem set min_guarantee", lambda: d.setMemoryParameters({"min_guarantee": 1}, C))
show("mem get config", lambda: d.memoryParameters(C))
show("memtune xml", memtune)
show("mem set zero", lambda: d.setMemoryParameters({"hard_limit": 0}, C))
show("memtune xml", memtune)
show("mem set hard unlimited", lambda: d.setMemoryParameters(
    {"hard_limit": UNLIMITED, "swap_hard_limit": UNLIMITED}, C))
show("memtune xml", memtune)
show("ro mem get", lambda: rod.memoryParameters(0))
show("ro mem set", lambda: rod.setMemoryParameters({"soft_limit": 1}, 0))

print("# blkio parameters, inactive")
for f in (0, L, C, L | C):
    show("blkio get %d" % f, lambda: d.blkioParameters(f))
show("blkio set weight", lambda: d.setBlkioParameters({"weight": 500}, C))
show("blkio set iops", lambda: d.setBlkioParameters(
    {"device_read_iops_sec": "/dev/sdb,500,/dev/sda,0", "device_write_bytes_sec": "/dev/sda,1048576"}, 0))
show("blkio set odd", lambda: d.setBlkioParameters({"device_weight": "/dev/sda,100,/dev/sdb"}, C))
show("blkio set bad number", lambda: d.setBlkioParameters({"device_weight": "/dev/sda,x"}, C))
show("blkio set bad and good", lambda: d.setBlkioParameters(
    {"weight": 700, "device_weight": "/dev/sdc,x", "device_write_iops_sec": "/dev/sdc,9"}, C))
show("blkio set empty", lambda: d.setBlkioParameters({"device_weight": ""}, C))
show("blkio set live off", lambda: d.setBlkioParameters({"weight": 1}, L))
show("blkio get", lambda: d.blkioParameters(0))
show("blkiotune xml", lambda: section(d.XMLDesc(0), "blkiotune"))
show("blkio set clear", lambda: d.setBlkioParameters(
    {"weight": 0, "device_weight": "/dev/sda,0", "device_read_iops_sec": "/dev/sdb,0",
     "device_write_bytes_sec": "/dev/sda,0", "device_write_iops_sec": "/dev/sdc,0"}, C))
show("blkiotune xml", lambda: section(d.XMLDesc(0), "blkiotune"))
show("ro blkio get", lambda: rod.blkioParameters(0))
show("ro blkio set", lambda: rod.setBlkioParameters({"weight": 1}, 0))
show("blkio set again", lambda: d.setBlkioParameters({"weight": 250, "device_weight": "/dev/vdb,10"}, C))

print("# memory parameters, running")
d.create()
show("mem set live", lambda: d.setMemoryParameters({"hard_limit": 3145728, "soft_limit": 1048576}, L))
show("mem get live", lambda: d.memoryParameters(L))
show("mem get current", lambda: d.memoryParameters(0))
show("mem get config", lambda: d.memoryParameters(C))
show("memtune live", memtune)
show("memtune inactive", lambda: memtune(A.VIR_DOMAIN_XML_INACTIVE))
show("mem set config", lambda: d.setMemoryParameters({"swap_hard_limit": 2097152}, C))
show("mem set config swap", lambda: d.setMemoryParameters({"swap_hard_limit": 4194304}, C))
show("mem get config", lambda: d.memoryParameters(C))
show("mem get live", lambda: d.memoryParameters(L))
show("mem set both", lambda: d.setMemoryParameters({"soft_limit": 4}, L | C))
print("# blkio parameters, running")
show("blkio set live", lambda: d.setBlkioParameters({"weight": 900, "device_read_bytes_sec": "/dev/vdb,2048"}, L))
show("blkio get live", lambda: d.blkioParameters(L))
show("blkio get config", lambda: d.blkioParameters(C))
show("blkiotune live", lambda: section(d.XMLDesc(0), "blkiotune"))
show("blkiotune inactive", lambda: section(d.XMLDesc(A.VIR_DOMAIN_XML_INACTIVE), "blkiotune"))
show("blkio set both", lambda: d.setBlkioParameters({"weight": 1}, L | C))
d.destroy()
show("blkio get after", lambda: d.blkioParameters(0))
show("mem get after", lambda: d.memoryParameters(0))
show("memtune after", memtune)
d.undefine()

print("# memory parameters, transient")
t = c.createXML(XML.replace("<name>tun</name>", "<name>tr</name>").replace("6f1c", "7f1c"), 0)
show("mem get config", lambda: t.memoryParameters(C))
show("mem set config", lambda: t.setMemoryParameters({"soft_limit": 1}, C))
show("mem get", lambda: t.memoryParameters(0))
t.destroy()
