//! The asynchronous forms of [`Connect`]'s domain operations: each returns a [`Pending`]
//! future at once, without blocking the calling thread.
//!
//! Drivers that can (the remote driver) run them natively: the call is written and its
//! reply matched on the connection's event loop. For every other driver the blocking
//! operation runs on one of rvirt-core's worker threads, never on the caller's thread, and
//! its result wakes the awaiting task.

use uuid::Uuid;

use super::offload;
use super::{Connect, Domain, ListFlags, Pending};
use crate::Result;
use crate::driver::{AsyncOp, AsyncReply, Declined};

impl Connect {
    /// Starts `op` (checked against a closed connection as libvirt function `op` would be)
    /// and returns its future, whose output is `convert` of the driver's reply.
    pub(crate) fn start_async<T>(
        &self,
        op: AsyncOp,
        convert: impl FnOnce(AsyncReply) -> Result<T> + Send + 'static,
    ) -> Pending<T> {
        let api = op.api_name();
        let (done, pending) = Pending::channel(self.event_loop().cloned(), convert);
        let driver = match self.driver_in(api) {
            Ok(d) => d,
            Err(e) => {
                done.complete(Err(e));
                return pending;
            }
        };
        if let Err(Declined(op, done)) = driver.start_async(op, done) {
            let conn = self.clone();
            offload::run(Box::new(move || {
                let r = conn.driver_in(api).and_then(|d| op.run_blocking(d));
                done.complete(r);
            }));
        }
        pending
    }

    /// [`Connect::start_async`] for a write operation: refused at once on a read-only
    /// connection, as the blocking form is.
    pub(crate) fn start_async_write<T>(
        &self,
        op: AsyncOp,
        convert: impl FnOnce(AsyncReply) -> Result<T> + Send + 'static,
    ) -> Pending<T> {
        match self.check_writable(op.api_name()) {
            Ok(()) => self.start_async(op, convert),
            Err(e) => Pending::failed(e),
        }
    }

    fn start_domain_async(&self, op: AsyncOp, write: bool) -> Pending<Domain> {
        let conn = self.clone();
        let convert = move |r: AsyncReply| Ok(Domain::from_ref(conn, r.into_domain()?));
        if write {
            self.start_async_write(op, convert)
        } else {
            self.start_async(op, convert)
        }
    }

    /// [`Connect::list_all_domains`] without blocking.
    ///
    /// ```no_run
    /// # async fn f(conn: rvirt_core::Connect) -> rvirt_core::Result<()> {
    /// for dom in conn.list_all_domains_async(Default::default()).await? {
    ///     println!("{}", dom.name());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_all_domains_async(&self, flags: ListFlags) -> Pending<Vec<Domain>> {
        let conn = self.clone();
        self.start_async(AsyncOp::ListAllDomains(flags), move |r| {
            Ok(r.into_domains()?
                .into_iter()
                .map(|d| Domain::from_ref(conn.clone(), d))
                .collect())
        })
    }

    /// [`Connect::lookup_domain_by_id`] without blocking.
    pub fn lookup_domain_by_id_async(&self, id: u32) -> Pending<Domain> {
        self.start_domain_async(AsyncOp::LookupById(id), false)
    }

    /// [`Connect::lookup_domain_by_name`] without blocking.
    ///
    /// ```no_run
    /// # async fn f(conn: rvirt_core::Connect) -> rvirt_core::Result<()> {
    /// use std::time::Duration;
    /// let dom = conn
    ///     .lookup_domain_by_name_async("test")
    ///     .timeout(Duration::from_secs(2))
    ///     .await?;
    /// assert_eq!(dom.name(), "test");
    /// # Ok(()) }
    /// ```
    pub fn lookup_domain_by_name_async(&self, name: &str) -> Pending<Domain> {
        self.start_domain_async(AsyncOp::LookupByName(name.to_string()), false)
    }

    /// [`Connect::lookup_domain_by_uuid`] without blocking.
    pub fn lookup_domain_by_uuid_async(&self, uuid: &Uuid) -> Pending<Domain> {
        self.start_domain_async(AsyncOp::LookupByUuid(*uuid), false)
    }

    /// [`Connect::define_xml`] without blocking.
    pub fn define_xml_async(&self, xml: &str) -> Pending<Domain> {
        self.start_domain_async(AsyncOp::DefineXml(xml.to_string()), true)
    }

    /// [`Connect::create_xml`] without blocking.
    pub fn create_xml_async(&self, xml: &str, flags: u32) -> Pending<Domain> {
        let op = AsyncOp::CreateXml {
            xml: xml.to_string(),
            flags,
        };
        self.start_domain_async(op, true)
    }
}
