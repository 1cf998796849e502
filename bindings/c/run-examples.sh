#!/usr/bin/env bash
# Builds librvirt, compiles the C examples (examples/c/) against it through rvirt.pc, runs
# them, checks their output, and runs them under valgrind (memcheck) expecting no definite
# leak and no memory error.
#
#   bash bindings/c/run-examples.sh
#
# Environment:
#   RVIRT_FFI_LIBDIR   use the librvirt already built there instead of `cargo build -p rvirt-ffi`
#   CARGO_TARGET_DIR   honoured when building
#   RVIRT_FFI_NO_VALGRIND=1   skip the valgrind runs
# Needs gcc, pkg-config, GLib's headers (libglib2.0-dev) and valgrind.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
examples=$repo/examples/c

if [ -n "${RVIRT_FFI_LIBDIR:-}" ]; then
  libdir=$RVIRT_FFI_LIBDIR
else
  (cd "$repo" && "${CARGO:-cargo}" build -q -p rvirt-ffi)
  libdir=${CARGO_TARGET_DIR:-$repo/target}/debug
fi
[ -f "$libdir/librvirt_ffi.so" ] || { echo "run-examples: no librvirt_ffi.so in $libdir" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/rvirt-c-examples.XXXXXX")
trap 'rm -rf "$work"' EXIT
bash "$here/make-pc.sh" "$libdir" "$work" >/dev/null
export PKG_CONFIG_PATH="$work${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

cflags=(-std=c11 -Wall -Wextra -Werror -g -O0)
# shellcheck disable=SC2046
gcc "${cflags[@]}" -o "$work/default_loop" "$examples/default_loop.c" $(pkg-config --cflags --libs rvirt)
# shellcheck disable=SC2046
gcc "${cflags[@]}" -o "$work/glib_loop" "$examples/glib_loop.c" $(pkg-config --cflags --libs rvirt glib-2.0)
# shellcheck disable=SC2046
gcc "${cflags[@]}" -o "$work/quick_start" "$examples/quick_start.c" $(pkg-config --cflags --libs rvirt)
# shellcheck disable=SC2046
gcc "${cflags[@]}" -o "$work/glib_register" "$examples/glib_register.c" $(pkg-config --cflags --libs rvirt glib-2.0)
# shellcheck disable=SC2046
gcc "${cflags[@]}" -o "$work/host_objects" "$examples/host_objects.c" $(pkg-config --cflags --libs rvirt)
# The static library links too (no run needed: same code).
# shellcheck disable=SC2046
gcc "${cflags[@]}" -o "$work/default_loop_static" "$examples/default_loop.c" \
  $(pkg-config --cflags rvirt) "$work/librvirt.a" $(pkg-config --libs gobject-2.0 glib-2.0) -lpthread -ldl -lm

passed=0
failed=0
check() { # name, expected-file, actual-file
  if diff -u "$2" "$3" >"$work/$1.diff"; then
    echo "ok   $1"
    passed=$((passed + 1))
  else
    echo "FAIL $1: output differs from the expected lines:"
    cat "$work/$1.diff"
    failed=$((failed + 1))
  fi
}

run() { # name, program -> stdout in $work/name.out, exit code checked
  local rc=0
  timeout 30 "$2" >"$work/$1.out" 2>"$work/$1.err" || rc=$?
  [ "$rc" -eq 0 ] && return 0
  echo "FAIL $1: exit code $rc (stderr below)"
  cat "$work/$1.err"
  failed=$((failed + 1))
  return 1
}

cat >"$work/default_loop.want" <<'OUT'
missing domain: code 42: Domain not found: no domain with matching name 'no-such-domain'
lifecycle: event Defined (0 0) for c-default-loop
lifecycle: event Started (2 0) for c-default-loop
running: state 1 vcpus 1 memory 131072 KiB uuid-length 36
xml mentions name: yes
lifecycle: event Stopped (5 1) for c-default-loop
lifecycle: event Undefined (1 0) for c-default-loop
callback data freed: lifecycle
default_loop: done, 4 events
OUT
cat >"$work/quick_start.want" <<'OUT'
test: event 3 detail 0
test: event 4 detail 0
OUT
cat >"$work/glib_register.want" <<'OUT'
glib: event 3 detail 0 for test
glib: event 4 detail 0 for test
glib_register: 2 events
OUT
cat >"$work/glib_loop.want" <<'OUT'
glib: pipe watch 1 read 'x'
glib: event Defined (0 0) for c-glib-loop
glib: event Started (2 0) for c-glib-loop
glib: event Suspended (3 0) for c-glib-loop
glib: event Resumed (4 0) for c-glib-loop
glib: event Stopped (5 1) for c-glib-loop
glib: event Undefined (1 0) for c-glib-loop
glib: 0 watches left, 0 timers left
glib_loop: done
OUT
cat >"$work/host_objects.want" <<'OUT'
network default uuid dd8fe884-6c02-601e-7551-cca97df1c5df active 1
second start: code 55
network xml names virbr0: yes
missing network: code 43: Network not found: no network with matching name 'no-such-network'
pool default-pool state 2 capacity 107374182400 available 107374182400
  volume c-example.img path /default-pool/c-example.img type 0 capacity 1048576
missing pool: code 49
secrets: code 3: this function is not supported by the connection driver: virConnectListAllSecrets
node device computer parent (none) caps system
node device scsi_host1 parent computer caps scsi_host
node device scsi_host2 parent computer caps scsi_host
node device scsi_host11 parent scsi_host1 caps scsi_host
missing node device: code 53
interface eth1 mac aa:bb:cc:dd:ee:ff active 1
missing interface: code 57
nwfilters: code 3: this function is not supported by the connection driver: virConnectListAllNWFilters
host_objects: done
OUT

for prog in default_loop default_loop_static glib_loop quick_start glib_register host_objects; do
  want=$work/${prog%_static}.want
  if run "$prog" "$work/$prog"; then
    # "domain NAME id N" lines list whatever test:///default holds: not compared.
    grep -v '^domain ' "$work/$prog.out" >"$work/$prog.got" || true
    check "$prog" "$want" "$work/$prog.got"
  fi
done

if [ "${RVIRT_FFI_NO_VALGRIND:-0}" != 1 ]; then
  for prog in default_loop glib_loop quick_start glib_register host_objects; do
    rc=0
    timeout 120 valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
      "$work/$prog" >"$work/$prog.vg.out" 2>"$work/$prog.vg.err" || rc=$?
    if [ "$rc" -eq 0 ]; then
      echo "ok   valgrind $prog (no definite leak, no memory error)"
      passed=$((passed + 1))
    else
      echo "FAIL valgrind $prog: exit code $rc"
      cat "$work/$prog.vg.err"
      failed=$((failed + 1))
    fi
  done
fi

echo "run-examples: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
