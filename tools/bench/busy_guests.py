#!/usr/bin/python3
"""What a dashboard does every few seconds, timed while guests keep the host's CPUs
busy: one round = list every domain (virConnectListAllDomains) and read each one's
info (virDomainGetInfo) on one connection; with BUSY_ROUND=stats in the environment a
round is one virConnectGetAllDomainStats of every group for every domain (what
virt-manager and exporters poll).

Usage: [BUSY_ROUND=stats] busy_guests.py ROUNDS NAME=URI...

The daemons' rounds alternate (daemon A's, then B's, …) so that each sees the same
stretch of load. Prints one line per daemon: "NAME rounds DOMS median_ms p99_ms
max_ms". Used by tools/bench/busy-guests-compare.sh.
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
    rounds = int(sys.argv[1])
    daemons = [arg.split("=", 1) for arg in sys.argv[2:]]
    conns = [(name, libvirt.open(uri)) for name, uri in daemons]
    times = {name: [] for name, _ in conns}
    counts = {}
    stats = os.environ.get("BUSY_ROUND") == "stats"
    for _ in range(rounds):
        for name, conn in conns:
            t = time.monotonic()
            if stats:
                doms = conn.getAllDomainStats(0, 0)
            else:
                doms = conn.listAllDomains(0)
                for d in doms:
                    d.info()
            times[name].append((time.monotonic() - t) * 1000.0)
            counts[name] = len(doms)
    for name, _ in conns:
        v = times[name]
        print(
            "%s %d %d %.2f %.2f %.2f"
            % (name, len(v), counts[name], percentile(v, 50), percentile(v, 99), max(v))
        )


if __name__ == "__main__":
    main()
