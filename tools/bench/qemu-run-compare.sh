#!/usr/bin/env bash
# Issue 5's acceptance figure: wall time from launch to exit for one guest that powers
# itself off, measured in one run for
#   (a) raw qemu-system-x86_64 with equivalent arguments (the floor),
#   (b) rvirt-qemu-run (embedded rvirt QEMU driver),
#   (c) Debian's virt-qemu-run (libvirt 9.0's embedded QEMU driver), if installed.
# Usage: tools/bench/qemu-run-compare.sh [RUNS] [LIBVIRT_RUNS]   (defaults 11 and 2; the
# libvirt runs share one root, so the first one fills its capability cache)
# virt-qemu-run needs a libvirt-qemu user and group (created here when run as root) and
# stdio_handler = "file" (no virtlogd); it is bounded by a timeout because it may not
# exit by itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-11}
libvirt_runs=${2:-2}
libvirt_timeout=${LIBVIRT_TIMEOUT:-90}
qemu=/usr/bin/qemu-system-x86_64
work=$(mktemp -d /tmp/rvqb.XXXXXX)
trap 'rm -rf "$work"' EXIT
# libvirt runs QEMU as libvirt-qemu: it must be able to reach the disk and its root.
chmod 0755 "$work"

{ printf '\xba\x04\x06\xb8\x00\x20\xef\xf4\xeb\xfe'; head -c 500 /dev/zero; printf '\x55\xaa'; } > "$work/poweroff.img"
cat > "$work/guest.xml" <<XML
<domain type='qemu'>
  <name>bench</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/></features>
  <devices>
    <emulator>$qemu</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$work/poweroff.img'/>
      <target dev='hda' bus='ide'/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>
XML

cargo build -q --release -p rvirt-driver-qemu --bin rvirt-qemu-run
runner=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release/rvirt-qemu-run

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "n/a"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }

raw_times=()
rvirt_times=()
# Warm-up (page cache, capability cache of the rvirt root) not counted.
"$qemu" -machine pc,accel=tcg -m 64 -nodefaults -no-user-config -display none \
  -drive "file=$work/poweroff.img,format=raw,if=ide" >/dev/null 2>&1
mkdir -p "$work/rvirt-root"
"$runner" -r "$work/rvirt-root" "$work/guest.xml" >/dev/null

for ((i = 0; i < runs; i++)); do
  # Alternate the order so drift affects both equally.
  t0=$(now_ms)
  "$qemu" -name guest=bench -machine pc,usb=off,dump-guest-core=off,acpi=on -accel tcg \
    -m 64 -smp 1 -no-user-config -nodefaults -display none -rtc base=utc -boot strict=on \
    -drive "file=$work/poweroff.img,format=raw,if=ide" >/dev/null 2>&1
  raw_times+=($(( $(now_ms) - t0 )))
  t0=$(now_ms)
  "$runner" -r "$work/rvirt-root" "$work/guest.xml" >/dev/null
  rvirt_times+=($(( $(now_ms) - t0 )))
done

raw_med=$(printf '%s\n' "${raw_times[@]}" | median)
rvirt_med=$(printf '%s\n' "${rvirt_times[@]}" | median)

libvirt_line="virt-qemu-run                  not installed (Debian package libvirt-daemon-driver-qemu)"
if command -v virt-qemu-run >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
    getent passwd libvirt-qemu >/dev/null ||
      useradd --system -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
  fi
  lv_times=()
  lv_exits=()
  lv_up=()
  for ((i = 0; i < libvirt_runs; i++)); do
    root="$work/libvirt-root"
    mkdir -p "$root/etc"
    printf 'stdio_handler = "file"\n' > "$root/etc/qemu.conf"
    t0=$(now_ms)
    set +e
    timeout --kill-after=5 "$libvirt_timeout" virt-qemu-run -v -r "$root" "$work/guest.xml" >"$work/libvirt-$i.out" 2>&1
    rc=$?
    set -e
    lv_times+=($(( $(now_ms) - t0 )))
    # -v prints microseconds since start; "guest running" is when virDomainCreateXML returned.
    up=$(sed -n 's/^virt-qemu-run: \([0-9]*\): guest running.*/\1/p' "$work/libvirt-$i.out")
    lv_up+=("${up:+$((up / 1000))}")
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then lv_exits+=("timeout"); else lv_exits+=("exit $rc"); fi
  done
  lv_up_line="  virt-qemu-run's guest was running (virDomainCreateXML returned) after: ${lv_up[*]} ms"
  lv_last=$(grep -v '^$' "$work/libvirt-$((libvirt_runs - 1)).out" | tail -n 3 | tr '\n' '|')
  lv_med=$(printf '%s\n' "${lv_times[@]}" | median)
  libvirt_line=$(printf 'virt-qemu-run (libvirt 9.0)    %8s ms   %-7s  (runs: %s; outcome: %s)' \
    "$lv_med" "$(awk -v a="$lv_med" -v b="$raw_med" 'BEGIN {printf "%.2fx", a/b}')" \
    "${lv_times[*]}" "${lv_exits[*]}")
fi

echo "Guest: 512-byte boot sector powering off via ACPI port 0x604, TCG, 64 MiB; median wall time launch->exit"
printf '%-30s %8s      %-7s  %s\n' "runner" "median" "vs raw" "runs (ms)"
printf 'raw qemu-system-x86_64         %8s ms   1.00x    (%s)\n' "$raw_med" "${raw_times[*]}"
printf 'rvirt-qemu-run                 %8s ms   %-7s  (%s)\n' "$rvirt_med" \
  "$(awk -v a="$rvirt_med" -v b="$raw_med" 'BEGIN {printf "%.2fx", a/b}')" "${rvirt_times[*]}"
echo "$libvirt_line"
[ -n "${lv_up_line:-}" ] && echo "$lv_up_line"
[ -n "${lv_last:-}" ] && echo "  virt-qemu-run's last lines: $lv_last"
echo "(target: rvirt-qemu-run <= 1.25x raw qemu; virt-qemu-run is bounded by a ${libvirt_timeout}s timeout)"
