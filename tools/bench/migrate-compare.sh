#!/usr/bin/env bash
# Live migration, in one run against two rvirtd daemons and two of Debian's libvirtd
# 9.0 (private instances in their own mount namespaces, with their QEMU driver: QEMU as
# root, no cgroups, namespaces, security driver or virtlogd; distinct host_uuid, as two
# hosts have): one small TCG guest per pair (a boot sector that counts in memory, a raw
# IDE disk both sides of the pair share) migrated back and forth ROUNDS times each way
# by python3-libvirt's migrate3 (tools/bench/migrate_pingpong.py); each migration's
# median and p99, migrations per second, and libvirtd's / rvirtd's.
# Needs root, qemu-system-x86, libvirt-daemon-driver-qemu, python3-libvirt.
#
# Usage: tools/bench/migrate-compare.sh [ROUNDS]   (default: 10)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-10}
work_prefix=/tmp/rvmig
# shellcheck source=tools/bench/qemu-bench-common.sh
. tools/bench/qemu-bench-common.sh

for who in lv rv; do
  { printf '\x31\xc0\x8e\xd8\x66\xff\x06\x00\x06\xeb\xf9'; head -c 499 /dev/zero; printf '\x55\xaa'; } > "$work/$who.img"
  small_guest_xml "mig$who" "$work/$who.img" > "$work/$who.xml"
done
chmod 0666 "$work"/*.img

# Two of each: the first pair as start_daemons starts them, the second beside it.
QEMU_CGROUPS= LIBVIRTD_CONF='host_uuid = "5a5a5a5a-0000-4000-8000-000000000001"' start_daemons
lv_a=$lv_uri rv_a=$rv_uri
QEMU_CGROUPS= LIBVIRTD_CONF='host_uuid = "5a5a5a5a-0000-4000-8000-000000000002"' \
  DAEMONS_SUFFIX=-b start_daemons
lv_b=$lv_uri rv_b=$rv_uri

/usr/bin/python3 tools/bench/migrate_pingpong.py "$rounds" \
  "libvirtd=$work/lv.xml,$lv_a,$lv_b" "rvirtd=$work/rv.xml,$rv_a,$rv_b" > "$work/result"
read -r _ lv_med lv_p99 lv_rate < <(grep '^libvirtd ' "$work/result")
read -r _ rv_med rv_p99 rv_rate < <(grep '^rvirtd ' "$work/result")
echo "live migration of one guest, $rounds round trips:"
printf '%-8s %10s %10s %14s\n' daemon median_ms p99_ms migrations/s
printf '%-8s %10.1f %10.1f %14.2f\n' libvirtd "$lv_med" "$lv_p99" "$lv_rate"
printf '%-8s %10.1f %10.1f %14.2f\n' rvirtd "$rv_med" "$rv_p99" "$rv_rate"
printf 'libvirtd/rvirtd: median %.1fx, p99 %.1fx\n' \
  "$(echo "$lv_med / $rv_med" | bc -l)" "$(echo "$lv_p99 / $rv_p99" | bc -l)"
