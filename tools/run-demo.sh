#!/usr/bin/env bash
# The main job: boot a tiny guest through the embedded QEMU driver (qemu:///embed) with
# rvirt-qemu-run, follow it on rvirt's event loop until it powers itself off, and exit.
#
# The guest is generated here: a 512-byte boot sector that writes 0x2000 to I/O port 0x604
# (ACPI PM1a control on QEMU's pc machine), which powers the machine off.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# mov dx,0x604; mov ax,0x2000; out dx,ax; hlt; jmp $  ... padded ... 0x55 0xAA
{ printf '\xba\x04\x06\xb8\x00\x20\xef\xf4\xeb\xfe'; head -c 500 /dev/zero; printf '\x55\xaa'; } > "$work/poweroff.img"
cat > "$work/demo.xml" <<XML
<domain type='qemu'>
  <name>rvirt-demo</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/></features>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
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
echo "booting $work/demo.xml through qemu:///embed (timings in ms since start):"
cargo run -q --release -p rvirt-driver-qemu --bin rvirt-qemu-run -- -v "$work/demo.xml"
echo "guest powered off; rvirt-qemu-run exited 0"
