//! Traffic counters of a guest NIC's host tap device (`vnetN`), from `/proc/net/dev`
//! (the calling process's network namespace, where the daemon created the tap — sysfs
//! would show the namespace it was mounted in), seen from the guest as libvirt reports
//! them: what the host's tap sent the guest received, so transmit and receive swap.

use rvirt_core::api::InterfaceStats;

/// The guest-side counters of tap `ifname` in a `/proc/net/dev` text, or `None` when
/// the device is not listed.
///
/// ```
/// let dev = "Inter-|   Receive |  Transmit\n face |bytes packets ...\n\
///            vnet0: 10 1 0 0 0 0 0 0 20 2 0 3 0 0 0 0\n";
/// let s = rvirt_driver_qemu::host::tap_stats::parse_proc_net_dev(dev, "vnet0").unwrap();
/// assert_eq!((s.rx_bytes, s.rx_packets, s.rx_drop, s.tx_bytes), (20, 2, 3, 10));
/// assert!(rvirt_driver_qemu::host::tap_stats::parse_proc_net_dev(dev, "vnet1").is_none());
/// ```
pub fn parse_proc_net_dev(text: &str, ifname: &str) -> Option<InterfaceStats> {
    let fields: Vec<i64> = text.lines().find_map(|l| {
        let (name, rest) = l.split_once(':')?;
        (name.trim() == ifname).then(|| {
            rest.split_whitespace()
                .map(|v| v.parse().unwrap_or(0))
                .collect()
        })
    })?;
    let f = |i: usize| fields.get(i).copied().unwrap_or(0);
    // Receive: bytes packets errs drop fifo frame compressed multicast; transmit:
    // bytes packets errs drop ...
    Some(InterfaceStats {
        rx_bytes: f(8),
        rx_packets: f(9),
        rx_errs: f(10),
        rx_drop: f(11),
        tx_bytes: f(0),
        tx_packets: f(1),
        tx_errs: f(2),
        tx_drop: f(3),
    })
}

/// [`parse_proc_net_dev`] on this process's `/proc/net/dev`.
pub fn tap_stats(ifname: &str) -> Option<InterfaceStats> {
    let text = std::fs::read_to_string("/proc/net/dev").ok()?;
    parse_proc_net_dev(&text, ifname)
}
