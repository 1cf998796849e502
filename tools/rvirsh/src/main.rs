//! rvirsh: a small virsh-like command line over the rvirt API.
//!
//! Works with any URI rvirt can open: local drivers in-process (`test:///default`,
//! `qemu:///embed?root=…`) and daemons through the remote driver
//! (`test+unix:///default?socket=…`, `qemu+unix:///system`, `+tcp`). Like virsh, it runs
//! the default event loop on a background thread, so events and keepalive work.

mod cli;
mod commands;
mod console;
mod dispatch_host;
mod networks;
mod output;
mod pools;
mod secrets;
mod volume_cmds;
mod volumes;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use rvirt_core::{Connect, OpenOptions};

use crate::cli::{Cli, Command};
use crate::commands::Outcome;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = run(&cli);
    let _ = std::io::stdout().flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(lines) => {
            for l in lines {
                eprintln!("error: {l}");
            }
            ExitCode::FAILURE
        }
    }
}

fn setup() -> Result<(), rvirt_core::Error> {
    rvirt_driver_test::register()?;
    rvirt_driver_qemu::register()?;
    rvirt_driver_remote::register()?;
    // virsh's defaults (-k 5 -K 6): PING a silent daemon every 5 s, give up after 6.
    rvirt_driver_remote::set_keepalive(Some((std::time::Duration::from_secs(5), 6)));
    let default = rvirt_core::event::register_default()?;
    std::thread::Builder::new()
        .name("rvirsh-events".into())
        .spawn(move || {
            let _ = default.run();
        })
        .map_err(|e| {
            rvirt_core::Error::internal(
                rvirt_core::ErrorDomain::None,
                format!("cannot start the event loop thread: {e}"),
            )
        })?;
    Ok(())
}

fn run(cli: &Cli) -> Outcome {
    setup().map_err(|e| vec![e.to_string()])?;
    let uri = cli
        .uri
        .clone()
        .or_else(|| std::env::var("LIBVIRT_DEFAULT_URI").ok())
        .unwrap_or_else(|| "test:///default".into());
    let options = OpenOptions {
        read_only: cli.read_only,
        ..OpenOptions::default()
    };
    let conn = Connect::open_with(&uri, options)
        .map_err(|e| vec!["failed to connect to the hypervisor".into(), e.to_string()])?;
    let r = dispatch(&conn, &cli.command);
    let _ = conn.close();
    r
}

fn dispatch(conn: &Connect, command: &Command) -> Outcome {
    match command {
        Command::List { all, inactive } => commands::list(conn, *all, *inactive),
        Command::Dominfo { domain } => commands::dominfo(conn, domain),
        Command::Dumpxml { domain, inactive } => commands::dumpxml(conn, domain, *inactive),
        Command::Define { file } => commands::define(conn, file),
        Command::Undefine { domain } => commands::simple(conn, domain, "undefine"),
        Command::Start { domain, paused } => commands::start(conn, domain, *paused),
        Command::Shutdown { domain } => commands::simple(conn, domain, "shutdown"),
        Command::Destroy { domain } => commands::simple(conn, domain, "destroy"),
        Command::Suspend { domain } => commands::simple(conn, domain, "suspend"),
        Command::Resume { domain } => commands::simple(conn, domain, "resume"),
        Command::Event {
            repeat,
            timeout,
            domain,
            event,
        } => commands::event(conn, *repeat, *timeout, domain.as_deref(), event),
        Command::Console {
            domain,
            devname,
            force,
        } => console::console(conn, domain, devname.as_deref(), *force),
        Command::Screenshot {
            domain,
            file,
            screen,
        } => console::screenshot(conn, domain, file.as_ref(), *screen),
        Command::VolUpload {
            vol,
            file,
            pool,
            offset,
            length,
            sparse,
        } => {
            let span = volumes::Span {
                offset: *offset,
                length: *length,
                sparse: *sparse,
            };
            volumes::upload(conn, vol, file, pool.as_deref(), span)
        }
        Command::VolDownload {
            vol,
            file,
            pool,
            offset,
            length,
            sparse,
        } => {
            let span = volumes::Span {
                offset: *offset,
                length: *length,
                sparse: *sparse,
            };
            volumes::download(conn, vol, file, pool.as_deref(), span)
        }
        other => dispatch_host::dispatch(conn, other),
    }
}
