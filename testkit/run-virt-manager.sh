#!/bin/sh
# Runs Debian's virt-manager under Xvfb against a daemon's socket, invisible to the host:
#   sh run-virt-manager.sh DIR SOCKET URI ARGS...
# DIR (absolute) receives virt-manager's HOME (settings, cache, its own log), the libvirt
# client's log DIR/libvirt-client.log (errors and warnings) and the X server's files.
# The script re-executes itself in a private mount namespace, mounts a tmpfs over /run
# and links /run/libvirt/libvirt-sock to SOCKET, so virt-manager connects with the plain
# local URI qemu:///system (which it treats as a local connection: graphics consoles
# are opened through virDomainOpenGraphicsFD) without the host's /run being touched.
# URI is what virt-manager connects to: qemu:///system, or a URI naming its socket
# (test+unix:///default?socket=…).
# virt-manager runs with --debug (its log on stderr) and --trace-libvirt all (every
# libvirt call logged), then ARGS (e.g. --show-domain-editor NAME). It never exits by
# itself: the caller kills the process group. With RVIRT_VMGR_HARNESS set, that python
# script runs instead of /usr/bin/virt-manager, with the same arguments (a script that
# runs virt-manager's own main and drives its windows).
set -eu
DIR=$1
SOCK=$2
URI=$3
shift 3
if [ -z "${RVIRT_VMGR_NS:-}" ]; then
    RVIRT_VMGR_NS=1 exec unshare -m --propagation private sh "$0" "$DIR" "$SOCK" "$URI" "$@"
fi
mount -t tmpfs tmpfs /run
mkdir -p /run/libvirt
ln -s "$SOCK" /run/libvirt/libvirt-sock
export HOME="$DIR/home"
export XDG_CONFIG_HOME="$HOME/.config" XDG_CACHE_HOME="$HOME/.cache"
export XDG_DATA_HOME="$HOME/.local/share" XDG_RUNTIME_DIR="$HOME/run"
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
# Settings in memory only; no accessibility bus.
export GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1
export LIBVIRT_LOG_OUTPUTS="4:file:$DIR/libvirt-client.log"
unset LIBVIRT_DEFAULT_URI DISPLAY
export TMPDIR="$DIR"
VMGR_ARGS="--debug --no-fork --trace-libvirt all"
if [ -n "${RVIRT_VMGR_HARNESS:-}" ]; then
    set -- /usr/bin/python3 "$RVIRT_VMGR_HARNESS" $VMGR_ARGS --connect "$URI" "$@"
else
    set -- virt-manager $VMGR_ARGS --connect "$URI" "$@"
fi
# xvfb-run -a takes the first display number without a lock file from -n on: start
# each run elsewhere, so that runs started together do not pick the same one.
exec xvfb-run -a -n $((100 + $$ % 800)) -f "$DIR/Xauthority" \
    -s "-screen 0 1280x1024x24 -nolisten tcp" \
    dbus-run-session -- "$@"
