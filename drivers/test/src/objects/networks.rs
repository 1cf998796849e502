//! Networks of a test world (libvirt's `testNetwork*`).

use rvirt_core::api::{NetworkEvent, NetworkLifecycle, ObjectEvent};
use rvirt_core::driver::{NetworkDriver, NetworkRef};
use rvirt_core::objconf::NetworkDef;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, Uuid};

use super::{HostObjects, NetObj, TestObjects, failed, invalid, list_filter};
use crate::errors::check_flags;

fn net_ref(def: &NetworkDef) -> NetworkRef {
    NetworkRef {
        name: def.name.clone(),
        uuid: def.uuid,
    }
}

fn no_network(what: &str, value: &str) -> Error {
    Error::new(
        ErrorCode::NoNetwork,
        ErrorDomain::Test,
        format!("no network with matching {what} '{value}'"),
    )
}

impl HostObjects {
    fn network_index(&self, net: &NetworkRef) -> Result<usize> {
        self.networks
            .iter()
            .position(|n| n.def.uuid == net.uuid)
            .ok_or_else(|| no_network("uuid", &net.uuid.to_string()))
    }

    /// libvirt's name/UUID clash rules for adding `def`; returns the index of the
    /// network it replaces, if any.
    fn network_slot(&self, def: &NetworkDef) -> Result<Option<usize>> {
        if let Some(i) = self.networks.iter().position(|n| n.def.name == def.name) {
            if self.networks[i].def.uuid != def.uuid {
                return Err(failed(
                    ErrorDomain::Network,
                    format!(
                        "network '{}' already exists with uuid {}",
                        def.name, self.networks[i].def.uuid
                    ),
                ));
            }
            return Ok(Some(i));
        }
        if let Some(n) = self.networks.iter().find(|n| n.def.uuid == def.uuid) {
            return Err(failed(
                ErrorDomain::Network,
                format!(
                    "network '{}' is already defined with uuid {}",
                    n.def.name, def.uuid
                ),
            ));
        }
        Ok(None)
    }
}

impl TestObjects {
    fn net_event(&self, r: NetworkRef, l: NetworkLifecycle) {
        self.events()
            .emit(ObjectEvent::Network(r, NetworkEvent::Lifecycle(l)));
    }

    fn with_net<T>(&self, net: &NetworkRef, f: impl FnOnce(&mut NetObj) -> Result<T>) -> Result<T> {
        let mut objs = self.lock();
        let i = objs.network_index(net)?;
        f(&mut objs.networks[i])
    }
}

impl NetworkDriver for TestObjects {
    fn list_all_networks(&self, flags: u32) -> Result<Vec<NetworkRef>> {
        check_flags(flags, 63, "testConnectListAllNetworks")?;
        Ok(self
            .lock()
            .networks
            .iter()
            .filter(|n| list_filter(flags, n.active, n.persistent, n.autostart))
            .map(|n| net_ref(&n.def))
            .collect())
    }

    fn lookup_network_by_name(&self, name: &str) -> Result<NetworkRef> {
        self.lock()
            .networks
            .iter()
            .find(|n| n.def.name == name)
            .map(|n| net_ref(&n.def))
            .ok_or_else(|| no_network("name", name))
    }

    fn lookup_network_by_uuid(&self, uuid: &Uuid) -> Result<NetworkRef> {
        self.lock()
            .networks
            .iter()
            .find(|n| n.def.uuid == *uuid)
            .map(|n| net_ref(&n.def))
            .ok_or_else(|| no_network("uuid", &uuid.to_string()))
    }

    fn network_define_xml(&self, xml: &str, flags: u32) -> Result<NetworkRef> {
        // VIR_NETWORK_DEFINE_VALIDATE.
        check_flags(flags, 1, "testNetworkDefineXML")?;
        let def = NetworkDef::from_xml(xml)?;
        let r = net_ref(&def);
        let mut objs = self.lock();
        match objs.network_slot(&def)? {
            Some(i) => {
                let n = &mut objs.networks[i];
                n.persistent = true;
                if n.active {
                    n.new_def = Some(def);
                } else {
                    n.def = def;
                }
            }
            None => objs.networks.push(NetObj {
                def,
                new_def: None,
                active: false,
                persistent: true,
                autostart: false,
            }),
        }
        self.net_event(r.clone(), NetworkLifecycle::Defined);
        Ok(r)
    }

    fn network_create_xml(&self, xml: &str, flags: u32) -> Result<NetworkRef> {
        check_flags(flags, 1, "testNetworkCreateXML")?;
        let def = NetworkDef::from_xml(xml)?;
        let r = net_ref(&def);
        let mut objs = self.lock();
        if let Some(n) = objs.networks.iter().find(|n| n.def.name == def.name) {
            return Err(failed(
                ErrorDomain::Network,
                format!(
                    "network '{}' already exists with uuid {}",
                    def.name, n.def.uuid
                ),
            ));
        }
        objs.network_slot(&def)?;
        objs.networks.push(NetObj {
            def,
            new_def: None,
            active: true,
            persistent: false,
            autostart: false,
        });
        self.net_event(r.clone(), NetworkLifecycle::Started);
        Ok(r)
    }

    fn network_undefine(&self, net: &NetworkRef) -> Result<()> {
        let mut objs = self.lock();
        let i = objs.network_index(net)?;
        let n = &objs.networks[i];
        if n.active {
            return Err(invalid(format!(
                "Network '{}' is still running",
                n.def.name
            )));
        }
        let r = net_ref(&n.def);
        objs.networks.remove(i);
        self.net_event(r, NetworkLifecycle::Undefined);
        Ok(())
    }

    fn network_create(&self, net: &NetworkRef) -> Result<()> {
        let r = self.with_net(net, |n| {
            if n.active {
                return Err(invalid(format!(
                    "Network '{}' is already running",
                    n.def.name
                )));
            }
            n.active = true;
            Ok(net_ref(&n.def))
        })?;
        self.net_event(r, NetworkLifecycle::Started);
        Ok(())
    }

    fn network_destroy(&self, net: &NetworkRef) -> Result<()> {
        let mut objs = self.lock();
        let i = objs.network_index(net)?;
        let n = &mut objs.networks[i];
        n.active = false;
        if let Some(next) = n.new_def.take() {
            n.def = next;
        }
        let r = net_ref(&n.def);
        if !n.persistent {
            objs.networks.remove(i);
        }
        self.net_event(r, NetworkLifecycle::Stopped);
        Ok(())
    }

    fn network_xml_desc(&self, net: &NetworkRef, flags: u32) -> Result<String> {
        check_flags(flags, 0, "testNetworkGetXMLDesc")?;
        self.with_net(net, |n| Ok(n.def.to_xml()))
    }

    fn network_bridge_name(&self, net: &NetworkRef) -> Result<String> {
        self.with_net(net, |n| {
            n.def.bridge.name.clone().ok_or_else(|| {
                Error::new(
                    ErrorCode::InternalError,
                    ErrorDomain::Test,
                    format!("network '{}' does not have a bridge name.", n.def.name),
                )
            })
        })
    }

    fn network_autostart(&self, net: &NetworkRef) -> Result<bool> {
        self.with_net(net, |n| Ok(n.autostart))
    }

    fn network_set_autostart(&self, net: &NetworkRef, autostart: bool) -> Result<()> {
        self.with_net(net, |n| {
            if !n.persistent {
                return Err(invalid("cannot set autostart for transient network"));
            }
            n.autostart = autostart;
            Ok(())
        })
    }

    fn network_is_active(&self, net: &NetworkRef) -> Result<bool> {
        self.with_net(net, |n| Ok(n.active))
    }

    fn network_is_persistent(&self, net: &NetworkRef) -> Result<bool> {
        self.with_net(net, |n| Ok(n.persistent))
    }

    fn network_update(
        &self,
        net: &NetworkRef,
        command: u32,
        section: u32,
        parent_index: i32,
        xml: &str,
        flags: u32,
    ) -> Result<()> {
        // VIR_NETWORK_UPDATE_AFFECT_LIVE | _CONFIG.
        check_flags(flags, 3, "testNetworkUpdate")?;
        self.with_net(net, |n| {
            let live = flags & 1 != 0 || (flags & 2 == 0 && n.active);
            let config = flags & 2 != 0 || (flags & 1 == 0 && !n.active);
            if live && !n.active {
                return Err(invalid("network is not running"));
            }
            let mut def = n.def.clone();
            def.update(command, section, parent_index, xml)?;
            if config && n.persistent && n.active {
                let mut next = n.new_def.clone().unwrap_or_else(|| n.def.clone());
                next.update(command, section, parent_index, xml)?;
                n.new_def = Some(next);
            }
            if live || !n.active {
                n.def = def;
            }
            Ok(())
        })
    }
}
