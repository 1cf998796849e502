//! # rvirt-core
//!
//! The base of rvirt: a libvirt-style **pluggable event loop** ([`event`]), the public
//! virtualization API ([`Connect`], [`Domain`], typed [`Error`]s carrying libvirt's error
//! numbers), the [`driver`] trait and registry, [`uri`] parsing, and domain XML ([`conf`]).
//!
//! `rvirt-core` knows no event-loop backend and no hypervisor driver: backends implement
//! [`event::EventLoop`] (with the kit in [`event::backend`]); drivers implement
//! [`driver::Driver`] and register themselves.

pub mod api;
pub mod driver;
pub mod error;
pub mod event;
pub mod host;
pub mod log;
pub mod netdev;
pub mod objects;
pub mod sysinfo;
pub mod uri;

pub use api::{
    CallbackId, Connect, Domain, DomainEvent, DomainEventId, Lifecycle, OpenOptions, Pending,
    Stream,
};
pub use error::{Error, ErrorCode, ErrorDomain, Result};
pub use uuid::Uuid;

/// Domain XML model (re-export of the `rvirt-conf` crate).
pub use rvirt_conf as conf;

/// XML of networks, storage pools and volumes, node devices, host interfaces, secrets
/// and network filters (re-export of the `rvirt-objconf` crate).
pub use rvirt_objconf as objconf;

impl From<event::EventError> for Error {
    fn from(e: event::EventError) -> Error {
        let code = match e {
            event::EventError::UnknownWatch(_) | event::EventError::UnknownTimer(_) => {
                ErrorCode::InvalidArg
            }
            event::EventError::NoLoopRegistered => ErrorCode::ConfigUnsupported,
            _ => ErrorCode::InternalError,
        };
        Error::new(code, ErrorDomain::Event, e.to_string())
    }
}

impl From<objconf::XmlError> for Error {
    fn from(e: objconf::XmlError) -> Error {
        let code = ErrorCode::from_raw(e.code).unwrap_or(ErrorCode::XmlError);
        let domain = ErrorDomain::from_raw(e.domain).unwrap_or(ErrorDomain::None);
        Error::new(code, domain, e.message)
    }
}

impl From<conf::ConfError> for Error {
    fn from(e: conf::ConfError) -> Error {
        let code = ErrorCode::from_raw(e.libvirt_code()).unwrap_or(ErrorCode::XmlError);
        let domain = ErrorDomain::from_raw(e.libvirt_domain()).unwrap_or(ErrorDomain::Domain);
        Error::new(code, domain, e.detail())
    }
}
