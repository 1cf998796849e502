#!/usr/bin/env bash
# libvirt 9.0's own XML test inputs (the domains of tests/qemuxml2argvdata and
# tests/genericxml2xmlindata, the networks of tests/networkxml2xmlin and the storage
# pools of tests/storagepoolxml2xmlin, from its source release as Debian ships it), and
# what libvirt's test driver makes of each, for the libvirt_suite tests of rvirt-conf
# and rvirt-objconf. Not copied
# into the repository: fetched from Debian's archive (checksum pinned) into the cache.
#
# Cache: $RVIRT_CACHE_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/rvirt; the inputs land
# in libvirt-test-xml/{qemuxml2argv,genericxml2xml,network,pool}/NAME.xml, each beside
# NAME.libvirt.xml (defined by libvirt 9.0's test driver through python3-libvirt, then
# dumped) or NAME.libvirt.err (its code, domain and message); VERSION names the release
# and the libvirt that defined them.
set -euo pipefail

cache="${RVIRT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rvirt}/libvirt-test-xml"
url=http://deb.debian.org/debian/pool/main/libv/libvirt/libvirt_9.0.0.orig.tar.xz
sha256=deca5cff1b7baac297bca9663907c61f71a47183371dc7ac019c107806d5435a
here="$(cd "$(dirname "$0")" && pwd)"
definer="$here/../core/conf/tests/data/libvirt-define.py"
libvirt=$(/usr/bin/python3 -c 'import libvirt; print(libvirt.getVersion())' 2>/dev/null || true)
if [ -z "$libvirt" ]; then
  echo "fetch-libvirt-test-xml: no python3-libvirt; the libvirt suite test stays skipped" >&2
  exit 0
fi
version="libvirt-9.0.0 $sha256 defined-by $libvirt with networks and pools"
if [ -f "$cache/VERSION" ] && [ "$(cat "$cache/VERSION")" = "$version" ]; then
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -sSfL --retry 3 -o "$work/src.tar.xz" "$url"
echo "$sha256  $work/src.tar.xz" | sha256sum -c --quiet -
tar -C "$work" -xJf "$work/src.tar.xz" \
  --wildcards 'libvirt-9.0.0/tests/qemuxml2argvdata/*.xml' \
  'libvirt-9.0.0/tests/genericxml2xmlindata/*.xml' \
  'libvirt-9.0.0/tests/networkxml2xmlin/*.xml' \
  'libvirt-9.0.0/tests/networkxml2confdata/*.xml' \
  'libvirt-9.0.0/tests/storagepoolxml2xmlin/*.xml'
rm -rf "$cache.new"
echo '<node/>' > "$work/empty-node.xml"
for set in qemuxml2argv:qemuxml2argvdata:domain genericxml2xml:genericxml2xmlindata:domain \
  network:networkxml2xmlin:network pool:storagepoolxml2xmlin:pool; do
  IFS=: read -r d src kind <<<"$set"
  mkdir -p "$cache.new/$d"
  # (cp follows the symbolic links some inputs are into other test directories.)
  cp "$work/libvirt-9.0.0/tests/$src"/*.xml "$cache.new/$d/"
  # On an empty node, so that inputs named like the default node's objects define too.
  /usr/bin/python3 "$definer" "$cache.new/$d" "test://$work/empty-node.xml" "$kind"
done
echo "$version" > "$cache.new/VERSION"
rm -rf "$cache"
mv "$cache.new" "$cache"
echo "fetch-libvirt-test-xml: $(ls "$cache"/*/*.libvirt.* | wc -l) inputs defined by libvirt $libvirt in $cache" >&2
