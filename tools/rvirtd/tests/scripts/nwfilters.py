# The network filter driver through python3-libvirt, printed one fact per line so two
# daemons can be compared: argv[1] is a read-write URI, argv[2] a read-only one.
import sys, libvirt

libvirt.registerErrorHandler(lambda *a: None, None)
c = libvirt.open(sys.argv[1])
ro = libvirt.openReadOnly(sys.argv[2])

UA = "6b1d8c2f-9e30-4d4b-8f7c-2a3e4d5c6b01"
UB = "6b1d8c2f-9e30-4d4b-8f7c-2a3e4d5c6b02"
UC = "6b1d8c2f-9e30-4d4b-8f7c-2a3e4d5c6b03"


def t(label, f):
    try:
        r = f()
    except libvirt.libvirtError as e:
        r = ("error", e.get_error_code(), e.get_error_domain(), e.get_error_message())
    print(label, r)


BASE = ("<filter name='rv-base' chain='root'><uuid>%s</uuid>"
        "<rule action='accept' direction='in' priority='500'><all/></rule></filter>" % UB)
SPOOF = ("<filter name='rv-spoof' chain='ipv4' priority='-650'><uuid>%s</uuid>"
         "<rule action='drop' direction='out' priority='400'>"
         "<ip match='no' srcipaddr='$IP'/></rule>"
         "<filterref filter='rv-base'/>"
         "<rule action='accept' direction='inout' priority='500'><all/></rule>"
         "</filter>" % UA)

t("empty", lambda: (c.numOfNWFilters(), c.listNWFilters(), c.listAllNWFilters(0)))
t("define base", lambda: c.nwfilterDefineXML(BASE).name())
t("define spoof", lambda: c.nwfilterDefineXML(SPOOF).UUIDString())
t("list", lambda: sorted(f.name() for f in c.listAllNWFilters(0)))
t("old list", lambda: (c.numOfNWFilters(), sorted(c.listNWFilters())))
t("by name", lambda: c.nwfilterLookupByName("rv-spoof").UUIDString())
t("by uuid", lambda: c.nwfilterLookupByUUIDString(UB).name())
t("by name, none", lambda: c.nwfilterLookupByName("nope"))
t("by uuid, none", lambda: c.nwfilterLookupByUUIDString(UC))
t("xml", lambda: c.nwfilterLookupByName("rv-spoof").XMLDesc(0))
t("xml base", lambda: c.nwfilterLookupByName("rv-base").XMLDesc(0))
t("xml flags", lambda: c.nwfilterLookupByName("rv-base").XMLDesc(1))
t("ro xml", lambda: ro.nwfilterLookupByName("rv-base").name())
t("ro define", lambda: ro.nwfilterDefineXML(BASE))
t("ro undefine", lambda: ro.nwfilterLookupByName("rv-base").undefine())
t("self loop", lambda: c.nwfilterDefineXML(
    "<filter name='rv-self'><uuid>%s</uuid><filterref filter='rv-self'/></filter>" % UC))
t("loop", lambda: c.nwfilterDefineXML(
    "<filter name='rv-base' chain='root'><uuid>%s</uuid><filterref filter='rv-spoof'/></filter>" % UB))
t("same uuid other name", lambda: c.nwfilterDefineXML(
    "<filter name='rv-other'><uuid>%s</uuid></filter>" % UB))
t("same name other uuid", lambda: c.nwfilterDefineXML(
    "<filter name='rv-base'><uuid>%s</uuid></filter>" % UC))
t("redefine", lambda: c.nwfilterDefineXML(
    "<filter name='rv-base' chain='root'><uuid>%s</uuid>"
    "<rule action='drop' direction='in' priority='100'><all/></rule></filter>" % UB).XMLDesc(0))
t("no name", lambda: c.nwfilterDefineXML("<filter><uuid>%s</uuid></filter>" % UC))
t("bad chain", lambda: c.nwfilterDefineXML("<filter name='x' chain='bogus'/>"))
t("default priority", lambda: c.nwfilterDefineXML(
    "<filter name='rv-arp' chain='arp-x'><uuid>%s</uuid></filter>" % UC).XMLDesc(0))
t("priority without chain", lambda: c.nwfilterDefineXML(
    "<filter name='rv-arp' priority='100'><uuid>%s</uuid></filter>" % UC).XMLDesc(0))
t("undefine arp", lambda: c.nwfilterLookupByName("rv-arp").undefine())
t("long chain", lambda: c.nwfilterDefineXML("<filter name='x' chain='ipv4-abcdefghij'/>"))
t("chain chars", lambda: c.nwfilterDefineXML("<filter name='x' chain='ipv4 x'/>"))
t("bad priority", lambda: c.nwfilterDefineXML("<filter name='x' chain='ipv4' priority='high'/>"))
t("priority range", lambda: c.nwfilterDefineXML("<filter name='x' chain='ipv4' priority='1001'/>"))
t("bad uuid", lambda: c.nwfilterDefineXML("<filter name='x'><uuid>nope</uuid></filter>"))
t("rules normalized", lambda: c.nwfilterDefineXML(
    "<filter name='rv-rules'><uuid>%s</uuid>"
    "<rule priority='100' direction='out' action='reject'><tcp dstportstart='22'/></rule>"
    "<rule action='return' direction='inout' statematch='0'><all/></rule>"
    "<rule action='continue' direction='in' statematch='true' priority='5000'><all/></rule>"
    "<rule action='accept' direction='in' priority='-1000'/>"
    "</filter>" % UC).XMLDesc(0))
t("undefine rules", lambda: c.nwfilterLookupByName("rv-rules").undefine())
t("rule without action", lambda: c.nwfilterDefineXML("<filter name='x'><rule direction='in'/></filter>"))
t("rule bad action", lambda: c.nwfilterDefineXML("<filter name='x'><rule action='allow' direction='in'/></filter>"))
t("rule without direction", lambda: c.nwfilterDefineXML("<filter name='x'><rule action='drop'/></filter>"))
t("rule bad direction", lambda: c.nwfilterDefineXML("<filter name='x'><rule action='drop' direction='up'/></filter>"))
t("filterref without filter", lambda: c.nwfilterDefineXML("<filter name='x'><filterref/></filter>"))
t("filterref parameters", lambda: c.nwfilterDefineXML(
    "<filter name='rv-params'><uuid>%s</uuid><filterref filter='rv-base'>"
    "<parameter name='IP' value='10.0.0.1'/><parameter name='IP' value='10.0.0.2'/>"
    "<parameter name='MAC' value='52:54:00:00:00:01'/></filterref></filter>" % UC).XMLDesc(0))
t("undefine params", lambda: c.nwfilterLookupByName("rv-params").undefine())
t("bindings", lambda: c.listAllNWFilterBindings(0))
t("binding lookup", lambda: c.nwfilterBindingLookupByPortDev("vnet7"))
t("undefine", lambda: c.nwfilterLookupByName("rv-spoof").undefine())
t("after", lambda: sorted(f.name() for f in c.listAllNWFilters(0)))
t("undefine base", lambda: c.nwfilterLookupByName("rv-base").undefine())
t("gone", lambda: c.nwfilterLookupByUUIDString(UB))
