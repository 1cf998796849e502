# Checkpoint calls on a test-driver daemon, printed with what varies between runs
# (creation times, time-derived names, hash-table order of plain listings) normalised,
# so that libvirtd's transcript and rvirtd's can be compared line by line.
import re, sys, libvirt

c = libvirt.open(sys.argv[1])
XML = """<domain type='test'><name>ck</name><uuid>7f7e1a02-1f5e-4b46-9f4f-4a0e6d6c1b12</uuid>
<memory unit='KiB'>1048576</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os>
<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/img/c.qcow2'/>
<target dev='vda' bus='virtio'/></disk><disk type='file' device='disk'><driver name='qemu' type='raw'/>
<source file='/var/img/d.img'/><target dev='vdb' bus='virtio'/><readonly/></disk>
<disk type='file' device='cdrom'><target dev='sda' bus='sata'/></disk></devices></domain>"""
d = c.defineXML(XML)
A = libvirt

def norm(v):
    # Quote style of the embedded domain XML is the domain formatter's business.
    s = repr(v.replace('"', "'") if isinstance(v, str) else v)
    s = re.sub(r"<creationTime>\d+</creationTime>", "<creationTime>T</creationTime>", s)
    return re.sub(r"1[0-9]{9}", "TIME", s)

def show(name, f):
    try:
        print(name, "=", norm(f()))
    except libvirt.libvirtError as e:
        print(name, "ERR", e.get_error_code(), e.get_error_domain(), norm(str(e)))

def names(cps, keep_order=False):
    n = [x.getName() for x in cps]
    return n if keep_order else sorted(n)

def topo(cps):
    # Sibling order after a redefinition follows libvirt's hash table: compare the set
    # and that every parent comes before its children.
    n = [x.getName() for x in cps]
    def parent(x):
        try:
            return x.getParent(0).getName()
        except libvirt.libvirtError:
            return None
    ok = all(parent(x) is None or parent(x) in n[:i] for i, x in enumerate(cps))
    return (sorted(n), ok)

cp = lambda n: d.checkpointLookupByName(n, 0)
mk = lambda x, f=0: d.checkpointCreateXML(x, f).getName()
show("create inactive", lambda: mk("<domaincheckpoint><name>c1</name></domaincheckpoint>"))
show("list inactive", lambda: names(d.listAllCheckpoints(0)))
d.create()
show("create c1", lambda: mk("<domaincheckpoint><name>c1</name><description>one &amp; two</description></domaincheckpoint>"))
show("xml c1", lambda: cp("c1").getXMLDesc(0))
show("xml c1 no domain", lambda: cp("c1").getXMLDesc(A.VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN))
show("create unnamed", lambda: mk("<domaincheckpoint/>"))
unnamed = [x.getName() for x in d.listAllCheckpoints(A.VIR_DOMAIN_CHECKPOINT_LIST_LEAVES)][0]
show("create c2", lambda: mk("<domaincheckpoint><name>c2</name><creationTime>5</creationTime><parent><name>zz</name></parent>"
                             "<disks><disk name='/var/img/c.qcow2' checkpoint='bitmap' bitmap='bm2'/><disk name='sda' checkpoint='no'/></disks></domaincheckpoint>"))
show("xml c2", lambda: cp("c2").getXMLDesc(A.VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN))
show("create c3 vda off", lambda: mk("<domaincheckpoint><name>c3</name><disks><disk name='vda' checkpoint='no'/></disks></domaincheckpoint>"))
show("xml c3", lambda: cp("c3").getXMLDesc(A.VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN | A.VIR_DOMAIN_CHECKPOINT_XML_SIZE))
show("create duplicate", lambda: mk("<domaincheckpoint><name>c2</name></domaincheckpoint>"))
show("create bad name", lambda: mk("<domaincheckpoint><name>.hidden</name></domaincheckpoint>"))
show("create slash name", lambda: mk("<domaincheckpoint><name>a/b</name></domaincheckpoint>"))
show("create unknown disk", lambda: mk("<domaincheckpoint><name>x</name><disks><disk name='vdz'/></disks></domaincheckpoint>"))
show("create readonly disk", lambda: mk("<domaincheckpoint><name>x</name><disks><disk name='vdb'/></disks></domaincheckpoint>"))
show("create disk twice", lambda: mk("<domaincheckpoint><name>x</name><disks><disk name='vda'/><disk name='/var/img/c.qcow2'/></disks></domaincheckpoint>"))
show("create too many", lambda: mk("<domaincheckpoint><name>x</name><disks><disk name='vda'/><disk name='vdb'/><disk name='sda'/><disk name='vdc'/></disks></domaincheckpoint>"))
show("create wrong root", lambda: mk("<domainsnapshot/>"))
show("create quiesce", lambda: mk("<domaincheckpoint><name>q</name></domaincheckpoint>", A.VIR_DOMAIN_CHECKPOINT_CREATE_QUIESCE))
show("create validate", lambda: mk("<domaincheckpoint><name>v</name></domaincheckpoint>", A.VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE))
show("create bad flag", lambda: mk("<domaincheckpoint><name>q2</name></domaincheckpoint>", 64))
for label, flags in [("all", 0), ("roots", A.VIR_DOMAIN_CHECKPOINT_LIST_ROOTS),
                     ("leaves", A.VIR_DOMAIN_CHECKPOINT_LIST_LEAVES),
                     ("no leaves", A.VIR_DOMAIN_CHECKPOINT_LIST_NO_LEAVES),
                     ("both", A.VIR_DOMAIN_CHECKPOINT_LIST_LEAVES | A.VIR_DOMAIN_CHECKPOINT_LIST_NO_LEAVES)]:
    show("list " + label, lambda: names(d.listAllCheckpoints(flags)))
show("list topological", lambda: topo(d.listAllCheckpoints(A.VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL)))
show("list bad flag", lambda: d.listAllCheckpoints(64))
show("parent c2", lambda: cp("c2").getParent(0).getName())
show("parent c1", lambda: cp("c1").getParent(0))
show("parent flag", lambda: cp("c2").getParent(1))
show("children c1", lambda: names(cp("c1").listAllChildren(0)))
show("descendants c1", lambda: names(cp("c1").listAllChildren(A.VIR_DOMAIN_CHECKPOINT_LIST_DESCENDANTS), True))
show("children leaves", lambda: names(cp("c2").listAllChildren(A.VIR_DOMAIN_CHECKPOINT_LIST_LEAVES)))
show("children bad flag", lambda: cp("c2").listAllChildren(64))
show("lookup missing", lambda: cp("nope"))
show("lookup flag", lambda: d.checkpointLookupByName("c1", 1))
show("xml bad flag", lambda: cp("c1").getXMLDesc(8))
c2 = cp("c2").getXMLDesc(0)
R = A.VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE
show("redefine r1", lambda: mk(c2.replace("<name>c2</name>", "<name>r1</name>"), R))
show("topological exact", lambda: names(d.listAllCheckpoints(A.VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL), True))
show("children TIME exact", lambda: names(cp(unnamed).listAllChildren(0), True))
show("redefine same", lambda: mk(c2, R))
show("redefine r2 root", lambda: mk(re.sub(r"<parent>.*?</parent>", "", c2, flags=re.S).replace("<name>c2</name>", "<name>r2</name>"), R))
show("redefine validate", lambda: mk(c2.replace("<name>c2</name>", "<name>r3</name>"), R | A.VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE))
show("redefine no name", lambda: mk("<domaincheckpoint/>", R))
show("redefine no time", lambda: mk("<domaincheckpoint><name>r4</name></domaincheckpoint>", R))
show("redefine no domain", lambda: mk("<domaincheckpoint><name>r5</name><creationTime>7</creationTime></domaincheckpoint>", R))
show("xml r5", lambda: cp("r5").getXMLDesc(0))
show("redefine missing parent", lambda: mk(c2.replace("<name>c2</name>", "<name>r6</name>").replace("<name>%s</name>" % unnamed, "<name>zz</name>"), R))
show("redefine own parent", lambda: mk(c2.replace("<name>c2</name>", "<name>r7</name>").replace("<name>%s</name>" % unnamed, "<name>r7</name>"), R))
show("redefine cycle", lambda: mk(c2.replace("<name>%s</name>" % unnamed, "<name>q</name>"), R))
show("redefine other uuid", lambda: mk(c2.replace("<name>c2</name>", "<name>r8</name>").replace("7f7e1a02", "8f7e1a02"), R))
show("redefine changed", lambda: mk(c2.replace("<name>c2</name>", "<name>c2</name><description>changed</description>"), R))
show("xml c2 changed", lambda: cp("c2").getXMLDesc(A.VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN))
show("list topological", lambda: topo(d.listAllCheckpoints(A.VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL)))
show("create after redefine", lambda: mk("<domaincheckpoint><name>n1</name></domaincheckpoint>"))
show("parent n1", lambda: cp("n1").getParent(0).getName())
show("snapshot refused", lambda: d.snapshotCreateXML("<domainsnapshot><name>s</name></domainsnapshot>", 0))
show("delete bad flag", lambda: cp("c1").delete(8))
show("delete unnamed alone", lambda: cp(unnamed).delete(0))
show("parent c2 after", lambda: cp("c2").getParent(0).getName())
show("roots", lambda: names(d.listAllCheckpoints(A.VIR_DOMAIN_CHECKPOINT_LIST_ROOTS)))
show("children c1 after", lambda: names(cp("c1").listAllChildren(0)))
show("delete c2 children only", lambda: cp("c2").delete(A.VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY))
show("list after", lambda: topo(d.listAllCheckpoints(A.VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL)))
show("create n2", lambda: mk("<domaincheckpoint><name>n2</name></domaincheckpoint>"))
show("parent n2", lambda: cp("n2").getParent(0).getName())
show("delete c1 metadata", lambda: cp("c1").delete(A.VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY))
show("list after", lambda: topo(d.listAllCheckpoints(A.VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL)))
show("delete c1 again", lambda: cp("c1").delete(0))
show("delete r2 with children", lambda: cp("r2").delete(A.VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN))
show("list after", lambda: topo(d.listAllCheckpoints(A.VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL)))
d.destroy()
show("redefine inactive", lambda: mk(c2.replace("<name>c2</name>", "<name>z</name>"), R))
show("delete inactive", lambda: [cp(n).delete(A.VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN) for n in names(d.listAllCheckpoints(A.VIR_DOMAIN_CHECKPOINT_LIST_ROOTS), True)])
show("list end", lambda: names(d.listAllCheckpoints(0)))
d.create()
show("snapshot", lambda: d.snapshotCreateXML("<domainsnapshot><name>s</name></domainsnapshot>", 0).getName())
show("checkpoint refused", lambda: mk("<domaincheckpoint><name>k</name></domaincheckpoint>"))
d.snapshotLookupByName("s", 0).delete(0)
show("checkpoint after snapshot", lambda: mk("<domaincheckpoint><name>k</name></domaincheckpoint>"))
d.destroy()
show("undefine", lambda: d.undefine())
