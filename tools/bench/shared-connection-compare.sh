#!/usr/bin/env bash
# Issue 22's benchmark, in one run against rvirtd and Debian's libvirtd 9.0 (private
# instance in its own mount namespace, with its QEMU driver: QEMU as root, no cgroups,
# namespaces, security driver or virtlogd), same python3-libvirt client
# (tools/bench/shared_connection.py): N threads each start one real QEMU guest (TCG,
# 64 MiB, halting with interrupts off so running guests leave the CPUs idle) on
# qemu:///system,
#   shared    all N threads sharing one connection (virt-manager, OpenStack Nova)
#   separate  one connection per thread (for reference)
# and prints each daemon's wall time of the starts and libvirtd's / rvirtd's. Both run
# five of a connection's calls at once (libvirtd's max_client_requests and min_workers,
# rvirtd's --max-client-requests and --workers 5).
# Needs root (the private libvirtd; creates the libvirt-qemu user libvirt 9.0's QEMU
# driver insists on), qemu-system-x86, libvirt-daemon-driver-qemu, python3-libvirt.
#
# Usage: tools/bench/shared-connection-compare.sh [N...]   (default: 20 50)
# MODES="shared separate" (default) picks the shapes.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ $# -eq 0 ]; then set -- 20 50; fi
sizes=("$@")
modes=${MODES:-shared separate}
work_prefix=/tmp/rvsc
# shellcheck source=tools/bench/qemu-bench-common.sh
. tools/bench/qemu-bench-common.sh

max=0
for n in "${sizes[@]}"; do [ "$n" -gt "$max" ] && max=$n; done
mkdir -p "$work/guests"
for i in $(seq 1 "$max"); do
  { printf '\xfa\xf4\xeb\xfd'; head -c 506 /dev/zero; printf '\x55\xaa'; } > "$work/guests/g$i.img"
  small_guest_xml "bench-g$i" "$work/guests/g$i.img" > "$work/guests/g$i.xml"
done

LIBVIRTD_CONF='max_client_requests = 5' start_daemons --workers 5 --max-client-requests 5

# One start on each first: capability probes and caches are filled before timing.
/usr/bin/python3 tools/bench/shared_connection.py "$lv_uri" serial "$work/guests/g1.xml" >/dev/null
/usr/bin/python3 tools/bench/shared_connection.py "$rv_uri" serial "$work/guests/g1.xml" >/dev/null

secs() { /usr/bin/python3 tools/bench/shared_connection.py "$1" "$2" "${@:3}" | awk '{print $3}'; }

printf '%-9s %4s %12s %12s %8s\n' mode N libvirtd_s rvirtd_s ratio
for n in "${sizes[@]}"; do
  xml=()
  for i in $(seq 1 "$n"); do xml+=("$work/guests/g$i.xml"); done
  for mode in $modes; do
    lv=$(secs "$lv_uri" "$mode" "${xml[@]}")
    rv=$(secs "$rv_uri" "$mode" "${xml[@]}")
    printf '%-9s %4d %12.2f %12.2f %7.1fx\n' "$mode" "$n" "$lv" "$rv" \
      "$(echo "$lv / $rv" | bc -l)"
  done
done
