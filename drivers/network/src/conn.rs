//! [`NetworkConn`]: the network driver of one connection (a view on the host state).

use std::sync::Arc;

use rvirt_core::api::{NetworkLifecycle, TypedParam};
use rvirt_core::driver::{DhcpLease, NetworkDriver, NetworkPortRef, NetworkRef};
use rvirt_core::objconf::NetworkDef;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, Uuid};

use crate::host;
use crate::state::{Net, State};
use crate::{ports, update};

const D: ErrorDomain = ErrorDomain::Network;
/// `VIR_NETWORK_XML_INACTIVE`.
const XML_INACTIVE: u32 = 1;

/// The network calls of one connection.
#[derive(Debug)]
pub(crate) struct NetworkConn {
    pub(crate) state: Arc<State>,
}

fn no_network(what: &str, value: &str) -> Error {
    Error::new(
        ErrorCode::NoNetwork,
        D,
        format!("no network with matching {what} '{value}'"),
    )
}

fn not_active(name: &str) -> Error {
    Error::operation_invalid(D, format!("network '{name}' is not active"))
}

fn check(flags: u32, known: u32, function: &str) -> Result<()> {
    let unknown = flags & !known;
    if unknown != 0 {
        return Err(Error::invalid_arg(
            D,
            format!("unsupported flags (0x{unknown:x}) in function {function}"),
        ));
    }
    Ok(())
}

/// Where `def` may go among `nets`: the index of the network it redefines.
fn slot(nets: &[Net], def: &NetworkDef) -> Result<Option<usize>> {
    if let Some(i) = nets.iter().position(|n| n.def.name == def.name) {
        if nets[i].def.uuid != def.uuid {
            return Err(Error::new(
                ErrorCode::OperationFailed,
                D,
                format!(
                    "network '{}' already exists with uuid {}",
                    def.name, nets[i].def.uuid
                ),
            ));
        }
        return Ok(Some(i));
    }
    if let Some(n) = nets.iter().find(|n| n.def.uuid == def.uuid) {
        return Err(Error::new(
            ErrorCode::OperationFailed,
            D,
            format!(
                "network '{}' is already defined with uuid {}",
                n.def.name, def.uuid
            ),
        ));
    }
    Ok(None)
}

/// Parses `xml` and gives a network with its own bridge a free `virbrN` name when
/// it has none (as libvirt does); other networks' bridges may not be reused.
fn parse(xml: &str, nets: &[Net]) -> Result<NetworkDef> {
    let mut def = NetworkDef::from_xml(xml)?;
    crate::dnsmasq::check_hosts(&def)?;
    let others = || nets.iter().filter(|n| n.def.name != def.name);
    if def.has_own_bridge() {
        match &def.bridge.name {
            Some(br) => {
                if let Some(n) = others().find(|n| n.bridge() == Some(br.as_str())) {
                    return Err(Error::new(
                        ErrorCode::OperationFailed,
                        D,
                        format!(
                            "bridge name '{br}' already in use by network '{}'",
                            n.def.name
                        ),
                    ));
                }
            }
            None => {
                let name = (0..1024)
                    .map(|i| format!("virbr{i}"))
                    .find(|b| {
                        others().all(|n| n.bridge() != Some(b.as_str())) && !host::link_exists(b)
                    })
                    .ok_or_else(|| Error::internal(D, "no free bridge name".to_string()))?;
                def.bridge.name = Some(name);
            }
        }
    }
    Ok(def)
}

impl NetworkConn {
    fn with_net<T>(
        &self,
        r: &NetworkRef,
        f: impl FnOnce(&mut Vec<Net>, usize) -> Result<T>,
    ) -> Result<T> {
        let mut nets = self.state.lock();
        let i = nets
            .iter()
            .position(|n| n.def.uuid == r.uuid)
            .ok_or_else(|| no_network("uuid", &r.uuid.to_string()))?;
        f(&mut nets, i)
    }

    fn find(&self, what: &str, value: &str, pred: impl Fn(&Net) -> bool) -> Result<NetworkRef> {
        self.state
            .lock()
            .iter()
            .find(|n| pred(n))
            .map(Net::reference)
            .ok_or_else(|| no_network(what, value))
    }
}

impl NetworkDriver for NetworkConn {
    fn list_all_networks(&self, flags: u32) -> Result<Vec<NetworkRef>> {
        check(flags, 63, "virConnectListAllNetworks")?;
        let group = |on: u32, off: u32, v: bool| {
            flags & (on | off) == 0 || (v && flags & on != 0) || (!v && flags & off != 0)
        };
        let mut out: Vec<NetworkRef> = self
            .state
            .lock()
            .iter()
            .filter(|n| {
                group(2, 1, n.active) && group(4, 8, n.persistent) && group(16, 32, n.autostart)
            })
            .map(Net::reference)
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn lookup_network_by_name(&self, name: &str) -> Result<NetworkRef> {
        self.find("name", name, |n| n.def.name == name)
    }

    fn lookup_network_by_uuid(&self, uuid: &Uuid) -> Result<NetworkRef> {
        self.find("uuid", &uuid.to_string(), |n| n.def.uuid == *uuid)
    }

    fn network_define_xml(&self, xml: &str, flags: u32) -> Result<NetworkRef> {
        check(flags, 1, "virNetworkDefineXMLFlags")?;
        let mut nets = self.state.lock();
        let def = parse(xml, &nets)?;
        let at = slot(&nets, &def)?;
        let net = match at {
            Some(i) => {
                let mut n = nets[i].clone();
                if n.active {
                    n.new_def = Some(def);
                } else {
                    n.def = def;
                }
                n.persistent = true;
                n
            }
            None => Net {
                def,
                new_def: None,
                active: false,
                persistent: true,
                autostart: false,
                ports: Vec::new(),
            },
        };
        self.state.save_config(&net)?;
        let r = net.reference();
        match at {
            Some(i) => nets[i] = net,
            None => nets.push(net),
        }
        drop(nets);
        self.state.lifecycle(r.clone(), NetworkLifecycle::Defined);
        Ok(r)
    }

    fn network_create_xml(&self, xml: &str, flags: u32) -> Result<NetworkRef> {
        check(flags, 1, "virNetworkCreateXMLFlags")?;
        let mut nets = self.state.lock();
        let def = parse(xml, &nets)?;
        if let Some(i) = slot(&nets, &def)? {
            return Err(Error::operation_invalid(
                D,
                format!("network '{}' is already defined", nets[i].def.name),
            ));
        }
        let mut net = Net {
            def,
            new_def: None,
            active: false,
            persistent: false,
            autostart: false,
            ports: Vec::new(),
        };
        self.state.activate(&mut net)?;
        let r = net.reference();
        nets.push(net);
        drop(nets);
        self.state.lifecycle(r.clone(), NetworkLifecycle::Started);
        Ok(r)
    }

    fn network_undefine(&self, r: &NetworkRef) -> Result<()> {
        self.with_net(r, |nets, i| {
            if !nets[i].persistent {
                return Err(Error::operation_invalid(
                    D,
                    "cannot undefine transient network".to_string(),
                ));
            }
            self.state.delete_config(&nets[i].def.name)?;
            if nets[i].active {
                let n = &mut nets[i];
                n.persistent = false;
                n.autostart = false;
                n.new_def = None;
            } else {
                nets.remove(i);
            }
            Ok(())
        })?;
        self.state.lifecycle(r.clone(), NetworkLifecycle::Undefined);
        Ok(())
    }

    fn network_create(&self, r: &NetworkRef) -> Result<()> {
        self.with_net(r, |nets, i| {
            let n = &mut nets[i];
            if n.active {
                return Err(Error::operation_invalid(
                    D,
                    format!("network '{}' is already active", n.def.name),
                ));
            }
            self.state.activate(n)
        })?;
        self.state.lifecycle(r.clone(), NetworkLifecycle::Started);
        Ok(())
    }

    fn network_destroy(&self, r: &NetworkRef) -> Result<()> {
        self.with_net(r, |nets, i| {
            if !nets[i].active {
                return Err(not_active(&nets[i].def.name));
            }
            self.state.deactivate(&mut nets[i])?;
            if !nets[i].persistent {
                nets.remove(i);
            }
            Ok(())
        })?;
        self.state.lifecycle(r.clone(), NetworkLifecycle::Stopped);
        Ok(())
    }

    fn network_xml_desc(&self, r: &NetworkRef, flags: u32) -> Result<String> {
        check(flags, XML_INACTIVE, "virNetworkGetXMLDesc")?;
        self.with_net(r, |nets, i| {
            let n = &nets[i];
            Ok(if flags & XML_INACTIVE != 0 {
                n.inactive_def().to_xml()
            } else {
                n.def.to_xml()
            })
        })
    }

    fn network_bridge_name(&self, r: &NetworkRef) -> Result<String> {
        self.with_net(r, |nets, i| {
            nets[i].bridge().map(str::to_string).ok_or_else(|| {
                Error::internal(
                    D,
                    format!(
                        "network '{}' does not have a bridge name.",
                        nets[i].def.name
                    ),
                )
            })
        })
    }

    fn network_autostart(&self, r: &NetworkRef) -> Result<bool> {
        self.with_net(r, |nets, i| Ok(nets[i].autostart))
    }

    fn network_set_autostart(&self, r: &NetworkRef, autostart: bool) -> Result<()> {
        self.with_net(r, |nets, i| {
            let n = &mut nets[i];
            if !n.persistent {
                return Err(Error::operation_invalid(
                    D,
                    "cannot set autostart for transient network".to_string(),
                ));
            }
            self.state.set_autostart(&n.def.name, autostart)?;
            n.autostart = autostart;
            Ok(())
        })
    }

    fn network_is_active(&self, r: &NetworkRef) -> Result<bool> {
        self.with_net(r, |nets, i| Ok(nets[i].active))
    }

    fn network_is_persistent(&self, r: &NetworkRef) -> Result<bool> {
        self.with_net(r, |nets, i| Ok(nets[i].persistent))
    }

    fn network_update(
        &self,
        r: &NetworkRef,
        command: u32,
        section: u32,
        parent_index: i32,
        xml: &str,
        flags: u32,
    ) -> Result<()> {
        check(
            flags,
            update::AFFECT_LIVE | update::AFFECT_CONFIG,
            "networkUpdate",
        )?;
        self.with_net(r, |nets, i| {
            let n = &nets[i];
            let t = update::targets(flags, n.active, n.persistent)?;
            let (live, config) = update::edit(n, t, |d| {
                d.update(command, section, parent_index, xml)?;
                crate::dnsmasq::check_hosts(d)
            })?;
            let mut next = n.clone();
            if let Some(def) = live {
                let how = update::reload_for(section, &next.def, &def);
                if next.persistent && next.new_def.is_none() {
                    next.new_def = Some(next.inactive_def());
                }
                next.def = def;
                if crate::state::needs_dnsmasq(&next.def)
                    && let Some(br) = next.bridge()
                {
                    self.state
                        .files(&next.def.name)?
                        .reload(&next.def, br, how)?;
                }
                self.state.save_status(&next)?;
            }
            if let Some(def) = config {
                if next.active {
                    next.new_def = Some(def);
                } else {
                    next.def = def;
                }
                self.state.save_config(&next)?;
            }
            if next.new_def.as_ref().is_some_and(|d| {
                let mut live = next.def.clone();
                live.connections = None;
                *d == live
            }) {
                next.new_def = None;
            }
            nets[i] = next;
            Ok(())
        })
    }

    fn network_list_all_ports(&self, r: &NetworkRef, flags: u32) -> Result<Vec<NetworkPortRef>> {
        check(flags, 0, "networkListAllPorts")?;
        self.with_net(r, |nets, i| {
            let n = &nets[i];
            if !n.active {
                return Err(not_active(&n.def.name));
            }
            Ok(n.ports.iter().map(|p| ports::reference(n, p)).collect())
        })
    }

    fn network_port_lookup_by_uuid(&self, r: &NetworkRef, uuid: &Uuid) -> Result<NetworkPortRef> {
        self.with_net(r, |nets, i| {
            let n = &nets[i];
            let at = ports::find(n, uuid)?;
            Ok(ports::reference(n, &n.ports[at]))
        })
    }

    fn network_port_create_xml(
        &self,
        r: &NetworkRef,
        xml: &str,
        flags: u32,
    ) -> Result<NetworkPortRef> {
        check(
            flags,
            ports::CREATE_RECLAIM | ports::CREATE_VALIDATE,
            "networkPortCreateXML",
        )?;
        self.with_net(r, |nets, i| {
            let n = &mut nets[i];
            let mut port = ports::create(n, xml, flags)?;
            crate::qos::plug(n, &mut port)?;
            if let Err(e) = self.state.ports.save(&n.def.uuid, &port) {
                crate::qos::unplug(n, &port);
                return Err(e);
            }
            let pr = ports::reference(n, &port);
            n.ports.push(port);
            n.set_connections();
            self.state.save_status(n)?;
            Ok(pr)
        })
    }

    fn network_port_xml_desc(&self, p: &NetworkPortRef, flags: u32) -> Result<String> {
        check(flags, 0, "networkPortGetXMLDesc")?;
        self.with_net(&p.network, |nets, i| {
            let n = &nets[i];
            Ok(n.ports[ports::find(n, &p.uuid)?].to_xml())
        })
    }

    fn network_port_delete(&self, p: &NetworkPortRef, flags: u32) -> Result<()> {
        check(flags, 0, "networkPortDelete")?;
        self.with_net(&p.network, |nets, i| {
            let n = &mut nets[i];
            let at = ports::find(n, &p.uuid)?;
            self.state.ports.delete(&n.def.uuid, &p.uuid)?;
            let gone = n.ports.remove(at);
            crate::qos::unplug(n, &gone);
            n.set_connections();
            self.state.save_status(n)
        })
    }

    fn network_port_get_parameters(
        &self,
        p: &NetworkPortRef,
        flags: u32,
    ) -> Result<Vec<TypedParam>> {
        check(flags, 0, "networkPortGetParameters")?;
        self.with_net(&p.network, |nets, i| {
            let n = &nets[i];
            Ok(ports::parameters(&n.ports[ports::find(n, &p.uuid)?]))
        })
    }

    fn network_port_set_parameters(
        &self,
        p: &NetworkPortRef,
        params: &[TypedParam],
        flags: u32,
    ) -> Result<()> {
        check(flags, 0, "networkPortSetParameters")?;
        self.with_net(&p.network, |nets, i| {
            let n = &mut nets[i];
            let at = ports::find(n, &p.uuid)?;
            let bandwidth = ports::bandwidth_of(params)?;
            let bandwidth = (!bandwidth.is_empty()).then_some(bandwidth);
            let class_id = crate::qos::update(n, at, bandwidth.as_ref())?;
            let mut port = n.ports[at].clone();
            port.bandwidth = bandwidth;
            port.class_id = class_id;
            self.state.ports.save(&n.def.uuid, &port)?;
            n.ports[at] = port;
            Ok(())
        })
    }

    fn network_dhcp_leases(
        &self,
        r: &NetworkRef,
        mac: Option<&str>,
        flags: u32,
    ) -> Result<Vec<DhcpLease>> {
        check(flags, 0, "virNetworkGetDHCPLeases")?;
        let (def, bridge) = self.with_net(r, |nets, i| {
            let n = &nets[i];
            if !n.active {
                return Err(not_active(&n.def.name));
            }
            Ok((n.def.clone(), n.bridge().unwrap_or_default().to_string()))
        })?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Ok(self
            .state
            .files(&def.name)?
            .read_leases(&def, &bridge)
            .into_iter()
            .filter(|l| l.expiry_time == 0 || l.expiry_time > now)
            .filter(|l| {
                mac.is_none_or(|m| l.mac.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(m)))
            })
            .collect())
    }
}
