//! Domain event callbacks that need not be `Send`, run on a GLib main context's thread.

use std::cell::RefCell;
use std::sync::Arc;

use glib::MainContext;
use rvirt_core::{CallbackId, Connect, Domain, DomainEvent, DomainEventId, Error, ErrorDomain};

use crate::owner_bound::OwnerBound;

/// Domain event registration with callbacks bound to a GLib [`MainContext`]'s thread, so
/// they may capture `Rc<RefCell<…>>` state (libvirt's callbacks run on the loop thread).
///
/// The callback is bound to the thread that registers it, which must be able to own `ctx`
/// at that moment (it owns it already, or no other thread does): registering from another
/// thread fails. Events are handed to `ctx` and the callback runs when the owner thread
/// dispatches it — inline when the connection's loop is a [`GlibLoop`](crate::GlibLoop)
/// on `ctx`, in an idle source of `ctx` otherwise. Should another thread dispatch `ctx`
/// later, events are not delivered to the callback there. Remove the callback with
/// [`Connect::domain_event_deregister_any`]; it is then dropped on its thread.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use rvirt_core::{Connect, DomainEventId};
/// use rvirt_glib::{GlibLoop, LocalEvents};
///
/// rvirt_driver_test::register()?;
/// let ctx = glib::MainContext::new();
/// let conn = Connect::open_with_loop("test:///default", GlibLoop::new(ctx.clone()).shared())?;
/// let count = Rc::new(RefCell::new(0)); // not Send
/// let c = count.clone();
/// let id = conn.domain_event_register_local(&ctx, None, DomainEventId::Lifecycle, move |_, _| {
///     *c.borrow_mut() += 1;
/// })?;
/// conn.lookup_domain_by_name("test")?.suspend()?;
/// while *count.borrow() == 0 {
///     ctx.iteration(true);
/// }
/// conn.domain_event_deregister_any(id)?;
/// # Ok::<(), rvirt_core::Error>(())
/// ```
///
/// The `Send` registration of other loops refuses such a closure:
///
/// ```compile_fail,E0277
/// # use std::{cell::RefCell, rc::Rc};
/// # fn f(conn: &rvirt_core::Connect) {
/// let state = Rc::new(RefCell::new(0));
/// conn.domain_event_register_any(None, rvirt_core::DomainEventId::Lifecycle, move |_, _| {
///     *state.borrow_mut() += 1;
/// });
/// # }
/// ```
pub trait LocalEvents {
    /// Registers `callback` for events `id` about `domain` (or all domains), run on the
    /// calling thread when it dispatches `ctx`; see [`LocalEvents`].
    fn domain_event_register_local<F>(
        &self,
        ctx: &MainContext,
        domain: Option<&Domain>,
        id: DomainEventId,
        callback: F,
    ) -> rvirt_core::Result<CallbackId>
    where
        F: FnMut(&Domain, &DomainEvent) + 'static;
}

impl LocalEvents for Connect {
    fn domain_event_register_local<F>(
        &self,
        ctx: &MainContext,
        domain: Option<&Domain>,
        id: DomainEventId,
        callback: F,
    ) -> rvirt_core::Result<CallbackId>
    where
        F: FnMut(&Domain, &DomainEvent) + 'static,
    {
        // The calling thread must be the context's (future) owner.
        let _owned = ctx.acquire().map_err(|_| {
            Error::internal(
                ErrorDomain::None,
                "domain_event_register_local: the GMainContext is owned by another thread",
            )
        })?;
        let local = Arc::new(OwnerBound::new(RefCell::new(callback), ctx.clone()));
        let ctx = ctx.clone();
        self.domain_event_register_any(domain, id, move |dom, ev| {
            let local = local.clone();
            let (dom, ev) = (dom.clone(), ev.clone());
            ctx.invoke(move || call(&local, &dom, &ev));
        })
    }
}

/// Calls the callback if this is its thread and it is not already running.
fn call<F>(local: &OwnerBound<RefCell<F>>, dom: &Domain, ev: &DomainEvent)
where
    F: FnMut(&Domain, &DomainEvent) + 'static,
{
    if let Some(cell) = local.get()
        && let Ok(mut callback) = cell.try_borrow_mut()
    {
        callback(dom, ev);
    }
}
