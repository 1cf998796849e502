#!/usr/bin/env bash
# Regenerates tests/data/libvirt-dumped/: what Debian's libvirt 9.0 QEMU driver stores
# for the guests virt-install writes (`virsh dumpxml --inactive` after define: PCI
# addresses, root ports, implicit controllers, default audio and balloon), for a
# spread of OS variants and options. Runs a private libvirtd (testkit's
# run-private-libvirtd.sh with its QEMU and storage drivers) and needs root:
#
#   drivers/qemu/tests/data/gen-libvirt-dumped.sh
#
# The files are committed; the test reads them and never runs libvirtd.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here/libvirt-dumped"
run=$(mktemp -d /tmp/lvdump.XXXXXX)
trap 'kill "$(cat "$run/run/libvirtd.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$run"' EXIT
mkdir -p "$run/run/drivers" "$run/img" "$out"
for d in storage network; do
    ln -sf "/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_$d.so" \
        "$run/run/drivers/"
done
QEMU_DRIVER=1 IDLE_TIMEOUT=600 setsid sh "$here/../../../../testkit/run-private-libvirtd.sh" \
    "$run/run" >"$run/libvirtd.out" 2>&1 &
for _ in $(seq 50); do [ -S "$run/run/sock/libvirt-sock" ] && break; sleep 0.2; done
uri="qemu:///system?socket=$run/run/sock/libvirt-sock"
# virt-install's --network default needs the network to exist (it is never started).
printf "<network><name>default</name><forward mode='nat'/><ip address='192.168.199.1' netmask='255.255.255.0'/></network>" \
    >"$run/net.xml"
virsh -c "$uri" net-define "$run/net.xml" >/dev/null

gen() {
    local name=$1
    shift
    qemu-img create -q -f qcow2 "$run/img/$name.qcow2" 64M
    virt-install --connect "$uri" --print-xml --name "$name" --memory 256 --vcpus 1 \
        --import --disk "$run/img/$name.qcow2" "$@" >"$run/$name.xml"
    virsh -c "$uri" define "$run/$name.xml" >/dev/null
    virsh -c "$uri" dumpxml --inactive "$name" |
        sed -e "s|$run/img/|/var/lib/libvirt/images/|" >"$out/$name.xml"
    virsh -c "$uri" undefine --nvram "$name" >/dev/null
}

for os in debian11 ubuntu22.04 fedora37 rhel9.0 win10 win11 freebsd13.1 generic \
    alpinelinux3.17 centos-stream9 rhel7.9; do
    gen "os-$os" --osinfo "$os"
done
lin=(--osinfo debian11)
gen headless "${lin[@]}" --graphics none --console pty,target_type=serial
gen net-default "${lin[@]}" --network network=default
gen pc-machine "${lin[@]}" --machine pc
gen os-debian11-uefi "${lin[@]}" --boot uefi
gen vnc "${lin[@]}" --graphics vnc,listen=127.0.0.1 --video virtio \
    --channel unix,target_type=virtio,name=org.qemu.guest_agent.0 --rng /dev/urandom \
    --watchdog i6300esb
