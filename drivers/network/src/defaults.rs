//! libvirt's `default` network, as Debian's libvirt installs it
//! (`/usr/share/libvirt/networks/default.xml`): NAT on `virbr0`, 192.168.122.0/24,
//! DHCP from .2 to .254. Defined (with autostart) on the first start of a state root.

/// The definition (a fresh UUID is generated when it is defined).
pub(crate) const DEFAULT_XML: &str = "<network>
  <name>default</name>
  <bridge name='virbr0'/>
  <forward/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>
";

/// The marker written once the default network was considered, so that undefining
/// it is not undone by the next start.
pub(crate) const MARKER: &str = "etc/network.initialized";
