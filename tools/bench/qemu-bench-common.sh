# Sourced by the benchmarks that run real QEMU guests under rvirtd and a private
# libvirtd 9.0 (busy-guests-compare.sh, define-start-compare.sh,
# shared-connection-compare.sh): a work directory $work removed at exit with every
# process in $pids and every QEMU whose command line names $work, the libvirt-qemu
# user libvirt 9.0's QEMU driver insists on, a release rvirtd ($target/release/rvirtd),
# wait_socket PATH, start_daemons, and small_guest_xml NAME DISK.
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

# The cgroup v1 controllers rvirtd places each guest in; libvirtd gets the same list
# (qemu.conf's cgroup_controllers; QEMU_CGROUPS= in the environment overrides it, empty
# for none), so that both daemons' guests sit in one cgroup per daemon at the root
# (libvirt's /machine, rvirt's /machine.slice) and get equal CPU shares. Without it
# libvirtd's guests ran in the root cgroup, each vCPU thread weighing as much as all
# of rvirtd's guests together, which starved rvirtd's QEMUs under load.
rvirt_cgroup_controllers='"cpu","cpuacct","memory","blkio","devices"'

# start_daemons [RVIRTD_ARG...]: a private libvirtd 9.0 with its QEMU driver (more
# libvirtd.conf lines in $LIBVIRTD_CONF, guests in cgroups as above) and rvirtd with
# private state roots, no network autostart and no admin socket (plus RVIRTD_ARGs),
# both serving qemu:///system; sets lv_uri and rv_uri once both listen. Another pair
# beside the first: DAEMONS_SUFFIX=-b (appended to every state path and log name).
start_daemons() {
  local s=${DAEMONS_SUFFIX:-}
  QEMU_DRIVER=1 IDLE_TIMEOUT=900 EXTRA_CONF="${LIBVIRTD_CONF:-}" \
    QEMU_CGROUPS="${QEMU_CGROUPS-$rvirt_cgroup_controllers}" \
    sh testkit/run-private-libvirtd.sh "$work/libvirtd$s" >"$work/libvirtd$s.out" 2>&1 &
  pids+=($!)
  "$target/release/rvirtd" --socket-dir "$work/rvirtd$s" --qemu-root "$work/rv-qemu$s" \
    --lxc-root "$work/rv-lxc$s" --storage-root "$work/rv-storage$s" \
    --secret-root "$work/rv-secret$s" --nwfilter-root "$work/rv-nwfilter$s" \
    --network-root "$work/rv-net$s" --network-autostart no --no-admin "$@" \
    2>"$work/rvirtd$s.log" &
  pids+=($!)
  wait_socket "$work/libvirtd$s/sock/libvirt-sock"
  wait_socket "$work/rvirtd$s/libvirt-sock"
  lv_uri="qemu+unix:///system?socket=$work/libvirtd$s/sock/libvirt-sock"
  rv_uri="qemu+unix:///system?socket=$work/rvirtd$s/libvirt-sock"
}

# small_guest_xml NAME DISK: a small TCG guest (64 MiB, one vCPU, DISK as its raw IDE
# boot disk, no balloon) on standard output.
small_guest_xml() {
  cat <<XML
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/></features>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$2'/>
      <target dev='hda' bus='ide'/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>
XML
}
