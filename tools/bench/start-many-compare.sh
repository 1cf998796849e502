#!/usr/bin/env bash
# Issue 17's start-throughput benchmark, in one run against rvirtd and Debian's libvirtd
# 9.0 (private instance in its own mount namespace, with its QEMU driver: QEMU as root,
# no cgroups, namespaces, security driver or virtlogd): N small TCG guests (a boot
# sector that halts, a raw IDE disk of its own each) defined on each daemon, then
# ROUNDS rounds of "start all N, one after another, through one connection; destroy
# them", the daemons alternating (tools/bench/start_many.py); the round's median and
# p90 and guests started per second, and libvirtd's / rvirtd's.
# Needs root, qemu-system-x86, libvirt-daemon-driver-qemu, python3-libvirt.
#
# Usage: tools/bench/start-many-compare.sh [N] [ROUNDS]   (default: 20 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-20}
rounds=${2:-5}
work_prefix=/tmp/rvmany
# shellcheck source=tools/bench/qemu-bench-common.sh
. tools/bench/qemu-bench-common.sh

for who in libvirtd rvirtd; do
  for i in $(seq 0 $((n - 1))); do
    { printf '\xfa\xf4\xeb\xfd'; head -c 506 /dev/zero; printf '\x55\xaa'; } > "$work/$who-many$i.img"
  done
done
chmod 0666 "$work"/*.img
small_guest_xml @NAME@ @DISK@ > "$work/guest.xml"

start_daemons
/usr/bin/python3 tools/bench/start_many.py "$rounds" "$n" "$work/guest.xml" \
  "libvirtd=$lv_uri" "rvirtd=$rv_uri" > "$work/result"
read -r _ lv_med lv_p90 lv_rate < <(grep '^libvirtd ' "$work/result")
read -r _ rv_med rv_p90 rv_rate < <(grep '^rvirtd ' "$work/result")
echo "start $n guests, $rounds rounds:"
printf '%-8s %10s %10s %10s\n' daemon median_ms p90_ms guests/s
printf '%-8s %10.1f %10.1f %10.2f\n' libvirtd "$lv_med" "$lv_p90" "$lv_rate"
printf '%-8s %10.1f %10.1f %10.2f\n' rvirtd "$rv_med" "$rv_p90" "$rv_rate"
printf 'libvirtd/rvirtd: median %.1fx\n' "$(echo "$lv_med / $rv_med" | bc -l)"
