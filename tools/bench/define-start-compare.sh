#!/usr/bin/env bash
# Issue 17's latency benchmark, in one run against rvirtd and Debian's libvirtd 9.0
# (private instance in its own mount namespace, with its QEMU driver: QEMU as root, no
# cgroups, namespaces, security driver or virtlogd): define + start of the guest
# libvirt 9.0 itself stores for `virt-install --osinfo debian11` (q35, fourteen root
# ports, qcow2 virtio disk, virtio NIC (user networking here), SPICE + virtio video,
# ich9 sound, qemu-ga and SPICE channels, USB tablet and redirection, rng, balloon;
# without its host-passthrough CPU, which libvirt refuses under TCG;
# drivers/qemu/tests/data/libvirt-dumped/os-debian11.xml, TCG), ROUNDS times on each
# daemon alternately (tools/bench/define_start.py), median / p90 / min, and libvirtd's /
# rvirtd's. The first define+start on each is not counted (capability probes).
# Needs root, qemu-system-x86, qemu-utils, libvirt-daemon-driver-qemu, python3-libvirt.
#
# Usage: tools/bench/define-start-compare.sh [ROUNDS]   (default: 10)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-10}
work_prefix=/tmp/rvdefst
# shellcheck source=tools/bench/qemu-bench-common.sh
. tools/bench/qemu-bench-common.sh

qemu-img create -q -f qcow2 "$work/disk.qcow2" 64M
chmod 0666 "$work/disk.qcow2"
sed -e "s|<domain type='kvm'>|<domain type='qemu'>|" \
  -e "s|/var/lib/libvirt/images/os-debian11.qcow2|$work/disk.qcow2|" \
  -e "s|<interface type='network'>|<interface type='user'>|" \
  -e "/<source network=/d" \
  -e "/<cpu mode=.host-passthrough./d" \
  drivers/qemu/tests/data/libvirt-dumped/os-debian11.xml > "$work/guest.xml"

start_daemons
lv="libvirtd=$lv_uri"
rv="rvirtd=$rv_uri"

/usr/bin/python3 tools/bench/define_start.py 1 "$work/guest.xml" "$lv" "$rv" >/dev/null
/usr/bin/python3 tools/bench/define_start.py "$rounds" "$work/guest.xml" "$lv" "$rv" \
  > "$work/result"
read -r _ lv_med lv_p90 lv_min < <(grep '^libvirtd ' "$work/result")
read -r _ rv_med rv_p90 rv_min < <(grep '^rvirtd ' "$work/result")
printf '%-8s %10s %10s %10s\n' daemon median_ms p90_ms min_ms
printf '%-8s %10.1f %10.1f %10.1f\n' libvirtd "$lv_med" "$lv_p90" "$lv_min"
printf '%-8s %10.1f %10.1f %10.1f\n' rvirtd "$rv_med" "$rv_p90" "$rv_min"
printf 'libvirtd/rvirtd: median %.1fx\n' "$(echo "$lv_med / $rv_med" | bc -l)"
