#!/usr/bin/python3
"""Start throughput of N guests through python3-libvirt: each round starts every
defined guest (one connection, one after another, timed from the first start to the
last start's return), then destroys them; the daemons' rounds alternate so they see
the same stretch of load. Prints "NAME median_ms p90_ms guests_per_s" per daemon
(guests/s from the median round).

Usage: start_many.py ROUNDS N XML_TEMPLATE NAME=URI...   (XML_TEMPLATE has @NAME@ and
@DISK@; the disks are DISK_DIR/NAME.img next to the template). Used by
tools/bench/start-many-compare.sh.
"""
import os
import sys
import time

import libvirt

libvirt.registerErrorHandler(lambda *_: None, None)


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def main():
    rounds, n, template = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    xml = open(template).read()
    disks = os.path.dirname(template)
    conns = [(name, libvirt.open(u)) for name, u in (a.split("=", 1) for a in sys.argv[4:])]
    doms = {}
    for name, conn in conns:
        doms[name] = []
        for i in range(n):
            guest = "many%d" % i
            disk = os.path.join(disks, "%s-%s.img" % (name, guest))
            x = xml.replace("@NAME@", guest).replace("@DISK@", disk)
            doms[name].append(conn.defineXML(x))
    times = {name: [] for name, _ in conns}
    for _ in range(rounds):
        for name, _ in conns:
            t = time.monotonic()
            for d in doms[name]:
                d.create()
            times[name].append((time.monotonic() - t) * 1000.0)
            for d in doms[name]:
                d.destroy()
    for name, _ in conns:
        for d in doms[name]:
            d.undefine()
        v = times[name]
        med = percentile(v, 50)
        print("%s %.1f %.1f %.2f" % (name, med, percentile(v, 90), n / (med / 1000.0)))


if __name__ == "__main__":
    main()
