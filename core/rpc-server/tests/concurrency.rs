//! A client's calls run concurrently: up to the server's per-client limit at once on
//! the pool, each reply sent as its call finishes; exclusive procedures run alone and
//! in order; the call queue stays bounded (the socket is not read while it is full).
//! A toy program whose calls wait (a sleep or a gate the test opens) drives it from
//! raw sockets.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rvirt_core::event::{self, SharedLoop};
use rvirt_rpc::{FrameDecoder, Header, Message, MessageStatus};
use rvirt_rpc_server::listener::Listener;
use rvirt_rpc_server::output::OutputBudget;
use rvirt_rpc_server::workers::Pool;
use rvirt_rpc_server::{
    CallResult, ClientState, Ctx, DEFAULT_MAX_CLIENT_REQUESTS, Program, Programs, Registry, Server,
    Service, Transport, procedure,
};

const PROG: u32 = 0x2000_4321;
/// `wait(ms, pad)`: runs for `ms` milliseconds (0: until the gate opens).
const WAIT: i32 = 1;
/// `mark()`: exclusive; records how many calls ran beside it.
const MARK: i32 = 2;
/// `bye()`: exclusive; closes the connection after its reply.
const BYE: i32 = 3;

/// What the calls of every client of one fixture record.
#[derive(Default)]
struct Probe {
    /// Calls running now, and the most at once.
    running: AtomicUsize,
    most: AtomicUsize,
    /// Calls started.
    started: AtomicUsize,
    /// The order calls started and ended in: (serial, started?).
    log: Mutex<Vec<(u32, bool)>>,
    /// Calls running while a `mark` ran.
    beside_mark: AtomicUsize,
    gate: Mutex<bool>,
    opened: Condvar,
}

impl Probe {
    fn enter(&self, serial: u32) {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        self.started.fetch_add(1, Ordering::SeqCst);
        self.log.lock().unwrap().push((serial, true));
    }

    fn leave(&self, serial: u32) {
        self.log.lock().unwrap().push((serial, false));
        self.running.fetch_sub(1, Ordering::SeqCst);
    }

    fn open_gate(&self) {
        *self.gate.lock().unwrap() = true;
        self.opened.notify_all();
    }
}

struct Client(Arc<Probe>);
impl ClientState for Client {}

fn wait(ctx: &Ctx<'_, Client>, (ms, _pad): (u32, String)) -> CallResult<u32> {
    let probe = ctx.state().0.clone();
    let serial = ctx.message().header.serial;
    probe.enter(serial);
    if ms == 0 {
        let mut open = probe.gate.lock().unwrap();
        while !*open {
            open = probe.opened.wait(open).unwrap();
        }
    } else {
        std::thread::sleep(Duration::from_millis(ms.into()));
    }
    probe.leave(serial);
    Ok(serial)
}

fn mark(ctx: &Ctx<'_, Client>, (): ()) -> CallResult<()> {
    let probe = ctx.state().0.clone();
    let serial = ctx.message().header.serial;
    probe.enter(serial);
    std::thread::sleep(Duration::from_millis(50));
    let beside = probe.running.load(Ordering::SeqCst) - 1;
    probe.beside_mark.fetch_max(beside, Ordering::SeqCst);
    probe.leave(serial);
    Ok(())
}

fn bye(ctx: &Ctx<'_, Client>, (): ()) -> CallResult<()> {
    ctx.close_after_reply();
    Ok(())
}

static SLOW: Program<Client> = Program {
    name: "SLOW",
    number: PROG,
    version: 1,
    procedures: &[
        procedure!(WAIT, wait),
        procedure!(MARK, mark),
        procedure!(BYE, bye),
    ],
    check: rvirt_rpc_server::allow_all,
    exclusive: &[MARK, BYE],
};

fn shared_loop() -> SharedLoop {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        let l = event::register_default().unwrap();
        std::thread::spawn(move || l.run());
    });
    event::require().unwrap()
}

struct Fixture {
    registry: Arc<Registry>,
    server: Arc<Server>,
    probe: Arc<Probe>,
    path: PathBuf,
    listener: Arc<Listener>,
}

impl Fixture {
    /// A server with `workers` workers.
    fn new(tag: &str, workers: usize) -> Fixture {
        let shared = shared_loop();
        let probe = Arc::new(Probe::default());
        let p = probe.clone();
        let programs = Programs::new(move |_| Client(p.clone())).with(SLOW);
        let pool = Pool::new(tag, workers, workers).unwrap();
        let server = Server::new("slow", programs, pool, shared.clone(), 10, 0);
        let registry = Registry::new(shared, vec![server.clone()]);
        let path = std::env::temp_dir().join(format!("rpc-conc-{tag}-{}", std::process::id()));
        let listener = Arc::new(Listener::bind_unix(&path, 0o600).unwrap());
        let service = Service::new("slow", Transport::Unix, OutputBudget::new(64 << 20));
        registry.listen(&server, listener.clone(), service).unwrap();
        Fixture {
            registry,
            server,
            probe,
            path,
            listener,
        }
    }

    fn connect(&self) -> UnixStream {
        let sock = UnixStream::connect(&self.path).unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        sock
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.probe.open_gate();
        self.registry.shutdown();
        self.listener.remove_path();
    }
}

fn call(proc_: i32, serial: u32, args: &impl serde::Serialize) -> Vec<u8> {
    Message::with_body(Header::call(PROG, 1, proc_, serial), args)
        .unwrap()
        .encode()
        .unwrap()
}

/// Reads `n` replies (`None` if the connection ends first), in the order they come.
fn replies(sock: &mut UnixStream, n: usize) -> Vec<Message> {
    let mut decoder = FrameDecoder::new();
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    while out.len() < n {
        if let Some(m) = decoder.next_message() {
            assert_eq!(m.header.status, MessageStatus::OK, "{m:?}");
            out.push(m);
            continue;
        }
        let got = sock.read(&mut buf).expect("replies within the timeout");
        if got == 0 {
            break;
        }
        decoder.feed(&buf[..got]).unwrap();
    }
    out
}

/// Twenty 300 ms calls pipelined on one connection take about four rounds of five
/// (the default limit), not twenty calls' time; never more than five run at once; each
/// reply carries its call's serial. With the limit at 20, one round.
#[test]
fn calls_of_one_client_run_concurrently_up_to_the_limit() {
    let f = Fixture::new("limit", 20);
    assert_eq!(f.server.max_client_requests(), DEFAULT_MAX_CLIENT_REQUESTS);
    for (limit, most_time) in [
        (5, Duration::from_millis(2000)),
        (20, Duration::from_millis(900)),
    ] {
        f.server.set_max_client_requests(limit);
        f.probe.most.store(0, Ordering::SeqCst);
        let mut sock = f.connect();
        let t = Instant::now();
        let mut frames = Vec::new();
        for serial in 1..=20u32 {
            frames.extend(call(WAIT, serial, &(300u32, String::new())));
        }
        sock.write_all(&frames).unwrap();
        let got = replies(&mut sock, 20);
        let took = t.elapsed();
        let serials: BTreeSet<u32> = got.iter().map(|m| m.header.serial).collect();
        assert_eq!(serials, (1..=20).collect());
        for m in &got {
            assert_eq!(m.decode_payload::<u32>().unwrap(), m.header.serial);
        }
        assert_eq!(f.probe.most.load(Ordering::SeqCst), limit, "limit {limit}");
        // One at a time would take 6 s.
        assert!(took < most_time, "limit {limit}: 20 calls took {took:?}");
        assert!(took >= Duration::from_millis(300) * (20 / limit as u32));
    }
}

/// An exclusive call waits for the calls before it and holds back the calls after it;
/// a closing exclusive call is answered after every call sent before it.
#[test]
fn exclusive_calls_run_alone_and_in_order() {
    let f = Fixture::new("order", 8);
    let mut sock = f.connect();
    let mut frames = Vec::new();
    for serial in 1..=3u32 {
        frames.extend(call(WAIT, serial, &(200u32, String::new())));
    }
    frames.extend(call(MARK, 4, &()));
    for serial in 5..=7u32 {
        frames.extend(call(WAIT, serial, &(50u32, String::new())));
    }
    frames.extend(call(BYE, 8, &()));
    sock.write_all(&frames).unwrap();
    let got = replies(&mut sock, 9);
    let order: Vec<u32> = got.iter().map(|m| m.header.serial).collect();
    assert_eq!(order.len(), 8, "{order:?}");
    assert_eq!(order[3], 4, "MARK answered after 1-3: {order:?}");
    assert_eq!(order[7], 8, "BYE answered last: {order:?}");
    assert_eq!(f.probe.beside_mark.load(Ordering::SeqCst), 0);
    let log = f.probe.log.lock().unwrap().clone();
    let pos = |serial, start| log.iter().position(|e| *e == (serial, start)).unwrap();
    for before in 1..=3 {
        assert!(pos(before, false) < pos(4, true), "{log:?}");
    }
    for after in 5..=7 {
        assert!(pos(4, false) < pos(after, true), "{log:?}");
    }
    // Calls 1-3 overlapped, and so did 5-7.
    assert!(pos(3, true) < pos(1, false), "{log:?}");
    assert!(pos(7, true) < pos(5, false), "{log:?}");
    // Then the connection ends.
    let mut rest = [0u8; 16];
    assert_eq!(sock.read(&mut rest).unwrap(), 0);
}

/// A client pipelining 10,000 calls while its calls are stuck: five run, the queue
/// fills, and the socket is no longer read (the sender blocks); once the calls go on,
/// all 10,000 are answered, never more than five at a time.
#[test]
fn a_full_queue_stops_reading_the_socket() {
    let f = Fixture::new("queue", 20);
    let sock = f.connect();
    let mut writer = sock.try_clone().unwrap();
    let sent = Arc::new(AtomicBool::new(false));
    let done = sent.clone();
    let sender = std::thread::spawn(move || {
        let pad = "x".repeat(200);
        let mut frames = Vec::new();
        for serial in 1..=10_000u32 {
            frames.extend(call(WAIT, serial, &(0u32, pad.clone())));
        }
        writer.write_all(&frames).unwrap();
        done.store(true, Ordering::SeqCst);
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    while f.probe.started.load(Ordering::SeqCst) < 5 {
        assert!(Instant::now() < deadline, "calls never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(f.probe.started.load(Ordering::SeqCst), 5);
    assert!(
        !sent.load(Ordering::SeqCst),
        "2.3 MB of calls were all read while the client's calls were stuck"
    );
    f.probe.open_gate();
    let mut reader = sock;
    let got = replies(&mut reader, 10_000);
    assert_eq!(got.len(), 10_000);
    sender.join().unwrap();
    assert_eq!(f.probe.most.load(Ordering::SeqCst), 5);
}
