#!/usr/bin/env bash
# Writes rvirt.pc for an uninstalled build: headers from this directory's include/, the
# library from LIBDIR (the cargo output directory holding librvirt_ffi.so and
# librvirt_ffi.a, the crate's own names), staged in OUTDIR as librvirt.so / librvirt.a
# (symbolic links), the names C programs link against.
#   usage: make-pc.sh LIBDIR [OUTDIR]   (OUTDIR defaults to LIBDIR)
#   then:  PKG_CONFIG_PATH=OUTDIR pkg-config --cflags --libs rvirt
set -euo pipefail
libdir=$(cd "$1" && pwd)
outdir=${2:-$libdir}
incdir=$(cd "$(dirname "$0")/include" && pwd)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$(dirname "$0")/../../Cargo.toml" | head -1)
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
for ext in so a; do
  [ -e "$libdir/librvirt_ffi.$ext" ] && ln -sfn "$libdir/librvirt_ffi.$ext" "$outdir/librvirt.$ext"
done
cat >"$outdir/rvirt.pc" <<PC
libdir=$outdir
includedir=$incdir

Name: rvirt
Description: librvirt, rvirt's C API in libvirt's shape (rvir prefix)
Version: ${version:-0.1.0}
Cflags: -I\${includedir}
Libs: -L\${libdir} -Wl,-rpath,\${libdir} -lrvirt
Requires.private: gobject-2.0 glib-2.0
Libs.private: -lpthread -ldl -lm
PC
echo "$outdir/rvirt.pc"
