#!/usr/bin/python3
"""Regenerates tests/data/errors/expected.txt: for each case of errors/cases.txt, what
libvirt 9.0's test driver (python3-libvirt, in process) answers when defining it:
`CODE DOMAIN MESSAGE`, or `OK`. One line per case, in order."""
import os

import libvirt

libvirt.registerErrorHandler(lambda *a: None, None)
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "errors")
BASE = "<domain type='test'><name>x</name><memory>1024</memory><os><type>hvm</type></os>%s</domain>"
out = []
for line in open(os.path.join(here, "cases.txt")):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        continue
    xml = line if line.startswith("<domain") or line.startswith("<network") else BASE % line
    conn = libvirt.open("test:///default")
    try:
        dom = conn.defineXML(xml)
        dom.undefine()
        out.append("OK")
    except libvirt.libvirtError as e:
        out.append("%d %d %s" % (e.get_error_code(), e.get_error_domain(), e.get_error_message()))
    conn.close()
with open(os.path.join(here, "expected.txt"), "w") as f:
    f.write("\n".join(out) + "\n")
