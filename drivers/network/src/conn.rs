//! [`NetworkConn`]: the network driver of one connection (a view on the host state).

use std::sync::Arc;

use rvirt_core::api::NetworkLifecycle;
use rvirt_core::driver::{DhcpLease, NetworkDriver, NetworkRef};
use rvirt_core::objconf::NetworkDef;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, Uuid};

use crate::host;
use crate::state::{Net, State};

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
                n.persistent_def().to_xml()
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
