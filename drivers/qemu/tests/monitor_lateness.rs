//! One monitor reader, on the loop (issue 15): while an API call waits 2 s for a slow
//! QEMU's reply, the event loop it shares with the application goes on — a 10 ms timer
//! on it fires no more than 20 ms late, and the event QEMU sent meanwhile is delivered
//! before the reply. The "QEMU" is a stand-in (see `stand_in`) that sends the STOP
//! event at once and the reply to `stop` two seconds later.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rvirt_core::api::{PausedReason, StateReason, SuspendedDetail};
use rvirt_core::event::{EventLoop, TimerInterval};
use rvirt_core::{DomainEvent, DomainEventId, Lifecycle};
use rvirt_testkit::stand_in;

const REPLY_DELAY: Duration = Duration::from_secs(2);
const TICK: Duration = Duration::from_millis(10);
const MAX_LATE: Duration = Duration::from_millis(20);

#[test]
fn a_slow_qemu_reply_never_holds_up_the_loop() {
    rvirt_driver_qemu::register().unwrap();
    let mut prep = stand_in::prepare("late", "late", "sleep 30; exit 0");
    let listener = prep.listener.take().unwrap();
    let server = std::thread::spawn(move || {
        let (mut out, mut lines) = stand_in::accept_and_handshake(&listener);
        let line = lines.next().unwrap().unwrap();
        let cmd: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(cmd["execute"], "stop");
        out.write_all(
            b"{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"STOP\"}\r\n",
        )
        .unwrap();
        std::thread::sleep(REPLY_DELAY);
        writeln!(out, "{{\"return\": {{}}, \"id\": {}}}\r", cmd["id"]).unwrap();
        // Keep the connection open until the driver lets go of it.
        for _ in lines {}
    });

    let (l, conn) = support::open(&prep.root);
    let dom = conn.lookup_domain_by_name("late").unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    conn.domain_event_register_any(None, DomainEventId::Lifecycle, move |_, ev| {
        if let DomainEvent::Lifecycle(lc) = ev {
            sink.lock().unwrap().push((Instant::now(), *lc));
        }
    })
    .unwrap();
    // The application's timer, and the loop on a thread of its own.
    let ticks = Arc::new(Mutex::new(Vec::new()));
    let t = ticks.clone();
    let timer = l
        .add_timeout(
            TimerInterval::Every(TICK),
            Box::new(move |_| t.lock().unwrap().push(Instant::now())),
        )
        .unwrap();
    let runner = {
        let l = l.clone();
        std::thread::spawn(move || l.run().unwrap())
    };

    let called = Instant::now();
    dom.suspend().unwrap();
    let returned = Instant::now();
    assert!(returned - called >= REPLY_DELAY, "the reply came early");
    assert_eq!(
        dom.state().unwrap(),
        StateReason::Paused(PausedReason::User)
    );

    // The timer kept its pace while the call waited.
    let ticks: Vec<Instant> = ticks
        .lock()
        .unwrap()
        .iter()
        .copied()
        .filter(|t| *t >= called && *t <= returned)
        .collect();
    let worst = ticks
        .windows(2)
        .map(|w| (w[1] - w[0]).saturating_sub(TICK))
        .max()
        .unwrap();
    eprintln!(
        "{} ticks during the {:?} call, worst lateness {worst:?}",
        ticks.len(),
        returned - called
    );
    assert!(ticks.len() >= 100, "only {} ticks", ticks.len());
    assert!(worst <= MAX_LATE, "a tick was {worst:?} late");
    // The STOP event was delivered long before the reply.
    let deadline = Instant::now() + Duration::from_secs(5);
    while seen.lock().unwrap().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let (at, event) = seen.lock().unwrap()[0];
    assert_eq!(event, Lifecycle::Suspended(SuspendedDetail::Paused));
    assert!(at < returned - Duration::from_secs(1), "STOP was held back");

    l.remove_timeout(timer).unwrap();
    l.quit();
    runner.join().unwrap();
    dom.destroy().unwrap();
    conn.close().unwrap();
    server.join().unwrap();
}
