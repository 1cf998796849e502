//! [`DomainEntry`]: a domain object behind its lock, and its job.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::DomainObj;
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// How long [`DomainEntry::begin_job`] waits for another operation's job (libvirt's
/// `QEMU_JOB_WAIT_TIME`).
pub const JOB_WAIT: Duration = Duration::from_secs(30);

/// A domain of a [`DomainObjList`](super::DomainObjList): its object behind a mutex, and
/// a condition variable for its job.
///
/// The **job** serialises modifying operations on one domain (start, stop, suspend, a
/// monitor command): a caller takes it with [`begin_job`](Self::begin_job), may then
/// release the lock while it waits for the hypervisor, and every other modifying
/// operation waits; queries only take the lock. The job ends when the [`Job`] is
/// dropped.
#[derive(Debug)]
pub struct DomainEntry<R> {
    uuid: Uuid,
    name: String,
    obj: Mutex<DomainObj<R>>,
    job_free: Condvar,
}

impl<R> DomainEntry<R> {
    pub(super) fn new(obj: DomainObj<R>) -> DomainEntry<R> {
        DomainEntry {
            uuid: obj.uuid,
            name: obj.def.name.clone(),
            obj: Mutex::new(obj),
            job_free: Condvar::new(),
        }
    }

    /// The domain's UUID.
    pub fn uuid(&self) -> Uuid {
        self.uuid
    }

    /// The domain's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Locks the domain.
    pub fn lock(&self) -> MutexGuard<'_, DomainObj<R>> {
        self.obj.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the domain's job for `operation` (an API name, for the error another
    /// caller gets), waiting up to [`JOB_WAIT`] for the current holder.
    ///
    /// Errors: `VIR_ERR_OPERATION_TIMEOUT` "cannot acquire state change lock (held by
    /// OP)" after the wait; `VIR_ERR_NO_DOMAIN` if the domain went away meanwhile.
    pub fn begin_job(&self, operation: &'static str) -> Result<Job<'_, R>> {
        let deadline = Instant::now() + JOB_WAIT;
        let mut obj = self.lock();
        while let Some(holder) = obj.job {
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::new(
                    ErrorCode::OperationTimeout,
                    ErrorDomain::None,
                    format!("cannot acquire state change lock (held by {holder})"),
                ));
            }
            obj = self
                .job_free
                .wait_timeout(obj, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        if obj.removed {
            return Err(super::errors::domain_gone(
                ErrorDomain::Domain,
                &self.uuid,
                &self.name,
            ));
        }
        obj.job = Some(operation);
        Ok(Job { entry: self })
    }

    /// [`Self::begin_job`], unless the job is held by `beside` (an asynchronous job
    /// such as an outgoing migration, during which libvirt lets a few calls run as its
    /// nested jobs): then `None`, and the caller goes on under that job.
    pub fn begin_job_beside(
        &self,
        operation: &'static str,
        beside: &str,
    ) -> Result<Option<Job<'_, R>>> {
        if self.lock().job == Some(beside) {
            return Ok(None);
        }
        self.begin_job(operation).map(Some)
    }
}

/// A domain's job, held until dropped (see [`DomainEntry::begin_job`]).
#[derive(Debug)]
pub struct Job<'a, R> {
    entry: &'a DomainEntry<R>,
}

impl<'a, R> Job<'a, R> {
    /// Locks the domain (the job stays held when the guard is dropped).
    pub fn lock(&self) -> MutexGuard<'a, DomainObj<R>> {
        self.entry.lock()
    }

    /// The domain.
    pub fn entry(&self) -> &'a DomainEntry<R> {
        self.entry
    }
}

impl<R> Drop for Job<'_, R> {
    fn drop(&mut self) {
        self.entry.lock().job = None;
        self.entry.job_free.notify_all();
    }
}
