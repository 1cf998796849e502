//! The agent connection against a stand-in agent on a UNIX socket, on rvirt's default
//! loop running in a thread of its own.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rvirt_core::ErrorCode;
use rvirt_core::event::{DefaultLoop, EventLoop, TimerInterval};
use serde_json::{Value, json};

use super::{Agent, Request};

/// A loop running on its own thread, quit and joined on drop.
struct Running(DefaultLoop, Option<JoinHandle<()>>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.quit();
        if let Some(t) = self.1.take() {
            t.join().unwrap();
        }
    }
}

/// A loop running on a thread of its own (`run`), or nobody's (the caller's thread
/// is then the loop's).
fn running_loop(run: bool) -> Running {
    let l = DefaultLoop::new().unwrap();
    if !run {
        return Running(l, None);
    }
    let runner = {
        let l = l.clone();
        std::thread::spawn(move || l.run().unwrap())
    };
    // Until its first iteration the loop counts any thread as its own.
    let deadline = Instant::now() + Duration::from_secs(5);
    while l.is_loop_thread() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(!l.is_loop_thread());
    Running(l, Some(runner))
}

/// An agent connected to a stand-in played by `agent` on the accepted stream.
fn stand_in(
    tag: &str,
    sync_timeout: Duration,
    run: bool,
    agent: impl FnOnce(UnixStream) + Send + 'static,
) -> (Running, Agent, JoinHandle<()>) {
    let dir = std::env::temp_dir().join(format!("rvirt-agent-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("org.qemu.guest_agent.0");
    let listener = UnixListener::bind(&path).unwrap();
    let peer = std::thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        agent(s);
    });
    let l = running_loop(run);
    let a = Agent::connect_with(&path, l.0.shared(), sync_timeout).unwrap();
    a.watch().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    (l, a, peer)
}

/// Reads one line the driver wrote; the sync's leading 0xFF is dropped.
fn read_line(r: &mut impl BufRead) -> Value {
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line).unwrap();
    let text = line.strip_prefix(&[0xFF]).unwrap_or(&line);
    serde_json::from_slice(text).unwrap()
}

fn ping() -> Value {
    json!({"execute": "guest-ping"})
}

fn request(command: &Value) -> Request<'_> {
    Request {
        command,
        timeout: Some(Duration::from_secs(5)),
        agent_timeout: None,
        resets_guest: false,
    }
}

#[test]
fn a_command_after_garbage_and_a_stale_sync_reply() {
    let (_l, agent, peer) = stand_in("ok", Duration::from_secs(5), true, answer_ping);
    let v = agent.command(request(&ping())).unwrap();
    assert_eq!(v, json!({"pong": true}));
    peer.join().unwrap();
}

/// The stand-in for a ping: junk, a stale handshake's reply, ours, then the reply.
fn answer_ping(s: UnixStream) {
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut w = s;
    let sync = read_line(&mut r);
    assert_eq!(sync["execute"], "guest-sync-delimited");
    let id = sync["arguments"]["id"].as_u64().unwrap();
    // Junk, a stale handshake's reply, then ours.
    w.write_all(b"{\"return\": {\"old\": 1}}\n\xff{\"return\": 1}\n")
        .unwrap();
    w.write_all(b"\x00junk\n").unwrap();
    w.write_all(&[0xFF]).unwrap();
    writeln!(w, "{{\"return\": {id}}}").unwrap();
    assert_eq!(read_line(&mut r), json!({"execute": "guest-ping"}));
    w.write_all(b"{\"return\": {\"pong\": true}}\n").unwrap();
}

#[test]
fn a_caller_on_the_loops_thread_does_the_loops_part() {
    // Nobody runs the loop: this thread is its thread, and must not wait for itself.
    let (l, agent, peer) = stand_in("inline", Duration::from_secs(5), false, answer_ping);
    assert!(l.0.is_loop_thread());
    let v = agent.command(request(&ping())).unwrap();
    assert_eq!(v, json!({"pong": true}));
    peer.join().unwrap();
}

#[test]
fn a_silent_agent_is_unresponsive_and_the_loop_runs_on() {
    let (l, agent, _peer) = stand_in("silent", Duration::from_millis(300), true, |s| {
        // Reads everything, answers nothing, until the driver lets go.
        let mut r = BufReader::new(s);
        let mut buf = Vec::new();
        while r.read_until(b'\n', &mut buf).unwrap_or(0) > 0 {}
    });
    let ticks = Arc::new(AtomicUsize::new(0));
    let t = ticks.clone();
    l.0.add_timeout(
        TimerInterval::Every(Duration::from_millis(10)),
        Box::new(move |_| {
            t.fetch_add(1, Ordering::Relaxed);
        }),
    )
    .unwrap();
    let started = Instant::now();
    let e = agent.command(request(&ping())).unwrap_err();
    let waited = started.elapsed();
    assert_eq!(e.code(), ErrorCode::AgentUnresponsive);
    assert_eq!(
        e.to_string(),
        "Guest agent is not responding: Guest agent not available for now"
    );
    assert!(waited >= Duration::from_millis(300) && waited < Duration::from_secs(3));
    // The loop kept ticking while the caller waited.
    assert!(ticks.load(Ordering::Relaxed) >= 10, "{ticks:?}");
    agent.close();
}

#[test]
fn the_response_timeout_counts_from_the_handshake_not_the_handshakes_bound() {
    // The agent syncs at once and answers the command 1.5 s later: a 300 ms response
    // timeout fails the command well before that (and long before the handshake's
    // own 5 s bound), a blocking one waits for the answer.
    for timeout in [Some(Duration::from_millis(300)), None] {
        let (_l, agent, peer) = stand_in("late", Duration::from_secs(5), true, |s| {
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut w = s;
            let id = read_line(&mut r)["arguments"]["id"].as_u64().unwrap();
            w.write_all(&[0xFF]).unwrap();
            writeln!(w, "{{\"return\": {id}}}").unwrap();
            read_line(&mut r);
            std::thread::sleep(Duration::from_millis(1500));
            let _ = w.write_all(b"{\"return\": {\"pong\": true}}\n");
        });
        let started = Instant::now();
        let cmd = ping();
        let got = agent.command(Request {
            command: &cmd,
            timeout,
            agent_timeout: timeout,
            resets_guest: false,
        });
        let waited = started.elapsed();
        if timeout.is_some() {
            let e = got.unwrap_err();
            assert_eq!(e.code(), ErrorCode::AgentUnresponsive);
            assert!(
                e.to_string().contains("Guest agent not available for now"),
                "{e}"
            );
            assert!(waited < Duration::from_millis(1200), "{waited:?}");
        } else {
            assert_eq!(got.unwrap(), json!({"pong": true}));
            assert!(waited >= Duration::from_millis(1500), "{waited:?}");
        }
        agent.close();
        peer.join().unwrap();
    }
}

#[test]
fn a_no_wait_domain_timeout_fails_at_once_and_the_agent_serves_the_next_command() {
    // The stand-in answers only the second command's handshake: the first, under a
    // domain timeout of 0 ("no wait"), sends nothing and fails at once.
    let (_l, agent, peer) = stand_in("nowait", Duration::from_secs(5), true, answer_ping);
    let cmd = ping();
    let started = Instant::now();
    let e = agent
        .command(Request {
            command: &cmd,
            timeout: Some(Duration::ZERO),
            agent_timeout: Some(Duration::ZERO),
            resets_guest: false,
        })
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(e.code(), ErrorCode::AgentUnresponsive);
    assert!(
        e.to_string()
            .contains("Guest agent is not responding: Guest agent not available for now"),
        "{e}"
    );
    assert_eq!(agent.command(request(&cmd)).unwrap(), json!({"pong": true}));
    peer.join().unwrap();
}

#[test]
fn a_refused_command_is_libvirts_internal_error() {
    let (_l, agent, peer) = stand_in("refused", Duration::from_secs(5), true, |s| {
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut w = s;
        let id = read_line(&mut r)["arguments"]["id"].as_u64().unwrap();
        w.write_all(&[0xFF]).unwrap();
        writeln!(w, "{{\"return\": {id}}}").unwrap();
        read_line(&mut r);
        w.write_all(b"{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command guest-x has not been found\"}}\n").unwrap();
    });
    let e = agent
        .command(request(&json!({"execute": "guest-x"})))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InternalError);
    assert!(
        e.to_string().contains(
            "unable to execute QEMU agent command 'guest-x': The command guest-x has not been found"
        ),
        "{e}"
    );
    peer.join().unwrap();
}

#[test]
fn an_agent_that_hangs_up_fails_the_command_unless_it_was_a_shutdown() {
    for resets_guest in [false, true] {
        let (_l, agent, peer) = stand_in("eof", Duration::from_secs(5), true, |s| {
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut w = s;
            let id = read_line(&mut r)["arguments"]["id"].as_u64().unwrap();
            w.write_all(&[0xFF]).unwrap();
            writeln!(w, "{{\"return\": {id}}}").unwrap();
            read_line(&mut r);
            // The guest goes away without an answer.
        });
        let cmd = json!({"execute": "guest-shutdown"});
        let got = agent.command(Request {
            command: &cmd,
            timeout: Some(Duration::from_secs(5)),
            agent_timeout: None,
            resets_guest,
        });
        peer.join().unwrap();
        if resets_guest {
            assert_eq!(got.unwrap(), json!({}));
        } else {
            let e = got.unwrap_err();
            assert_eq!(e.code(), ErrorCode::AgentUnresponsive);
            assert!(e.to_string().contains("Guest agent disconnected"), "{e}");
        }
    }
}

#[test]
fn a_flood_from_the_guest_is_dropped_and_the_next_command_works() {
    let (l, agent, peer) = stand_in("flood", Duration::from_secs(5), true, |s| {
        let mut w = s.try_clone().unwrap();
        // 8 MiB nobody asked for, read a bounded slice per loop iteration.
        for _ in 0..128 {
            w.write_all(&[b'x'; 64 * 1024]).unwrap();
        }
        answer_ping(s);
    });
    let ticks = Arc::new(AtomicUsize::new(0));
    let t = ticks.clone();
    l.0.add_timeout(
        TimerInterval::Every(Duration::from_millis(1)),
        Box::new(move |_| {
            t.fetch_add(1, Ordering::Relaxed);
        }),
    )
    .unwrap();
    let v = agent.command(request(&ping())).unwrap();
    assert_eq!(v, json!({"pong": true}));
    peer.join().unwrap();
    assert!(ticks.load(Ordering::Relaxed) > 0);
}
