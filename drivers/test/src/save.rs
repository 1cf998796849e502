//! The test driver's save, restore and managed save, answered as libvirt 9.0's test
//! driver answers them (observed through python3-libvirt, `tests/scripts/save_calls.py`):
//! save writes the domain XML into an image ([`save_image`](crate::save_image)) and stops
//! the domain (shut off, reason saved; STOPPED/SAVED; a transient domain goes); restore
//! starts the imaged definition (running, reason restored; STARTED/RESTORED); managed
//! save keeps only a flag on the domain, which the next start clears, the listing
//! filters read and undefine refuses without `VIR_DOMAIN_UNDEFINE_MANAGED_SAVE`.

use rvirt_core::api::{RunningReason, ShutoffReason, StartedDetail, StateReason, StoppedDetail};
use rvirt_core::driver::{DomainRef, SaveRestore, format_domain_xml};
use rvirt_core::objects::not_running;
use rvirt_core::{DomainEvent, Error, ErrorCode, ErrorDomain, Lifecycle, Result};

use crate::connection::{TestConnection, parse_def};
use crate::errors::check_flags;
use crate::state::World;
use crate::{ops, save_image};

/// `VIR_DOMAIN_XML_SECURE` / `VIR_DOMAIN_SAVE_IMAGE_XML_SECURE`.
const SECURE: u32 = 1;
/// `VIR_DOMAIN_SAVE_BYPASS_CACHE | VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED`.
const MANAGED_SAVE_FLAGS: u32 = 1 | 2 | 4;
/// `VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED`.
const RUN_OR_PAUSE: u32 = 2 | 4;

fn no_dxml(dxml: Option<&str>) -> Result<()> {
    if dxml.is_some() {
        return Err(Error::new(
            ErrorCode::ArgumentUnsupported,
            ErrorDomain::Test,
            "xml modification unsupported",
        ));
    }
    Ok(())
}

/// Stops a running domain as saved: `image` (if any) is written first, with the live
/// definition; the domain stays defined only if persistent.
fn stop_saved(
    w: &World,
    dom: &DomainRef,
    image: Option<&str>,
    check: impl FnOnce(&crate::state::Obj) -> Result<()>,
) -> Result<()> {
    w.domains.change_ref(dom, |obj, ev| {
        if !obj.is_active() {
            return Err(not_running());
        }
        check(obj)?;
        if let Some(path) = image {
            save_image::write(path, obj.name(), &obj.xml(SECURE)?)?;
        }
        ops::stop(w, obj, ShutoffReason::Saved, StoppedDetail::Saved, ev);
        Ok(())
    })?;
    w.domains.list.remove_if_transient(&dom.uuid);
    Ok(())
}

impl SaveRestore for TestConnection {
    fn save_flags(
        &self,
        dom: &DomainRef,
        path: &str,
        dxml: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, 0, "testDomainSaveFlags")?;
        no_dxml(dxml)?;
        stop_saved(self.world(), dom, Some(path), |_| Ok(()))
    }

    fn restore_flags(&self, path: &str, dxml: Option<&str>, flags: u32) -> Result<()> {
        check_flags(flags, 0, "testDomainRestoreFlags")?;
        no_dxml(dxml)?;
        let def = save_image::read_def(path, parse_def)?;
        let w = self.world();
        w.domains.create_xml(def, |entry| {
            w.domains.change(entry, |obj, ev| {
                w.start_run(obj);
                obj.state = StateReason::Running(RunningReason::Restored);
                ev.push(obj.event(DomainEvent::Lifecycle(Lifecycle::Started(
                    StartedDetail::Restored,
                ))));
                Ok(())
            })
        })?;
        Ok(())
    }

    fn save_image_xml_desc(&self, path: &str, flags: u32) -> Result<String> {
        check_flags(flags, SECURE, "testDomainSaveImageGetXMLDesc")?;
        let def = save_image::read_def(path, parse_def)?;
        format_domain_xml(&def, None, None, SECURE)
    }

    fn save_image_define_xml(&self, path: &str, dxml: &str, flags: u32) -> Result<()> {
        check_flags(flags, RUN_OR_PAUSE, "testDomainSaveImageDefineXML")?;
        let new = parse_def(dxml)?;
        save_image::read_def(path, parse_def)?;
        let xml = format_domain_xml(&new, None, None, SECURE)?;
        save_image::write(path, &new.name, &xml)
    }

    fn managed_save(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, MANAGED_SAVE_FLAGS, "testDomainManagedSave")?;
        stop_saved(self.world(), dom, None, |obj| {
            if !obj.persistent {
                return Err(Error::operation_invalid(
                    ErrorDomain::Test,
                    "cannot do managed save for transient domain",
                ));
            }
            Ok(())
        })?;
        self.world().domains.change_ref(dom, |obj, _| {
            obj.managed_save = true;
            Ok(())
        })
    }

    fn has_managed_save_image(&self, dom: &DomainRef, flags: u32) -> Result<bool> {
        check_flags(flags, 0, "testDomainHasManagedSaveImage")?;
        self.world().domains.read(dom, |obj| Ok(obj.managed_save))
    }

    fn managed_save_remove(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0, "testDomainManagedSaveRemove")?;
        self.world().domains.change_ref(dom, |obj, _| {
            obj.managed_save = false;
            Ok(())
        })
    }
}
