#!/usr/bin/env bash
# Issue 18's benchmarks, in one run against rvirtd and Debian's libvirtd 9.0 (private
# instance, own mount namespace), both serving their test driver, same client
# (tools/rpc-load, libvirt's wire protocol over the unix socket):
#   stats   1,000 domains (every other one running); 4 clients x CALLS
#           CONNECT_GET_ALL_DOMAIN_STATS (every group the driver has, what virt-manager
#           and exporters poll)
#   fanout  100 subscribers, lifecycle events delivered to all, delivery latency
# Needs root (the private libvirtd) and libvirt-daemon. Under a minute.
#
# Usage: tools/bench/monitoring-compare.sh [CALLS]   (default 50)
set -euo pipefail
cd "$(dirname "$0")/../.."
calls=${1:-50}
work=$(mktemp -d /tmp/rvmon.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cargo build -q --release -p rvirtd -p rvirt-rpc-load
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
load=$target/release/rvirt-rpc-load

wait_socket() {
  for _ in $(seq 1 200); do [ -S "$1" ] && return 0; sleep 0.05; done
  echo "no socket $1" >&2
  return 1
}

EXTRA_CONF=$'max_clients = 5000\nmax_anonymous_clients = 5000' \
  IDLE_TIMEOUT=600 sh testkit/run-private-libvirtd.sh "$work/libvirtd" \
  >"$work/libvirtd.out" 2>&1 &
pids+=($!)
lv_sock=$work/libvirtd/sock/libvirt-sock
wait_socket "$lv_sock"

"$target/release/rvirtd" --socket-dir "$work/rvirtd" --keep-open test:///default \
  --storage-root "$work/rv-storage" --secret-root "$work/rv-secret" --nwfilter-root "$work/rv-nwfilter" \
  --network-root "$work/rv-net" --network-autostart no \
  --qemu-root "$work/qemu" --lxc-root "$work/lxc" \
  >"$work/rvirtd.out" 2>&1 &
pids+=($!)
rv_sock=$work/rvirtd/libvirt-sock
wait_socket "$rv_sock"

field() { sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p"; }
run() { timeout 600 "$load" "$2" "$1" "$3" "$4"; }

run "$rv_sock" calls 4 200 >/dev/null
run "$lv_sock" calls 4 200 >/dev/null

printf '%-44s %12s %12s %8s   %s\n' "workload" "rvirtd" "libvirtd" "ratio" "p50 / p99 rvirtd | libvirtd (us), errors"
r=$(run "$rv_sock" stats 1000 "$calls")
l=$(run "$lv_sock" stats 1000 "$calls")
rc=$(echo "$r" | field calls_per_sec)
lc=$(echo "$l" | field calls_per_sec)
printf '%-44s %8s c/s %8s c/s %7.2fx   %s / %s | %s / %s, errors %s / %s\n' \
  "GET_ALL_DOMAIN_STATS, 1000 domains, 4 clients" "$rc" "$lc" \
  "$(awk -v a="$rc" -v b="$lc" 'BEGIN {print a/b}')" \
  "$(echo "$r" | field p50_us)" "$(echo "$r" | field p99_us)" \
  "$(echo "$l" | field p50_us)" "$(echo "$l" | field p99_us)" \
  "$(echo "$r" | field errors)" "$(echo "$l" | field errors)"
for side in "$r" "$l"; do
  if [ "$(echo "$side" | field errors)" != 0 ]; then echo "errors: $side" >&2; exit 1; fi
done

r=$(run "$rv_sock" fanout 100 20)
l=$(run "$lv_sock" fanout 100 20)
rp50=$(echo "$r" | field p50_us); lp50=$(echo "$l" | field p50_us)
printf '%-44s %8s/%-4s %7s/%-4s %7.2fx   %s / %s | %s / %s\n' \
  "event fan-out, 100 subscribers x 20 events" \
  "$(echo "$r" | field delivered)" 2000 "$(echo "$l" | field delivered)" 2000 \
  "$(awk -v a="$lp50" -v b="$rp50" 'BEGIN {print a/b}')" \
  "$rp50" "$(echo "$r" | field p99_us)" "$lp50" "$(echo "$l" | field p99_us)"
echo "(fan-out ratio: libvirtd's p50 delivery latency / rvirtd's)"
