#!/usr/bin/env bash
# Installs what rvirt's build, tests and benchmarks need on a fresh Debian machine.
# Idempotent: packages already present are not reinstalled.
set -euo pipefail

packages=(
  pkg-config
  libvirt-clients     # virt-xml-validate (domain XML tests), virsh (wire tests)
  libxml2-utils       # xmllint, which virt-xml-validate runs
  libvirt-daemon      # libvirtd with its built-in test driver: the remote driver's peer and benchmark baseline
  libvirt-dev         # libvirt's C loop, the baseline of the loop benchmark
  python3-libvirt     # libvirt's test driver, the baseline of the driver benchmark
  libglib2.0-dev      # the GLib backend
  qemu-system-x86     # the QEMU driver
  qemu-utils          # qemu-img: the storage driver's qcow2 volumes
  ovmf                # UEFI firmware and its descriptors (/usr/share/qemu/firmware): the QEMU driver's firmware autoselection
  util-linux          # unshare (private libvirtd, LXC namespace probe), setpriv (rvirtd polkit tests)
  valgrind            # memcheck run of the C bindings
  gcc                 # the C examples and libvirt's C loop harness
  virtinst            # virt-install, which wrote rvirt-conf's corpus (tests/data/gen-virt-install.sh)
  iproute2            # ip: the network driver's bridges, its tests' namespaces and veths
  dnsmasq-base        # dnsmasq: the network driver's DHCP/DNS server
  nftables            # nft: the network driver's NAT rules
  busybox-static      # udhcpc (the network driver's lease test) and the tests' Linux guest's userland
  virt-manager        # the GUI client of the virt-manager tests (tests/tests/virt_manager_xvfb.rs)
  xvfb                # xvfb-run: virt-manager's X server in those tests
  xauth               # xvfb-run's X authority file
  dbus-daemon         # dbus-run-session: virt-manager's session bus
  curl                # fetch-libvirt-test-xml.sh: libvirt's source release from Debian's archive
  xz-utils            # its .tar.xz
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  # Some machine images carry a newer qemu-utils (a backport) than the distribution's QEMU;
  # it Breaks the distribution's qemu-system-common, so apt refuses the whole install. Take
  # qemu-utils at the version of the qemu-system-x86 that gets installed.
  system_qemu=$(apt-cache policy qemu-system-x86 | awk '/Candidate:/ { print $2 }')
  installed_utils=$(dpkg-query -W -f='${Version}' qemu-utils 2>/dev/null || true)
  if [ -n "$system_qemu" ] && [ -n "$installed_utils" ] && [ "$installed_utils" != "$system_qemu" ] &&
    ! dpkg-query -W -f='${Status}' qemu-system-x86 2>/dev/null | grep -q "install ok installed"; then
    echo "setup: qemu-utils $installed_utils -> $system_qemu (the version of qemu-system-x86)" >&2
    missing+=("qemu-utils=$system_qemu")
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends --allow-downgrades "${missing[@]}" >/dev/null
fi

# The user qemu:///system runs QEMU as (rvirtd --qemu-user; libvirt's Debian default).
if ! getent passwd libvirt-qemu >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "setup: creating the system user libvirt-qemu" >&2
  getent group kvm >/dev/null || $SUDO groupadd --system kvm
  $SUDO useradd --system --no-create-home --home-dir /var/lib/libvirt \
    --shell /usr/sbin/nologin --gid kvm libvirt-qemu
fi
# Debian's libvirt QEMU driver (the reference some tests and benchmarks run in a private
# libvirtd) resolves its default group libvirt-qemu at start, and refuses to start without it.
if ! getent group libvirt-qemu >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "setup: creating the system group libvirt-qemu" >&2
  $SUDO groupadd --system libvirt-qemu
fi
# QEMU opens /dev/kvm as that user (group kvm), as Debian's libvirt sets it up.
if getent group kvm >/dev/null && ! id -nG libvirt-qemu | grep -qw kvm; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO usermod -aG kvm libvirt-qemu
fi

command -v cargo >/dev/null || { echo "setup: cargo (rustup) is required" >&2; exit 1; }
# cbindgen regenerates bindings/c/include/rvirt.h; the header test compares it with the
# checked-in copy (required when CI is set).
cbindgen_version=0.29.4
if [ "$(cbindgen --version 2>/dev/null)" != "cbindgen $cbindgen_version" ]; then
  echo "setup: installing cbindgen $cbindgen_version" >&2
  cargo install --locked --quiet cbindgen --version "$cbindgen_version"
fi
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt clippy >/dev/null 2>&1 || true

# The kernel of the tests' Linux guest (Debian's, into ~/.cache/rvirt/linux-guest).
bash "$(dirname "$0")/fetch-linux-guest.sh"
# libvirt's shipped network filters (Debian's, into ~/.cache/rvirt/libvirt-nwfilter).
bash "$(dirname "$0")/fetch-libvirt-nwfilters.sh"
# libvirt 9.0's own domain XML test inputs, defined by libvirt's test driver (Debian's
# source release, into ~/.cache/rvirt/libvirt-test-xml), for rvirt-conf's libvirt_suite.
bash "$(dirname "$0")/fetch-libvirt-test-xml.sh"
