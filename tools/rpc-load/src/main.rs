//! `rvirt-rpc-load`: drives a libvirt-protocol daemon (rvirtd or libvirtd) over its unix
//! socket with many concurrent clients, and prints one `key=value` line per run.
//!
//! ```text
//! rvirt-rpc-load calls     SOCKET CLIENTS CALLS      lookups + GET_INFO, CALLS per client
//! rvirt-rpc-load lifecycle SOCKET CLIENTS SECONDS    define, then create/suspend/resume/destroy
//!                                                    cycles until SECONDS pass, then undefine
//! rvirt-rpc-load fanout    SOCKET SUBSCRIBERS EVENTS lifecycle event delivery to every subscriber
//! rvirt-rpc-load stats     SOCKET DOMAINS CALLS      define DOMAINS (start every other one), then
//!                                                    4 clients x CALLS GET_ALL_DOMAIN_STATS
//!                                                    (every group the driver has), then undefine
//! ```
//! The URI opened on the daemon is `$RPC_LOAD_URI` (default `test:///default`).

mod client;
mod stats;

use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use client::{CallError, Client};
use rvirt_rpc::{RemoteNonnullDomain, procs, types};
use stats::{Latencies, report};

fn usage() -> ! {
    eprintln!(
        "usage: rvirt-rpc-load calls|lifecycle|fanout|stats SOCKET N M\n  calls SOCKET CLIENTS CALLS | lifecycle SOCKET CLIENTS SECONDS | fanout SOCKET SUBSCRIBERS EVENTS | stats SOCKET DOMAINS CALLS"
    );
    std::process::exit(2)
}

fn uri() -> String {
    std::env::var("RPC_LOAD_URI").unwrap_or_else(|_| "test:///default".into())
}

fn domain_xml(name: &str) -> String {
    format!(
        "<domain type='test'><name>{name}</name><memory unit='KiB'>8192</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>"
    )
}

fn lookup(c: &mut Client, name: &str) -> Result<RemoteNonnullDomain, CallError> {
    let r: types::DomainRet = c.call(
        procs::DOMAIN_LOOKUP_BY_NAME,
        &types::DomainLookupByNameArgs { name: name.into() },
    )?;
    Ok(r.dom)
}

fn define(c: &mut Client, name: &str) -> Result<RemoteNonnullDomain, CallError> {
    let r: types::DomainRet = c.call(
        procs::DOMAIN_DEFINE_XML,
        &types::DomainDefineXmlArgs {
            xml: domain_xml(name),
        },
    )?;
    Ok(r.dom)
}

fn dom_call(c: &mut Client, proc_: i32, dom: &RemoteNonnullDomain) -> Result<(), CallError> {
    c.call(proc_, &types::DomainArgs { dom: dom.clone() })
}

/// Per-thread result: latencies, error count, first error text.
type Outcome = (Vec<Duration>, u64, Option<String>);

/// Runs `work` on `n` threads started together; prints the aggregate.
fn run_clients(
    mode: &str,
    n: usize,
    work: impl Fn(usize, &mut Vec<Duration>) -> Result<(), CallError> + Send + Sync + 'static,
) {
    let work = Arc::new(work);
    let barrier = Arc::new(Barrier::new(n + 1));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (work, barrier) = (work.clone(), barrier.clone());
            std::thread::spawn(move || -> Outcome {
                let mut lat = Vec::new();
                barrier.wait();
                match work(i, &mut lat) {
                    Ok(()) => (lat, 0, None),
                    Err(e) => (lat, 1, Some(e.to_string())),
                }
            })
        })
        .collect();
    barrier.wait();
    let t = Instant::now();
    let mut all = Latencies::default();
    let (mut errors, mut first) = (0, None);
    for h in handles {
        let (lat, e, msg) = h.join().expect("client thread panicked");
        all.0.extend(lat);
        errors += e;
        first = first.or(msg);
    }
    let secs = t.elapsed().as_secs_f64();
    let calls = all.0.len();
    report(&[
        ("mode", mode.into()),
        ("clients", n.to_string()),
        ("calls", calls.to_string()),
        ("seconds", format!("{secs:.3}")),
        ("calls_per_sec", format!("{:.0}", calls as f64 / secs)),
        ("p50_us", all.percentile_us(50.0).to_string()),
        ("p99_us", all.percentile_us(99.0).to_string()),
        ("errors", errors.to_string()),
        ("first_error", format!("{:?}", first.unwrap_or_default())),
    ]);
}

/// Times one call into `lat`.
fn timed<T>(
    lat: &mut Vec<Duration>,
    f: impl FnOnce() -> Result<T, CallError>,
) -> Result<T, CallError> {
    let t = Instant::now();
    let r = f();
    lat.push(t.elapsed());
    r
}

fn calls(socket: String, clients: usize, per_client: usize) {
    run_clients("calls", clients, move |_, lat| {
        let mut c = Client::open(&socket, &uri())?;
        let dom = lookup(&mut c, "test")?;
        for i in 0..per_client {
            if i % 2 == 0 {
                timed(lat, || lookup(&mut c, "test"))?;
            } else {
                timed(lat, || {
                    c.call::<_, types::DomainGetInfoRet>(
                        procs::DOMAIN_GET_INFO,
                        &types::DomainArgs { dom: dom.clone() },
                    )
                })?;
            }
        }
        Ok(())
    });
}

fn lifecycle(socket: String, clients: usize, seconds: u64) {
    let tag = std::process::id();
    run_clients("lifecycle", clients, move |i, lat| {
        let mut c = Client::open(&socket, &uri())?;
        let dom = timed(lat, || define(&mut c, &format!("load-{tag}-{i}")))?;
        let until = Instant::now() + Duration::from_secs(seconds);
        while Instant::now() < until {
            for p in [
                procs::DOMAIN_CREATE,
                procs::DOMAIN_SUSPEND,
                procs::DOMAIN_RESUME,
                procs::DOMAIN_DESTROY,
            ] {
                timed(lat, || dom_call(&mut c, p, &dom))?;
            }
        }
        timed(lat, || dom_call(&mut c, procs::DOMAIN_UNDEFINE, &dom))
    });
}

fn fanout(socket: String, subscribers: usize, events: usize) {
    let uri = uri();
    let ready = Arc::new(Barrier::new(subscribers + 1));
    let sent: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let subs: Vec<_> = (0..subscribers)
        .map(|_| {
            let (socket, uri, ready) = (socket.clone(), uri.clone(), ready.clone());
            std::thread::spawn(move || -> Result<Vec<Instant>, CallError> {
                let mut c = Client::open(&socket, &uri)?;
                let _: types::ConnectDomainEventCallbackRegisterAnyRet = c.call(
                    procs::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                    &types::ConnectDomainEventCallbackRegisterAnyArgs {
                        event_id: 0,
                        dom: None,
                    },
                )?;
                ready.wait();
                // DEFINED first, then one event per lifecycle call.
                (0..=events).map(|_| c.wait_event()).collect()
            })
        })
        .collect();
    ready.wait();
    let mut driver = Client::open(&socket, &uri).expect("driver client");
    let name = format!("fanout-{}", std::process::id());
    let dom = define(&mut driver, &name).expect("define");
    // Let DEFINED reach everyone before timing the lifecycle events.
    std::thread::sleep(Duration::from_millis(200));
    for i in 0..events {
        let p = if i % 2 == 0 {
            procs::DOMAIN_CREATE
        } else {
            procs::DOMAIN_DESTROY
        };
        sent.lock().unwrap().push(Instant::now());
        dom_call(&mut driver, p, &dom).expect("lifecycle call");
        std::thread::sleep(Duration::from_millis(5));
    }
    let sent = sent.lock().unwrap().clone();
    let mut lat = Latencies::default();
    let (mut delivered, mut failed) = (0usize, 0usize);
    for s in subs {
        match s.join().expect("subscriber panicked") {
            Ok(arrivals) => {
                for (k, at) in arrivals.iter().skip(1).enumerate() {
                    if let Some(t0) = sent.get(k) {
                        lat.0.push(at.saturating_duration_since(*t0));
                        delivered += 1;
                    }
                }
            }
            Err(_) => failed += 1,
        }
    }
    if events % 2 == 1 {
        let _ = dom_call(&mut driver, procs::DOMAIN_DESTROY, &dom);
    }
    let _ = dom_call(&mut driver, procs::DOMAIN_UNDEFINE, &dom);
    report(&[
        ("mode", "fanout".into()),
        ("subscribers", subscribers.to_string()),
        ("events", events.to_string()),
        ("delivered", delivered.to_string()),
        ("failed_subscribers", failed.to_string()),
        ("p50_us", lat.percentile_us(50.0).to_string()),
        ("p99_us", lat.percentile_us(99.0).to_string()),
    ]);
}

/// Clients issuing GET_ALL_DOMAIN_STATS at once in [`stats`].
const STATS_CLIENTS: usize = 4;

fn stats(socket: String, domains: usize, per_client: usize) {
    let tag = std::process::id();
    let mut setup = Client::open(&socket, &uri()).expect("setup client");
    let doms: Vec<_> = (0..domains)
        .map(|i| {
            let d = define(&mut setup, &format!("stats-{tag}-{i}")).expect("define");
            if i % 2 == 0 {
                dom_call(&mut setup, procs::DOMAIN_CREATE, &d).expect("create");
            }
            d
        })
        .collect();
    run_clients("stats", STATS_CLIENTS, move |_, lat| {
        let mut c = Client::open(&socket, &uri())?;
        let args = rvirt_rpc::monitoring::ConnectGetAllDomainStatsArgs {
            doms: Vec::new(),
            stats: 0,
            flags: 0,
        };
        for _ in 0..per_client {
            let r: rvirt_rpc::monitoring::ConnectGetAllDomainStatsRet =
                timed(lat, || c.call(procs::CONNECT_GET_ALL_DOMAIN_STATS, &args))?;
            if r.ret_stats.len() < domains {
                return Err(CallError::Protocol(format!(
                    "{} records for {domains} domains",
                    r.ret_stats.len()
                )));
            }
        }
        Ok(())
    });
    for (i, d) in doms.iter().enumerate() {
        if i % 2 == 0 {
            let _ = dom_call(&mut setup, procs::DOMAIN_DESTROY, d);
        }
        let _ = dom_call(&mut setup, procs::DOMAIN_UNDEFINE, d);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, socket, n, m] = args.as_slice() else {
        usage()
    };
    let (Ok(n), Ok(m)) = (n.parse::<usize>(), m.parse::<usize>()) else {
        usage()
    };
    match mode.as_str() {
        "calls" => calls(socket.clone(), n, m),
        "lifecycle" => lifecycle(socket.clone(), n, m as u64),
        "fanout" => fanout(socket.clone(), n, m),
        "stats" => stats(socket.clone(), n, m),
        _ => usage(),
    }
}
