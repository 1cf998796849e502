//! The domain commands: each prints what virsh prints, or returns virsh's error lines.

use std::io::Write;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rvirt_core::api::ListFlags;
use rvirt_core::{Connect, Domain, DomainEvent, DomainEventId};

use crate::output::{field, state_name, table};

/// Error lines, printed as `error: LINE` each.
pub type Failure = Vec<String>;

/// What a command returns.
pub type Outcome = Result<(), Failure>;

pub fn fail(context: String, e: &rvirt_core::Error) -> Failure {
    vec![context, e.to_string()]
}

/// virsh's bound on an XML file it reads (`VSH_MAX_XML_FILE`, 10 MiB).
const MAX_XML_FILE: u64 = 10 * 1024 * 1024;

/// Reads an XML (or other small) file named on the command line, as virsh does:
/// at most 10 MiB, an error line naming the file otherwise.
pub fn read_xml_file(file: &Path) -> Result<String, Failure> {
    let failed = |e: String| vec![format!("Failed to read file '{}': {e}", file.display())];
    let f = std::fs::File::open(file).map_err(|e| failed(e.to_string()))?;
    let mut text = String::new();
    let n = std::io::Read::read_to_string(&mut std::io::Read::take(f, MAX_XML_FILE + 1), &mut text)
        .map_err(|e| failed(e.to_string()))?;
    if n as u64 > MAX_XML_FILE {
        return Err(failed("file too large".into()));
    }
    Ok(text)
}

/// Resolves a domain argument like virsh: numeric → id, UUID-shaped → UUID, then name.
pub fn lookup(conn: &Connect, arg: &str) -> Result<Domain, Failure> {
    let by_id = arg
        .parse::<u32>()
        .ok()
        .and_then(|id| conn.lookup_domain_by_id(id).ok());
    let found = by_id
        .or_else(|| {
            (arg.len() == 36)
                .then(|| conn.lookup_domain_by_uuid_str(arg).ok())
                .flatten()
        })
        .or_else(|| conn.lookup_domain_by_name(arg).ok());
    found.ok_or_else(|| vec![format!("failed to get domain '{arg}'")])
}

/// `list [--all|--inactive]`.
pub fn list(conn: &Connect, all: bool, inactive: bool) -> Outcome {
    let flags = match (all, inactive) {
        (true, _) => ListFlags::ACTIVE | ListFlags::INACTIVE,
        (false, true) => ListFlags::INACTIVE,
        (false, false) => ListFlags::ACTIVE,
    };
    let doms = conn
        .list_all_domains(flags)
        .map_err(|e| fail("Failed to list domains".into(), &e))?;
    let mut rows: Vec<(Option<u32>, Vec<String>)> = Vec::new();
    for d in doms {
        // A domain that vanished meanwhile is skipped, as virsh does.
        let Ok(state) = d.state() else { continue };
        let id = d.id().map_or_else(|| "-".to_string(), |i| i.to_string());
        rows.push((
            d.id(),
            vec![id, d.name().to_string(), state_name(state.state()).into()],
        ));
    }
    // virsh: active domains by id first, then inactive ones by name.
    rows.sort_by(|a, b| match (a.0, b.0) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.1[1].cmp(&b.1[1]),
    });
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(_, r)| r).collect();
    print!("{}", table(&["Id", "Name", "State"], &rows));
    Ok(())
}

/// `dominfo DOMAIN`.
pub fn dominfo(conn: &Connect, arg: &str) -> Outcome {
    let d = lookup(conn, arg)?;
    let info = d
        .info()
        .map_err(|e| fail(format!("failed to get domain info for '{arg}'"), &e))?;
    let mut out = String::new();
    let id = d.id().map_or_else(|| "-".to_string(), |i| i.to_string());
    out += &field("Id", id);
    out += &field("Name", d.name());
    out += &field("UUID", d.uuid_string());
    out += &field("State", state_name(info.state));
    out += &field("CPU(s)", info.nr_virt_cpu);
    if info.cpu_time_ns != 0 {
        out += &field("CPU time", format!("{:.1}s", info.cpu_time_ns as f64 / 1e9));
    }
    out += &field("Max memory", format!("{} KiB", info.max_mem_kib));
    out += &field("Used memory", format!("{} KiB", info.memory_kib));
    let persistent = match d.is_persistent() {
        Ok(true) => "yes",
        Ok(false) => "no",
        Err(_) => "unknown",
    };
    out += &field("Persistent", persistent);
    if let Ok(a) = d.autostart() {
        out += &field("Autostart", if a { "enable" } else { "disable" });
    }
    println!("{out}");
    Ok(())
}

/// `dumpxml DOMAIN`.
pub fn dumpxml(conn: &Connect, arg: &str, inactive: bool) -> Outcome {
    let d = lookup(conn, arg)?;
    let xml = d
        .xml_desc(if inactive { 2 } else { 0 })
        .map_err(|e| vec![e.to_string()])?;
    crate::output::print_xml(&xml);
    Ok(())
}

/// `define FILE`.
pub fn define(conn: &Connect, file: &Path) -> Outcome {
    let xml = read_xml_file(file)?;
    let d = conn.define_xml(&xml).map_err(|e| {
        fail(
            format!("Failed to define domain from {}", file.display()),
            &e,
        )
    })?;
    println!("Domain '{}' defined from {}\n", d.name(), file.display());
    Ok(())
}

/// `start DOMAIN [--paused]`.
pub fn start(conn: &Connect, arg: &str, paused: bool) -> Outcome {
    let mut d = lookup(conn, arg)?;
    if d.id().is_some() {
        return Err(vec!["Domain is already active".into()]);
    }
    d.create_with_flags(u32::from(paused))
        .map_err(|e| fail(format!("Failed to start domain '{}'", d.name()), &e))?;
    println!("Domain '{}' started\n", d.name());
    Ok(())
}

/// The one-call commands `destroy`, `shutdown`, `suspend`, `resume` and `undefine`.
pub fn simple(conn: &Connect, arg: &str, what: &str) -> Outcome {
    let d = lookup(conn, arg)?;
    let (r, done) = match what {
        "destroy" => (d.destroy(), "destroyed"),
        "shutdown" => (d.shutdown(), "is being shutdown"),
        "suspend" => (d.suspend(), "suspended"),
        "resume" => (d.resume(), "resumed"),
        "undefine" => (d.undefine(), "has been undefined"),
        other => unreachable!("no command {other}"),
    };
    r.map_err(|e| fail(format!("Failed to {what} domain '{}'", d.name()), &e))?;
    println!("Domain '{}' {done}\n", d.name());
    Ok(())
}

/// `event [--loop] [--timeout SECS] [--domain D]`: lifecycle events as virsh prints them.
/// Callbacks run on the default loop's thread; this thread counts and times out.
pub fn event(
    conn: &Connect,
    repeat: bool,
    timeout: Option<u64>,
    domain: Option<&str>,
    name: &str,
) -> Outcome {
    if name != DomainEventId::Lifecycle.name() {
        return Err(vec![format!("unsupported event type '{name}'")]);
    }
    let filter = domain.map(|arg| lookup(conn, arg)).transpose()?;
    let (tx, rx) = mpsc::channel::<String>();
    let id = conn
        .domain_event_register_any(filter.as_ref(), DomainEventId::Lifecycle, move |d, ev| {
            if let DomainEvent::Lifecycle(l) = ev {
                let _ = tx.send(format!(
                    "event 'lifecycle' for domain '{}': {} {}",
                    d.name(),
                    l.event_name(),
                    l.detail_name()
                ));
            }
        })
        .map_err(|e| fail("failed to register event callback".into(), &e))?;
    let deadline = timeout.map(|s| Instant::now() + Duration::from_secs(s));
    let mut count = 0;
    let mut timed_out = false;
    loop {
        let wait = match deadline {
            Some(d) => d.saturating_duration_since(Instant::now()),
            None => Duration::from_secs(3600),
        };
        match rx.recv_timeout(wait) {
            Ok(line) => {
                say(&line);
                count += 1;
                if !repeat {
                    break;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) if deadline.is_some() => {
                timed_out = true;
                break;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    if timed_out {
        say("event loop timed out");
    }
    let _ = conn.domain_event_deregister_any(id);
    say(&format!("events received: {count}\n"));
    Ok(())
}

/// Prints a line and flushes, so a reader sees each event at once; a closed stdout is
/// not an error worth dying for.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}
