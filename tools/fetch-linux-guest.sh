#!/usr/bin/env bash
# Fetches the kernel of the tests' Linux guest (rvirt-testkit's linux_guest): Debian's
# current amd64 kernel package (the one linux-image-amd64 depends on), downloaded with
# apt-get download (not installed) and unpacked into the cache, keeping only the kernel,
# its config and the virtio modules the guest loads from its initramfs.
#
# Cache: $RVIRT_CACHE_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/rvirt; the kernel lands
# in linux-guest/kernel/ (vmlinuz, config, version, modules/*.ko), replaced by rename.
# The opt-in guest-agent variant (testkit's linux_guest_with_agent) gets
# linux-guest/agent/: Debian's qemu-ga (package qemu-guest-agent, unpacked, not
# installed) and the kernel modules of the ext4 file system the guest mounts for
# guest-get-fsinfo (modules/*.ko, order), replaced by rename too.
# Idempotent: nothing is downloaded when those versions are already there.
set -euo pipefail

cache="${RVIRT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rvirt}/linux-guest"
# The versioned package the metapackage points at, e.g. linux-image-6.1.0-57-amd64.
kernel_package() {
  apt-cache depends linux-image-amd64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1
}
pkg=$(kernel_package)
if [ -z "$pkg" ]; then
  # A machine whose package lists were never fetched.
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  pkg=$(kernel_package)
fi
if [ -z "$pkg" ]; then
  echo "fetch-linux-guest: apt knows no linux-image-amd64 (run apt-get update)" >&2
  exit 1
fi
kver=${pkg#linux-image-}
mod="lib/modules/$kver/kernel"
qga=$(apt-cache policy qemu-guest-agent 2>/dev/null | sed -n 's/^ *Candidate: //p')
# The agent variant's file-system modules, in the order they load.
agent_modules=(
  crypto/crc32c_generic.ko
  lib/crc16.ko
  fs/mbcache.ko
  fs/jbd2/jbd2.ko
  fs/ext4/ext4.ko
)
agent_version="$pkg qemu-guest-agent=$qga modules=${agent_modules[*]}"

# Replaces $cache/$1 by $work/$1 with renames: a reader sees the old or the new one.
install_dir() {
  if [ -e "$cache/$1" ]; then
    mv "$cache/$1" "$work/old-$1"
  fi
  mv "$work/$1" "$cache/$1"
}

# The opt-in guest-agent pieces, from the kernel package already unpacked in $work/x.
fetch_agent() {
  if [ -z "$qga" ] || [ "$qga" = "(none)" ]; then
    echo "fetch-linux-guest: apt knows no qemu-guest-agent; the agent variant stays unavailable" >&2
    return 0
  fi
  (cd "$work" && apt-get download -qq qemu-guest-agent 2>/dev/null)
  mkdir -p "$work/qga" "$work/agent/modules"
  dpkg-deb -x "$work"/qemu-guest-agent_*.deb "$work/qga"
  mv "$work/qga/usr/sbin/qemu-ga" "$work/agent/qemu-ga"
  for m in "${agent_modules[@]}"; do
    mv "$work/x/$mod/$m" "$work/agent/modules/"
    basename "$m" .ko >>"$work/agent/modules/order"
  done
  echo "$agent_version" >"$work/agent/version"
  chmod -R a+rX "$work/agent"
  install_dir agent
}

have_kernel=no
[ "$(cat "$cache/kernel/version" 2>/dev/null)" = "$pkg" ] && have_kernel=yes
have_agent=no
[ "$(cat "$cache/agent/version" 2>/dev/null)" = "$agent_version" ] && have_agent=yes
if [ "$have_kernel" = yes ] && [ "$have_agent" = yes ]; then
  exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "setup: downloading $pkg for the tests' Linux guest" >&2
(cd "$work" && apt-get download -qq "$pkg" 2>/dev/null)
# The guest's modules (CONFIG_*=m in Debian's config), in the order they load.
modules=(
  drivers/virtio/virtio_ring.ko
  drivers/virtio/virtio.ko
  drivers/virtio/virtio_pci_modern_dev.ko
  drivers/virtio/virtio_pci_legacy_dev.ko
  drivers/virtio/virtio_pci.ko
  net/core/failover.ko
  drivers/net/net_failover.ko
  drivers/net/virtio_net.ko
  drivers/block/virtio_blk.ko
  drivers/char/virtio_console.ko
  drivers/char/hw_random/virtio-rng.ko
)
members=("./boot/vmlinuz-$kver" "./boot/config-$kver")
for m in "${modules[@]}" "${agent_modules[@]}"; do members+=("./$mod/$m"); done
mkdir "$work/x" "$work/kernel" "$work/kernel/modules"
dpkg-deb --fsys-tarfile "$work"/linux-image-*.deb | tar -x -C "$work/x" "${members[@]}"
if [ "$have_agent" = no ]; then
  fetch_agent
fi
if [ "$have_kernel" = yes ]; then
  exit 0
fi
mv "$work/x/boot/vmlinuz-$kver" "$work/kernel/vmlinuz"
mv "$work/x/boot/config-$kver" "$work/kernel/config"
for m in "${modules[@]}"; do
  mv "$work/x/$mod/$m" "$work/kernel/modules/"
  basename "$m" .ko >>"$work/kernel/modules/order"
done
echo "$pkg" >"$work/kernel/version"
chmod -R a+rX "$work/kernel"

install_dir kernel
