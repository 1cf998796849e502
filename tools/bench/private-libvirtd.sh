#!/usr/bin/env bash
# Starts a throw-away libvirtd (Debian's libvirt 9.0) with only its built-in test driver,
# in a private mount namespace so it touches nothing of the host's libvirt state.
# Usage: tools/bench/private-libvirtd.sh RUNDIR    (needs root; prints the daemon's pid)
# The rw socket is RUNDIR/sock/libvirt-sock; stop it with `kill PID`; RUNDIR is the
# caller's to remove.
set -euo pipefail
rundir=$1
mkdir -p "$rundir"/{sock,var,drivers,run,etc}
cat > "$rundir/libvirtd.conf" <<CONF
listen_tls = 0
listen_tcp = 0
unix_sock_dir = "$rundir/sock"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
max_clients = 5000
max_anonymous_clients = 5000
max_workers = 20
log_outputs = "3:file:$rundir/libvirtd.log"
CONF
# An empty driver dir: no stateful drivers (QEMU, network, ...) are loaded, the test
# driver is built into libvirt itself. The mounts only exist inside the namespace.
unshare -m --propagation private sh -c "
  mount -t tmpfs tmpfs /run/libvirt 2>/dev/null || { mkdir -p /run/libvirt && mount -t tmpfs tmpfs /run/libvirt; }
  mount -t tmpfs tmpfs /etc/libvirt 2>/dev/null || { mkdir -p /etc/libvirt && mount -t tmpfs tmpfs /etc/libvirt; }
  mount --bind '$rundir/var' /var
  LIBVIRT_DRIVER_DIR='$rundir/drivers' exec /usr/sbin/libvirtd -f '$rundir/libvirtd.conf' -p '$rundir/libvirtd.pid'
" </dev/null >"$rundir/stderr" 2>&1 &
for _ in $(seq 1 200); do
  [ -S "$rundir/sock/libvirt-sock" ] && [ -s "$rundir/libvirtd.pid" ] && break
  sleep 0.05
done
[ -S "$rundir/sock/libvirt-sock" ] || { echo "libvirtd did not start:" >&2; cat "$rundir/stderr" >&2; exit 1; }
echo "$(cat "$rundir/libvirtd.pid")"
