//! README quick start (GLib): events on the application's own main context, the
//! callback holding `Rc<RefCell<…>>` state. `cargo run -p rvirt-examples --example quick_glib`
use rvirt::{DomainEventId::Lifecycle, glib::GlibLoop, glib::LocalEvents};
use std::{cell::RefCell, rc::Rc};

fn main() -> Result<(), rvirt::Error> {
    let ctx = glib::MainContext::default();
    let conn = rvirt::open_with_loop("test:///default", GlibLoop::new(ctx.clone()).shared())?;
    let seen = Rc::new(RefCell::new(Vec::new())); // not Send: fine on the GLib thread
    let log = seen.clone();
    conn.domain_event_register_local(&ctx, None, Lifecycle, move |dom, ev| {
        log.borrow_mut().push(format!("{}: {ev:?}", dom.name()));
    })?;
    let dom = conn.lookup_domain_by_name("test")?;
    dom.suspend()?;
    dom.resume()?;
    while seen.borrow().len() < 2 {
        ctx.iteration(true);
    }
    println!("{:#?}", seen.borrow());
    Ok(())
}
