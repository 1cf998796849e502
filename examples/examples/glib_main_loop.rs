//! A GLib application (no GTK) serving rvirt from its own `glib::MainLoop`.
//!
//! Run: `cargo run -p rvirt-examples --example glib_main_loop`
//!
//! What it shows:
//!
//! * a [`rvirt_glib::GlibLoop`] on GLib's default `MainContext`, handed explicitly to
//!   [`Connect::open_with_loop`] (nothing is registered process-wide);
//! * the application runs a plain `glib::MainLoop`; rvirt's lifecycle callback is dispatched
//!   by it, on the main thread;
//! * the domain operations (define → start → suspend → resume → destroy → undefine) run on a
//!   worker thread while the main thread sleeps in GLib's `poll`: each API call there queues
//!   an event and attaches a source to the context from that other thread, which wakes the
//!   GLib loop at once;
//! * the callback quits the `MainLoop` after the 6th event, and a GLib timeout guards against
//!   a hang. The program checks the exact (event, detail) sequence and exits non-zero if it
//!   differs.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use rvirt_core::api::DomainEventId;
use rvirt_core::{Connect, DomainEvent};
use rvirt_glib::GlibLoop;

const XML: &str = "<domain type='test'>
  <name>glib-example</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
</domain>";

/// Defined Added, Started Booted, Suspended Paused, Resumed Unpaused, Stopped Destroyed,
/// Undefined Removed.
const EXPECTED: [(i32, i32); 6] = [(0, 0), (2, 0), (3, 0), (4, 0), (5, 1), (1, 0)];

/// How long the worker waits for the GLib loop to deliver one event.
const STEP_TIMEOUT: Duration = Duration::from_secs(5);

fn thread_name() -> String {
    thread::current().name().unwrap_or("unnamed").to_string()
}

/// The worker: one domain operation, then wait until the main loop has delivered its event.
fn drive_domain(conn: Connect, delivered: mpsc::Receiver<()>) -> Result<(), String> {
    let wait = |step: &str| {
        delivered
            .recv_timeout(STEP_TIMEOUT)
            .map_err(|e| format!("no event after {step}: {e}"))
    };
    println!("[{}] define", thread_name());
    let mut dom = conn.define_xml(XML).map_err(|e| e.to_string())?;
    wait("define")?;
    println!("[{}] start", thread_name());
    dom.create().map_err(|e| e.to_string())?;
    wait("start")?;
    println!("[{}] suspend", thread_name());
    dom.suspend().map_err(|e| e.to_string())?;
    wait("suspend")?;
    println!("[{}] resume", thread_name());
    dom.resume().map_err(|e| e.to_string())?;
    wait("resume")?;
    println!("[{}] destroy", thread_name());
    dom.destroy().map_err(|e| e.to_string())?;
    wait("destroy")?;
    println!("[{}] undefine", thread_name());
    dom.undefine().map_err(|e| e.to_string())?;
    wait("undefine")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    rvirt_driver_test::register()?;

    // The application's GLib loop, on the default context, owned by this (main) thread.
    let ctx = glib::MainContext::default();
    let main_loop = glib::MainLoop::new(Some(&ctx), false);
    let ev = GlibLoop::new(ctx.clone());

    let conn = Connect::open_with_loop("test:///default", ev.shared())?;
    println!("connected to {} ({})", conn.uri(), conn.hypervisor_type()?);

    let seen = Arc::new(Mutex::new(Vec::new()));
    let (delivered_tx, delivered_rx) = mpsc::channel();
    let callback = {
        let seen = seen.clone();
        let main_loop = main_loop.clone();
        conn.domain_event_register_any(None, DomainEventId::Lifecycle, move |dom, ev| {
            let DomainEvent::Lifecycle(lc) = ev else {
                return;
            };
            println!(
                "[{}] event: domain '{}' {} ({} {})",
                thread_name(),
                dom.name(),
                lc,
                lc.event_raw(),
                lc.detail_raw()
            );
            let n = {
                let mut seen = seen.lock().unwrap();
                seen.push((lc.event_raw(), lc.detail_raw()));
                seen.len()
            };
            // The worker may already have given up; nothing to do about it here.
            let _ = delivered_tx.send(());
            if n == EXPECTED.len() {
                main_loop.quit();
            }
        })?
    };

    // Never hang: give up after a few seconds.
    let timed_out = Arc::new(Mutex::new(false));
    let guard = {
        let main_loop = main_loop.clone();
        let timed_out = timed_out.clone();
        glib::timeout_add_local_once(Duration::from_secs(10), move || {
            *timed_out.lock().unwrap() = true;
            main_loop.quit();
        })
    };

    let worker = {
        let conn = conn.clone();
        let main_loop = main_loop.clone();
        thread::Builder::new()
            .name("worker".into())
            .spawn(move || {
                let result = drive_domain(conn, delivered_rx);
                if result.is_err() {
                    // `glib::MainLoop` is thread-safe: stop the application from here.
                    main_loop.quit();
                }
                result
            })?
    };

    println!("[{}] running the GLib main loop", thread_name());
    main_loop.run();
    println!("[{}] GLib main loop quit", thread_name());

    let timed_out = *timed_out.lock().unwrap();
    if !timed_out {
        guard.remove();
    }
    let worker_result = worker.join().map_err(|_| "worker thread panicked")?;
    conn.domain_event_deregister_any(callback)?;
    conn.close()?;

    let seen = seen.lock().unwrap().clone();
    worker_result?;
    if timed_out {
        return Err(format!("timed out; events so far: {seen:?}").into());
    }
    if seen != EXPECTED {
        return Err(format!("unexpected events {seen:?}, expected {EXPECTED:?}").into());
    }
    println!("{} lifecycle events received, as expected", seen.len());
    Ok(())
}
