# Per-device and per-domain tuning a test-driver daemon keeps in the domain XML:
# block I/O throttling (virDomain{Get,Set}BlockIoTune, <iotune>), a NIC's bandwidth
# (virDomain{Get,Set}InterfaceParameters, <bandwidth>), the NUMA memory policy
# (virDomain{Get,Set}NumaParameters, <numatune>), perf events
# (virDomain{Get,Set}PerfEvents, <perf>) and lifecycle actions
# (virDomainSetLifecycleAction); counts, values by flags, libvirt's refusals and
# wording, the XML left behind, a read-only connection. Printed so that libvirtd's
# transcript and rvirtd's can be compared line by line.
import re, sys, libvirt

libvirt.registerErrorHandler(lambda *a: None, None)
URI = sys.argv[1]
c = libvirt.open(URI)
ro = libvirt.openReadOnly(URI.replace("libvirt-sock", "libvirt-sock-ro"))
A = libvirt
L, C = A.VIR_DOMAIN_AFFECT_LIVE, A.VIR_DOMAIN_AFFECT_CONFIG
XML = """<domain type='test'><name>dtun</name><uuid>7a1c0c1e-5a0f-4d8e-9e43-2b8f7c6a9d03</uuid>
<memory unit='KiB'>1048576</memory><vcpu>2</vcpu><os><type arch='x86_64'>hvm</type></os>
<numatune><memory mode='preferred' nodeset='0'/></numatune>
<devices><disk type='file' device='disk'><source file='/var/img/t.qcow2'/>
<target dev='vda' bus='virtio'/><iotune><total_bytes_sec>1000</total_bytes_sec>
<total_bytes_sec_max>5000</total_bytes_sec_max><read_iops_sec>10</read_iops_sec>
<read_iops_sec_max>20</read_iops_sec_max><write_iops_sec>10</write_iops_sec>
<write_iops_sec_max>30</write_iops_sec_max></iotune></disk>
<disk type='file' device='cdrom'><source file='/var/img/cd.iso'/><target dev='hdc' bus='ide'/></disk>
<interface type='network'><mac address='52:54:00:11:22:44'/><source network='default'/>
<bandwidth><inbound average='100' peak='200' burst='300'/></bandwidth>
<target dev='tap8'/></interface>
<interface type='user'><mac address='52:54:00:11:22:45'/></interface></devices></domain>"""
d = c.defineXML(XML)
rod = ro.lookupByName("dtun")


def show(name, f):
    try:
        print(name, "=", repr(f()))
    except libvirt.libvirtError as e:
        print(name, "ERR", e.get_error_code(), e.get_error_domain(), str(e))
    except (LookupError, TypeError, ValueError, OverflowError) as e:
        print(name, "EXC", type(e).__name__, str(e))


def section(xml, tag):
    """Every <tag> element of `xml`, with its children."""
    return re.findall(r"\n( *<%s(?: [^>]*)?(?:/>|>.*?</%s>))" % (tag, tag), xml, re.S)


def xmls(label):
    for flags, which in ((0, "live"), (A.VIR_DOMAIN_XML_INACTIVE, "inactive")):
        x = d.XMLDesc(flags)
        for tag in ("iotune", "interface", "numatune", "perf", "on_poweroff", "on_reboot", "on_crash"):
            print(label, which, tag, "=", section(x, tag))


# block I/O throttling, shut off
show("bio get", lambda: d.blockIoTune("vda", 0))
show("bio get path", lambda: d.blockIoTune("/var/img/t.qcow2", 0))
show("bio get cdrom", lambda: d.blockIoTune("hdc", 0))
show("bio get none", lambda: d.blockIoTune("vdz", 0))
show("bio get live", lambda: d.blockIoTune("vda", L))
show("bio get both", lambda: d.blockIoTune("vda", L | C))
show("bio set within", lambda: d.setBlockIoTune("vda", {"total_bytes_sec": 4000, "group_name": "grp"}, 0))
show("bio set over", lambda: d.setBlockIoTune("vda", {"total_bytes_sec": 6000}, 0))
show("bio set total and read", lambda: d.setBlockIoTune("vda", {"read_bytes_sec": 1}, 0))
show("bio set iops both", lambda: d.setBlockIoTune("vda", {"total_iops_sec": 5}, 0))
show("bio set max both", lambda: d.setBlockIoTune("vda", {"read_bytes_sec_max": 5}, 0))
show("bio set imax both", lambda: d.setBlockIoTune("vda", {"total_iops_sec_max": 5}, 0))
show("bio set huge", lambda: d.setBlockIoTune("vda", {"write_iops_sec_max": 10**15 + 1}, 0))
show("bio set limit", lambda: d.setBlockIoTune("vda", {"write_iops_sec_max": 10**15}, 0))
show("bio set lengths", lambda: d.setBlockIoTune("vda", {"size_iops_sec": 7, "read_iops_sec_max_length": 9, "total_bytes_sec_max_length": 3}, 0))
show("bio set type", lambda: d.setBlockIoTune("vda", {"size_iops_sec": "x"}, 0))
show("bio set missing disk", lambda: d.setBlockIoTune("vdz", {"size_iops_sec": 1}, 0))
show("bio set live off", lambda: d.setBlockIoTune("vda", {"size_iops_sec": 1}, L))
show("bio set both", lambda: d.setBlockIoTune("vda", {"size_iops_sec": 1}, L | C))
show("bio set zeros", lambda: d.setBlockIoTune("vda", {"read_iops_sec": 0, "write_iops_sec": 0}, 0))
show("bio get after", lambda: d.blockIoTune("vda", 0))
show("bio ro get", lambda: rod.blockIoTune("vda", 0))
show("bio ro set", lambda: rod.setBlockIoTune("vda", {"size_iops_sec": 1}, 0))

# interface bandwidth, shut off
show("if get", lambda: d.interfaceParameters("tap8", 0))
show("if get mac", lambda: d.interfaceParameters("52:54:00:11:22:44", 0))
show("if get user", lambda: d.interfaceParameters("52:54:00:11:22:45", 0))
show("if get none", lambda: d.interfaceParameters("tap9", 0))
show("if get live", lambda: d.interfaceParameters("tap8", L))
show("if set out", lambda: d.setInterfaceParameters("tap8", {"outbound.average": 50, "outbound.burst": 60}, 0))
show("if get out", lambda: d.interfaceParameters("tap8", 0))
show("if set peak only", lambda: d.setInterfaceParameters("tap8", {"inbound.peak": 999}, 0))
show("if get peak only", lambda: d.interfaceParameters("tap8", 0))
show("if set floor", lambda: d.setInterfaceParameters("tap8", {"inbound.floor": 7}, 0))
show("if get floor", lambda: d.interfaceParameters("tap8", 0))
show("if set clear in", lambda: d.setInterfaceParameters("tap8", {"inbound.average": 0}, 0))
show("if get clear in", lambda: d.interfaceParameters("tap8", 0))
show("if set user", lambda: d.setInterfaceParameters("52:54:00:11:22:45", {"inbound.average": 10}, 0))
show("if set type", lambda: d.setInterfaceParameters("tap8", {"inbound.average": 10**12}, 0))
show("if set unknown", lambda: d.setInterfaceParameters("tap9", {"inbound.average": 10}, 0))
show("if ro set", lambda: rod.setInterfaceParameters("tap8", {"inbound.average": 10}, 0))
show("if ro get", lambda: rod.interfaceParameters("tap8", 0))

# NUMA policy, shut off
show("numa get", lambda: d.numaParameters(0))
show("numa set nodeset", lambda: d.setNumaParameters({"numa_nodeset": "0-1"}, 0))
show("numa set mode", lambda: d.setNumaParameters({"numa_mode": A.VIR_DOMAIN_NUMATUNE_MEM_INTERLEAVE}, 0))
show("numa get after", lambda: d.numaParameters(0))
show("numa set bad mode", lambda: d.setNumaParameters({"numa_mode": 9}, 0))
show("numa set empty", lambda: d.setNumaParameters({"numa_nodeset": ""}, 0))
show("numa set bad nodeset", lambda: d.setNumaParameters({"numa_nodeset": "x"}, 0))
show("numa ro set", lambda: rod.setNumaParameters({"numa_nodeset": "0"}, 0))

# perf events, shut off
show("perf get", lambda: d.perfEvents(0))
show("perf set", lambda: d.setPerfEvents({"cmt": True, "cpu_cycles": False, "emulation_faults": True}, 0))
show("perf get after", lambda: d.perfEvents(0))
show("perf set type", lambda: d.setPerfEvents({"cmt": 1}, 0))
show("perf ro set", lambda: rod.setPerfEvents({"cmt": False}, 0))
show("perf ro get", lambda: [k for k, v in rod.perfEvents(0).items() if v])

# lifecycle actions, shut off
show("lc poweroff", lambda: d.setLifecycleAction(A.VIR_DOMAIN_LIFECYCLE_POWEROFF, A.VIR_DOMAIN_LIFECYCLE_ACTION_RESTART))
show("lc crash", lambda: d.setLifecycleAction(A.VIR_DOMAIN_LIFECYCLE_CRASH, A.VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_DESTROY))
show("lc reboot preserve", lambda: d.setLifecycleAction(A.VIR_DOMAIN_LIFECYCLE_REBOOT, A.VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE))
show("lc reboot coredump", lambda: d.setLifecycleAction(A.VIR_DOMAIN_LIFECYCLE_REBOOT, A.VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_RESTART))
show("lc bad type", lambda: d.setLifecycleAction(7, 1))
show("lc bad action", lambda: d.setLifecycleAction(0, 17))
show("lc ro", lambda: rod.setLifecycleAction(0, 1))
xmls("off")

# running: live and persistent definitions part
d.create()
show("bio run get", lambda: d.blockIoTune("vda", 0))
show("bio run set live", lambda: d.setBlockIoTune("vda", {"total_bytes_sec": 10, "group_name": "live"}, L))
show("bio run set config", lambda: d.setBlockIoTune("vda", {"total_bytes_sec": 20}, C))
show("bio run get live", lambda: d.blockIoTune("vda", L)["group_name"])
show("bio run get config", lambda: (d.blockIoTune("vda", C)["total_bytes_sec"], d.blockIoTune("vda", C)["group_name"]))
show("if run set live", lambda: d.setInterfaceParameters("tap8", {"inbound.average": 11, "inbound.burst": 12}, L))
show("if run get live", lambda: d.interfaceParameters("tap8", L))
show("if run get config", lambda: d.interfaceParameters("tap8", C))
show("numa run set", lambda: d.setNumaParameters({"numa_nodeset": "0"}, L))
show("numa run set mode", lambda: d.setNumaParameters({"numa_mode": A.VIR_DOMAIN_NUMATUNE_MEM_STRICT}, L))
show("numa run get", lambda: d.numaParameters(L))
show("perf run set", lambda: d.setPerfEvents({"instructions": True}, L))
show("perf run get config", lambda: [k for k, v in d.perfEvents(C).items() if v])
show("perf run get live", lambda: [k for k, v in d.perfEvents(L).items() if v])
show("lc run", lambda: d.setLifecycleAction(A.VIR_DOMAIN_LIFECYCLE_POWEROFF, A.VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY, L))
show("lc run config", lambda: d.setLifecycleAction(A.VIR_DOMAIN_LIFECYCLE_CRASH, A.VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE, C))
xmls("running")
d.destroy()
xmls("after")
d.undefine()
