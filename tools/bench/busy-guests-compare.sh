#!/usr/bin/env bash
# Issues 22 and 23's busy-guest benchmark, in one run against rvirtd and Debian's
# libvirtd 9.0 (private instance in its own mount namespace, with its QEMU driver:
# QEMU as root in cgroups — the controllers rvirtd uses, see qemu-bench-common.sh — without
# namespaces, security driver or virtlogd): N guests on each
# daemon spin their vCPU for ever under TCG (2N busy QEMUs on the host), then a
# dashboard's round — list all domains and read each one's info, one connection —
# runs ROUNDS times on each daemon, alternating (tools/bench/busy_guests.py), and the
# round's median and p99 are printed for both with libvirtd's / rvirtd's.
# rvirtd runs its QEMUs as libvirt-qemu with its default confinement (DAC, seccomp).
# Needs root, qemu-system-x86, libvirt-daemon-driver-qemu, python3-libvirt.
#
# With BUSY_ROUND=stats a round is instead one CONNECT_GET_ALL_DOMAIN_STATS of every group
# for every domain (issue 18's stats over running guests).
#
# Usage: [BUSY_ROUND=stats] tools/bench/busy-guests-compare.sh [N] [ROUNDS]   (default: 50 200)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-50}
rounds=${2:-200}
work_prefix=/tmp/rvbusy
# shellcheck source=tools/bench/qemu-bench-common.sh
. tools/bench/qemu-bench-common.sh

# jmp $ : a vCPU that never rests. One image per guest (QEMU locks them).
mkdir -p "$work/disks"
chmod 0755 "$work/disks"
guest_xml() {
  { printf '\xeb\xfe'; head -c 508 /dev/zero; printf '\x55\xaa'; } > "$work/disks/$1.img"
  chmod 0666 "$work/disks/$1.img"
  cat <<XML
<domain type='qemu'>
  <name>busy-$1</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$work/disks/$1.img'/>
      <target dev='hda' bus='ide'/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>
XML
}

start_daemons

for uri in "$lv_uri" "$rv_uri"; do
  for i in $(seq 1 "$n"); do
    tag=$([ "$uri" = "$lv_uri" ] && echo lv || echo rv)
    guest_xml "$tag$i" > "$work/g.xml"
    virsh -q -c "$uri" create "$work/g.xml" >/dev/null
  done
done
echo "$((2 * n)) busy guests running ($n per daemon); $rounds rounds each of ${BUSY_ROUND:-list+info}" >&2
sleep 2

/usr/bin/python3 tools/bench/busy_guests.py "$rounds" libvirtd="$lv_uri" rvirtd="$rv_uri" \
  > "$work/result"
read -r _ _ doms lv_med lv_p99 lv_max < <(grep '^libvirtd ' "$work/result")
read -r _ _ _ rv_med rv_p99 rv_max < <(grep '^rvirtd ' "$work/result")
printf '%-8s %5s %12s %12s %12s\n' daemon doms median_ms p99_ms max_ms
printf '%-8s %5d %12.2f %12.2f %12.2f\n' libvirtd "$doms" "$lv_med" "$lv_p99" "$lv_max"
printf '%-8s %5d %12.2f %12.2f %12.2f\n' rvirtd "$doms" "$rv_med" "$rv_p99" "$rv_max"
printf 'libvirtd/rvirtd: median %.2fx, p99 %.2fx\n' \
  "$(echo "$lv_med / $rv_med" | bc -l)" "$(echo "$lv_p99 / $rv_p99" | bc -l)"
