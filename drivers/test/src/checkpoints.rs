//! Checkpoints in the test driver: metadata only, as in libvirt's test driver — a
//! running domain's definition and disks recorded, the tree kept with its current
//! checkpoint, redefinition and deletion as libvirt's moment lists do them.

use std::time::{SystemTime, UNIX_EPOCH};

use rvirt_core::driver::{Checkpoints, DomainRef};
use rvirt_core::objects::{
    align_error, check_redefined_domain, checkpoint_create_flags as create,
    checkpoint_delete_flags as delete, checkpoint_list_flags as list, checkpoint_not_found,
    checkpoint_xml_flags as xml_flags, no_checkpoint, parse_checkpoint_xml,
};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::connection::TestConnection;
use crate::errors::check_flags;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn missing(name: &str) -> Error {
    checkpoint_not_found(ErrorDomain::Test, name)
}

fn unsupported(message: &str) -> Error {
    Error::new(ErrorCode::OperationUnsupported, ErrorDomain::Test, message)
}

impl Checkpoints for TestConnection {
    fn checkpoint_create_xml(&self, dom: &DomainRef, xml: &str, flags: u32) -> Result<String> {
        check_flags(
            flags,
            create::REDEFINE | create::QUIESCE,
            "testDomainCheckpointCreateXML",
        )?;
        let redefine = flags & create::REDEFINE != 0;
        self.world().domains.change_ref(dom, |o, _| {
            if !o.is_active() {
                return Err(unsupported("cannot create checkpoint for inactive domain"));
            }
            if !o.snapshots.is_empty() {
                return Err(unsupported(
                    "cannot create checkpoint while snapshot exists",
                ));
            }
            let mut def = parse_checkpoint_xml(xml, redefine)?;
            if redefine {
                o.checkpoints.check_redefine(&def)?;
                check_redefined_domain(&def, &o.uuid())?;
                if let Some(d) = def.domain.clone() {
                    def.align_disks(&d).map_err(align_error)?;
                }
                let name = def.name.clone().unwrap_or_default();
                o.checkpoints.redefine(def);
                return Ok(name);
            }
            let t = now();
            def.name.get_or_insert_with(|| t.to_string());
            def.creation_time = Some(t);
            def.parent = o.checkpoints.current().map(str::to_string);
            def.domain = Some(o.def.clone());
            def.align_disks(&o.def).map_err(align_error)?;
            let name = def.name.clone().unwrap_or_default();
            if o.checkpoints.get(&name).is_some() {
                return Err(Error::new(
                    ErrorCode::OperationFailed,
                    ErrorDomain::Domain,
                    format!("domain moment {name} already exists"),
                ));
            }
            o.checkpoints.insert_new(def);
            Ok(name)
        })
    }

    fn checkpoint_xml(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        check_flags(
            flags,
            xml_flags::SECURE | xml_flags::NO_DOMAIN | xml_flags::SIZE,
            "testDomainCheckpointGetXMLDesc",
        )?;
        self.world().domains.read(dom, |o| {
            let mut c = o
                .checkpoints
                .get(name)
                .cloned()
                .ok_or_else(|| missing(name))?;
            if flags & xml_flags::SECURE == 0
                && let Some(d) = c.domain.as_mut()
            {
                d.hide_secrets();
            }
            Ok(c.to_xml(flags & xml_flags::NO_DOMAIN != 0))
        })
    }

    fn checkpoint_list(&self, dom: &DomainRef, flags: u32) -> Result<Vec<String>> {
        check_flags(flags, list::ALL, "testDomainListAllCheckpoints")?;
        self.world()
            .domains
            .read(dom, |o| Ok(o.checkpoints.list(flags)))
    }

    fn checkpoint_children(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<Vec<String>> {
        check_flags(flags, list::ALL, "testDomainCheckpointListAllChildren")?;
        self.world().domains.read(dom, |o| {
            o.checkpoints.get(name).ok_or_else(|| missing(name))?;
            Ok(o.checkpoints.children(name, flags))
        })
    }

    fn checkpoint_lookup(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        check_flags(flags, 0, "testDomainCheckpointLookupByName")?;
        self.world().domains.read(dom, |o| {
            o.checkpoints
                .get(name)
                .map(|_| ())
                .ok_or_else(|| missing(name))
        })
    }

    fn checkpoint_parent(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        check_flags(flags, 0, "testDomainCheckpointGetParent")?;
        self.world().domains.read(dom, |o| {
            let c = o.checkpoints.get(name).ok_or_else(|| missing(name))?;
            c.parent.clone().ok_or_else(|| {
                no_checkpoint(
                    ErrorDomain::Test,
                    format!("checkpoint '{name}' does not have a parent"),
                )
            })
        })
    }

    fn checkpoint_delete(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        check_flags(
            flags,
            delete::CHILDREN | delete::METADATA_ONLY | delete::CHILDREN_ONLY,
            "testDomainCheckpointDelete",
        )?;
        self.world().domains.change_ref(dom, |o, _| {
            o.checkpoints.get(name).ok_or_else(|| missing(name))?;
            o.checkpoints.delete(name, flags);
            Ok(())
        })
    }
}
