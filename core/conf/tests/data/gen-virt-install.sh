#!/usr/bin/env bash
# Regenerates tests/data/virt-install/: domain XML written by Debian's virt-install
# (package virtinst) for a spread of OS variants and options, against libvirt's test
# driver (no daemon needed), and what libvirt's own test driver prints after defining
# each (NAME.libvirt.xml, from python3-libvirt). Run from anywhere:
#
#   core/conf/tests/data/gen-virt-install.sh
#
# The files are committed; tests read them and never run virt-install.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here/virt-install"
mkdir -p "$out"
rm -f "$out"/*.xml

vi() {
    local name=$1
    shift
    virt-install --connect test:///default --print-xml --name "$name" "$@" \
        >"$out/$name.xml" 2>"$out/$name.log" || {
        echo "virt-install failed for $name:" >&2
        cat "$out/$name.log" >&2
        rm -f "$out/$name.xml"
    }
    rm -f "$out/$name.log"
}

base=(--memory 2048 --vcpus 2 --import)

# Operating systems, each with virt-install's defaults for it.
for os in debian11 debian10 debian9 ubuntu22.04 ubuntu20.04 ubuntu18.04 fedora37 \
    rhel9.0 rhel8.6 rhel7.9 centos-stream9 almalinux9 rocky9 opensuse15.4 sles12sp5 \
    archlinux alpinelinux3.17 freebsd13.1 openbsd7.0 win11 win10 win2k22 win2k19 win7 \
    winxp linux2022 generic; do
    vi "os-${os//./-}" "${base[@]}" --osinfo "$os" --disk size=10
done

# Options on a common Linux guest.
lin=("${base[@]}" --osinfo debian11)
vi headless "${lin[@]}" --disk size=8 --graphics none --console pty,target_type=serial
vi vnc-listen "${lin[@]}" --disk size=8 --graphics vnc,listen=0.0.0.0,port=5910,password=s3cret
vi spice-gl "${lin[@]}" --disk size=8 --graphics spice,listen=none --video virtio
vi net-none "${lin[@]}" --disk size=8 --network none
vi net-bridge "${lin[@]}" --disk size=8 --network bridge=br0,model=virtio,mac=52:54:00:11:22:33
vi net-network "${lin[@]}" --disk size=8 --network network=default,model=e1000e
vi net-multi "${lin[@]}" --disk size=8 --network network=default --network user,model=rtl8139
vi disk-sata "${lin[@]}" --disk size=8,bus=sata --disk device=cdrom,bus=sata
vi disk-scsi "${lin[@]}" --disk size=8,bus=scsi --controller type=scsi,model=virtio-scsi
vi disk-options "${lin[@]}" --disk size=8,bus=virtio,cache=none,io=native,discard=unmap,serial=ABC123
vi disk-many "${lin[@]}" --disk size=8 --disk size=2 --disk size=1,bus=usb --disk device=floppy
vi cdrom-boot "${lin[@]}" --disk size=8 --disk device=cdrom --boot cdrom,hd,menu=on
vi cpu-host-model "${lin[@]}" --disk size=8 --cpu host-model
vi cpu-passthrough "${lin[@]}" --disk size=8 --cpu host-passthrough,cache.mode=passthrough
vi cpu-custom "${lin[@]}" --disk size=8 --cpu Skylake-Client,+vmx,-hle,match=exact
vi cpu-topology "${base[@]}" --osinfo debian11 --disk size=8 --vcpus 8,maxvcpus=16,sockets=2,cores=4,threads=2
vi cpu-numa "${lin[@]}" --disk size=8 --cpu host-model,cell0.cpus=0,cell0.memory=1048576,cell1.cpus=1,cell1.memory=1048576
vi memory-backing "${lin[@]}" --disk size=8 --memorybacking hugepages=on,locked=on,access.mode=shared,source.type=memfd
vi memory-max "${base[@]}" --osinfo debian11 --disk size=8 --memory 2048,maxMemory=8192,maxMemory.slots=4 --cpu host-model,cell0.cpus=0-1,cell0.memory=2097152
vi memtune "${lin[@]}" --disk size=8 --memtune hard_limit=4194304,soft_limit=2097152
vi cputune "${lin[@]}" --disk size=8 --cputune vcpupin0.vcpu=0,vcpupin0.cpuset=0-1,vcpupin1.vcpu=1,vcpupin1.cpuset=2
vi numatune "${lin[@]}" --disk size=8 --numatune 0-1,mode=preferred
vi iothreads "${lin[@]}" --disk size=8 --iothreads 2
vi blkiotune "${lin[@]}" --disk size=8 --blkiotune weight=500
vi features "${lin[@]}" --disk size=8 --features apic=on,acpi=on,pae=on,hyperv.relaxed.state=on,hyperv.vapic.state=on,kvm.hidden.state=on,smm.state=on,vmport.state=off
vi clock "${lin[@]}" --disk size=8 --clock offset=localtime,rtc_tickpolicy=catchup,hpet_present=no
vi pm "${lin[@]}" --disk size=8 --pm suspend_to_mem=yes,suspend_to_disk=no
vi events "${lin[@]}" --disk size=8 --events on_poweroff=preserve,on_reboot=restart,on_crash=coredump-restart
vi rng "${lin[@]}" --disk size=8 --rng /dev/urandom
vi tpm "${lin[@]}" --disk size=8 --tpm emulator,model=tpm-crb,version=2.0
vi watchdog "${lin[@]}" --disk size=8 --watchdog i6300esb,action=reset
vi panic "${lin[@]}" --disk size=8 --panic isa
vi sound "${lin[@]}" --disk size=8 --sound ich9
vi audio "${lin[@]}" --disk size=8 --sound ich9 --audio type=spice,id=1
vi channels "${lin[@]}" --disk size=8 --channel unix,target.type=virtio,target.name=org.qemu.guest_agent.0 --channel pty,target.type=guestfwd,target.address=10.0.2.1,target.port=4600
vi serial-tcp "${lin[@]}" --disk size=8 --serial tcp,host=127.0.0.1:4444,mode=bind,protocol.type=telnet
vi parallel "${lin[@]}" --disk size=8 --parallel file,path=/tmp/parallel.log
vi smartcard "${lin[@]}" --disk size=8 --smartcard passthrough,type=spicevmc
vi redirdev "${lin[@]}" --disk size=8 --redirdev usb,type=tcp,server=127.0.0.1:4000
vi filesystem "${lin[@]}" --disk size=8 --filesystem /srv/share,share,accessmode=mapped
vi memballoon "${lin[@]}" --disk size=8 --memballoon virtio,stats.period=10
vi input "${lin[@]}" --disk size=8 --input tablet,bus=virtio --input keyboard,bus=usb
vi vsock "${lin[@]}" --disk size=8 --vsock cid.auto=yes
vi iommu "${lin[@]}" --disk size=8 --iommu intel,driver.intremap=on --features ioapic.driver=qemu
vi seclabel "${lin[@]}" --disk size=8 --seclabel type=static,model=selinux,label=system_u:system_r:svirt_t:s0:c1,relabel=yes
vi sysinfo "${lin[@]}" --disk size=8 --sysinfo bios.vendor=rvirt,system.manufacturer=rvirt,system.serial=123
vi resource "${lin[@]}" --disk size=8 --resource partition=/machine
vi metadata "${lin[@]}" --disk size=8 --metadata title=Web,description="A web server"
vi qemu-commandline "${lin[@]}" --disk size=8 --qemu-commandline="-display gtk"
vi kernel-boot "${lin[@]}" --disk size=8 --boot kernel=/tmp/vmlinuz,initrd=/tmp/initrd,kernel_args="console=ttyS0"
vi usb-controllers "${lin[@]}" --disk size=8 --controller usb3 --controller type=virtio-serial
vi hub "${lin[@]}" --disk size=8 --xml xpath.create=./devices/hub --xml ./devices/hub/@type=usb
vi shmem "${lin[@]}" --disk size=8 --shmem name=shmem0,model.type=ivshmem-plain,size=4,size.unit=M
vi memdev "${base[@]}" --osinfo debian11 --disk size=8 --memory 2048,maxMemory=8192,maxMemory.slots=4 --cpu host-model,cell0.cpus=0-1,cell0.memory=2097152 --memdev dimm,target.size=1024,target.node=0
vi xml-edit "${lin[@]}" --disk size=8 --xml ./devices/disk/driver/@io=threads --xml ./on_lockfailure=poweroff

rm -f "$out"/*.log
/usr/bin/python3 "$here/libvirt-define.py" "$out"
