//! The domain XML kept in a save image, replaced in place as libvirt 9.0's QEMU driver
//! replaces it: `virDomainSaveImageDefineXML` on a client's image and
//! `virDomainManagedSaveDefineXML` on the domain's managed one (`virsh save-image-define`,
//! `save-image-edit`, `managedsave-define`, `managedsave-edit`). The new XML must describe
//! the same guest ([`check_abi_stability`]); `RUNNING` or `PAUSED` also changes the state
//! the guest is restored in. The XML is written where the old one was, in the room the
//! image was written with.

use std::fs::File;
use std::path::Path;

use rvirt_core::api::XmlFlags;
use rvirt_core::driver::save_file::{self, strerror};
use rvirt_core::driver::{check_abi_stability, format_domain_xml};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::connection::{check_flags, runnable_def};
use super::instance::Shared;
use super::save::{SAVE_PAUSED, SAVE_RUNNING, restored_state};
use super::save_image;

fn system(message: String) -> Error {
    Error::verbatim(ErrorCode::SystemError, ErrorDomain::Qemu, message)
}

/// Replaces the XML of the image open as `file` (at `path`) with `dxml` (`None`: keeps
/// it), and its restored state as `flags` ask.
fn redefine(file: &mut File, path: &str, dxml: Option<&str>, flags: u32) -> Result<()> {
    let running = restored_state(flags)?;
    let (xml, was_running) = save_image::read_header(file, path)?;
    let xml = match dxml {
        Some(dxml) => {
            let saved = runnable_def(&xml)?;
            let given = runnable_def(dxml)?;
            check_abi_stability(&saved, &given)?;
            format_domain_xml(&given, None, None, XmlFlags::SECURE)?
        }
        None => xml,
    };
    save_image::rewrite_header(file, path, &xml, running.unwrap_or(was_running))
}

impl Shared {
    /// `virDomainSaveImageDefineXML` of the client's image at `path`.
    pub(super) fn define_image_xml(&self, path: &str, dxml: &str, flags: u32) -> Result<()> {
        check_flags(
            flags,
            SAVE_RUNNING | SAVE_PAUSED,
            "qemuDomainSaveImageDefineXML",
        )?;
        let mut file = save_file::update_save_file(path)
            .map_err(|e| system(format!("cannot open '{path}': {}", strerror(&e))))?;
        redefine(&mut file, path, Some(dxml), flags)
    }

    /// `virDomainManagedSaveDefineXML`: the same on the domain's managed save `image`.
    pub(super) fn define_managed_xml(
        &self,
        image: &Path,
        dxml: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        check_flags(
            flags,
            SAVE_RUNNING | SAVE_PAUSED,
            "qemuDomainManagedSaveDefineXML",
        )?;
        if !image.exists() {
            return Err(Error::operation_invalid(
                ErrorDomain::Qemu,
                "domain does not have managed save image",
            ));
        }
        let path = image.display().to_string();
        // The driver's own file (not a client's path): opened directly.
        let mut file = File::options()
            .read(true)
            .write(true)
            .open(image)
            .map_err(|e| system(format!("cannot open '{path}': {}", strerror(&e))))?;
        redefine(&mut file, &path, dxml, flags)
    }
}
