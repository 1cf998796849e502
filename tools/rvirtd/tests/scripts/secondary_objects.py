# Exercises every procedure of the network, storage, node device and interface
# families (and the refusals of the secret and nwfilter ones) on a test:///default
# connection, printing one normalized line per call: generated UUIDs become <uuid-N>
# in order of appearance, hash-ordered listings are sorted. Run against libvirtd's
# test driver and against rvirtd, the two transcripts must be identical.
#   python3 secondary_objects.py RW_URI RO_URI
import re
import sys
import time

import libvirt

KNOWN = {"dd8fe884-6c02-601e-7551-cca97df1c5df", "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566",
         "11111111-2222-3333-4444-555555555555"}
seen = {}


def norm(text):
    def sub(m):
        u = m.group(0)
        if u in KNOWN:
            return u
        return seen.setdefault(u, "<uuid-%d>" % len(seen))
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", sub, text)


def show(label, value):
    if isinstance(value, list):
        value = sorted(str(v) for v in value)
    print(norm("%s -> %r" % (label, value)))


def t(label, f):
    try:
        show(label, f())
    except libvirt.libvirtError as e:
        print(norm("%s ERR %s %s %s" % (label, e.get_error_code(), e.get_error_domain(),
                                        e.get_error_message())))


libvirt.registerErrorHandler(lambda *a: None, None)
libvirt.virEventRegisterDefaultImpl()
c = libvirt.open(sys.argv[1])
ro = libvirt.openReadOnly(sys.argv[2])
events = []
c.networkEventRegisterAny(None, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE,
                          lambda conn, n, ev, det, o: events.append(("net", n.name(), ev, det)), None)
c.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                              lambda conn, p, ev, det, o: events.append(("pool", p.name(), ev, det)), None)
c.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH,
                              lambda conn, p, o: events.append(("refresh", p.name())), None)
c.nodeDeviceEventRegisterAny(None, libvirt.VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE,
                             lambda conn, d, ev, det, o: events.append(("dev", d.name(), ev, det)), None)
t("secret events", lambda: c.secretEventRegisterAny(None, 0, lambda *a: None, None))

# Networks.
t("networks", lambda: [n.name() for n in c.listAllNetworks()])
t("old listings", lambda: (sorted(c.listNetworks()), c.listDefinedNetworks(), c.numOfNetworks(),
                           c.numOfDefinedNetworks()))
d = c.networkLookupByName("default")
t("default", lambda: (d.UUIDString(), d.isActive(), d.isPersistent(), d.autostart(), d.bridgeName()))
t("default xml", d.XMLDesc)
t("by uuid", lambda: c.networkLookupByUUIDString("dd8fe884-6c02-601e-7551-cca97df1c5df").name())
t("no such", lambda: c.networkLookupByName("nosuch"))
t("no such uuid", lambda: c.networkLookupByUUIDString("dd8fe884-6c02-601e-7551-cca97df1c5d0"))
nx = ("<network><name>n2</name><forward mode='route'/><ip address='10.1.0.1' prefix='24'>"
      "<dhcp><range start='10.1.0.10' end='10.1.0.20'/>"
      "<host mac='52:54:00:00:00:01' name='h' ip='10.1.0.5'/></dhcp></ip></network>")
n = c.networkDefineXML(nx)
t("n2 xml", n.XMLDesc)
t("n2 bridge", n.bridgeName)
t("n2 state", lambda: (n.isActive(), n.isPersistent(), n.autostart()))
t("n2 create", n.create)
t("n2 create again", n.create)
t("n2 flags xml", lambda: n.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE))
t("define same name", lambda: c.networkDefineXML(nx.replace("route", "nat")))
t("define same uuid", lambda: c.networkDefineXML(
    "<network><name>n3</name><uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid></network>"))
t("bad xml", lambda: c.networkDefineXML("<network>"))
t("no name", lambda: c.networkDefineXML("<network/>"))
t("wrong root", lambda: c.networkDefineXML("<pool/>"))
t("bad mode", lambda: c.networkDefineXML("<network><name>bm</name><forward mode='xyz'/></network>"))
t("bad ip", lambda: c.networkDefineXML("<network><name>bi</name><ip address='10.7.0.300' prefix='24'/></network>"))
t("set autostart", lambda: n.setAutostart(1))
t("autostart", n.autostart)
t("active list", lambda: [x.name() for x in c.listAllNetworks(libvirt.VIR_CONNECT_LIST_NETWORKS_ACTIVE)])
t("autostart list", lambda: [x.name() for x in c.listAllNetworks(libvirt.VIR_CONNECT_LIST_NETWORKS_AUTOSTART)])
t("update add", lambda: d.update(libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
                                 libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST, -1,
                                 "<host mac='52:54:00:00:00:02' ip='192.168.122.9'/>", 0))
t("update add again", lambda: d.update(libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
                                       libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST, -1,
                                       "<host mac='52:54:00:00:00:02' ip='192.168.122.9'/>", 0))
t("update range", lambda: d.update(libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST,
                                   libvirt.VIR_NETWORK_SECTION_IP_DHCP_RANGE, -1,
                                   "<range start='192.168.122.100' end='192.168.122.110'/>", 0))
t("update dns", lambda: d.update(libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
                                 libvirt.VIR_NETWORK_SECTION_DNS_HOST, -1,
                                 "<host ip='192.168.122.5'><hostname>foo</hostname></host>", 0))
t("update bridge", lambda: d.update(libvirt.VIR_NETWORK_UPDATE_COMMAND_MODIFY,
                                    libvirt.VIR_NETWORK_SECTION_BRIDGE, -1, "<bridge name='x'/>", 0))
t("update delete", lambda: d.update(libvirt.VIR_NETWORK_UPDATE_COMMAND_DELETE,
                                    libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST, -1,
                                    "<host mac='52:54:00:00:00:02' ip='192.168.122.9'/>", 0))
t("updated xml", d.XMLDesc)
t("leases", lambda: d.DHCPLeases())
t("ports", lambda: d.listAllPorts())
t("n2 undefine running", n.undefine)
t("n2 destroy", n.destroy)
t("n2 inactive list", lambda: [x.name() for x in c.listAllNetworks(libvirt.VIR_CONNECT_LIST_NETWORKS_INACTIVE)])
t("n2 undefine", n.undefine)
t("n2 gone", lambda: c.networkLookupByName("n2"))
tr = c.networkCreateXML("<network><name>tr</name><bridge name='trbr'/></network>")
t("tr", lambda: (tr.isActive(), tr.isPersistent(), tr.bridgeName()))
t("tr again", lambda: c.networkCreateXML("<network><name>tr</name></network>"))
t("tr destroy", tr.destroy)
t("tr gone", lambda: c.networkLookupByName("tr"))
t("ro define", lambda: ro.networkDefineXML("<network><name>x</name></network>"))
t("ro destroy", lambda: ro.networkLookupByName("default").destroy())
t("ro list", lambda: [x.name() for x in ro.listAllNetworks()])

# Storage pools and volumes.
t("pools", lambda: [p.name() for p in c.listAllStoragePools()])
t("pool listings", lambda: (c.listStoragePools(), c.listDefinedStoragePools(), c.numOfStoragePools(),
                            c.numOfDefinedStoragePools()))
p = c.storagePoolLookupByName("default-pool")
t("default pool", lambda: (p.UUIDString(), p.info(), p.isActive(), p.isPersistent(), p.autostart()))
t("default pool xml", lambda: p.XMLDesc(0))
t("pool by uuid", lambda: c.storagePoolLookupByUUIDString("dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566").name())
t("pool no such", lambda: c.storagePoolLookupByName("nosuch"))
t("pool by path", lambda: c.storagePoolLookupByTargetPath("/default-pool").name())
t("vols", lambda: (p.listAllVolumes(), p.listVolumes(), p.numOfVolumes()))
v = p.createXML("<volume><name>v1.img</name><capacity unit='M'>10</capacity>"
                "<target><format type='qcow2'/></target></volume>", 0)
t("vol xml", lambda: v.XMLDesc(0))
t("vol", lambda: (v.name(), v.key(), v.path(), v.info()))
t("vol again", lambda: p.createXML("<volume><name>v1.img</name><capacity>1</capacity></volume>", 0))
t("vol no name", lambda: p.createXML("<volume/>", 0))
t("vol no capacity", lambda: p.createXML("<volume><name>x</name></volume>", 0))
t("vol bad format", lambda: p.createXML(
    "<volume><name>g</name><capacity>10</capacity><target><format type='bogus'/></target></volume>", 0))
t("clone", lambda: p.createXMLFrom("<volume><name>v2.img</name><capacity>1000</capacity></volume>",
                                   v, 0).XMLDesc(0))
t("pool info", p.info)
t("vol names", lambda: (sorted(p.listVolumes()), p.numOfVolumes(),
                        sorted(x.name() for x in p.listAllVolumes())))
t("by name", lambda: p.storageVolLookupByName("v1.img").key())
t("by key", lambda: c.storageVolLookupByKey("/default-pool/v1.img").name())
t("by path", lambda: c.storageVolLookupByPath("/default-pool/v1.img").name())
t("bad key", lambda: c.storageVolLookupByKey("/nope"))
t("bad path", lambda: c.storageVolLookupByPath("/nope"))
t("bad name", lambda: p.storageVolLookupByName("nope"))
t("pool of vol", lambda: v.storagePoolLookupByVolume().name())
t("resize", lambda: v.resize(20 << 20, 0))
t("wipe", lambda: v.wipe(0))
t("wipe pattern", lambda: v.wipePattern(1, 0))
t("info flags", lambda: v.infoFlags(0))
t("vol delete", lambda: v.delete(0))
t("vol delete again", lambda: v.delete(0))
px = "<pool type='dir'><name>p2</name><target><path>/tmp/p2/</path></target></pool>"
p2 = c.storagePoolDefineXML(px, 0)
t("p2 xml", lambda: p2.XMLDesc(0))
t("p2 state", lambda: (p2.info(), p2.isActive(), p2.isPersistent(), p2.autostart()))
t("p2 vols inactive", lambda: p2.listAllVolumes())
t("p2 num vols inactive", p2.numOfVolumes)
t("p2 refresh inactive", lambda: p2.refresh(0))
t("p2 build", lambda: p2.build(0))
t("p2 create", lambda: p2.create(0))
t("p2 build active", lambda: p2.build(0))
t("p2 create again", lambda: p2.create(0))
t("p2 refresh", lambda: p2.refresh(0))
t("p2 set autostart", lambda: p2.setAutostart(1))
t("p2 autostart", p2.autostart)
t("p2 undefine active", p2.undefine)
t("p2 destroy", p2.destroy)
t("p2 destroy again", p2.destroy)
t("p2 delete", lambda: p2.delete(0))
t("p2 undefine", p2.undefine)
t("pool dup name", lambda: c.storagePoolDefineXML(px.replace("p2", "default-pool"), 0))
t("pool dup path", lambda: c.storagePoolDefineXML(
    "<pool type='dir'><name>p3</name><target><path>/default-pool</path></target></pool>", 0))
t("pool no type", lambda: c.storagePoolDefineXML("<pool/>", 0))
t("pool bad type", lambda: c.storagePoolDefineXML("<pool type='foo'><name>a</name></pool>", 0))
t("pool no name", lambda: c.storagePoolDefineXML("<pool type='dir'></pool>", 0))
t("pool no path", lambda: c.storagePoolDefineXML("<pool type='dir'><name>a</name></pool>", 0))
t("fs no device", lambda: c.storagePoolDefineXML(
    "<pool type='fs'><name>b</name><target><path>/b</path></target></pool>", 0))
t("netfs", lambda: c.storagePoolDefineXML(
    "<pool type='netfs'><name>d</name><source><host name='nfs.example' port='2049'/>"
    "<dir path='/export'/><format type='nfs'/></source><target><path>/d</path></target></pool>", 0).XMLDesc(0))
t("p4", lambda: c.storagePoolCreateXML(
    "<pool type='dir'><name>p4</name><target><path>/p4</path></target></pool>", 0).isPersistent())
t("p4 destroy", lambda: c.storagePoolLookupByName("p4").destroy())
t("p4 gone", lambda: c.storagePoolLookupByName("p4"))
t("sources logical", lambda: c.findStoragePoolSources("logical", None, 0))
t("sources netfs", lambda: c.findStoragePoolSources("netfs", "<source><host name='x'/></source>", 0))
t("sources dir", lambda: c.findStoragePoolSources("dir", None, 0))
t("pool caps", lambda: c.getStoragePoolCapabilities(0))
t("ro pool define", lambda: ro.storagePoolDefineXML(px, 0))
t("ro vol create", lambda: ro.storagePoolLookupByName("default-pool").createXML(
    "<volume><name>r</name><capacity>1</capacity></volume>", 0))

# Node devices.
t("devices", lambda: [x.name() for x in c.listAllDevices()])
t("device listings", lambda: (sorted(c.listDevices(None, 0)), c.numOfDevices(None, 0),
                              sorted(c.listDevices("vports", 0)), c.listDevices("net", 0)))
t("scsi list", lambda: [x.name() for x in c.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_HOST)])
t("fc list", lambda: [x.name() for x in c.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_FC_HOST)])
t("active list", lambda: c.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_ACTIVE))
h1 = c.nodeDeviceLookupByName("scsi_host1")
t("scsi_host1", lambda: (h1.parent(), h1.listCaps(), h1.numOfCaps()))
t("scsi_host1 xml", lambda: h1.XMLDesc(0))
t("computer", lambda: (c.nodeDeviceLookupByName("computer").parent(),
                       c.nodeDeviceLookupByName("computer").XMLDesc(0)))
t("device flags xml", lambda: h1.XMLDesc(1))
t("no device", lambda: c.nodeDeviceLookupByName("nope"))
t("device active", h1.isActive)
t("device persistent", h1.isPersistent)
t("device autostart", h1.autostart)
t("wwn", lambda: c.nodeDeviceLookupSCSIHostByWWN("2000000012341234", "1000000012341234", 0))
t("detach", h1.dettach)
t("reset", h1.reset)
t("reattach", h1.reAttach)
vh = ("<device><parent>scsi_host1</parent><capability type='scsi_host'><capability type='fc_host'>"
      "<wwnn>2000000012345678</wwnn><wwpn>1000000012345678</wwpn></capability></capability></device>")
t("vhba", lambda: c.nodeDeviceCreateXML(vh, 0).XMLDesc(0))
t("vhba not fc", lambda: c.nodeDeviceCreateXML(
    "<device><parent>scsi_host1</parent><capability type='scsi_host'/></device>", 0))
t("vhba no caps", lambda: c.nodeDeviceCreateXML("<device><name>x</name></device>", 0))
t("vhba destroy", lambda: c.nodeDeviceLookupByName("scsi_host12").destroy())
t("device define", lambda: c.nodeDeviceDefineXML(vh, 0))
t("ro vhba", lambda: ro.nodeDeviceCreateXML(vh, 0))

# Host interfaces.
t("interfaces", lambda: [x.name() for x in c.listAllInterfaces()])
t("iface listings", lambda: (c.listInterfaces(), c.listDefinedInterfaces(), c.numOfInterfaces(),
                             c.numOfDefinedInterfaces()))
i = c.interfaceLookupByName("eth1")
t("eth1", lambda: (i.MACString(), i.isActive(), i.XMLDesc(0)))
t("by mac", lambda: c.interfaceLookupByMACString("aa:bb:cc:dd:ee:ff").name())
t("bad mac", lambda: c.interfaceLookupByMACString("aa:bb:cc:dd:ee:00"))
t("eth1 destroy", lambda: i.destroy(0))
t("eth1 destroy again", lambda: i.destroy(0))
t("eth1 create", lambda: i.create(0))
t("eth1 create again", lambda: i.create(0))
ix = ("<interface type='ethernet' name='eth2'><start mode='onboot'/><mac address='aa:bb:cc:dd:ee:01'/>"
      "<protocol family='ipv4'><dhcp/></protocol></interface>")
t("define", lambda: c.interfaceDefineXML(ix, 0).XMLDesc(0))
t("bridge", lambda: c.interfaceDefineXML(
    "<interface type='bridge' name='br1'><start mode='onboot'/><protocol family='ipv4'>"
    "<ip address='10.0.0.1' prefix='8'/></protocol><bridge stp='on' delay='0.5'>"
    "<interface type='ethernet' name='eth6'/></bridge></interface>", 0).XMLDesc(0))
t("inactive ifaces", lambda: [x.name() for x in c.listAllInterfaces(libvirt.VIR_CONNECT_LIST_INTERFACES_INACTIVE)])
t("begin", lambda: c.changeBegin(0))
t("begin again", lambda: c.changeBegin(0))
t("undefine eth2", lambda: c.interfaceLookupByName("eth2").undefine())
t("rollback", lambda: c.changeRollback(0))
t("eth2 back", lambda: c.interfaceLookupByName("eth2").name())
t("commit none", lambda: c.changeCommit(0))
t("no name", lambda: c.interfaceDefineXML("<interface type='ethernet'/>", 0))
t("bad type", lambda: c.interfaceDefineXML("<interface type='foo' name='x'/>", 0))
t("ro iface define", lambda: ro.interfaceDefineXML(ix, 0))

# Secrets and network filters: the test driver has none.
t("secrets", lambda: c.listAllSecrets())
t("old secrets", lambda: (c.numOfSecrets(), c.listSecrets()))
t("secret define", lambda: c.secretDefineXML("<secret ephemeral='no' private='no'/>", 0))
t("secret by uuid", lambda: c.secretLookupByUUIDString("11111111-2222-3333-4444-555555555556"))
t("nwfilters", lambda: c.listAllNWFilters())
t("old nwfilters", lambda: (c.numOfNWFilters(), c.listNWFilters()))
t("nwfilter define", lambda: c.nwfilterDefineXML("<filter name='f'/>"))

deadline = time.time() + 10
want = 18
while len(events) < want and time.time() < deadline:
    libvirt.virEventRunDefaultImpl()
end = time.time() + 0.5
while time.time() < end:
    libvirt.virEventRunDefaultImpl()
for e in events:
    print(norm("event %r" % (e,)))
c.close()
ro.close()
