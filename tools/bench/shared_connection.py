#!/usr/bin/python3
"""N threads each starting one guest, through python3-libvirt, in one of three shapes:

  shared    all threads share one connection (virt-manager, OpenStack Nova)
  separate  one connection per thread
  serial    one thread, one connection, the guests one after another

Usage: shared_connection.py URI MODE XML...   (one domain XML file per guest)

Defines the guests, starts them (timed), destroys and undefines them, and prints
"MODE N SECONDS" on stdout. Used by tools/bench/shared-connection-compare.sh and by
rvirt-tests' shared_connection test.
"""
import sys
import threading
import time

import libvirt

libvirt.registerErrorHandler(lambda *_: None, None)


def main():
    uri, mode, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    admin = libvirt.open(uri)
    doms = [admin.defineXML(open(f).read()) for f in files]
    names = [d.name() for d in doms]
    errors = []
    conns = {
        "shared": lambda: [libvirt.open(uri)] * len(names),
        "separate": lambda: [libvirt.open(uri) for _ in names],
        "serial": lambda: [libvirt.open(uri)] * len(names),
    }[mode]()

    def start(i):
        try:
            conns[i].lookupByName(names[i]).create()
        except libvirt.libvirtError as e:
            errors.append(str(e))

    t = time.monotonic()
    if mode == "serial":
        for i in range(len(names)):
            start(i)
    else:
        threads = [threading.Thread(target=start, args=(i,)) for i in range(len(names))]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    took = time.monotonic() - t
    for d in doms:
        try:
            d.destroy()
        except libvirt.libvirtError:
            pass
        d.undefine()
    if errors:
        print("errors:", errors[:3], file=sys.stderr)
        sys.exit(1)
    print(f"{mode} {len(names)} {took:.3f}")


main()
