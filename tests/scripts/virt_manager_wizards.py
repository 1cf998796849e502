# What virt-manager's "Create a new virtual network" and "Create storage pool" wizards
# do when Finish is pressed with their default answers (a NAT network named "network"
# on 192.168.100.0/24 with DHCP from .128 to .254; a "dir" pool named "pool" at the
# directory the user typed), through virt-manager's own virtinst objects:
#   python3 virt_manager_wizards.py URI POOL_DIR
# Prints what the daemon says afterwards: each object's state and autostart flag.
import ipaddress
import sys

sys.path.insert(0, "/usr/share/virt-manager")

import virtinst  # noqa: E402  (the path above first)
from virtinst import Network, StoragePool  # noqa: E402

uri, pool_dir = sys.argv[1], sys.argv[2]
conn = virtinst.VirtinstConnection(uri)
conn.open(None, None)

# vmmCreateNetwork._build_xmlobj_from_ui with the wizard's defaults.
net = Network(conn)
net.name = "network"
net.domain_name = "network"
net.forward.mode = "nat"
ip = ipaddress.ip_network("192.168.100.0/24")
ipobj = net.ips.add_new()
ipobj.address = str(ip.network_address + 1)
ipobj.netmask = str(ip.netmask)
dhcp = ipobj.ranges.add_new()
dhcp.start = "192.168.100.128"
dhcp.end = "192.168.100.254"
# vmmCreateNetwork._async_net_create.
netobj = conn.networkDefineXML(net.get_xml())
netobj.create()
netobj.setAutostart(True)

# vmmCreatePool._build_xmlobj_from_ui, _validate and _async_pool_create (a dir pool
# is built: its directory created).
pool = StoragePool(conn)
pool.type = StoragePool.TYPE_DIR
pool.name = "pool"
pool.target_path = pool_dir
pool.validate()
poolobj = pool.install(create=True, build=True)
poolobj.setAutostart(True)

n = conn.networkLookupByName("network")
p = conn.storagePoolLookupByName("pool")
print("network active=%d autostart=%d" % (n.isActive(), n.autostart()))
print("pool active=%d autostart=%d" % (p.isActive(), p.autostart()))
