//! [`AsyncOp`]: the Connect/Domain operations that have an asynchronous form, as data, and
//! [`AsyncReply`], what they return.
//!
//! A driver that can run them without blocking a thread (the remote driver: write the call,
//! match the reply on the event loop) implements [`DriverConnection::start_async`]; every
//! other driver is served by [`AsyncOp::run_blocking`] on one of rvirt-core's worker
//! threads, never on the caller's (event-loop) thread.
//!
//! [`DriverConnection::start_async`]: super::DriverConnection::start_async

use uuid::Uuid;

use super::{Completer, DomainRef, DriverConnection};
use crate::api::{DomainInfo, ListFlags, StateReason};
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// One operation with an asynchronous form.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum AsyncOp {
    /// `virConnectListAllDomains` → [`AsyncReply::Domains`].
    ListAllDomains(ListFlags),
    /// `virDomainLookupByID` → [`AsyncReply::Domain`].
    LookupById(u32),
    /// `virDomainLookupByName` → [`AsyncReply::Domain`].
    LookupByName(String),
    /// `virDomainLookupByUUID` → [`AsyncReply::Domain`].
    LookupByUuid(Uuid),
    /// `virDomainDefineXML` → [`AsyncReply::Domain`].
    DefineXml(String),
    /// `virDomainCreateXML` → [`AsyncReply::Domain`].
    CreateXml {
        /// Domain XML.
        xml: String,
        /// `virDomainCreateFlags`.
        flags: u32,
    },
    /// `virDomainCreateWithFlags` → [`AsyncReply::Domain`] (with its new id).
    Create(DomainRef, u32),
    /// `virDomainDestroyFlags` → [`AsyncReply::Unit`].
    Destroy(DomainRef, u32),
    /// `virDomainShutdownFlags` → [`AsyncReply::Unit`].
    Shutdown(DomainRef, u32),
    /// `virDomainSuspend` → [`AsyncReply::Unit`].
    Suspend(DomainRef),
    /// `virDomainResume` → [`AsyncReply::Unit`].
    Resume(DomainRef),
    /// `virDomainUndefineFlags` → [`AsyncReply::Unit`].
    Undefine(DomainRef, u32),
    /// `virDomainGetInfo` → [`AsyncReply::Info`].
    Info(DomainRef),
    /// `virDomainGetState` → [`AsyncReply::State`].
    State(DomainRef),
    /// `virDomainGetXMLDesc` → [`AsyncReply::Text`].
    XmlDesc(DomainRef, u32),
}

/// What an [`AsyncOp`] returns.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum AsyncReply {
    /// Nothing (destroy, suspend, …).
    Unit,
    /// One domain.
    Domain(DomainRef),
    /// A list of domains.
    Domains(Vec<DomainRef>),
    /// `virDomainGetInfo`'s summary.
    Info(DomainInfo),
    /// State and reason.
    State(StateReason),
    /// Text (XML).
    Text(String),
}

/// A driver declined to start an operation natively (see
/// [`DriverConnection::start_async`]): the operation and its completer, given back.
#[derive(Debug)]
pub struct Declined(pub AsyncOp, pub Completer);

fn mismatch(what: &str, got: &AsyncReply) -> Error {
    Error::new(
        ErrorCode::InternalError,
        ErrorDomain::None,
        format!("the driver answered {got:?} where {what} was expected"),
    )
}

impl AsyncReply {
    /// The reply of an operation that returns nothing.
    pub fn into_unit(self) -> Result<()> {
        match self {
            AsyncReply::Unit => Ok(()),
            r => Err(mismatch("nothing", &r)),
        }
    }

    /// The reply of an operation that returns one domain.
    pub fn into_domain(self) -> Result<DomainRef> {
        match self {
            AsyncReply::Domain(d) => Ok(d),
            r => Err(mismatch("a domain", &r)),
        }
    }

    /// The reply of an operation that returns a list of domains.
    pub fn into_domains(self) -> Result<Vec<DomainRef>> {
        match self {
            AsyncReply::Domains(d) => Ok(d),
            r => Err(mismatch("domains", &r)),
        }
    }

    /// The reply of `virDomainGetInfo`.
    pub fn into_info(self) -> Result<DomainInfo> {
        match self {
            AsyncReply::Info(i) => Ok(i),
            r => Err(mismatch("domain info", &r)),
        }
    }

    /// The reply of `virDomainGetState`.
    pub fn into_state(self) -> Result<StateReason> {
        match self {
            AsyncReply::State(s) => Ok(s),
            r => Err(mismatch("a state", &r)),
        }
    }

    /// The reply of an operation that returns text.
    pub fn into_text(self) -> Result<String> {
        match self {
            AsyncReply::Text(s) => Ok(s),
            r => Err(mismatch("text", &r)),
        }
    }
}

impl AsyncOp {
    /// libvirt's name of the function this operation is (for errors).
    pub fn api_name(&self) -> &'static str {
        match self {
            AsyncOp::ListAllDomains(_) => "virConnectListAllDomains",
            AsyncOp::LookupById(_) => "virDomainLookupByID",
            AsyncOp::LookupByName(_) => "virDomainLookupByName",
            AsyncOp::LookupByUuid(_) => "virDomainLookupByUUID",
            AsyncOp::DefineXml(_) => "virDomainDefineXML",
            AsyncOp::CreateXml { .. } => "virDomainCreateXML",
            AsyncOp::Create(..) => "virDomainCreateWithFlags",
            AsyncOp::Destroy(..) => "virDomainDestroyFlags",
            AsyncOp::Shutdown(..) => "virDomainShutdownFlags",
            AsyncOp::Suspend(_) => "virDomainSuspend",
            AsyncOp::Resume(_) => "virDomainResume",
            AsyncOp::Undefine(..) => "virDomainUndefineFlags",
            AsyncOp::Info(_) => "virDomainGetInfo",
            AsyncOp::State(_) => "virDomainGetState",
            AsyncOp::XmlDesc(..) => "virDomainGetXMLDesc",
        }
    }

    /// Runs the operation with the driver's blocking methods (on the calling thread).
    ///
    /// ```
    /// # fn f(driver: &dyn rvirt_core::driver::DriverConnection) -> rvirt_core::Result<()> {
    /// use rvirt_core::driver::{AsyncOp, AsyncReply};
    /// let reply = AsyncOp::LookupByName("test".into()).run_blocking(driver)?;
    /// assert_eq!(reply.into_domain()?.name, "test");
    /// # Ok(()) }
    /// ```
    pub fn run_blocking(self, driver: &dyn DriverConnection) -> Result<AsyncReply> {
        Ok(match self {
            AsyncOp::ListAllDomains(f) => AsyncReply::Domains(driver.list_all_domains(f)?),
            AsyncOp::LookupById(id) => AsyncReply::Domain(driver.lookup_by_id(id)?),
            AsyncOp::LookupByName(n) => AsyncReply::Domain(driver.lookup_by_name(&n)?),
            AsyncOp::LookupByUuid(u) => AsyncReply::Domain(driver.lookup_by_uuid(&u)?),
            AsyncOp::DefineXml(x) => AsyncReply::Domain(driver.define_xml(&x)?),
            AsyncOp::CreateXml { xml, flags } => {
                AsyncReply::Domain(driver.create_xml(&xml, flags)?)
            }
            AsyncOp::Create(d, f) => AsyncReply::Domain(driver.create(&d, f)?),
            AsyncOp::Destroy(d, f) => unit(driver.destroy(&d, f))?,
            AsyncOp::Shutdown(d, f) => unit(driver.shutdown(&d, f))?,
            AsyncOp::Suspend(d) => unit(driver.suspend(&d))?,
            AsyncOp::Resume(d) => unit(driver.resume(&d))?,
            AsyncOp::Undefine(d, f) => unit(driver.undefine(&d, f))?,
            AsyncOp::Info(d) => AsyncReply::Info(driver.domain_info(&d)?),
            AsyncOp::State(d) => AsyncReply::State(driver.domain_state(&d)?),
            AsyncOp::XmlDesc(d, f) => AsyncReply::Text(driver.domain_xml(&d, f)?),
        })
    }
}

fn unit(r: Result<()>) -> Result<AsyncReply> {
    r.map(|()| AsyncReply::Unit)
}
