//! The asynchronous forms of [`Domain`]'s operations (see [`Connect`]'s for how they run).
//!
//! [`Connect`]: super::Connect

use super::{Domain, DomainInfo, Pending, StateReason};
use crate::api::XmlFlags;
use crate::driver::{AsyncOp, AsyncReply};
use crate::{Error, ErrorCode, ErrorDomain};

impl Domain {
    fn unit_async(&self, op: AsyncOp) -> Pending<()> {
        self.connect().start_async_write(op, AsyncReply::into_unit)
    }

    /// [`Domain::create_with_flags`] without blocking: the output is this domain's handle
    /// with its new id.
    ///
    /// ```no_run
    /// # async fn f(dom: rvirt_core::Domain) -> rvirt_core::Result<()> {
    /// let running = dom.create_async(0).await?;
    /// assert!(running.id().is_some());
    /// running.destroy_async(0).await?;
    /// # Ok(()) }
    /// ```
    pub fn create_async(&self, flags: u32) -> Pending<Domain> {
        let conn = self.connect().clone();
        let op = AsyncOp::Create(self.domain_ref().clone(), flags);
        self.connect()
            .start_async_write(op, move |r| Ok(Domain::from_ref(conn, r.into_domain()?)))
    }

    /// [`Domain::destroy_with_flags`] without blocking.
    pub fn destroy_async(&self, flags: u32) -> Pending<()> {
        self.unit_async(AsyncOp::Destroy(self.domain_ref().clone(), flags))
    }

    /// [`Domain::shutdown_with_flags`] without blocking.
    pub fn shutdown_async(&self, flags: u32) -> Pending<()> {
        self.unit_async(AsyncOp::Shutdown(self.domain_ref().clone(), flags))
    }

    /// [`Domain::suspend`] without blocking.
    pub fn suspend_async(&self) -> Pending<()> {
        self.unit_async(AsyncOp::Suspend(self.domain_ref().clone()))
    }

    /// [`Domain::resume`] without blocking.
    pub fn resume_async(&self) -> Pending<()> {
        self.unit_async(AsyncOp::Resume(self.domain_ref().clone()))
    }

    /// [`Domain::undefine_with_flags`] without blocking.
    pub fn undefine_async(&self, flags: u32) -> Pending<()> {
        self.unit_async(AsyncOp::Undefine(self.domain_ref().clone(), flags))
    }

    /// [`Domain::info`] without blocking.
    ///
    /// ```no_run
    /// # async fn f(dom: rvirt_core::Domain) -> rvirt_core::Result<()> {
    /// let info = dom.info_async().await?;
    /// println!("{:?}, {} KiB", info.state, info.memory_kib);
    /// # Ok(()) }
    /// ```
    pub fn info_async(&self) -> Pending<DomainInfo> {
        let op = AsyncOp::Info(self.domain_ref().clone());
        self.connect().start_async(op, AsyncReply::into_info)
    }

    /// [`Domain::state`] without blocking.
    pub fn state_async(&self) -> Pending<StateReason> {
        let op = AsyncOp::State(self.domain_ref().clone());
        self.connect().start_async(op, AsyncReply::into_state)
    }

    /// [`Domain::xml_desc`] without blocking (the same refusal of
    /// [`XmlFlags::SECURE`] on a read-only connection).
    pub fn xml_desc_async(&self, flags: u32) -> Pending<String> {
        if flags & XmlFlags::SECURE != 0 && self.connect().is_read_only() {
            return Pending::failed(Error::new(
                ErrorCode::OperationDenied,
                ErrorDomain::Domain,
                "operation forbidden: virDomainGetXMLDesc with secure flag",
            ));
        }
        let op = AsyncOp::XmlDesc(self.domain_ref().clone(), flags);
        self.connect().start_async(op, AsyncReply::into_text)
    }
}
