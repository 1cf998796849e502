#!/usr/bin/python3
"""Define + start latency of one guest through python3-libvirt, ROUNDS times: define
the XML, start it (timed from the define to the start's return), destroy and
undefine it. Prints "NAME median_ms p90_ms min_ms" for each daemon; the daemons'
rounds alternate so they see the same stretch of load.

Usage: define_start.py ROUNDS XML NAME=URI...   Used by tools/bench/define-start-compare.sh.
"""
import sys
import time

import libvirt

libvirt.registerErrorHandler(lambda *_: None, None)


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def main():
    rounds, xml = int(sys.argv[1]), open(sys.argv[2]).read()
    conns = [(n, libvirt.open(u)) for n, u in (a.split("=", 1) for a in sys.argv[3:])]
    times = {n: [] for n, _ in conns}
    for _ in range(rounds):
        for name, conn in conns:
            t = time.monotonic()
            dom = conn.defineXML(xml)
            dom.create()
            times[name].append((time.monotonic() - t) * 1000.0)
            dom.destroy()
            dom.undefine()
    for name, _ in conns:
        v = times[name]
        print("%s %.1f %.1f %.1f" % (name, percentile(v, 50), percentile(v, 90), min(v)))


if __name__ == "__main__":
    main()
