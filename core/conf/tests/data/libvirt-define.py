#!/usr/bin/python3
"""Defines each DIR/*.xml (not *.libvirt.xml) in libvirt's own test driver
(python3-libvirt, in process) and writes what it prints back: DIR/NAME.libvirt.xml
(virsh dumpxml), or DIR/NAME.libvirt.err with libvirt's code, domain and message.

Usage: libvirt-define.py DIR [URI [KIND]]   (URI: test:///default unless given; a
test driver on an empty node, test:///PATH/TO/<node/>.xml, defines any name. KIND:
domain, the default, network or pool.)"""
import glob
import os
import sys

import libvirt

libvirt.registerErrorHandler(lambda *a: None, None)
uri = sys.argv[2] if len(sys.argv) > 2 else "test:///default"
kind = sys.argv[3] if len(sys.argv) > 3 else "domain"
define, dump = {
    "domain": (lambda c, x: c.defineXML(x), lambda o: o.XMLDesc(libvirt.VIR_DOMAIN_XML_SECURE)),
    "network": (lambda c, x: c.networkDefineXML(x), lambda o: o.XMLDesc(0)),
    "pool": (lambda c, x: c.storagePoolDefineXML(x), lambda o: o.XMLDesc(0)),
}[kind]
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.xml"))):
    if path.endswith(".libvirt.xml"):
        continue
    base = path[: -len(".xml")]
    for old in (base + ".libvirt.xml", base + ".libvirt.err"):
        if os.path.exists(old):
            os.remove(old)
    conn = libvirt.open(uri)
    try:
        obj = define(conn, open(path).read())
        with open(base + ".libvirt.xml", "w") as f:
            f.write(dump(obj))
        obj.undefine()
    except libvirt.libvirtError as e:
        with open(base + ".libvirt.err", "w") as f:
            f.write("%d %d %s\n" % (e.get_error_code(), e.get_error_domain(), e.get_error_message()))
    conn.close()
