# The secret driver through python3-libvirt, printed one fact per line so two daemons
# can be compared: argv[1] is a read-write URI, argv[2] a read-only one. Every
# answer is printed as a value or as (error code, error domain, message).
import sys, time, libvirt

libvirt.registerErrorHandler(lambda *a: None, None)
libvirt.virEventRegisterDefaultImpl()
c = libvirt.open(sys.argv[1])
ro = libvirt.openReadOnly(sys.argv[2])

U1 = "5a0c7b1e-8d2f-4c3a-9e6b-1f2d3c4b5a61"
U2 = "5a0c7b1e-8d2f-4c3a-9e6b-1f2d3c4b5a62"
U3 = "5a0c7b1e-8d2f-4c3a-9e6b-1f2d3c4b5a63"
U4 = "5a0c7b1e-8d2f-4c3a-9e6b-1f2d3c4b5a64"


def t(label, f):
    try:
        r = f()
    except libvirt.libvirtError as e:
        r = ("error", e.get_error_code(), e.get_error_domain(), e.get_error_message())
    print(label, r)


def xml(uuid, attrs="", usage="<usage type='ceph'><name>client.admin</name></usage>",
        desc="<description>ceph admin</description>"):
    return "<secret %s><uuid>%s</uuid>%s%s</secret>" % (attrs, uuid, desc, usage)


events = []


def known(uuid):
    """The fixed UUIDs as they are; generated ones as 'generated'."""
    return uuid if uuid.startswith("5a0c7b1e-") else "generated"


c.secretEventRegisterAny(None, libvirt.VIR_SECRET_EVENT_ID_LIFECYCLE,
    lambda conn, s, ev, det, o: events.append(("lifecycle", known(s.UUIDString()), ev, det)), None)
c.secretEventRegisterAny(None, libvirt.VIR_SECRET_EVENT_ID_VALUE_CHANGED,
    lambda conn, s, o: events.append(("value", known(s.UUIDString()))), None)

t("empty", lambda: (c.numOfSecrets(), c.listSecrets(), c.listAllSecrets()))
t("define", lambda: c.secretDefineXML(xml(U1), 0).UUIDString())
t("xml", lambda: c.secretLookupByUUIDString(U1).XMLDesc(0))
t("usage", lambda: (lambda s: (s.usageType(), s.usageID()))(c.secretLookupByUUIDString(U1)))
t("by usage", lambda: c.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_CEPH, "client.admin").UUIDString())
t("by usage, other type", lambda: c.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_TLS, "client.admin"))
t("by usage, none", lambda: c.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_CEPH, "nobody"))
t("by uuid, none", lambda: c.secretLookupByUUIDString(U4))
t("no value", lambda: c.secretLookupByUUIDString(U1).value(0))
t("set value", lambda: c.secretLookupByUUIDString(U1).setValue(b"k\x00ey\xff", 0))
t("value", lambda: c.secretLookupByUUIDString(U1).value(0))
t("value, flags", lambda: c.secretLookupByUUIDString(U1).value(4))
t("ro value", lambda: ro.secretLookupByUUIDString(U1).value(0))
t("ro xml", lambda: ro.secretLookupByUUIDString(U1).XMLDesc(0))
t("ro define", lambda: ro.secretDefineXML(xml(U4, usage=""), 0))
t("ro set value", lambda: ro.secretLookupByUUIDString(U1).setValue(b"x", 0))
t("ro undefine", lambda: ro.secretLookupByUUIDString(U1).undefine())
t("same usage", lambda: c.secretDefineXML(xml(U2), 0))
t("other usage", lambda: c.secretDefineXML(xml(U1, usage="<usage type='ceph'><name>client.b</name></usage>"), 0))
t("redefine", lambda: c.secretDefineXML(xml(U1, "private='yes'", desc=""), 0).XMLDesc(0))
t("private value", lambda: c.secretLookupByUUIDString(U1).value(0))
t("unprivate", lambda: c.secretDefineXML(xml(U1, "private='no'"), 0))
t("ephemeral", lambda: c.secretDefineXML(xml(U2, "ephemeral='yes'",
    usage="<usage type='volume'><volume>/var/lib/x.img</volume></usage>"), 0).XMLDesc(0))
t("no usage", lambda: c.secretDefineXML(xml(U3, usage=""), 0).XMLDesc(0))
t("no usage lookup", lambda: (lambda s: (s.usageType(), s.usageID()))(c.secretLookupByUUIDString(U3)))
for name, flags in [("all", 0), ("ephemeral", 1), ("no ephemeral", 2), ("private", 4),
                    ("no private", 8), ("private no ephemeral", 6), ("bad flags", 16)]:
    t("list " + name, lambda: sorted(s.UUIDString() for s in c.listAllSecrets(flags)))
t("count", lambda: (c.numOfSecrets(), sorted(c.listSecrets())))
t("bad usage", lambda: c.secretDefineXML("<secret><usage type='bogus'/></secret>", 0))
t("iscsi no target", lambda: c.secretDefineXML("<secret><usage type='iscsi'/></secret>", 0))
t("tls no name", lambda: c.secretDefineXML("<secret><usage type='tls'/></secret>", 0))
t("bad private", lambda: c.secretDefineXML("<secret private='maybe'/>", 0))
t("bad uuid", lambda: c.secretDefineXML("<secret><uuid>nope</uuid></secret>", 0))
t("volume no path", lambda: c.secretDefineXML("<secret><usage type='volume'/></secret>", 0))
t("bad ephemeral", lambda: c.secretDefineXML("<secret ephemeral='1'/>", 0))
t("not a secret", lambda: c.secretDefineXML("<domain/>", 0))
t("broken xml", lambda: c.secretDefineXML("<secret>", 0))
for kind, inner in [("iscsi", "<target>iqn.2024-01.org.example:t1</target>"),
                    ("tls", "<name>tls-key</name>"), ("vtpm", "<name>vtpm-key</name>")]:
    t("usage " + kind, lambda: (lambda s: (s.usageType(), s.usageID(), s.XMLDesc(0)))(
        c.secretDefineXML("<secret ephemeral='yes'><uuid>%s</uuid><description>a &amp; b &lt;c&gt;</description>"
                          "<usage type='%s'>%s</usage></secret>" % (U4, kind, inner), 0)))
    t("undefine " + kind, lambda: c.secretLookupByUUIDString(U4).undefine())
t("volume by usage", lambda: c.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_VOLUME, "/var/lib/x.img").UUIDString())
t("generated uuid", lambda: len(c.secretDefineXML("<secret ephemeral='yes'><usage type='ceph'><name>gen</name></usage></secret>", 0).UUIDString()))
t("undefine generated", lambda: c.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_CEPH, "gen").undefine())
t("largest value", lambda: c.secretLookupByUUIDString(U3).setValue(b"v" * 65536, 0))
t("largest value back", lambda: len(c.secretLookupByUUIDString(U3).value(0)))
t("too large value", lambda: c.secretLookupByUUIDString(U3).setValue(b"v" * 65537, 0))
t("define validate", lambda: c.secretDefineXML(xml(U4, usage=""), 1).UUIDString())
t("undefine", lambda: c.secretLookupByUUIDString(U2).undefine())
t("undefine again", lambda: c.secretLookupByUUIDString(U2))
deadline = time.time() + 5
while len(events) < 16 and time.time() < deadline:
    libvirt.virEventRunDefaultImpl()
print("events", events)
