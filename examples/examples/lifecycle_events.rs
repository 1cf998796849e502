//! Registers rvirt's default event loop, opens `test:///default`, drives a domain through
//! its lifecycle and prints every lifecycle event as the loop delivers it. Exits by itself.
//!
//! It depends on the `rvirt` facade crate only: [`rvirt::open`] registers the test driver
//! (a default feature) on first use, so there is no `register()` call.
//!
//! Run: `cargo run -p rvirt-examples --example lifecycle_events`

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rvirt::event::{self, DefaultLoop};
use rvirt::{DomainEvent, DomainEventId, Lifecycle};

const XML: &str = "<domain type='test'>
  <name>example-guest</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
</domain>";

/// Runs loop iterations until `want` events have been printed (at most 5 s).
fn wait_for(l: &DefaultLoop, seen: &Arc<Mutex<Vec<Lifecycle>>>, want: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while seen.lock().unwrap().len() < want {
        assert!(Instant::now() < deadline, "event {want} never arrived");
        l.run_once_timeout(Duration::from_millis(100))
            .expect("loop iteration");
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let l = event::register_default()?;
    let conn = rvirt::open("test:///default")?;
    println!("connected to {} ({})", conn.uri(), conn.hypervisor_type()?);

    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let callback =
        conn.domain_event_register_any(None, DomainEventId::Lifecycle, move |dom, ev| {
            if let DomainEvent::Lifecycle(lc) = ev {
                println!(
                    "event: domain '{}' {} ({} {})",
                    dom.name(),
                    lc,
                    lc.event_raw(),
                    lc.detail_raw()
                );
                s.lock().unwrap().push(*lc);
            }
        })?;

    let mut dom = conn.define_xml(XML)?;
    wait_for(&l, &seen, 1);
    dom.create()?;
    wait_for(&l, &seen, 2);
    dom.suspend()?;
    wait_for(&l, &seen, 3);
    dom.resume()?;
    wait_for(&l, &seen, 4);
    dom.destroy()?;
    wait_for(&l, &seen, 5);
    dom.undefine()?;
    wait_for(&l, &seen, 6);

    conn.domain_event_deregister_any(callback)?;
    conn.close()?;
    println!("{} lifecycle events received", seen.lock().unwrap().len());
    Ok(())
}
