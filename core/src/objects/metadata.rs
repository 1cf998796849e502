//! `virDomainGetMetadata` / `virDomainSetMetadata` for every local driver: title,
//! description and applications' elements of the live and the persistent definition,
//! chosen by `virDomainModificationImpact` flags, with METADATA_CHANGE events.

use crate::api::{DomainEvent, MetadataType};
use crate::conf::DomainDef;
use crate::driver::DomainRef;
use crate::{Error, ErrorCode, ErrorDomain, Result};

use super::{DomainObj, Domains};

/// `VIR_DOMAIN_AFFECT_LIVE`.
pub const AFFECT_LIVE: u32 = 1;
/// `VIR_DOMAIN_AFFECT_CONFIG`.
pub const AFFECT_CONFIG: u32 = 2;

/// Which definitions a call with `flags` touches: (live, config), libvirt's
/// `virDomainObjUpdateModificationImpact`.
pub fn impact<R>(obj: &DomainObj<R>, flags: u32) -> Result<(bool, bool)> {
    let (mut live, mut config) = (flags & AFFECT_LIVE != 0, flags & AFFECT_CONFIG != 0);
    if !live && !config {
        if obj.is_active() {
            live = true;
        } else {
            config = true;
        }
    }
    if live && !obj.is_active() {
        return Err(super::not_running());
    }
    if config && !obj.persistent {
        return Err(Error::operation_invalid(
            ErrorDomain::Domain,
            "transient domains do not have any persistent config",
        ));
    }
    Ok((live, config))
}

fn not_present() -> Error {
    Error::new(
        ErrorCode::NoDomainMetadata,
        ErrorDomain::Domain,
        "Requested metadata element is not present",
    )
}

fn get(def: &DomainDef, kind: MetadataType, uri: Option<&str>) -> Result<String> {
    let found = match kind {
        MetadataType::Title => def.title.clone(),
        MetadataType::Description => def.description.clone(),
        MetadataType::Element => {
            let uri = uri.ok_or_else(|| {
                Error::verbatim(
                    ErrorCode::InvalidArg,
                    ErrorDomain::Domain,
                    "uri in virDomainGetMetadata must not be NULL",
                )
            })?;
            def.metadata_element(uri)
        }
    };
    found.ok_or_else(not_present)
}

fn set(
    def: &mut DomainDef,
    kind: MetadataType,
    value: Option<&str>,
    key: Option<&str>,
    uri: Option<&str>,
) -> Result<()> {
    let value = value.filter(|v| !v.is_empty() || kind == MetadataType::Element);
    match kind {
        MetadataType::Title => {
            if value.is_some_and(|v| v.contains('\n')) {
                return Err(Error::invalid_arg(
                    ErrorDomain::Domain,
                    "metadata title can't contain newlines",
                ));
            }
            def.title = value.map(str::to_string);
        }
        MetadataType::Description => def.description = value.map(str::to_string),
        MetadataType::Element => {
            let uri = uri.ok_or_else(|| {
                Error::verbatim(
                    ErrorCode::InvalidArg,
                    ErrorDomain::Domain,
                    "uri in virDomainSetMetadata must not be NULL",
                )
            })?;
            let key = match (key, value) {
                (Some(k), _) => k,
                (None, None) => "",
                (None, Some(_)) => {
                    return Err(Error::verbatim(
                        ErrorCode::InvalidArg,
                        ErrorDomain::Domain,
                        "key in virDomainSetMetadata must not be NULL",
                    ));
                }
            };
            def.set_metadata_element(key, uri, value)?;
        }
    }
    Ok(())
}

impl<R> Domains<R> {
    /// `virDomainGetMetadata`: from the live or the persistent definition (`flags`: at
    /// most one of LIVE and CONFIG).
    pub fn metadata(
        &self,
        dom: &DomainRef,
        kind: MetadataType,
        uri: Option<&str>,
        flags: u32,
    ) -> Result<String> {
        if flags & (AFFECT_LIVE | AFFECT_CONFIG) == AFFECT_LIVE | AFFECT_CONFIG {
            return Err(Error::invalid_arg(
                ErrorDomain::Domain,
                "Flags 'live' and 'config' are mutually exclusive",
            ));
        }
        self.read(dom, |obj| {
            let (live, _) = impact(obj, flags)?;
            let def = if live {
                &obj.def
            } else {
                obj.next_def.as_ref().unwrap_or(&obj.def)
            };
            get(def, kind, uri)
        })
    }

    /// `virDomainSetMetadata`: changes the live and/or persistent definition (the
    /// latter saved first when on disk) and raises METADATA_CHANGE.
    pub fn set_metadata(
        &self,
        dom: &DomainRef,
        kind: MetadataType,
        value: Option<&str>,
        key: Option<&str>,
        uri: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        self.change_ref(dom, |obj, ev| {
            let (live, config) = impact(obj, flags)?;
            if config {
                let mut persistent = obj.next_def.clone().unwrap_or_else(|| obj.def.clone());
                set(&mut persistent, kind, value, key, uri)?;
                if let Some(configs) = self.configs() {
                    configs.save(&persistent)?;
                }
                if obj.is_active() {
                    obj.next_def = Some(persistent);
                } else {
                    obj.def = persistent;
                }
            }
            if live {
                if obj.persistent && obj.next_def.is_none() {
                    // From now on the live definition differs from the persistent one,
                    // which comes back when the domain stops.
                    obj.next_def = Some(obj.def.clone());
                }
                set(&mut obj.def, kind, value, key, uri)?;
            }
            ev.push(obj.event(DomainEvent::MetadataChange {
                kind,
                nsuri: uri.map(str::to_string),
            }));
            Ok(())
        })
    }
}
