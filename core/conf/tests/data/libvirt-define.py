#!/usr/bin/python3
"""Defines each DIR/*.xml (not *.libvirt.xml) in libvirt's own test driver
(python3-libvirt, in process) and writes what it prints back: DIR/NAME.libvirt.xml
(virsh dumpxml), or DIR/NAME.libvirt.err with libvirt's code, domain and message.

Usage: libvirt-define.py DIR [URI]   (URI: test:///default unless given; a test
driver on an empty node, test:///PATH/TO/<node/>.xml, defines any name)."""
import glob
import os
import sys

import libvirt

libvirt.registerErrorHandler(lambda *a: None, None)
uri = sys.argv[2] if len(sys.argv) > 2 else "test:///default"
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.xml"))):
    if path.endswith(".libvirt.xml"):
        continue
    base = path[: -len(".xml")]
    for old in (base + ".libvirt.xml", base + ".libvirt.err"):
        if os.path.exists(old):
            os.remove(old)
    conn = libvirt.open(uri)
    try:
        dom = conn.defineXML(open(path).read())
        with open(base + ".libvirt.xml", "w") as f:
            f.write(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_SECURE))
        dom.undefine()
    except libvirt.libvirtError as e:
        with open(base + ".libvirt.err", "w") as f:
            f.write("%d %d %s\n" % (e.get_error_code(), e.get_error_domain(), e.get_error_message()))
    conn.close()
