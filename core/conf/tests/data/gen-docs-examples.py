#!/usr/bin/python3
"""Regenerates tests/data/docs/: the XML examples of libvirt's domain XML documentation
(docs/formatdomain.rst of a libvirt source tree), each made a complete domain where it
is a fragment, kept when libvirt 9.0's schema accepts it (virt-xml-validate), and
what libvirt's own test driver prints after defining it (NAME.libvirt.xml, through
libvirt-define.py).

    core/conf/tests/data/gen-docs-examples.py LIBVIRT_SOURCE/docs/formatdomain.rst
"""
import os
import re
import subprocess
import sys
import tempfile
import xml.dom.minidom as md

TOP = {
    "name", "uuid", "genid", "title", "description", "metadata", "maxMemory", "memory",
    "currentMemory", "blkiotune", "memtune", "memoryBacking", "vcpu", "vcpus", "iothreads",
    "iothreadids", "defaultiothread", "cputune", "numatune", "resource", "sysinfo",
    "bootloader", "bootloader_args", "os", "idmap", "features", "cpu", "clock",
    "on_poweroff", "on_reboot", "on_crash", "on_lockfailure", "pm", "perf", "seclabel",
    "keywrap", "launchSecurity",
}
DEVICES = {
    "emulator", "disk", "controller", "lease", "filesystem", "interface", "smartcard",
    "serial", "parallel", "console", "channel", "input", "tpm", "graphics", "sound",
    "audio", "video", "hostdev", "redirdev", "redirfilter", "hub", "watchdog",
    "memballoon", "rng", "nvram", "panic", "shmem", "memory", "iommu", "vsock", "crypto",
}


def blocks(text):
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].rstrip().endswith("::"):
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            body = []
            while j < len(lines) and (not lines[j].strip() or lines[j].startswith(" ")):
                body.append(lines[j])
                j += 1
            code = "\n".join(l for l in body if l.strip() not in ("...", "…"))
            code = re.sub(r"^\s*\.\.\.\s*$", "", code, flags=re.M).strip()
            if code.startswith("<"):
                yield code
            i = j
        else:
            i += 1


def complete(fragment):
    try:
        root = md.parseString("<frag>%s</frag>" % fragment).documentElement
    except Exception:
        return None
    kids = [c for c in root.childNodes if c.nodeType == c.ELEMENT_NODE]
    if len(kids) == 1 and kids[0].tagName == "domain":
        dom = kids[0]
        doc = dom.ownerDocument
        have = {c.tagName for c in dom.childNodes if c.nodeType == c.ELEMENT_NODE}
        if not dom.getAttribute("type"):
            dom.setAttribute("type", "kvm")
        first = dom.firstChild
        for tag, text in (("name", "example"), ("memory", "1048576")):
            if tag not in have:
                el = doc.createElement(tag)
                el.appendChild(doc.createTextNode(text))
                dom.insertBefore(el, first)
        if "os" not in have:
            os_el = doc.createElement("os")
            t = doc.createElement("type")
            t.appendChild(doc.createTextNode("hvm"))
            os_el.appendChild(t)
            dom.appendChild(os_el)
        return dom.toxml()
    top, devs = [], []
    for k in kids:
        if k.tagName == "devices":
            devs += [c.toxml() for c in k.childNodes if c.nodeType == c.ELEMENT_NODE]
        elif k.tagName in TOP:
            top.append(k)
        elif k.tagName in DEVICES:
            devs.append(k.toxml())
        else:
            return None
    names = {k.tagName for k in top}
    parts = []
    if "name" not in names:
        parts.append("<name>example</name>")
    if "memory" not in names and not any(k.tagName == "cpu" and k.getElementsByTagName("numa") for k in top):
        parts.append("<memory>1048576</memory>")
    for k in top:
        if k.tagName == "os" and not k.getElementsByTagName("type"):
            t = k.ownerDocument.createElement("type")
            t.appendChild(k.ownerDocument.createTextNode("hvm"))
            k.insertBefore(t, k.firstChild)
        parts.append(k.toxml())
    if "os" not in names:
        parts.append("<os><type>hvm</type></os>")
    if devs:
        parts.append("<devices>%s</devices>" % "".join(devs))
    return "<domain type='kvm'>%s</domain>" % "".join(parts)


def deterministic(xml, n):
    """A fixed UUID and MAC addresses where the example leaves them to libvirt."""
    doc = md.parseString(xml)
    dom = doc.documentElement
    if not dom.getElementsByTagName("uuid"):
        u = doc.createElement("uuid")
        u.appendChild(doc.createTextNode("00000000-0000-4000-8000-%012d" % n))
        name = dom.getElementsByTagName("name")[0]
        dom.insertBefore(u, name.nextSibling)
    for i, nic in enumerate(dom.getElementsByTagName("interface")):
        if nic.parentNode.tagName == "devices" and not nic.getElementsByTagName("mac"):
            mac = doc.createElement("mac")
            mac.setAttribute("address", "52:54:00:%02x:%02x:%02x" % (n // 256, n % 256, i))
            nic.insertBefore(mac, nic.firstChild)
    return dom.toxml()


def valid(xml):
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
        f.write(xml)
    try:
        r = subprocess.run(["virt-xml-validate", f.name, "domain"], capture_output=True)
        return r.returncode == 0
    finally:
        os.unlink(f.name)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "docs")
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        os.remove(os.path.join(out, f))
    kept = skipped = 0
    for n, code in enumerate(blocks(open(sys.argv[1]).read())):
        xml = complete(code)
        if xml is not None:
            xml = deterministic(xml, n)
        if xml is None or not valid(xml):
            skipped += 1
            continue
        first = re.search(r"<([a-zA-Z_-]+)", code).group(1)
        pretty = md.parseString(xml).toprettyxml(indent="  ")
        pretty = "\n".join(l for l in pretty.split("\n")[1:] if l.strip()) + "\n"
        with open(os.path.join(out, "%03d-%s.xml" % (n, first)), "w") as f:
            f.write(pretty)
        kept += 1
    print("kept %d examples, skipped %d (fragments the schema refuses)" % (kept, skipped))
    subprocess.run(["/usr/bin/python3", os.path.join(here, "libvirt-define.py"), out], check=True)


main()
