# Save, restore and managed save on a test-driver daemon: the save image's round trip,
# restore of persistent and transient domains, managed save with create, the listing
# filters, undefine refusals, lifecycle events, errors and their wording. File paths
# are printed as <DIR>, so libvirtd's transcript and rvirtd's compare line by line.
# argv: URI, a scratch directory both daemons may write.
import os, re, sys, time, libvirt

libvirt.virEventRegisterDefaultImpl()
libvirt.virEventAddTimeout(50, lambda timer, opaque: None, None)
c = libvirt.open(sys.argv[1])
DIR = sys.argv[2]
A = libvirt
events = []
c.domainEventRegisterAny(None, A.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                         lambda conn, dom, e, d, o: events.append((dom.name(), e, d)), None)
XML = """<domain type='test'><name>sv</name><uuid>5a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d</uuid>
<memory unit='KiB'>1048576</memory><vcpu>2</vcpu><os><type arch='x86_64'>hvm</type></os>
</domain>"""
TXML = XML.replace("sv", "tr").replace("5a1c2b3d", "6b2d3c4e")

def clean(s):
    # libvirt's short-read messages end in a stale errno's text: masked.
    s = re.sub(r"(incomplete [^']*'[^']*'): .*", r"\1: <ERRNO>", s)
    return s.replace(DIR, "<DIR>")

def show(name, f):
    try:
        print(name, "=", clean(repr(f())))
    except libvirt.libvirtError as e:
        print(name, "ERR", e.get_error_code(), e.get_error_domain(), clean(str(e)))

def pump():
    deadline = time.time() + 0.3
    while time.time() < deadline:
        libvirt.virEventRunDefaultImpl()
    got = list(events)
    events.clear()
    print("events", got)

def names(flags):
    return sorted(x.name() for x in c.listAllDomains(flags))

def p(name):
    return os.path.join(DIR, name)

d = c.defineXML(XML)
pump()
print("# save / restore, persistent")
show("save inactive", lambda: d.save(p("a.img")))
show("exists", lambda: os.path.exists(p("a.img")))
d.create()
pump()
show("save", lambda: d.save(p("a.img")))
show("state", lambda: d.state())
show("id", lambda: d.ID())
show("isActive", lambda: d.isActive())
pump()
show("header", lambda: open(p("a.img"), "rb").read(15))
show("save again", lambda: d.save(p("b.img")))
show("restore", lambda: c.restore(p("a.img")))
show("state", lambda: d.state())
show("isActive", lambda: d.isActive())
pump()
show("restore running", lambda: c.restore(p("a.img")))
show("restore missing", lambda: c.restore(p("nope.img")))
open(p("junk.img"), "wb").write(b"NotAGuestMagic!\0\0\0\0")
show("restore junk", lambda: c.restore(p("junk.img")))
open(p("short.img"), "wb").write(b"Test")
show("restore short", lambda: c.restore(p("short.img")))
show("saveFlags dxml", lambda: d.saveFlags(p("c.img"), XML, 0))
show("saveFlags bad flag", lambda: d.saveFlags(p("c.img"), None, 1 << 20))
show("saveFlags", lambda: d.saveFlags(p("c.img"), None, 0))
pump()
show("restoreFlags dxml", lambda: c.restoreFlags(p("c.img"), XML, 0))
show("restoreFlags", lambda: c.restoreFlags(p("c.img"), None, 0))
pump()
show("imageXML", lambda: re.findall(r"<(name|vcpu|memory)[^>]*>([^<]*)<", c.saveImageGetXMLDesc(p("c.img"), 0)))
show("imageXML missing", lambda: c.saveImageGetXMLDesc(p("nope.img"), 0))
show("imageDefine bad", lambda: c.saveImageDefineXML(p("c.img"), "<domain type='test'/>", 0))
show("imageDefine", lambda: c.saveImageDefineXML(p("c.img"), XML.replace("<vcpu>", "<description>edited</description><vcpu>"), 0))
show("imageXML edited", lambda: re.findall(r"<description>([^<]*)<", c.saveImageGetXMLDesc(p("c.img"), 0)))
d.destroy()
pump()

print("# transient")
t = c.createXML(TXML, 0)
pump()
show("save transient", lambda: t.save(p("t.img")))
show("gone", lambda: names(0))
pump()
show("restore transient", lambda: c.restore(p("t.img")))
show("lookup back", lambda: c.lookupByName("tr").isPersistent())
pump()
t = c.lookupByName("tr")
show("managedSave transient", lambda: t.managedSave(0))
t.destroy()
pump()

print("# managed save")
show("has", lambda: d.hasManagedSaveImage(0))
show("managedSave inactive", lambda: d.managedSave(0))
d.create()
pump()
show("managedSave bad flag", lambda: d.managedSave(1 << 20))
show("managedSave", lambda: d.managedSave(0))
show("state", lambda: d.state())
show("has", lambda: d.hasManagedSaveImage(0))
show("has bad flag", lambda: d.hasManagedSaveImage(1))
pump()
show("list managedsave", lambda: names(A.VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE))
show("list no managedsave", lambda: names(A.VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE))
show("undefine", lambda: d.undefine())
show("create", lambda: d.create())
show("state", lambda: d.state())
show("has", lambda: d.hasManagedSaveImage(0))
pump()
show("managedSave", lambda: d.managedSave(0))
show("remove bad flag", lambda: d.managedSaveRemove(1))
show("remove", lambda: d.managedSaveRemove(0))
show("has", lambda: d.hasManagedSaveImage(0))
show("remove again", lambda: d.managedSaveRemove(0))
show("managedSave again", lambda: (d.create(), d.managedSave(0))[1])
pump()
show("undefineFlags managed", lambda: d.undefineFlags(A.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE))
pump()
show("list after", lambda: names(0))
