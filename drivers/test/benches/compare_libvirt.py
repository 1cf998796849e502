#!/usr/bin/python3
"""Run rvirt's test-driver scale bench and the same workload on libvirt's test driver
(python3-libvirt, in-process, test:///default) and print ops/s per phase with the
ratio rvirt/libvirt.

Usage: /usr/bin/python3 drivers/test/benches/compare_libvirt.py [N]   (default 10000)
Run from anywhere inside the workspace; needs cargo and python3-libvirt.
"""
import os
import subprocess
import sys
import time

import libvirt

PHASES = ["define", "list", "start", "destroy", "undefine"]


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def timed(results, name, ops, fn):
    t = time.perf_counter()
    fn()
    results[name] = ops / (time.perf_counter() - t)


def libvirt_bench(n):
    libvirt.registerErrorHandler(lambda *a: None, None)
    conn = libvirt.open("test:///default")
    xml = ("<domain type='test'><name>bench-%d</name><memory>8192</memory>"
           "<os><type>hvm</type></os></domain>")
    res = {}
    before = rss_kib()
    doms = []
    timed(res, "define", n, lambda: doms.extend(conn.defineXML(xml % i) for i in range(n)))
    after = rss_kib()
    reps = 5
    listed = []

    def do_list():
        for _ in range(reps):
            listed[:] = conn.listAllDomains(0)

    timed(res, "list", n * reps, do_list)
    assert len(listed) >= n
    timed(res, "start", n, lambda: [d.create() for d in doms])
    timed(res, "destroy", n, lambda: [d.destroy() for d in doms])
    timed(res, "undefine", n, lambda: [d.undefine() for d in doms])
    res["mem_bytes_per_domain"] = (after - before) * 1024.0 / n
    conn.close()
    return res


def rvirt_bench(n):
    root = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run(
        ["cargo", "bench", "-q", "-p", "rvirt-driver-test", "--bench", "scale", "--", str(n)],
        cwd=root, check=True, capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        if line.startswith("RESULT "):
            _, k, v = line.split()
            res[k] = float(v)
    return res


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    ours = rvirt_bench(n)
    theirs = libvirt_bench(n)
    print(f"N = {n} domains (libvirt {libvirt.getVersion()}, python3-libvirt in-process)")
    print(f"{'phase':<10} {'rvirt ops/s':>14} {'libvirt ops/s':>14} {'ratio':>8}")
    for p in PHASES:
        print(f"{p:<10} {ours[p]:>14.0f} {theirs[p]:>14.0f} {ours[p] / theirs[p]:>7.1f}x")
    m_o, m_t = ours["mem_bytes_per_domain"], theirs["mem_bytes_per_domain"]
    print(f"{'mem B/dom':<10} {m_o:>14.0f} {m_t:>14.0f} {m_o / m_t if m_t else float('nan'):>7.2f}x"
          "  (RSS delta after define; lower is better)")


if __name__ == "__main__":
    main()
