#!/usr/bin/env bash
# libvirt's shipped network filters (clean-traffic, no-mac-spoofing, …), for the tests
# that bind them through rvirtd: Debian's libvirt-daemon-config-nwfilter is fetched with
# apt-get download (not installed: nothing goes to /etc/libvirt) and its filter XML
# unpacked into the cache.
#
# Cache: $RVIRT_CACHE_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/rvirt; the filters land
# in libvirt-nwfilter/*.xml, with libvirt-nwfilter/VERSION naming the package version.
set -euo pipefail

cache="${RVIRT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rvirt}/libvirt-nwfilter"
pkg=libvirt-daemon-config-nwfilter
version=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
  echo "fetch-libvirt-nwfilters: apt knows no $pkg; the shipped-filter tests stay skipped" >&2
  exit 0
fi
if [ -f "$cache/VERSION" ] && [ "$(cat "$cache/VERSION")" = "$pkg=$version" ]; then
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -qq "$pkg" 2>/dev/null)
dpkg-deb -x "$work"/"$pkg"_*.deb "$work/x"
mkdir -p "$cache.new"
cp "$work"/x/usr/share/libvirt/nwfilter/*.xml "$cache.new/"
echo "$pkg=$version" > "$cache.new/VERSION"
rm -rf "$cache"
mv "$cache.new" "$cache"
echo "fetch-libvirt-nwfilters: $(ls "$cache"/*.xml | wc -l) filters of $pkg $version in $cache" >&2
