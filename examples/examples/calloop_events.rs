//! A calloop application serving rvirt from its own `calloop::EventLoop`.
//!
//! Run: `cargo run -p rvirt-examples --example calloop_events`
//!
//! What it shows:
//!
//! * the application owns a `calloop::EventLoop<'_, State>` and its `State`;
//!   [`CalloopLoop::insert`] attaches rvirt's event loop to it, and the connection is opened
//!   with that loop explicitly ([`Connect::open_with_loop`]);
//! * rvirt's lifecycle callback (which must be `Send`) forwards each event through a calloop
//!   channel, whose source pushes it into the application's `State`;
//! * a calloop `Timer` source drives the domain define → start → suspend → resume → destroy →
//!   undefine, one step per tick, each step once the previous step's event has arrived;
//! * the 6th event calls `LoopSignal::stop()`; the `Attachment` is dropped before the calloop
//!   loop, as its documentation requires. The program checks the exact (event, detail)
//!   sequence and exits non-zero if it differs or if it takes longer than 10 s.

use std::time::{Duration, Instant};

use calloop::channel::{self, Channel};
use calloop::timer::{TimeoutAction, Timer};
use calloop::{EventLoop, LoopSignal};
use rvirt_calloop::CalloopLoop;
use rvirt_core::api::{DomainEventId, Lifecycle};
use rvirt_core::{Connect, Domain, DomainEvent};

const XML: &str = "<domain type='test'>
  <name>calloop-example</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
</domain>";

/// Defined Added, Started Booted, Suspended Paused, Resumed Unpaused, Stopped Destroyed,
/// Undefined Removed.
const EXPECTED: [(i32, i32); 6] = [(0, 0), (2, 0), (3, 0), (4, 0), (5, 1), (1, 0)];

/// The domain operations, one per timer tick.
const STEPS: [&str; 6] = [
    "define", "start", "suspend", "resume", "destroy", "undefine",
];

/// Time between two steps of the timer.
const TICK: Duration = Duration::from_millis(10);

/// The application's state, handed to every calloop callback.
struct State {
    conn: Connect,
    dom: Option<Domain>,
    /// How many domain operations have been carried out.
    steps_done: usize,
    /// (event, detail) of every lifecycle event received.
    events: Vec<(i32, i32)>,
    error: Option<String>,
    signal: LoopSignal,
}

impl State {
    /// Carries out domain operation number `steps_done`.
    fn step(&mut self) -> rvirt_core::Result<()> {
        println!("timer: {}", STEPS[self.steps_done]);
        match self.steps_done {
            0 => self.dom = Some(self.conn.define_xml(XML)?),
            n => {
                let dom = self.dom.as_mut().expect("defined at step 0");
                match n {
                    1 => dom.create()?,
                    2 => dom.suspend()?,
                    3 => dom.resume()?,
                    4 => dom.destroy()?,
                    _ => dom.undefine()?,
                }
            }
        }
        self.steps_done += 1;
        Ok(())
    }

    /// The timer's callback: the next step, once the previous step's event has arrived.
    fn on_tick(&mut self) -> TimeoutAction {
        if self.events.len() == self.steps_done
            && let Err(e) = self.step()
        {
            self.error = Some(format!("step {} failed: {e}", self.steps_done));
            self.signal.stop();
            return TimeoutAction::Drop;
        }
        if self.steps_done == EXPECTED.len() {
            TimeoutAction::Drop
        } else {
            TimeoutAction::ToDuration(TICK)
        }
    }

    /// The channel's callback: an event forwarded by rvirt's lifecycle callback.
    fn on_event(&mut self, dom: String, lc: Lifecycle) {
        println!(
            "state: domain '{dom}' {lc} ({} {})",
            lc.event_raw(),
            lc.detail_raw()
        );
        self.events.push((lc.event_raw(), lc.detail_raw()));
        if self.events.len() == EXPECTED.len() {
            self.signal.stop();
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    rvirt_driver_test::register()?;

    let mut event_loop: EventLoop<'static, State> = EventLoop::try_new()?;
    let handle = event_loop.handle();
    let ev = CalloopLoop::new();
    let attachment = ev.insert(&handle)?;

    let conn = Connect::open_with_loop("test:///default", ev.shared())?;
    println!("connected to {} ({})", conn.uri(), conn.hypervisor_type()?);

    // rvirt callbacks must be `Send` and cannot borrow the calloop state: forward the events
    // through a calloop channel, whose source hands them to the state.
    let (tx, rx): (channel::Sender<(String, Lifecycle)>, Channel<_>) = channel::channel();
    handle
        .insert_source(rx, |event, _, state: &mut State| {
            if let channel::Event::Msg((dom, lc)) = event {
                state.on_event(dom, lc);
            }
        })
        .map_err(|e| e.error)?;
    let callback =
        conn.domain_event_register_any(None, DomainEventId::Lifecycle, move |dom, ev| {
            if let DomainEvent::Lifecycle(lc) = ev {
                println!("rvirt callback: domain '{}' {lc}", dom.name());
                // Only fails once the channel source is gone, when nobody listens anyway.
                let _ = tx.send((dom.name().to_string(), *lc));
            }
        })?;

    handle
        .insert_source(Timer::from_duration(TICK), |_, _, state: &mut State| {
            state.on_tick()
        })
        .map_err(|e| e.error)?;

    let mut state = State {
        conn: conn.clone(),
        dom: None,
        steps_done: 0,
        events: Vec::new(),
        error: None,
        signal: event_loop.get_signal(),
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    event_loop.run(Duration::from_millis(100), &mut state, |state| {
        if Instant::now() >= deadline {
            state.error = Some("timed out".into());
            state.signal.stop();
        }
    })?;
    println!("calloop loop stopped");

    conn.domain_event_deregister_any(callback)?;
    conn.close()?;
    let State { events, error, .. } = state;
    // Detach rvirt from the calloop loop before the loop itself goes away.
    drop(attachment);
    drop(event_loop);

    if let Some(e) = error {
        return Err(format!("{e}; events so far: {events:?}").into());
    }
    if events != EXPECTED {
        return Err(format!("unexpected events {events:?}, expected {EXPECTED:?}").into());
    }
    println!("{} lifecycle events received, as expected", events.len());
    Ok(())
}
