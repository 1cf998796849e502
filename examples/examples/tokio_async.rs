//! rvirt's async API on a single-threaded tokio runtime: no `spawn_blocking`, no thread per
//! call.
//!
//! Run: `cargo run -p rvirt-examples --example tokio_async`
//!
//! What it shows:
//!
//! * a `current_thread` tokio runtime serving rvirt through [`rvirt_tokio::TokioLoop`]
//!   (`rvirt::tokio`, the facade's `tokio` feature), passed to [`rvirt::open_with_loop`]
//!   (opening is blocking, so it happens before the runtime runs);
//! * the `_async` forms of Connect/Domain operations awaited directly, each with a per-call
//!   timeout ([`rvirt::Pending::timeout`]): define → start → suspend → resume → info →
//!   destroy → undefine, then a lookup of a name that does not exist (libvirt's error);
//! * a 1 ms ticker on the same thread that keeps ticking meanwhile: it prints how late it
//!   ran at worst. With `test:///default` the driver's blocking work runs on rvirt-core's
//!   worker threads; over the remote driver (`test+unix:///default?socket=…` to an rvirtd)
//!   the calls are written and their replies matched on this thread's event loop.
//!
//! The program exits non-zero if an operation fails.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rvirt::ErrorCode;
use rvirt::tokio::TokioLoop;

const XML: &str = "<domain type='test'>
  <name>async-example</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
</domain>";

/// Every call gives up after this long.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

async fn lifecycle(conn: &rvirt::Connect) -> rvirt::Result<()> {
    let dom = conn.define_xml_async(XML).timeout(CALL_TIMEOUT).await?;
    println!("defined {}", dom.name());
    let dom = dom.create_async(0).timeout(CALL_TIMEOUT).await?;
    println!("started with id {:?}", dom.id());
    dom.suspend_async().timeout(CALL_TIMEOUT).await?;
    println!("suspended: {:?}", dom.state_async().await?);
    dom.resume_async().timeout(CALL_TIMEOUT).await?;
    let info = dom.info_async().timeout(CALL_TIMEOUT).await?;
    println!("resumed: {:?}, {} KiB", info.state, info.memory_kib);
    dom.destroy_async(0).timeout(CALL_TIMEOUT).await?;
    dom.undefine_async(0).timeout(CALL_TIMEOUT).await?;
    println!("destroyed and undefined");
    match conn.lookup_domain_by_name_async("no-such-domain").await {
        Err(e) if e.code() == ErrorCode::NoDomain => println!("lookup: {e}"),
        other => panic!("expected VIR_ERR_NO_DOMAIN, got {other:?}"),
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let uri = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "test:///default".into());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let ev = TokioLoop::new(rt.handle().clone());
    // Opening (and closing) a connection has no async form yet: done outside the runtime.
    let conn = rvirt::open_with_loop(&uri, ev.shared())?;
    let (worst, ticks) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let started = std::time::Instant::now();
    rt.block_on(async {
        let (w, n) = (worst.clone(), ticks.clone());
        let ticker = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(1));
            loop {
                let due = tick.tick().await;
                let late = tokio::time::Instant::now().saturating_duration_since(due);
                w.fetch_max(late.as_micros() as u64, Ordering::Relaxed);
                n.fetch_add(1, Ordering::Relaxed);
            }
        });
        let r = lifecycle(&conn).await;
        ticker.abort();
        r
    })?;
    conn.close()?;
    println!(
        "{:?}: the 1 ms ticker ticked {} times, at most {} µs late",
        started.elapsed(),
        ticks.load(Ordering::Relaxed),
        worst.load(Ordering::Relaxed)
    );
    Ok(())
}
