//! `virNetworkUpdate` on the host's networks: which definitions an update touches
//! (`VIR_NETWORK_UPDATE_AFFECT_LIVE`/`CONFIG`/`CURRENT`, as libvirt resolves them),
//! and what a live change needs from the running dnsmasq (hosts rewritten and
//! SIGHUP, or a restart for changes of its configuration).

use rvirt_core::objconf::NetworkDef;
use rvirt_core::{Error, ErrorDomain, Result};

use crate::dnsmasq::Reload;
use crate::state::Net;

const D: ErrorDomain = ErrorDomain::Network;

/// `VIR_NETWORK_UPDATE_AFFECT_LIVE`.
pub(crate) const AFFECT_LIVE: u32 = 1;
/// `VIR_NETWORK_UPDATE_AFFECT_CONFIG`.
pub(crate) const AFFECT_CONFIG: u32 = 2;

/// What an update changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Targets {
    /// The running definition.
    pub live: bool,
    /// The persistent definition.
    pub config: bool,
}

/// Resolves `flags` against the network's state: `CURRENT` (neither flag) means live
/// when it runs and config otherwise; live on a stopped network and config on a
/// transient one are refused with libvirt's words.
pub(crate) fn targets(flags: u32, active: bool, persistent: bool) -> Result<Targets> {
    let mut t = Targets {
        live: flags & AFFECT_LIVE != 0,
        config: flags & AFFECT_CONFIG != 0,
    };
    if !t.live && !t.config {
        t.live = active;
        t.config = !active;
    }
    if t.live && !active {
        return Err(Error::operation_invalid(
            D,
            "network is not running".to_string(),
        ));
    }
    if t.config && !persistent {
        return Err(Error::operation_invalid(
            D,
            "cannot change persistent config of a transient network".to_string(),
        ));
    }
    Ok(t)
}

fn dhcp_v4_active(def: &NetworkDef) -> bool {
    def.ips
        .iter()
        .any(|ip| !ip.is_v6() && (!ip.ranges.is_empty() || !ip.hosts.is_empty()))
}

/// What the running dnsmasq needs after `section` changed from `old` to `new`, as
/// libvirt decides: sections in dnsmasq's configuration (bridge, domain, ip, DHCP
/// ranges, DNS TXT and SRV records) restart it; DHCP hosts and DNS hosts are in files
/// it re-reads on SIGHUP, unless DHCP was switched on or off (a restart).
pub(crate) fn reload_for(section: u32, old: &NetworkDef, new: &NetworkDef) -> Reload {
    match section {
        1 | 2 | 3 | 5 | 11 | 12 => Reload::Restart,
        4 if dhcp_v4_active(old) != dhcp_v4_active(new) => Reload::Restart,
        4 | 10 => Reload::Refresh,
        _ => Reload::None,
    }
}

/// Applies the edit to the definitions of `n` that `t` names and returns the new
/// `(live, persistent)` definitions (`None`: unchanged); `n` is not touched, so a
/// refused edit changes nothing.
pub(crate) fn edit(
    n: &Net,
    t: Targets,
    apply: impl Fn(&mut NetworkDef) -> Result<()>,
) -> Result<(Option<NetworkDef>, Option<NetworkDef>)> {
    let live = if t.live && n.active {
        let mut d = n.def.clone();
        apply(&mut d)?;
        Some(d)
    } else {
        None
    };
    let config = if t.config {
        let mut d = n.inactive_def();
        apply(&mut d)?;
        Some(d)
    } else {
        None
    };
    Ok((live, config))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rvirt_core::ErrorCode;

    const NET: &str = "<network><name>n</name><uuid>5d5e6f7a-1b2c-4d3e-8f90-a1b2c3d4e5f6</uuid><forward mode='nat'/><bridge name='virbr9'/>\
        <ip address='10.9.0.1' prefix='24'><dhcp><range start='10.9.0.10' end='10.9.0.19'/></dhcp></ip></network>";

    fn net(active: bool, persistent: bool) -> Net {
        Net {
            def: NetworkDef::from_xml(NET).unwrap(),
            new_def: None,
            active,
            persistent,
            autostart: false,
            ports: Vec::new(),
        }
    }

    #[test]
    fn flags_resolve_as_libvirt() {
        let t = |l, c| Targets { live: l, config: c };
        assert_eq!(targets(0, true, true).unwrap(), t(true, false));
        assert_eq!(targets(0, false, true).unwrap(), t(false, true));
        assert_eq!(targets(3, true, true).unwrap(), t(true, true));
        assert_eq!(targets(2, true, true).unwrap(), t(false, true));
        let e = targets(1, false, true).unwrap_err();
        assert_eq!(
            (e.code(), e.message()),
            (ErrorCode::OperationInvalid, "network is not running")
        );
        let e = targets(2, true, false).unwrap_err();
        assert_eq!(
            e.message(),
            "cannot change persistent config of a transient network"
        );
        assert_eq!(targets(0, true, false).unwrap(), t(true, false));
    }

    #[test]
    fn live_and_config_edits_touch_their_definitions_only() {
        let host = "<host mac='52:54:00:00:00:45' name='h1' ip='10.9.0.45'/>";
        let add = |d: &mut NetworkDef| Ok(d.update(3, 4, -1, host)?);
        let n = net(true, true);
        let (live, config) = edit(&n, targets(1, true, true).unwrap(), add).unwrap();
        assert_eq!(live.unwrap().ips[0].hosts.len(), 1);
        assert!(config.is_none());
        let (live, config) = edit(&n, targets(3, true, true).unwrap(), add).unwrap();
        assert!(live.is_some() && config.is_some());
        let mut with = n.clone();
        with.def = live.unwrap();
        let e = edit(&with, targets(1, true, true).unwrap(), add).unwrap_err();
        assert_eq!(
            e.message(),
            "there is an existing dhcp host entry in network 'n' that matches \"<host mac='52:54:00:00:00:45' name='h1' ip='10.9.0.45'/>\""
        );
    }

    #[test]
    fn hosts_refresh_and_configuration_restarts() {
        let old = NetworkDef::from_xml(NET).unwrap();
        let mut new = old.clone();
        new.update(3, 4, -1, "<host mac='52:54:00:00:00:45' ip='10.9.0.45'/>")
            .unwrap();
        assert_eq!(reload_for(4, &old, &new), Reload::Refresh);
        assert_eq!(reload_for(10, &old, &new), Reload::Refresh);
        assert_eq!(reload_for(5, &old, &new), Reload::Restart);
        assert_eq!(reload_for(11, &old, &new), Reload::Restart);
        assert_eq!(reload_for(9, &old, &new), Reload::None);
        let mut bare = old.clone();
        bare.ips[0].ranges.clear();
        assert_eq!(reload_for(4, &bare, &new), Reload::Restart);
    }
}
