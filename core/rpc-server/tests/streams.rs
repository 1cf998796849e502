//! libvirt's stream protocol in the server library, driven by testkit's raw wire
//! client: a procedure opens a stream over one end of a socket pair (the "guest"
//! side, held by the test); its bytes reach the client as STREAM/CONTINUE packets on
//! the call's serial, the client's STREAM/CONTINUE packets reach the guest side, the
//! client's empty OK is confirmed and closes the guest side, and a client that stops
//! reading stops the reading of the guest side instead of being cut off for
//! unread output.

use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use rvirt_core::event::{self, SharedLoop};
use rvirt_rpc::{Header, Message, MessageStatus, MessageType, encode_message};
use rvirt_rpc_server::listener::Listener;
use rvirt_rpc_server::output::OutputBudget;
use rvirt_rpc_server::workers::Pool;
use rvirt_rpc_server::{
    CallResult, Ctx, Program, Programs, Registry, Server, Service, StreamSource, Transport,
    allow_all, procedure,
};
use rvirt_testkit::Raw;

const PROG: u32 = 0x2000_4321;
/// The client's output limit; sources are read while under half of it.
const MAX_OUTPUT: usize = 256 * 1024;

/// The guest sides of streams opened by procedure 1, for the test to take.
static GUEST: Mutex<Vec<UnixStream>> = Mutex::new(Vec::new());
/// Held by each test: [`GUEST`] is shared.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Procedure 1: a stream over a new socket pair.
fn open(ctx: &Ctx<'_, ()>, (): ()) -> CallResult<()> {
    let (ours, guest) = UnixStream::pair().unwrap();
    ctx.open_stream(StreamSource::fd(OwnedFd::from(ours)));
    GUEST.lock().unwrap().push(guest);
    Ok(())
}

/// Procedure 2: a stream of `n` bytes of a pattern, then its end.
fn bytes(ctx: &Ctx<'_, ()>, n: u32) -> CallResult<()> {
    ctx.open_stream(StreamSource::bytes(pattern(0, n as usize)));
    Ok(())
}

fn pattern(from: usize, n: usize) -> Vec<u8> {
    (from..from + n).map(|i| (i % 251) as u8).collect()
}

static STREAMS: Program<()> = Program {
    name: "STREAMS",
    number: PROG,
    version: 1,
    procedures: &[procedure!(1, open), procedure!(2, bytes)],
    check: allow_all,
    exclusive: &[],
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
    path: PathBuf,
    listener: Arc<Listener>,
}

impl Fixture {
    fn new(tag: &str) -> Fixture {
        let shared = shared_loop();
        let programs = Programs::new(|_| ()).with(STREAMS);
        let server = Server::new(
            "streams",
            programs,
            Pool::new("streams", 1, 2).unwrap(),
            shared.clone(),
            10,
            0,
        );
        let registry = Registry::new(shared, vec![server.clone()]);
        let path = std::env::temp_dir().join(format!("rpc-streams-{tag}-{}", std::process::id()));
        let listener = Arc::new(Listener::bind_unix(&path, 0o600).unwrap());
        let service = Service {
            max_output: MAX_OUTPUT,
            ..Service::new("streams", Transport::Unix, OutputBudget::new(64 << 20))
        };
        registry.listen(&server, listener.clone(), service).unwrap();
        Fixture {
            registry,
            path,
            listener,
        }
    }

    fn unread_output(&self) -> usize {
        self.registry
            .clients()
            .iter()
            .map(|c| c.unread_output())
            .sum()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.registry.shutdown();
        self.listener.remove_path();
    }
}

/// Opens a stream with procedure 1; returns its serial and the guest side.
fn open_stream(raw: &mut Raw) -> (u32, UnixStream) {
    let serial = raw.call_raw_in(PROG, 1, &[]);
    let reply = raw.read().unwrap();
    assert_eq!(reply.header.msg_type, MessageType::REPLY);
    assert_eq!(
        (reply.header.serial, reply.header.status),
        (serial, MessageStatus::OK)
    );
    let guest = GUEST.lock().unwrap().pop().unwrap();
    guest
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    (serial, guest)
}

fn stream_packet(serial: u32, status: MessageStatus, payload: &[u8]) -> Vec<u8> {
    let h = Header {
        msg_type: MessageType::STREAM,
        status,
        ..Header::call(PROG, 1, 1, serial)
    };
    encode_message(&h, payload).unwrap()
}

/// Asserts `m` is a STREAM packet of the stream `serial` with `status`.
fn assert_stream(m: &Message, serial: u32, status: MessageStatus) {
    assert_eq!(
        (
            m.header.prog,
            m.header.msg_type,
            m.header.serial,
            m.header.status
        ),
        (PROG, MessageType::STREAM, serial, status),
        "{:?}",
        m.header
    );
}

#[test]
fn data_both_ways_within_the_output_window_and_ok_ends_it() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let f = Fixture::new("both");
    let mut raw = Raw::connect(&f.path);
    let (serial, guest) = open_stream(&mut raw);

    // The guest side writes 4 MiB; the client reads nothing for a while.
    const TOTAL: usize = 4 << 20;
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let mut guest = guest.try_clone().unwrap();
        let written = written.clone();
        std::thread::spawn(move || {
            for chunk in pattern(0, TOTAL).chunks(16 * 1024) {
                guest.write_all(chunk).unwrap();
                written.fetch_add(chunk.len(), Ordering::SeqCst);
            }
        })
    };
    std::thread::sleep(Duration::from_millis(700));
    let unread = f.unread_output();
    assert!(
        unread > 0 && unread <= MAX_OUTPUT / 2,
        "unread output {unread}"
    );
    assert!(
        written.load(Ordering::SeqCst) < TOTAL,
        "the source was read past the window"
    );
    assert_eq!(f.registry.clients().len(), 1, "the client was cut off");

    // Reading resumes the source: all 4 MiB arrive, in order, on the call's serial.
    let mut got = Vec::new();
    while got.len() < TOTAL {
        let m = raw.read().expect("stream data");
        assert_stream(&m, serial, MessageStatus::CONTINUE);
        assert_eq!(m.header.proc_, 1);
        assert!(!m.payload.is_empty() && m.payload.len() <= MAX_OUTPUT / 2);
        got.extend_from_slice(&m.payload);
    }
    writer.join().unwrap();
    assert!(got == pattern(0, TOTAL), "stream data differs");

    // The client's data reaches the guest side.
    raw.send_raw(&stream_packet(
        serial,
        MessageStatus::CONTINUE,
        b"typed by the user\r",
    ));
    let mut buf = [0u8; 64];
    let mut heard = Vec::new();
    while heard.len() < 18 {
        let n = (&guest).read(&mut buf).unwrap();
        heard.extend_from_slice(&buf[..n]);
    }
    assert_eq!(heard, b"typed by the user\r");

    // The client's empty OK (virStreamFinish) is confirmed; the guest side is closed.
    raw.send_raw(&stream_packet(serial, MessageStatus::OK, &[]));
    let m = raw.read().unwrap();
    assert_stream(&m, serial, MessageStatus::OK);
    assert!(m.payload.is_empty());
    assert_eq!((&guest).read(&mut buf).unwrap(), 0, "guest side still open");

    // Packets for the ended stream are ignored; the connection still serves calls.
    raw.send_raw(&stream_packet(serial, MessageStatus::CONTINUE, b"late"));
    let serial2 = raw.call_raw_in(PROG, 2, &3u32.to_be_bytes());
    let reply = raw.read().unwrap();
    assert_eq!(
        (reply.header.serial, reply.header.msg_type),
        (serial2, MessageType::REPLY)
    );
}

#[test]
fn the_guest_side_closing_abort_and_disconnect_end_streams() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let f = Fixture::new("ends");
    let mut raw = Raw::connect(&f.path);

    // The guest side closes: the client gets the end (an empty CONTINUE, libvirt's
    // read EOF), and its own OK is confirmed.
    let (serial, guest) = open_stream(&mut raw);
    (&guest).write_all(b"bye").unwrap();
    drop(guest);
    let m = raw.read().unwrap();
    assert_stream(&m, serial, MessageStatus::CONTINUE);
    assert_eq!(m.payload, b"bye");
    let m = raw.read().unwrap();
    assert_stream(&m, serial, MessageStatus::CONTINUE);
    assert!(m.payload.is_empty());
    raw.send_raw(&stream_packet(serial, MessageStatus::OK, &[]));
    let m = raw.read().unwrap();
    assert_stream(&m, serial, MessageStatus::OK);

    // virStreamAbort (an empty ERROR) is confirmed too and closes the guest side.
    let (serial, guest) = open_stream(&mut raw);
    raw.send_raw(&stream_packet(serial, MessageStatus::ERROR, &[]));
    let m = raw.read().unwrap();
    assert_stream(&m, serial, MessageStatus::OK);
    let mut buf = [0u8; 8];
    assert_eq!((&guest).read(&mut buf).unwrap(), 0);

    // A stream of bytes larger than the window arrives whole, then its end.
    let serial = raw.call_raw_in(PROG, 2, &300_000u32.to_be_bytes());
    assert_eq!(raw.read().unwrap().header.msg_type, MessageType::REPLY);
    let mut got = Vec::new();
    loop {
        let m = raw.read().unwrap();
        assert_stream(&m, serial, MessageStatus::CONTINUE);
        if m.payload.is_empty() {
            break;
        }
        got.extend_from_slice(&m.payload);
    }
    assert!(got == pattern(0, 300_000));

    // The connection closing ends its streams: the guest side sees end of file.
    let (_, guest) = open_stream(&mut raw);
    drop(raw);
    assert_eq!((&guest).read(&mut buf).unwrap(), 0);
}
