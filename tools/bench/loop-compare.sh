#!/usr/bin/env bash
# Readiness-dispatch throughput: rvirt's default loop against libvirt's own default loop,
# same workload, same run. Needs libvirt-dev (tools/setup.sh installs it).
# Usage: tools/bench/loop-compare.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

gcc -O2 -o "$out/libvirt_loop" tools/bench/libvirt_loop.c $(pkg-config --cflags --libs libvirt)
cargo build -q --release -p rvirt-core --bench default_loop
bench=$(ls -t target/release/deps/default_loop-* | grep -v '\.d$' | head -n1)

configs=("eventfd 10 200000" "eventfd 1000 200000" "eventfd 10000 200000" "pipe 1000 100000")
printf '%-8s %8s %14s %14s %8s\n' fd watches "libvirt ev/s" "rvirt ev/s" ratio
for c in "${configs[@]}"; do
  set -- $c
  lv=$("$out/libvirt_loop" "$1" "$2" "$3" | awk '{print $4}')
  rv=$("$bench" "$1" "$2" "$3" | awk 'NR==2 {print $4}')
  printf '%-8s %8s %14.0f %14.0f %7.1fx\n' "$1" "$2" "$lv" "$rv" "$(awk -v a="$rv" -v b="$lv" 'BEGIN{print a/b}')"
done
