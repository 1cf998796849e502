#!/usr/bin/env bash
# Volume streams, rvirtd vs a private libvirtd 9.0 (its QEMU and storage drivers), both
# driven by Debian's virsh: a random file of SIZE MiB (default 256) uploaded into a raw
# volume of a `dir` pool and downloaded back, ROUNDS times each (default 3); prints
# the seconds of every transfer and checks the bytes came back identical.
#
# Usage (from the repository root): bash tools/bench/vol-stream-compare.sh [SIZE] [ROUNDS]
set -euo pipefail
size=${1:-256}
rounds=${2:-3}
work_prefix=/tmp/rvvolstream
export STORAGE_DRIVER=1
. tools/bench/qemu-bench-common.sh
start_daemons
head -c "$((size << 20))" /dev/urandom >"$work/in.bin"

secs() { date +%s.%N; }

for who in libvirtd rvirtd; do
  uri=$lv_uri
  [ "$who" = rvirtd ] && uri=$rv_uri
  virsh -q -c "$uri" pool-define-as bench dir --target "$work/$who-images" >/dev/null
  virsh -q -c "$uri" pool-build bench >/dev/null
  virsh -q -c "$uri" pool-start bench >/dev/null
  virsh -q -c "$uri" vol-create-as bench v.raw "$((size + 16))M" >/dev/null
  for r in $(seq 1 "$rounds"); do
    t0=$(secs)
    virsh -q -c "$uri" vol-upload v.raw "$work/in.bin" --pool bench
    t1=$(secs)
    virsh -q -c "$uri" vol-download v.raw "$work/out.bin" --pool bench --length "$((size << 20))"
    t2=$(secs)
    cmp -s "$work/in.bin" "$work/out.bin" || { echo "$who: download differs" >&2; exit 1; }
    printf '%-8s round %d: upload %6.3f s  download %6.3f s  (%d MiB)\n' \
      "$who" "$r" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$size"
  done
done
