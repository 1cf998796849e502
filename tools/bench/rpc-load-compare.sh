#!/usr/bin/env bash
# Issue 6's load benchmark and issue 9's load check, in one run: the same client workloads
# (tools/rpc-load, libvirt's wire protocol over the unix socket) against rvirtd and against
# Debian's libvirtd 9.0 with its test driver (private instance, own mount namespace).
# Needs root (the private libvirtd), libvirt-daemon. About a minute.
#
#   calls      C clients x M calls each (LOOKUP_BY_NAME / GET_INFO alternating) on test:///default
#   lifecycle  200 clients, each define + create/suspend/resume/destroy cycles for S seconds
#   fanout     100 subscribers, lifecycle events delivered to all, delivery latency
# For rvirtd it also reports open fds and RSS before and after the load (nothing may leak).
#
# Usage: tools/bench/rpc-load-compare.sh [LIFECYCLE_SECONDS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-5}
work=$(mktemp -d /tmp/rvload.XXXXXX)
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

# libvirtd: clients are authenticated at once (auth none); raise its client limits so 200
# concurrent clients are not turned away.
EXTRA_CONF=$'max_clients = 5000\nmax_anonymous_clients = 5000\nmax_workers = 20' \
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
rv_pid=$!
pids+=($rv_pid)
rv_sock=$work/rvirtd/libvirt-sock
wait_socket "$rv_sock"

field() { sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p"; }
fds() { ls "/proc/$1/fd" | wc -l; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

run() { # run DAEMON_SOCKET MODE N M -> prints the key=value line
  timeout 300 "$load" "$2" "$1" "$3" "$4"
}

# Warm-up (thread pools, allocator) on both, not reported.
run "$rv_sock" calls 10 200 >/dev/null
run "$lv_sock" calls 10 200 >/dev/null
fds_before=$(fds $rv_pid)
rss_before=$(rss $rv_pid)

printf '%-34s %14s %14s %8s   %s\n' "workload" "rvirtd" "libvirtd" "ratio" "p99 rvirtd / libvirtd (us), errors"
for spec in "calls 10 2000" "calls 50 400" "lifecycle 200 $secs"; do
  set -- $spec
  r=$(run "$rv_sock" "$@")
  l=$(run "$lv_sock" "$@")
  rc=$(echo "$r" | field calls_per_sec)
  lc=$(echo "$l" | field calls_per_sec)
  printf '%-34s %10s c/s %10s c/s %7.2fx   %s / %s, errors %s / %s\n' \
    "$1 $2 clients x $3" "$rc" "$lc" "$(awk -v a="$rc" -v b="$lc" 'BEGIN {print a/b}')" \
    "$(echo "$r" | field p99_us)" "$(echo "$l" | field p99_us)" \
    "$(echo "$r" | field errors)" "$(echo "$l" | field errors)"
  if [ "$(echo "$r" | field errors)" != 0 ]; then echo "rvirtd errors: $r" >&2; fi
done
r=$(run "$rv_sock" fanout 100 20)
l=$(run "$lv_sock" fanout 100 20)
printf '%-34s %10s/%-4s %9s/%-4s %8s   p50 %s / %s us, p99 %s / %s us\n' "fanout 100 subscribers x 20 events" \
  "$(echo "$r" | field delivered)" 2000 "$(echo "$l" | field delivered)" 2000 "" \
  "$(echo "$r" | field p50_us)" "$(echo "$l" | field p50_us)" \
  "$(echo "$r" | field p99_us)" "$(echo "$l" | field p99_us)"

sleep 0.5
fds_after=$(fds $rv_pid)
rss_after=$(rss $rv_pid)
echo "rvirtd open fds before/after the load: $fds_before / $fds_after; RSS: ${rss_before} / ${rss_after} KiB"
[ "$fds_before" = "$fds_after" ] || { echo "rvirtd leaked fds" >&2; exit 1; }
