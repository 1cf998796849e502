# Runs virt-manager itself (its own main, with this script's arguments) and, once its
# host details window shows an active connection, presses the buttons a user presses:
# on the Virtual Networks page "+" and then "Finish" in the network wizard with its
# default answers (a NAT network "network" on 192.168.100.0/24 with DHCP); on the
# Storage page "+", the name "pool" and the directory $RVIRT_VMGR_POOL_DIR typed, and
# "Finish" (a "dir" pool, built, started, set to autostart). Each step is logged
# ("harness: ...") to virt-manager's debug log; the last one is "harness: done", once
# the window's connection shows both objects active.
import os
import sys

sys.path.insert(0, "/usr/share/virt-manager")

from gi.repository import GLib  # noqa: E402
from virtManager import virtmanager  # noqa: E402
from virtinst import log  # noqa: E402

POOL_DIR = os.environ["RVIRT_VMGR_POOL_DIR"]
state = {"step": 0}


def host_window():
    from virtManager.host import vmmHost
    for h in (vmmHost._instances or {}).values():
        return h
    return None


def active(obj):
    return obj is not None and obj.is_active()


def step(host):
    n = state["step"]
    if n == 0:
        add = host._hostnets.widget("net-add")
        if not host.conn.is_active() or not add.get_sensitive():
            return False
        add.clicked()
        log.debug("harness: network wizard opened")
    elif n == 1:
        wizard = host._hostnets._addnet
        if wizard is None or not wizard.topwin.get_visible():
            return False
        log.debug("harness: network wizard finish, name %s",
                  wizard.widget("net-name").get_text())
        wizard.widget("create-finish").clicked()
    elif n == 2:
        if not active(host.conn.get_net_by_name("network")):
            return False
        host._storagelist.widget("pool-add").clicked()
        log.debug("harness: pool wizard opened")
    elif n == 3:
        wizard = host._storagelist._addpool
        if wizard is None or not wizard.topwin.get_visible():
            return False
        wizard.widget("pool-name").set_text("pool")
        wizard.widget("pool-target-path").set_text(POOL_DIR)
        log.debug("harness: pool wizard finish")
        wizard.widget("pool-finish").clicked()
    elif n == 4:
        if not active(host.conn.get_pool_by_name("pool")):
            return False
        log.debug("harness: done")
    return True


def tick():
    host = host_window()
    try:
        if host is not None and step(host):
            state["step"] += 1
    except Exception:
        log.exception("harness: step %d failed", state["step"])
        return False
    return state["step"] <= 4


GLib.timeout_add(200, tick)
sys.argv[0] = "/usr/bin/virt-manager"
virtmanager.runcli()
