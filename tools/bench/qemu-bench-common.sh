# Sourced by the benchmarks that run real QEMU guests under rvirtd and a private
# libvirtd 9.0 (busy-guests-compare.sh, define-start-compare.sh,
# shared-connection-compare.sh): a work directory $work removed at exit with every
# process in $pids and every QEMU whose command line names $work, the libvirt-qemu
# user libvirt 9.0's QEMU driver insists on, a release rvirtd ($target/release/rvirtd),
# and wait_socket PATH.
#
# Usage (from the repository root): work_prefix=/tmp/rvNAME; . tools/bench/qemu-bench-common.sh
work=$(mktemp -d "${work_prefix:-/tmp/rvbench}.XXXXXX")
chmod 0755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # Guests left behind by a failed run (their disks are under $work).
  for p in $(pgrep -f "qemu-system.*$work" || true); do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
getent passwd libvirt-qemu >/dev/null ||
  useradd --system -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu

cargo build -q --release -p rvirtd
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')

wait_socket() {
  for _ in $(seq 1 200); do [ -S "$1" ] && return 0; sleep 0.05; done
  echo "no socket $1" >&2
  return 1
}
