#!/bin/sh
# Runs a throw-away libvirtd with only its built-in test driver, invisible to the host:
#   sh run-private-libvirtd.sh RUNDIR
# RUNDIR (absolute, not under /var) receives libvirtd.conf, the log, the pid file and the
# sockets (RUNDIR/sock/libvirt-sock, libvirt-sock-ro). The script re-executes itself in a
# private mount namespace, mounts tmpfs over /run/libvirt and /etc/libvirt, binds
# RUNDIR/var over /var and finally execs libvirtd in the foreground, so the caller's child
# pid is libvirtd's pid. Needs root. Optional environment:
#   TCP_PORT            also listen on 127.0.0.1:TCP_PORT without authentication
#   TLS_PORT, PKI_DIR   also listen on 127.0.0.1:TLS_PORT with TLS: ca_file, cert_file and
#                       key_file are PKI_DIR/cacert.pem, servercert.pem, serverkey.pem;
#                       clients need a certificate signed by that CA (auth_tls "none")
#   KEEPALIVE_INTERVAL  keepalive_interval (default 5)
#   KEEPALIVE_COUNT     keepalive_count (default 5)
#   IDLE_TIMEOUT        libvirtd --timeout: exit after this many idle seconds (default 60)
#   EXTRA_CONF          more libvirtd.conf lines (e.g. max_clients for a load benchmark)
#   QEMU_DRIVER         if 1, also load Debian's QEMU driver (qemu:///system), running
#                       QEMU as root without cgroups, namespaces, security driver or
#                       virtlogd (qemu.conf in the private /etc/libvirt)
#   QEMU_CGROUPS        with QEMU_DRIVER: qemu.conf's cgroup_controllers list, e.g.
#                       '"cpu","cpuacct","memory","blkio","devices"' (default: none); the
#                       guests then live in libvirt's cgroup v1 partition /machine
#   SECRET_DRIVER       if 1, also load Debian's secret driver (secret:///system, its
#                       files in the private /etc/libvirt/secrets)
#   NWFILTER_DRIVER     if 1, also load Debian's nwfilter driver (nwfilter:///system, its
#                       files in the private /etc/libvirt/nwfilter); libvirtd then runs in
#                       a network namespace of its own too (no TCP_PORT/TLS_PORT), so
#                       whatever the driver probes never reaches the host's firewall
#   STORAGE_DRIVER      if 1, also load Debian's storage driver (pools and volumes of
#                       qemu:///system; its state under the private /etc and /var)
#   INTERFACE_DRIVER    if 1, also load Debian's interface driver (interface:///system,
#                       the udev backend: the interfaces of the sysfs mounted at /sys,
#                       read-only)
set -eu
RUNDIR=$1
if [ -z "${RVIRT_PRIVATE_NS:-}" ]; then
    NETNS=
    if [ "${NWFILTER_DRIVER:-}" = 1 ]; then NETNS=-n; fi
    RVIRT_PRIVATE_NS=1 exec unshare -m $NETNS --propagation private sh "$0" "$@"
fi
# var/lock: libvirt's console sessions take a lock file on the pty there.
mkdir -p "$RUNDIR/var/lock" "$RUNDIR/drivers" "$RUNDIR/sock"
LISTEN=
if [ -n "${TCP_PORT:-}" ] || [ -n "${TLS_PORT:-}" ]; then LISTEN=--listen; fi
{
    if [ -n "$LISTEN" ]; then echo 'listen_addr = "127.0.0.1"'; fi
    if [ -n "${TLS_PORT:-}" ]; then
        echo 'listen_tls = 1'
        echo "tls_port = \"$TLS_PORT\""
        echo "ca_file = \"$PKI_DIR/cacert.pem\""
        echo "cert_file = \"$PKI_DIR/servercert.pem\""
        echo "key_file = \"$PKI_DIR/serverkey.pem\""
        echo 'auth_tls = "none"'
    else
        echo 'listen_tls = 0'
    fi
    if [ -n "${TCP_PORT:-}" ]; then
        echo 'listen_tcp = 1'
        echo "tcp_port = \"$TCP_PORT\""
        echo 'auth_tcp = "none"'
    else
        echo 'listen_tcp = 0'
    fi
    echo "unix_sock_dir = \"$RUNDIR/sock\""
    echo 'unix_sock_ro_perms = "0777"'
    echo 'unix_sock_rw_perms = "0770"'
    echo 'auth_unix_ro = "none"'
    echo 'auth_unix_rw = "none"'
    echo "log_outputs = \"3:file:$RUNDIR/libvirtd.log\""
    echo "keepalive_interval = ${KEEPALIVE_INTERVAL:-5}"
    echo "keepalive_count = ${KEEPALIVE_COUNT:-5}"
    if [ -n "${EXTRA_CONF:-}" ]; then printf '%s\n' "$EXTRA_CONF"; fi
} > "$RUNDIR/libvirtd.conf"
# On a machine where libvirtd never ran, the mount points do not exist yet.
mkdir -p /run/libvirt /etc/libvirt
mount -t tmpfs tmpfs /run/libvirt
mount -t tmpfs tmpfs /etc/libvirt
mount --bind "$RUNDIR/var" /var
if [ "${QEMU_DRIVER:-}" = 1 ]; then
    ln -sf /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so \
        "$RUNDIR/drivers/"
    cat > /etc/libvirt/qemu.conf <<CONF
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
namespaces = [ ]
cgroup_controllers = [ ${QEMU_CGROUPS:-} ]
stdio_handler = "file"
CONF
fi
if [ "${NWFILTER_DRIVER:-}" = 1 ]; then
    ln -sf /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_nwfilter.so \
        "$RUNDIR/drivers/"
fi
if [ "${SECRET_DRIVER:-}" = 1 ]; then
    ln -sf /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_secret.so \
        "$RUNDIR/drivers/"
fi
if [ "${STORAGE_DRIVER:-}" = 1 ]; then
    ln -sf /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_storage.so \
        "$RUNDIR/drivers/"
fi
if [ "${INTERFACE_DRIVER:-}" = 1 ]; then
    ln -sf /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_interface.so \
        "$RUNDIR/drivers/"
fi
# The driver directory: only the drivers asked for, besides the built-in test driver.
export LIBVIRT_DRIVER_DIR="$RUNDIR/drivers"
exec /usr/sbin/libvirtd $LISTEN --timeout "${IDLE_TIMEOUT:-60}" \
    -f "$RUNDIR/libvirtd.conf" -p "$RUNDIR/libvirtd.pid"
