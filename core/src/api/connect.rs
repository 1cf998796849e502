//! [`Connect`]: an open connection to a hypervisor driver.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use uuid::Uuid;

use super::{Domain, DomainEvent, DomainEventId, ListFlags, NodeInfo};
use crate::conf::DomainDef;
use crate::driver::{
    DomainRef, DriverConnection, EventSink, ObjectEventSink, OpenContext, Secondary, find_driver,
    open_shared,
};
use crate::event::{self, SharedLoop};
use crate::uri::Uri;
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// Identifies a domain event callback on one connection. Like libvirt, ids start at 0 and
/// count up per connection.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct CallbackId(pub i32);

/// How to open a connection.
#[derive(Clone, Default)]
pub struct OpenOptions {
    /// The event loop to use. `None` uses the process-wide one ([`event::register`]), if any.
    pub event_loop: Option<SharedLoop>,
    /// Open read-only (`VIR_CONNECT_RO`).
    pub read_only: bool,
}

impl fmt::Debug for OpenOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenOptions")
            .field("explicit_loop", &self.event_loop.is_some())
            .field("read_only", &self.read_only)
            .finish()
    }
}

/// A connection to a hypervisor driver (libvirt's `virConnectPtr`). Cheap to clone; the
/// driver connection closes when the last clone (and the last [`Domain`]) is dropped, or at
/// [`Connect::close`].
///
/// ```no_run
/// use rvirt_core::{Connect, event};
/// event::register_default()?;
/// let conn = Connect::open("test:///default")?;
/// for dom in conn.list_all_domains(Default::default())? {
///     println!("{} {:?}", dom.name(), dom.state()?);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Connect {
    inner: Arc<ConnectInner>,
}

pub(crate) struct ConnectInner {
    uri: Uri,
    driver_name: &'static str,
    driver: Box<dyn DriverConnection>,
    event_loop: Option<SharedLoop>,
    pub(super) events: EventSink,
    read_only: bool,
    closed: AtomicBool,
    /// The close callback (`virConnectRegisterCloseCallback`), until it runs.
    pub(super) close_callback: std::sync::Mutex<Option<super::CloseCallback>>,
    /// The secondary driver connections (networks, storage, …).
    pub(crate) secondary: Secondary,
    /// Their events for this connection.
    pub(crate) object_events: ObjectEventSink,
}

impl ConnectInner {
    fn close_once(&self) -> Result<()> {
        if self.closed.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        // As libvirt's remote driver: the close callback is unset before closing.
        self.events.liveness().disarm();
        let cb = self
            .close_callback
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        drop(cb);
        self.events.close();
        self.object_events.close();
        self.driver.close()
    }
}

impl Drop for ConnectInner {
    fn drop(&mut self) {
        let _ = self.close_once();
    }
}

impl fmt::Debug for Connect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connect")
            .field("uri", &self.inner.uri.to_string())
            .field("driver", &self.inner.driver_name)
            .finish_non_exhaustive()
    }
}

impl Connect {
    /// Opens `uri` with the process-wide event loop (if one is registered).
    pub fn open(uri: &str) -> Result<Connect> {
        Connect::open_with(uri, OpenOptions::default())
    }

    /// Opens `uri` read-only.
    pub fn open_read_only(uri: &str) -> Result<Connect> {
        Connect::open_with(
            uri,
            OpenOptions {
                read_only: true,
                ..OpenOptions::default()
            },
        )
    }

    /// Opens `uri` on an explicitly given event loop, no global registration needed.
    pub fn open_with_loop(uri: &str, event_loop: SharedLoop) -> Result<Connect> {
        Connect::open_with(
            uri,
            OpenOptions {
                event_loop: Some(event_loop),
                read_only: false,
            },
        )
    }

    /// Opens `uri` with the given options.
    pub fn open_with(uri: &str, options: OpenOptions) -> Result<Connect> {
        let parsed = Uri::parse(uri)?;
        let event_loop = options.event_loop.or_else(event::registered);
        if parsed.path() == "/embed" && !parsed.is_remote() && event_loop.is_none() {
            // libvirt's virEventRequireImpl for embedded drivers.
            return Err(Error::new(
                ErrorCode::ConfigUnsupported,
                ErrorDomain::None,
                "An event loop implementation must be registered",
            ));
        }
        let driver = find_driver(&parsed)?;
        let events = EventSink::new(event_loop.clone());
        let object_events = ObjectEventSink::new(event_loop.clone());
        let ctx = OpenContext {
            event_loop: event_loop.clone(),
            events: events.clone(),
            read_only: options.read_only,
            object_events: object_events.clone(),
        };
        let conn = driver.open(&parsed, ctx.clone())?;
        let secondary = match conn.secondary_drivers() {
            Some(own) => own,
            None => match open_shared(&parsed, &ctx) {
                Ok(shared) => shared,
                Err(e) => {
                    let _ = conn.close();
                    return Err(e);
                }
            },
        };
        let inner = Arc::new(ConnectInner {
            uri: parsed,
            driver_name: driver.name(),
            driver: conn,
            event_loop,
            events,
            read_only: options.read_only,
            closed: AtomicBool::new(false),
            close_callback: std::sync::Mutex::new(None),
            secondary,
            object_events,
        });
        inner.events.attach(Arc::downgrade(&inner));
        inner.object_events.attach(Arc::downgrade(&inner));
        Ok(Connect { inner })
    }

    pub(crate) fn from_inner(inner: Arc<ConnectInner>) -> Connect {
        Connect { inner }
    }

    pub(crate) fn inner_ref(&self) -> &ConnectInner {
        &self.inner
    }

    /// The driver connection, or after [`Connect::close`] libvirt's `VIR_ERR_INVALID_CONN`
    /// "invalid connection pointer" (see [`Connect::driver_in`]).
    pub(crate) fn driver(&self) -> Result<&dyn DriverConnection> {
        self.driver_checked(None)
    }

    /// [`Connect::driver`] for libvirt function `api`, which the error names as libvirt's
    /// does: "invalid connection pointer in virDomainGetInfo".
    pub(crate) fn driver_in(&self, api: &str) -> Result<&dyn DriverConnection> {
        self.driver_checked(Some(api))
    }

    fn driver_checked(&self, api: Option<&str>) -> Result<&dyn DriverConnection> {
        if self.inner.closed.load(Ordering::Acquire) {
            let msg = match api {
                Some(api) => format!("invalid connection pointer in {api}"),
                None => "invalid connection pointer".to_string(),
            };
            return Err(Error::verbatim(
                ErrorCode::InvalidConn,
                ErrorDomain::None,
                msg,
            ));
        }
        Ok(self.inner.driver.as_ref())
    }

    /// Refuses `api` (libvirt's function name) on a read-only connection, with
    /// libvirt's error: `VIR_ERR_OPERATION_DENIED` in `VIR_FROM_DOMAIN`.
    pub(crate) fn check_writable(&self, api: &str) -> Result<()> {
        if self.inner.read_only {
            return Err(Error::new(
                ErrorCode::OperationDenied,
                ErrorDomain::Domain,
                format!("operation forbidden: read only access prevents {api}"),
            ));
        }
        Ok(())
    }

    /// Closes the driver connection now; later calls on this connection and on its
    /// [`Domain`] handles fail with `VIR_ERR_INVALID_CONN` ("invalid connection pointer
    /// in virDomainGetInfo"), while the handles keep their name, UUID and id. Dropping
    /// every handle closes it too.
    ///
    /// ```no_run
    /// # fn f(conn: rvirt_core::Connect) -> rvirt_core::Result<()> {
    /// let dom = conn.lookup_domain_by_name("test")?;
    /// conn.close()?;
    /// assert_eq!(dom.name(), "test");
    /// assert_eq!(dom.info().unwrap_err().code(), rvirt_core::ErrorCode::InvalidConn);
    /// # Ok(()) }
    /// ```
    pub fn close(&self) -> Result<()> {
        self.inner.close_once()
    }

    /// True until [`Connect::close`], or until the driver finds the connection dead
    /// (`virConnectIsAlive`): over the remote driver, the daemon closed the socket or
    /// stopped answering keepalive PINGs. See [`Connect::register_close_callback`].
    pub fn is_alive(&self) -> bool {
        !self.inner.closed.load(Ordering::Acquire) && !self.inner.events.liveness().is_lost()
    }

    /// The URI this connection was opened with.
    pub fn uri(&self) -> &Uri {
        &self.inner.uri
    }

    /// The name of the driver serving this connection (`"test"`, `"qemu"`, …).
    pub fn driver_name(&self) -> &'static str {
        self.inner.driver_name
    }

    /// The event loop this connection delivers events from, if any.
    pub fn event_loop(&self) -> Option<&SharedLoop> {
        self.inner.event_loop.as_ref()
    }

    /// True if opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.inner.read_only
    }

    /// Hypervisor type (`virConnectGetType`).
    pub fn hypervisor_type(&self) -> Result<String> {
        Ok(self.driver()?.hypervisor_type().to_string())
    }

    /// Node host name.
    pub fn hostname(&self) -> Result<String> {
        self.driver()?.hostname()
    }

    /// Node CPU and memory facts (`virNodeGetInfo`).
    pub fn node_info(&self) -> Result<NodeInfo> {
        self.driver()?.node_info()
    }

    /// Host capabilities XML.
    pub fn capabilities(&self) -> Result<String> {
        self.driver()?.capabilities()
    }

    /// The host's `<sysinfo>` XML: its SMBIOS tables, as libvirt reports them
    /// (`virConnectGetSysinfo`).
    pub fn sysinfo(&self, flags: u32) -> Result<String> {
        self.driver()?.sysinfo(flags)
    }

    /// The CPU models the driver knows for architecture `arch`
    /// (`virConnectGetCPUModelNames`), in libvirt's CPU map order.
    pub fn cpu_model_names(&self, arch: &str, flags: u32) -> Result<Vec<String>> {
        self.driver()?.cpu_model_names(arch, flags)
    }

    /// The most vCPUs a guest of virtualization type `virt_type` (`kvm`, `qemu`; the
    /// driver's default when `None`) can have (`virConnectGetMaxVcpus`).
    pub fn max_vcpus(&self, virt_type: Option<&str>) -> Result<u32> {
        self.driver()?.connect_max_vcpus(virt_type)
    }

    /// Hypervisor version (`virConnectGetVersion`).
    pub fn hypervisor_version(&self) -> Result<u64> {
        self.driver()?.hypervisor_version()
    }

    /// Domain capabilities XML (`virConnectGetDomainCapabilities`).
    pub fn domain_capabilities(&self, query: &crate::driver::DomainCapsQuery) -> Result<String> {
        self.driver()?.domain_capabilities(query)
    }

    fn wrap(&self, r: DomainRef) -> Domain {
        Domain::from_ref(self.clone(), r)
    }

    /// Domains matching `flags` (`virConnectListAllDomains`).
    pub fn list_all_domains(&self, flags: ListFlags) -> Result<Vec<Domain>> {
        Ok(self
            .driver()?
            .list_all_domains(flags)?
            .into_iter()
            .map(|r| self.wrap(r))
            .collect())
    }

    /// An active domain by id.
    pub fn lookup_domain_by_id(&self, id: u32) -> Result<Domain> {
        Ok(self.wrap(self.driver()?.lookup_by_id(id)?))
    }

    /// A domain by name.
    pub fn lookup_domain_by_name(&self, name: &str) -> Result<Domain> {
        Ok(self.wrap(self.driver()?.lookup_by_name(name)?))
    }

    /// A domain by UUID.
    pub fn lookup_domain_by_uuid(&self, uuid: &Uuid) -> Result<Domain> {
        Ok(self.wrap(self.driver()?.lookup_by_uuid(uuid)?))
    }

    /// A domain by UUID string; a malformed string is `VIR_ERR_INVALID_ARG`.
    pub fn lookup_domain_by_uuid_str(&self, uuid: &str) -> Result<Domain> {
        let parsed = Uuid::parse_str(uuid).map_err(|e| {
            Error::invalid_arg(ErrorDomain::None, format!("invalid UUID '{uuid}': {e}"))
        })?;
        self.lookup_domain_by_uuid(&parsed)
    }

    /// Defines a persistent domain from XML (`virDomainDefineXML`).
    pub fn define_xml(&self, xml: &str) -> Result<Domain> {
        self.check_writable("virDomainDefineXML")?;
        Ok(self.wrap(self.driver()?.define_xml(xml)?))
    }

    /// Creates and starts a transient domain (`virDomainCreateXML`).
    pub fn create_xml(&self, xml: &str, flags: u32) -> Result<Domain> {
        self.check_writable("virDomainCreateXML")?;
        Ok(self.wrap(self.driver()?.create_xml(xml, flags)?))
    }

    /// Defines a persistent domain from a typed definition (`virDomainDefineXML` with
    /// the XML [`DomainDef::to_xml`] prints).
    ///
    /// ```no_run
    /// use rvirt_core::conf::{DomainDef, DomainType};
    /// # fn f(conn: &rvirt_core::Connect) -> rvirt_core::Result<()> {
    /// let def = DomainDef::builder(DomainType::Test, "web").memory_mib(512).build();
    /// let dom = conn.define(&def)?;
    /// assert_eq!(dom.name(), "web");
    /// # Ok(()) }
    /// ```
    pub fn define(&self, def: &DomainDef) -> Result<Domain> {
        self.define_xml(&def.to_xml()?)
    }

    /// Creates and starts a transient domain from a typed definition
    /// (`virDomainCreateXML`).
    pub fn create(&self, def: &DomainDef, flags: u32) -> Result<Domain> {
        self.create_xml(&def.to_xml()?, flags)
    }

    /// Domain event callbacks of this connection run on the thread that made the
    /// change, right after it and with no driver lock held, instead of on the event
    /// loop one round later. For servers (rvirtd) whose callbacks only queue a message
    /// for their client: a callback must not block, nor call into this connection.
    /// Order is kept. Registration still needs an event loop.
    pub fn dispatch_events_inline(&self) {
        self.inner.events.dispatch_inline();
    }

    /// Registers `callback` for events `id`, about `domain` or about all domains
    /// (`virConnectDomainEventRegisterAny`). Callbacks run on the connection's event loop,
    /// never on a driver thread. Fails with `VIR_ERR_INTERNAL_ERROR` if the connection has
    /// no event loop.
    pub fn domain_event_register_any<F>(
        &self,
        domain: Option<&Domain>,
        id: DomainEventId,
        callback: F,
    ) -> Result<CallbackId>
    where
        F: FnMut(&Domain, &DomainEvent) + Send + 'static,
    {
        let driver = self.driver()?;
        let (cb, first) =
            self.inner
                .events
                .register(domain.map(|d| *d.uuid()), id, Box::new(callback))?;
        if first && let Err(e) = driver.event_interest(id, true) {
            let _ = self.inner.events.deregister(cb);
            return Err(e);
        }
        Ok(cb)
    }

    /// Removes a callback (`virConnectDomainEventDeregisterAny`); an unknown id is
    /// `VIR_ERR_INVALID_ARG`.
    pub fn domain_event_deregister_any(&self, id: CallbackId) -> Result<()> {
        let (event, last) = self.inner.events.deregister(id)?;
        if last {
            self.driver()?.event_interest(event, false)?;
        }
        Ok(())
    }
}
