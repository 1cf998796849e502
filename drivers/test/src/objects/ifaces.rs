//! Host interfaces of a test world (libvirt's `testInterface*`), with the
//! begin/commit/rollback transaction.

use rvirt_core::driver::{InterfaceDriver, InterfaceRef};
use rvirt_core::objconf::InterfaceDef;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::{IfaceObj, TestObjects, invalid};
use crate::errors::check_flags;

fn iface_ref(d: &InterfaceDef) -> InterfaceRef {
    InterfaceRef {
        name: d.name.clone(),
        mac: d.mac.clone().unwrap_or_default(),
    }
}

fn no_iface(what: &str, value: &str) -> Error {
    Error::new(
        ErrorCode::NoInterface,
        ErrorDomain::Test,
        format!("no interface with matching {what} '{value}'"),
    )
}

impl TestObjects {
    fn with_iface<T>(
        &self,
        iface: &InterfaceRef,
        f: impl FnOnce(&mut IfaceObj) -> Result<T>,
    ) -> Result<T> {
        let mut objs = self.lock();
        let i = objs
            .ifaces
            .iter_mut()
            .find(|i| i.def.name == iface.name)
            .ok_or_else(|| no_iface("name", &iface.name))?;
        f(i)
    }
}

impl InterfaceDriver for TestObjects {
    fn list_all_interfaces(&self, flags: u32) -> Result<Vec<InterfaceRef>> {
        check_flags(flags, 3, "testConnectListAllInterfaces")?;
        Ok(self
            .lock()
            .ifaces
            .iter()
            .filter(|i| {
                flags & 3 == 0 || (i.active && flags & 2 != 0) || (!i.active && flags & 1 != 0)
            })
            .map(|i| iface_ref(&i.def))
            .collect())
    }

    fn interface_lookup_by_name(&self, name: &str) -> Result<InterfaceRef> {
        self.lock()
            .ifaces
            .iter()
            .find(|i| i.def.name == name)
            .map(|i| iface_ref(&i.def))
            .ok_or_else(|| no_iface("name", name))
    }

    fn interface_lookup_by_mac(&self, mac: &str) -> Result<InterfaceRef> {
        let objs = self.lock();
        let found: Vec<&IfaceObj> = objs
            .ifaces
            .iter()
            .filter(|i| {
                i.def
                    .mac
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case(mac))
            })
            .collect();
        match found.as_slice() {
            [one] => Ok(iface_ref(&one.def)),
            [] => Err(no_iface("mac", mac)),
            _ => Err(Error::new(
                ErrorCode::MultipleInterfaces,
                ErrorDomain::Test,
                format!("multiple interfaces with matching mac '{mac}'"),
            )),
        }
    }

    fn interface_xml_desc(&self, iface: &InterfaceRef, flags: u32) -> Result<String> {
        check_flags(flags, 1, "testInterfaceGetXMLDesc")?;
        self.with_iface(iface, |i| Ok(i.def.to_xml()))
    }

    fn interface_define_xml(&self, xml: &str, flags: u32) -> Result<InterfaceRef> {
        check_flags(flags, 1, "testInterfaceDefineXML")?;
        let def = InterfaceDef::from_xml(xml)?;
        let r = iface_ref(&def);
        let mut objs = self.lock();
        match objs.ifaces.iter_mut().find(|i| i.def.name == def.name) {
            Some(i) => i.def = def,
            None => objs.ifaces.push(IfaceObj { def, active: false }),
        }
        Ok(r)
    }

    fn interface_undefine(&self, iface: &InterfaceRef) -> Result<()> {
        let mut objs = self.lock();
        let i = objs
            .ifaces
            .iter()
            .position(|i| i.def.name == iface.name)
            .ok_or_else(|| no_iface("name", &iface.name))?;
        objs.ifaces.remove(i);
        Ok(())
    }

    fn interface_create(&self, iface: &InterfaceRef, flags: u32) -> Result<()> {
        check_flags(flags, 0, "testInterfaceCreate")?;
        self.with_iface(iface, |i| {
            if i.active {
                return Err(invalid(""));
            }
            i.active = true;
            Ok(())
        })
    }

    fn interface_destroy(&self, iface: &InterfaceRef, flags: u32) -> Result<()> {
        check_flags(flags, 0, "testInterfaceDestroy")?;
        self.with_iface(iface, |i| {
            if !i.active {
                return Err(invalid(""));
            }
            i.active = false;
            Ok(())
        })
    }

    fn interface_is_active(&self, iface: &InterfaceRef) -> Result<bool> {
        self.with_iface(iface, |i| Ok(i.active))
    }

    fn interface_change_begin(&self, flags: u32) -> Result<()> {
        check_flags(flags, 0, "testInterfaceChangeBegin")?;
        let mut objs = self.lock();
        if objs.iface_backup.is_some() {
            return Err(invalid("there is another transaction running."));
        }
        objs.iface_backup = Some(objs.ifaces.clone());
        Ok(())
    }

    fn interface_change_commit(&self, flags: u32) -> Result<()> {
        check_flags(flags, 0, "testInterfaceChangeCommit")?;
        let mut objs = self.lock();
        if objs.iface_backup.take().is_none() {
            return Err(invalid("no transaction running, nothing to be committed."));
        }
        Ok(())
    }

    fn interface_change_rollback(&self, flags: u32) -> Result<()> {
        check_flags(flags, 0, "testInterfaceChangeRollback")?;
        let mut objs = self.lock();
        let backup = objs
            .iface_backup
            .take()
            .ok_or_else(|| invalid("no transaction running, nothing to rollback."))?;
        objs.ifaces = backup;
        Ok(())
    }
}
