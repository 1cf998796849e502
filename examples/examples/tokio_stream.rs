//! An async tokio service that consumes rvirt's lifecycle events as a `Stream`.
//!
//! Run: `cargo run -p rvirt-examples --example tokio_stream`
//!
//! What it shows:
//!
//! * a multi-threaded tokio runtime (2 workers, built by hand so that tokio's `macros`
//!   feature is not needed) serving rvirt through [`rvirt_tokio::TokioLoop`], passed
//!   explicitly to [`Connect::open_with_loop`];
//! * [`LifecycleStream`]: lifecycle events exposed as a [`futures_core::Stream`] over a
//!   `tokio::sync::mpsc::UnboundedReceiver` fed by rvirt's callback (which runs on a runtime
//!   worker), consumed with `while let Some(ev) = stream.next().await`;
//! * the blocking rvirt API (define → start → suspend → resume → destroy → undefine) called
//!   from `tokio::task::spawn_blocking`, off the async workers;
//! * the consumer stops after 6 events, under a 10 s `tokio::time::timeout`, so the program
//!   always exits. It checks the exact (event, detail) sequence and exits non-zero if it
//!   differs.

use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use rvirt_core::api::{DomainEventId, Lifecycle};
use rvirt_core::{CallbackId, Connect, DomainEvent};
use rvirt_tokio::TokioLoop;
use tokio::sync::mpsc;

const XML: &str = "<domain type='test'>
  <name>tokio-example</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
</domain>";

/// Defined Added, Started Booted, Suspended Paused, Resumed Unpaused, Stopped Destroyed,
/// Undefined Removed.
const EXPECTED: [(i32, i32); 6] = [(0, 0), (2, 0), (3, 0), (4, 0), (5, 1), (1, 0)];

/// One lifecycle event, as the stream yields it.
#[derive(Debug)]
struct LifecycleEvent {
    domain: String,
    event: Lifecycle,
}

/// The lifecycle events of one connection as a [`Stream`].
///
/// It ends when the callback feeding it is deregistered (or the connection closed) and every
/// queued event has been taken.
#[derive(Debug)]
struct LifecycleStream {
    rx: mpsc::UnboundedReceiver<LifecycleEvent>,
}

impl LifecycleStream {
    /// Registers a lifecycle callback on `conn` that feeds the returned stream.
    fn register(conn: &Connect) -> rvirt_core::Result<(CallbackId, LifecycleStream)> {
        let (tx, rx) = mpsc::unbounded_channel();
        let id =
            conn.domain_event_register_any(None, DomainEventId::Lifecycle, move |dom, ev| {
                if let DomainEvent::Lifecycle(lc) = ev {
                    // Fails only once the stream is dropped: then nobody wants the event.
                    let _ = tx.send(LifecycleEvent {
                        domain: dom.name().to_string(),
                        event: *lc,
                    });
                }
            })?;
        Ok((id, LifecycleStream { rx }))
    }

    /// The next event (`StreamExt::next` without pulling in `futures-util`).
    async fn next(&mut self) -> Option<LifecycleEvent> {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl Stream for LifecycleStream {
    type Item = LifecycleEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

/// The blocking part: the domain's whole life, on a `spawn_blocking` thread.
fn drive_domain(conn: &Connect) -> rvirt_core::Result<()> {
    let thread = std::thread::current();
    let name = thread.name().unwrap_or("unnamed");
    println!("[{name}, via spawn_blocking] define, start, suspend, resume, destroy, undefine");
    let mut dom = conn.define_xml(XML)?;
    dom.create()?;
    dom.suspend()?;
    dom.resume()?;
    dom.destroy()?;
    dom.undefine()
}

async fn service(ev: TokioLoop) -> Result<(), Box<dyn std::error::Error>> {
    let conn = Connect::open_with_loop("test:///default", ev.shared())?;
    println!("connected to {} ({})", conn.uri(), conn.hypervisor_type()?);
    let (callback, mut stream) = LifecycleStream::register(&conn)?;

    let ops = {
        let conn = conn.clone();
        tokio::task::spawn_blocking(move || drive_domain(&conn))
    };

    let mut seen = Vec::new();
    let consumed = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(ev) = stream.next().await {
            let thread = std::thread::current();
            println!(
                "[{}] event: domain '{}' {} ({} {})",
                thread.name().unwrap_or("unnamed"),
                ev.domain,
                ev.event,
                ev.event.event_raw(),
                ev.event.detail_raw()
            );
            seen.push((ev.event.event_raw(), ev.event.detail_raw()));
            if seen.len() == EXPECTED.len() {
                break;
            }
        }
    })
    .await;

    let ops_result = tokio::time::timeout(Duration::from_secs(5), ops).await;
    conn.domain_event_deregister_any(callback)?;
    conn.close()?;

    ops_result.map_err(|_| "the domain operations did not finish")???;
    if consumed.is_err() {
        return Err(format!("timed out; events so far: {seen:?}").into());
    }
    if seen != EXPECTED {
        return Err(format!("unexpected events {seen:?}, expected {EXPECTED:?}").into());
    }
    println!("{} lifecycle events received, as expected", seen.len());
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    rvirt_driver_test::register()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("tokio-worker")
        .enable_all()
        .build()?;
    let ev = TokioLoop::new(rt.handle().clone());
    let result = rt.block_on(service(ev));
    // Do not wait for blocking tasks that may still be stuck after a failure.
    rt.shutdown_timeout(Duration::from_secs(1));
    result
}
