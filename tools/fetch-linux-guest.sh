#!/usr/bin/env bash
# Fetches the kernel of the tests' Linux guest (rvirt-testkit's linux_guest): Debian's
# current amd64 kernel package (the one linux-image-amd64 depends on), downloaded with
# apt-get download (not installed) and unpacked into the cache, keeping only the kernel,
# its config and the virtio modules the guest loads from its initramfs.
#
# Cache: $RVIRT_CACHE_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/rvirt; the kernel lands
# in linux-guest/kernel/ (vmlinuz, config, version, modules/*.ko), replaced by rename.
# Idempotent: nothing is downloaded when that version is already there.
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
if [ "$(cat "$cache/kernel/version" 2>/dev/null)" = "$pkg" ]; then
  exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "setup: downloading $pkg for the tests' Linux guest" >&2
(cd "$work" && apt-get download -qq "$pkg" 2>/dev/null)
kver=${pkg#linux-image-}
mod="lib/modules/$kver/kernel"
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
for m in "${modules[@]}"; do members+=("./$mod/$m"); done
mkdir "$work/x" "$work/kernel" "$work/kernel/modules"
dpkg-deb --fsys-tarfile "$work"/*.deb | tar -x -C "$work/x" "${members[@]}"
mv "$work/x/boot/vmlinuz-$kver" "$work/kernel/vmlinuz"
mv "$work/x/boot/config-$kver" "$work/kernel/config"
for m in "${modules[@]}"; do
  mv "$work/x/$mod/$m" "$work/kernel/modules/"
  basename "$m" .ko >>"$work/kernel/modules/order"
done
echo "$pkg" >"$work/kernel/version"
chmod -R a+rX "$work/kernel"

# Replace the cached kernel by renames: a reader sees the old or the new one.
if [ -e "$cache/kernel" ]; then
  mv "$cache/kernel" "$work/old"
fi
mv "$work/kernel" "$cache/kernel"
