# Snapshot calls on a test-driver daemon, printed with what varies between runs
# (creation times, time-derived names, UUIDs, hash-table order) normalised, so that
# libvirtd's transcript and rvirtd's can be compared line by line.
import re, sys, time, libvirt

libvirt.virEventRegisterDefaultImpl()
# A periodic timer, so that each turn of the loop returns even when nothing happens.
libvirt.virEventAddTimeout(50, lambda timer, opaque: None, None)
c = libvirt.open(sys.argv[1])
events = []
c.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                         lambda conn, dom, e, d, o: events.append((e, d)), None)
XML = """<domain type='test'><name>snap</name><uuid>7f7e1a02-1f5e-4b46-9f4f-4a0e6d6c1b11</uuid>
<memory unit='KiB'>1048576</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os>
<devices><disk type='file' device='disk'><source file='/var/img/s.qcow2'/>
<target dev='vda' bus='virtio'/></disk></devices></domain>"""
d = c.defineXML(XML)
A = libvirt

def norm(v):
    # Quote style of the embedded domain XML is the domain formatter's business
    # (compared in rvirt-conf's own libvirt corpus tests), not the snapshot code's.
    s = repr(v.replace('"', "'") if isinstance(v, str) else v)
    s = re.sub(r"<creationTime>\d+</creationTime>", "<creationTime>T</creationTime>", s)
    return re.sub(r"'1[0-9]{9}'", "'TIME'", s)

def show(name, f):
    try:
        print(name, "=", norm(f()))
    except libvirt.libvirtError as e:
        print(name, "ERR", e.get_error_code(), e.get_error_domain(), str(e))

def pump():
    deadline = time.time() + 0.3
    while time.time() < deadline:
        libvirt.virEventRunDefaultImpl()
    got = list(events)
    events.clear()
    return got

def names(snaps, keep_order=False):
    n = [s.getName() for s in snaps]
    n = ["TIME" if re.fullmatch(r"1[0-9]{9}", x) else x for x in n]
    return n if keep_order else sorted(n)

snap = lambda n: d.snapshotLookupByName(n, 0)
pump()
show("current none", lambda: d.snapshotCurrent(0))
show("has current none", lambda: d.hasCurrentSnapshot(0))
show("create off1", lambda: d.snapshotCreateXML(
    "<domainsnapshot><name>off1</name><description>first</description></domainsnapshot>", 0).getName())
print("events", pump())
show("xml off1", lambda: snap("off1").getXMLDesc(0))
d.create()
pump()
show("create run1", lambda: d.snapshotCreateXML("<domainsnapshot><name>run1</name></domainsnapshot>", 0).getName())
show("create unnamed", lambda: d.snapshotCreateXML("<domainsnapshot/>", 0).getName())
unnamed = [s.getName() for s in d.listAllSnapshots(A.VIR_DOMAIN_SNAPSHOT_LIST_LEAVES)][0]
show("create duplicate", lambda: d.snapshotCreateXML("<domainsnapshot><name>run1</name></domainsnapshot>", 0))
show("create wrong root", lambda: d.snapshotCreateXML("<notsnap/>", 0))
show("create bad flag", lambda: d.snapshotCreateXML("<domainsnapshot/>", 1 << 20))
print("events", pump())
for label, flags in [("all", 0), ("roots", A.VIR_DOMAIN_SNAPSHOT_LIST_ROOTS),
                     ("leaves", A.VIR_DOMAIN_SNAPSHOT_LIST_LEAVES),
                     ("no leaves", A.VIR_DOMAIN_SNAPSHOT_LIST_NO_LEAVES),
                     ("active", A.VIR_DOMAIN_SNAPSHOT_LIST_ACTIVE),
                     ("inactive", A.VIR_DOMAIN_SNAPSHOT_LIST_INACTIVE),
                     ("no metadata", A.VIR_DOMAIN_SNAPSHOT_LIST_NO_METADATA),
                     ("external", A.VIR_DOMAIN_SNAPSHOT_LIST_EXTERNAL)]:
    show("list " + label, lambda: names(d.listAllSnapshots(flags)))
show("list topological", lambda: names(d.listAllSnapshots(A.VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL), True))
show("num", lambda: d.snapshotNum(0))
show("list names", lambda: sorted(d.snapshotListNames(0))[:1])
show("current", lambda: names([d.snapshotCurrent(0)]))
show("has current", lambda: d.hasCurrentSnapshot(0))
show("parent run1", lambda: snap("run1").getParent(0).getName())
show("parent off1", lambda: snap("off1").getParent(0))
show("children off1", lambda: names(snap("off1").listAllChildren(0)))
show("descendants off1", lambda: names(snap("off1").listAllChildren(A.VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS)))
show("num children off1", lambda: snap("off1").numChildren(0))
show("children names off1", lambda: snap("off1").listChildrenNames(0))
show("is current run1", lambda: snap("run1").isCurrent(0))
show("is current unnamed", lambda: snap(unnamed).isCurrent(0))
show("has metadata", lambda: snap("run1").hasMetadata(0))
show("lookup missing", lambda: snap("zzz"))
show("xml run1", lambda: snap("run1").getXMLDesc(0))
show("revert off1", lambda: d.revertToSnapshot(snap("off1"), 0))
print("events", pump())
show("state", lambda: d.state())
show("current after revert", lambda: d.snapshotCurrent(0).getName())
show("revert run1", lambda: d.revertToSnapshot(snap("run1"), 0))
print("events", pump())
show("state", lambda: d.state())
show("revert run1 paused", lambda: d.revertToSnapshot(snap("run1"), A.VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED))
print("events", pump())
show("state", lambda: d.state())
show("delete off1", lambda: snap("off1").delete(0))
show("roots after delete", lambda: names(d.listAllSnapshots(A.VIR_DOMAIN_SNAPSHOT_LIST_ROOTS)))
show("parent of leaf", lambda: snap(unnamed).getParent(0).getName())
show("delete run1 children only", lambda: snap("run1").delete(A.VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY))
show("left", lambda: names(d.listAllSnapshots(0)))
show("current left", lambda: d.snapshotCurrent(0).getName())
d.destroy()
pump()
show("undefine with snapshots", lambda: d.undefine())
show("create halt", lambda: d.create() or d.snapshotCreateXML(
    "<domainsnapshot><name>halt1</name></domainsnapshot>", A.VIR_DOMAIN_SNAPSHOT_CREATE_HALT).getName())
print("events", pump())
show("state after halt", lambda: d.state())
show("delete with children", lambda: snap("run1").delete(A.VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN))
show("num end", lambda: d.snapshotNum(0))
show("has current end", lambda: d.hasCurrentSnapshot(0))
show("undefine", lambda: d.undefine())
c.close()
