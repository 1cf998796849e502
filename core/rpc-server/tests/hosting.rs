//! A toy program hosted by the library on a real unix socket, driven by raw frames:
//! typed handlers and per-client state, the program's access check, void arguments,
//! and every answer the library gives by itself (unknown program, version and
//! procedure, bad payload, bad status, file descriptors, close after reply,
//! keepalive), plus the registry's view of clients and the state's disconnect hook.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use rvirt_core::event::{self, SharedLoop};
use rvirt_rpc::{
    FrameDecoder, Header, KEEPALIVE_PROGRAM, Message, MessageStatus, MessageType, RemoteError,
    keepalive_header, procs,
};
use rvirt_rpc_server::error::err;
use rvirt_rpc_server::listener::Listener;
use rvirt_rpc_server::output::OutputBudget;
use rvirt_rpc_server::workers::Pool;
use rvirt_rpc_server::{
    CallResult, ClientState, Ctx, Program, Programs, Registry, Server, Service, Transport,
    procedure,
};

const PROG: u32 = 0x2000_1234;
const OTHER: u32 = 0x2000_1235;

/// Per-client state: a running total, an unlock flag, and a count of disconnects
/// shared by the test.
struct Tally {
    total: u64,
    unlocked: bool,
    gone: Arc<AtomicUsize>,
}

impl ClientState for Tally {
    fn disconnected(&mut self) {
        self.gone.fetch_add(1, Ordering::SeqCst);
    }
}

/// The toy program's access rules.
#[derive(Debug, PartialEq)]
enum Rule {
    Anyone,
    Unlocked,
}

fn check(ctx: &Ctx<'_, Tally>, rule: &Rule) -> CallResult<()> {
    if *rule == Rule::Unlocked && !ctx.state().unlocked {
        return Err(err(55, 7, "locked"));
    }
    Ok(())
}

fn add(ctx: &Ctx<'_, Tally>, n: u32) -> CallResult<u64> {
    let mut t = ctx.state();
    t.total += u64::from(n);
    Ok(t.total)
}

fn unlock(ctx: &Ctx<'_, Tally>, (): ()) -> CallResult<()> {
    ctx.state().unlocked = true;
    Ok(())
}

fn secret(_: &Ctx<'_, Tally>, (): ()) -> CallResult<String> {
    Ok("42".into())
}

fn bye(ctx: &Ctx<'_, Tally>, (): ()) -> CallResult<()> {
    ctx.close_after_reply();
    Ok(())
}

static TOY: Program<Tally, Rule> = Program {
    name: "TOY",
    number: PROG,
    version: 1,
    procedures: &[
        procedure!(1, Rule::Anyone, add),
        procedure!(2, Rule::Anyone, unlock),
        procedure!(3, Rule::Unlocked, secret),
        procedure!(4, Rule::Anyone, bye),
    ],
    check,
    exclusive: &[],
};

/// A second program of the same server, sharing the state.
static PEEK: Program<Tally> = Program {
    name: "PEEK",
    number: OTHER,
    version: 1,
    procedures: &[procedure!(1, peek)],
    check: rvirt_rpc_server::allow_all,
    exclusive: &[],
};

fn peek(ctx: &Ctx<'_, Tally>, (): ()) -> CallResult<u64> {
    Ok(ctx.state().total)
}

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
    path: PathBuf,
    gone: Arc<AtomicUsize>,
    listener: Arc<Listener>,
}

impl Fixture {
    fn new(tag: &str) -> Fixture {
        let shared = shared_loop();
        let gone = Arc::new(AtomicUsize::new(0));
        let g = gone.clone();
        let programs = Programs::new(move |_| Tally {
            total: 0,
            unlocked: false,
            gone: g.clone(),
        })
        .with(TOY)
        .with(PEEK);
        let pool = Pool::new("toy", 1, 2).unwrap();
        let server = Server::new("toy", programs, pool, shared.clone(), 10, 0);
        let registry = Registry::new(shared, vec![server.clone()]);
        let path = std::env::temp_dir().join(format!("rpc-server-{tag}-{}", std::process::id()));
        let listener = Arc::new(Listener::bind_unix(&path, 0o600).unwrap());
        let service = Service {
            owner_only: true,
            ..Service::new("toy", Transport::Unix, OutputBudget::new(1 << 20))
        };
        registry.listen(&server, listener.clone(), service).unwrap();
        Fixture {
            registry,
            server,
            path,
            gone,
            listener,
        }
    }

    fn connect(&self) -> Peer {
        let sock = UnixStream::connect(&self.path).unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        Peer {
            sock,
            decoder: FrameDecoder::new(),
            serial: 0,
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.registry.shutdown();
        self.listener.remove_path();
    }
}

struct Peer {
    sock: UnixStream,
    decoder: FrameDecoder,
    serial: u32,
}

impl Peer {
    fn send(&mut self, header: Header, payload: &[u8]) -> u32 {
        let msg = Message {
            header,
            payload: payload.to_vec(),
        };
        self.sock.write_all(&msg.encode().unwrap()).unwrap();
        header.serial
    }

    fn call(&mut self, prog: u32, vers: u32, proc_: i32, payload: &[u8]) -> Message {
        self.serial += 1;
        let serial = self.send(Header::call(prog, vers, proc_, self.serial), payload);
        let reply = self.next().expect("a reply");
        assert_eq!(reply.header.serial, serial);
        reply
    }

    /// The next packet; `None` at end of file.
    fn next(&mut self) -> Option<Message> {
        let mut buf = [0u8; 4096];
        loop {
            if let Some(m) = self.decoder.next_message() {
                return Some(m);
            }
            let n = self.sock.read(&mut buf).unwrap();
            if n == 0 {
                return None;
            }
            self.decoder.feed(&buf[..n]).unwrap();
        }
    }
}

fn xdr<T: serde::Serialize>(v: &T) -> Vec<u8> {
    Message::with_body(Header::call(0, 0, 0, 0), v)
        .unwrap()
        .payload
}

fn ok<T: serde::de::DeserializeOwned>(m: &Message) -> T {
    assert_eq!(m.header.status, MessageStatus::OK, "{m:?}");
    assert_eq!(m.header.msg_type, MessageType::REPLY);
    m.decode_payload().unwrap()
}

fn error(m: &Message) -> (i32, i32, String) {
    assert_eq!(m.header.status, MessageStatus::ERROR);
    let e: RemoteError = m.decode_payload().unwrap();
    (e.code, e.domain, e.message.unwrap_or_default())
}

fn wait_for(what: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !what() {
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn typed_handlers_state_and_access() {
    let f = Fixture::new("typed");
    let mut a = f.connect();
    let mut b = f.connect();
    assert_eq!(ok::<u64>(&a.call(PROG, 1, 1, &xdr(&5u32))), 5);
    assert_eq!(ok::<u64>(&a.call(PROG, 1, 1, &xdr(&7u32))), 12);
    assert_eq!(ok::<u64>(&b.call(PROG, 1, 1, &xdr(&1u32))), 1);
    // The second program shares the first one's state.
    assert_eq!(ok::<u64>(&a.call(OTHER, 1, 1, &[])), 12);
    // The access rule, then the handler.
    assert_eq!(error(&a.call(PROG, 1, 3, &[])), (55, 7, "locked".into()));
    // Void arguments read nothing, whatever follows.
    ok::<()>(&a.call(PROG, 1, 2, &[0, 0, 0, 1]));
    assert_eq!(ok::<String>(&a.call(PROG, 1, 3, &[])), "42");
    assert_eq!(error(&b.call(PROG, 1, 3, &[])).2, "locked");

    let clients = f.registry.clients_of(&f.server);
    assert_eq!(clients.len(), 2);
    assert!(clients[0].id() < clients[1].id());
    assert_eq!(clients[0].state::<Tally>().unwrap().total, 12);
    assert!(clients[0].is_authenticated() && !clients[0].is_read_only());
    assert_eq!(f.server.limits().current, 2);
}

#[test]
fn what_the_library_answers_itself() {
    let f = Fixture::new("library");
    let mut c = f.connect();
    let rpc = |m: &str| (39, 7, m.to_string());
    assert_eq!(
        error(&c.call(0x2000_8086, 1, 1, &[])),
        rpc("Cannot find program 536903814 version 1")
    );
    assert_eq!(
        error(&c.call(PROG, 2, 1, &[])),
        rpc(&format!("Cannot find program {PROG} version 2"))
    );
    assert_eq!(
        error(&c.call(PROG, 1, 99, &[])),
        rpc("unknown procedure: 99")
    );
    assert_eq!(
        error(&c.call(PROG, 1, 1, &[1, 2])),
        rpc("Unable to decode message payload")
    );
    assert_eq!(
        error(&c.call(PROG, 1, 1, &[0, 0, 0, 1, 0, 0, 0, 2])),
        rpc("Unable to decode message payload")
    );
    c.serial += 1;
    let h = Header {
        status: MessageStatus::ERROR,
        ..Header::call(PROG, 1, 1, c.serial)
    };
    c.send(h, &xdr(&1u32));
    assert_eq!(
        error(&c.next().unwrap()),
        rpc("Unexpected message status 1")
    );
    c.serial += 1;
    let h = Header {
        msg_type: MessageType::CALL_WITH_FDS,
        ..Header::call(PROG, 1, 1, c.serial)
    };
    c.send(h, &xdr(&1u32));
    assert_eq!(error(&c.next().unwrap()), rpc("unknown procedure: 1"));
    // Keepalive is answered by the library, whatever the programs.
    c.send(keepalive_header(procs::keepalive::PING), &[]);
    let pong = c.next().unwrap();
    assert_eq!(
        (pong.header.prog, pong.header.proc_),
        (KEEPALIVE_PROGRAM, procs::keepalive::PONG)
    );
    // A reply-typed packet is ignored; the next call is still answered.
    c.send(
        Header {
            msg_type: MessageType::REPLY,
            ..Header::call(PROG, 1, 1, 77)
        },
        &[],
    );
    assert_eq!(ok::<u64>(&c.call(PROG, 1, 1, &xdr(&3u32))), 3);
}

#[test]
fn close_after_reply_and_disconnect_hook() {
    let f = Fixture::new("close");
    let mut c = f.connect();
    ok::<()>(&c.call(PROG, 1, 4, &[]));
    assert!(c.next().is_none(), "closed after the reply");
    wait_for(|| f.gone.load(Ordering::SeqCst) == 1);
    wait_for(|| f.registry.clients().is_empty());
    assert!(f.registry.idle_for().is_some());
    assert_eq!(f.server.limits().current, 0);

    let mut d = f.connect();
    ok::<u64>(&d.call(PROG, 1, 1, &xdr(&1u32)));
    let client = f.registry.clients().pop().unwrap();
    client.close();
    assert!(d.next().is_none());
    assert_eq!(f.gone.load(Ordering::SeqCst), 2);
    assert!(f.registry.client_of(&f.server, client.id()).is_none());
}
