//! Host interfaces, secrets and network filters over the wire.

use rvirt_core::driver::{
    InterfaceDriver, InterfaceRef, NwFilterBindingRef, NwFilterDriver, NwFilterRef, SecretDriver,
    SecretRef,
};
use rvirt_core::{Error, ErrorDomain, Result, Uuid};
use rvirt_rpc::procs as p;
use rvirt_rpc::types::*;

use super::RemoteObjects;

fn iw(i: &InterfaceRef) -> RemoteNonnullInterface {
    i.into()
}

fn sw(s: &SecretRef) -> RemoteNonnullSecret {
    s.into()
}

fn fw(f: &NwFilterRef) -> RemoteNonnullNwfilter {
    f.into()
}

fn bw(b: &NwFilterBindingRef) -> RemoteNonnullNwfilterBinding {
    b.into()
}

impl InterfaceDriver for RemoteObjects {
    fn list_all_interfaces(&self, flags: u32) -> Result<Vec<InterfaceRef>> {
        let r: ListAllRet<RemoteNonnullInterface> = self.call(
            p::CONNECT_LIST_ALL_INTERFACES,
            &ListAllArgs {
                need_results: 1,
                flags,
            },
        )?;
        Ok(r.items.into_iter().map(Into::into).collect())
    }

    fn interface_lookup_by_name(&self, name: &str) -> Result<InterfaceRef> {
        let r: IfaceRet =
            self.call(p::INTERFACE_LOOKUP_BY_NAME, &NameArgs { name: name.into() })?;
        Ok(r.obj.into())
    }

    fn interface_lookup_by_mac(&self, mac: &str) -> Result<InterfaceRef> {
        let r: IfaceRet = self.call(
            p::INTERFACE_LOOKUP_BY_MAC_STRING,
            &NameArgs { name: mac.into() },
        )?;
        Ok(r.obj.into())
    }

    fn interface_xml_desc(&self, iface: &InterfaceRef, flags: u32) -> Result<String> {
        let r: XmlRet = self.call(
            p::INTERFACE_GET_XML_DESC,
            &ObjFlagsArgs {
                obj: iw(iface),
                flags,
            },
        )?;
        Ok(r.xml)
    }

    fn interface_define_xml(&self, xml: &str, flags: u32) -> Result<InterfaceRef> {
        let r: IfaceRet = self.call(
            p::INTERFACE_DEFINE_XML,
            &XmlFlagsArgs {
                xml: xml.into(),
                flags,
            },
        )?;
        Ok(r.obj.into())
    }

    fn interface_undefine(&self, iface: &InterfaceRef) -> Result<()> {
        self.call(p::INTERFACE_UNDEFINE, &ObjArgs { obj: iw(iface) })
    }

    fn interface_create(&self, iface: &InterfaceRef, flags: u32) -> Result<()> {
        self.call(
            p::INTERFACE_CREATE,
            &ObjFlagsArgs {
                obj: iw(iface),
                flags,
            },
        )
    }

    fn interface_destroy(&self, iface: &InterfaceRef, flags: u32) -> Result<()> {
        self.call(
            p::INTERFACE_DESTROY,
            &ObjFlagsArgs {
                obj: iw(iface),
                flags,
            },
        )
    }

    fn interface_is_active(&self, iface: &InterfaceRef) -> Result<bool> {
        let r: IntRet = self.call(p::INTERFACE_IS_ACTIVE, &ObjArgs { obj: iw(iface) })?;
        Ok(r.value != 0)
    }

    fn interface_change_begin(&self, flags: u32) -> Result<()> {
        self.call(p::INTERFACE_CHANGE_BEGIN, &FlagsArgs { flags })
    }

    fn interface_change_commit(&self, flags: u32) -> Result<()> {
        self.call(p::INTERFACE_CHANGE_COMMIT, &FlagsArgs { flags })
    }

    fn interface_change_rollback(&self, flags: u32) -> Result<()> {
        self.call(p::INTERFACE_CHANGE_ROLLBACK, &FlagsArgs { flags })
    }
}

impl SecretDriver for RemoteObjects {
    fn list_all_secrets(&self, flags: u32) -> Result<Vec<SecretRef>> {
        let r: ListAllRet<RemoteNonnullSecret> = self.call(
            p::CONNECT_LIST_ALL_SECRETS,
            &ListAllArgs {
                need_results: 1,
                flags,
            },
        )?;
        Ok(r.items.into_iter().map(Into::into).collect())
    }

    fn secret_lookup_by_uuid(&self, uuid: &Uuid) -> Result<SecretRef> {
        let r: SecretRet = self.call(
            p::SECRET_LOOKUP_BY_UUID,
            &UuidArgs {
                uuid: *uuid.as_bytes(),
            },
        )?;
        Ok(r.obj.into())
    }

    fn secret_lookup_by_usage(&self, usage_type: i32, usage_id: &str) -> Result<SecretRef> {
        let args = SecretLookupByUsageArgs {
            usage_type,
            usage_id: usage_id.into(),
        };
        let r: SecretRet = self.call(p::SECRET_LOOKUP_BY_USAGE, &args)?;
        Ok(r.obj.into())
    }

    fn secret_define_xml(&self, xml: &str, flags: u32) -> Result<SecretRef> {
        let r: SecretRet = self.call(
            p::SECRET_DEFINE_XML,
            &XmlFlagsArgs {
                xml: xml.into(),
                flags,
            },
        )?;
        Ok(r.obj.into())
    }

    fn secret_xml_desc(&self, secret: &SecretRef, flags: u32) -> Result<String> {
        let r: XmlRet = self.call(
            p::SECRET_GET_XML_DESC,
            &ObjFlagsArgs {
                obj: sw(secret),
                flags,
            },
        )?;
        Ok(r.xml)
    }

    fn secret_set_value(&self, secret: &SecretRef, value: &[u8], flags: u32) -> Result<()> {
        let args = SecretSetValueArgs {
            secret: sw(secret),
            value: value.to_vec(),
            flags,
        };
        self.call(p::SECRET_SET_VALUE, &args)
    }

    fn secret_get_value(&self, secret: &SecretRef, flags: u32, internal: bool) -> Result<Vec<u8>> {
        if internal {
            return Err(Error::no_support(
                ErrorDomain::Secret,
                "secret values are not handed to other drivers over a remote connection",
            ));
        }
        let r: SecretGetValueRet = self.call(
            p::SECRET_GET_VALUE,
            &ObjFlagsArgs {
                obj: sw(secret),
                flags,
            },
        )?;
        Ok(r.value)
    }

    fn secret_undefine(&self, secret: &SecretRef) -> Result<()> {
        self.call(p::SECRET_UNDEFINE, &ObjArgs { obj: sw(secret) })
    }

    fn secret_event_interest(&self, event_id: i32, wanted: bool) -> Result<()> {
        self.interest::<RemoteNonnullSecret>(
            p::CONNECT_SECRET_EVENT_REGISTER_ANY,
            p::CONNECT_SECRET_EVENT_DEREGISTER_ANY,
            event_id,
            wanted,
        )
    }
}

impl NwFilterDriver for RemoteObjects {
    fn list_all_nwfilters(&self, flags: u32) -> Result<Vec<NwFilterRef>> {
        let r: ListAllRet<RemoteNonnullNwfilter> = self.call(
            p::CONNECT_LIST_ALL_NWFILTERS,
            &ListAllArgs {
                need_results: 1,
                flags,
            },
        )?;
        Ok(r.items.into_iter().map(Into::into).collect())
    }

    fn nwfilter_lookup_by_name(&self, name: &str) -> Result<NwFilterRef> {
        let r: NwfilterRet =
            self.call(p::NWFILTER_LOOKUP_BY_NAME, &NameArgs { name: name.into() })?;
        Ok(r.obj.into())
    }

    fn nwfilter_lookup_by_uuid(&self, uuid: &Uuid) -> Result<NwFilterRef> {
        let r: NwfilterRet = self.call(
            p::NWFILTER_LOOKUP_BY_UUID,
            &UuidArgs {
                uuid: *uuid.as_bytes(),
            },
        )?;
        Ok(r.obj.into())
    }

    fn nwfilter_define_xml(&self, xml: &str, flags: u32) -> Result<NwFilterRef> {
        let r: NwfilterRet = if flags == 0 {
            self.call(p::NWFILTER_DEFINE_XML, &XmlArgs { xml: xml.into() })?
        } else {
            self.call(
                p::NWFILTER_DEFINE_XML_FLAGS,
                &XmlFlagsArgs {
                    xml: xml.into(),
                    flags,
                },
            )?
        };
        Ok(r.obj.into())
    }

    fn nwfilter_undefine(&self, filter: &NwFilterRef) -> Result<()> {
        self.call(p::NWFILTER_UNDEFINE, &ObjArgs { obj: fw(filter) })
    }

    fn nwfilter_xml_desc(&self, filter: &NwFilterRef, flags: u32) -> Result<String> {
        let r: XmlRet = self.call(
            p::NWFILTER_GET_XML_DESC,
            &ObjFlagsArgs {
                obj: fw(filter),
                flags,
            },
        )?;
        Ok(r.xml)
    }

    fn list_all_nwfilter_bindings(&self, flags: u32) -> Result<Vec<NwFilterBindingRef>> {
        let r: ListAllRet<RemoteNonnullNwfilterBinding> = self.call(
            p::CONNECT_LIST_ALL_NWFILTER_BINDINGS,
            &ListAllArgs {
                need_results: 1,
                flags,
            },
        )?;
        Ok(r.items.into_iter().map(Into::into).collect())
    }

    fn nwfilter_binding_lookup_by_port_dev(&self, port_dev: &str) -> Result<NwFilterBindingRef> {
        let r: BindingRet = self.call(
            p::NWFILTER_BINDING_LOOKUP_BY_PORT_DEV,
            &NameArgs {
                name: port_dev.into(),
            },
        )?;
        Ok(r.obj.into())
    }

    fn nwfilter_binding_create_xml(&self, xml: &str, flags: u32) -> Result<NwFilterBindingRef> {
        let r: BindingRet = self.call(
            p::NWFILTER_BINDING_CREATE_XML,
            &XmlFlagsArgs {
                xml: xml.into(),
                flags,
            },
        )?;
        Ok(r.obj.into())
    }

    fn nwfilter_binding_xml_desc(
        &self,
        binding: &NwFilterBindingRef,
        flags: u32,
    ) -> Result<String> {
        let r: XmlRet = self.call(
            p::NWFILTER_BINDING_GET_XML_DESC,
            &ObjFlagsArgs {
                obj: bw(binding),
                flags,
            },
        )?;
        Ok(r.xml)
    }

    fn nwfilter_binding_delete(&self, binding: &NwFilterBindingRef) -> Result<()> {
        self.call(p::NWFILTER_BINDING_DELETE, &ObjArgs { obj: bw(binding) })
    }
}
