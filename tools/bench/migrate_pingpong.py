#!/usr/bin/python3
"""Live migration round trips through python3-libvirt: for each daemon pair, one
small guest created on A, then ROUNDS times migrated A -> B and B -> A
(virDomainMigrate3: the client runs libvirt's five steps, VIR_MIGRATE_LIVE |
VIR_MIGRATE_UNSAFE, the stream on tcp:127.0.0.1), each migration timed from the call
to its return; the pairs' migrations alternate so they see the same stretch of load.
After each one the guest must run on the other side. Prints
"NAME median_ms p99_ms migrations_per_s" per pair (migrations/s from the median).

Usage: migrate_pingpong.py ROUNDS NAME=XML_FILE,URI_A,URI_B...   Used by
tools/bench/migrate-compare.sh.
"""
import sys
import time

import libvirt

libvirt.registerErrorHandler(lambda *_: None, None)

FLAGS = libvirt.VIR_MIGRATE_LIVE | libvirt.VIR_MIGRATE_UNSAFE
PARAMS = {
    libvirt.VIR_MIGRATE_PARAM_URI: "tcp:127.0.0.1",
    libvirt.VIR_MIGRATE_PARAM_LISTEN_ADDRESS: "127.0.0.1",
}


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def main():
    rounds = int(sys.argv[1])
    pairs = []
    for arg in sys.argv[2:]:
        name, rest = arg.split("=", 1)
        xml_file, uri_a, uri_b = rest.split(",")
        a, b = libvirt.open(uri_a), libvirt.open(uri_b)
        pairs.append((name, [a, b], a.createXML(open(xml_file).read(), 0)))
    times = {name: [] for name, _, _ in pairs}
    for r in range(2 * rounds):
        for i, (name, conns, dom) in enumerate(pairs):
            dst = conns[(r + 1) % 2]
            t = time.monotonic()
            moved = dom.migrate3(dst, PARAMS, FLAGS)
            times[name].append((time.monotonic() - t) * 1000.0)
            if moved.state()[0] != libvirt.VIR_DOMAIN_RUNNING:
                raise SystemExit("%s: the guest does not run after migration" % name)
            pairs[i] = (name, conns, moved)
    for name, _, dom in pairs:
        dom.destroy()
        v = times[name]
        med = percentile(v, 50)
        print("%s %.1f %.1f %.2f" % (name, med, percentile(v, 99), 1000.0 / med))


if __name__ == "__main__":
    main()
