//! Command-line syntax (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// A small virsh-like tool over the rvirt API.
#[derive(Debug, Parser)]
#[command(name = "rvirsh", version)]
pub struct Cli {
    /// Connection URI (default: `$LIBVIRT_DEFAULT_URI`, else `test:///default`).
    #[arg(short = 'c', long = "connect", value_name = "URI")]
    pub uri: Option<String>,
    /// Open the connection read-only.
    #[arg(short = 'r', long = "readonly")]
    pub read_only: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// rvirsh's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List domains (active ones unless --all / --inactive).
    List {
        /// Active and inactive domains.
        #[arg(long)]
        all: bool,
        /// Inactive domains only.
        #[arg(long)]
        inactive: bool,
    },
    /// Domain information.
    Dominfo {
        /// Domain name, id or UUID.
        domain: String,
    },
    /// Domain XML.
    Dumpxml {
        /// Domain name, id or UUID.
        domain: String,
        /// The persistent definition rather than the live one.
        #[arg(long)]
        inactive: bool,
    },
    /// Define (but do not start) a domain from an XML file.
    Define {
        /// XML file.
        file: PathBuf,
    },
    /// Remove a domain's persistent definition.
    Undefine {
        /// Domain name, id or UUID.
        domain: String,
    },
    /// Start a defined domain.
    Start {
        /// Domain name, id or UUID.
        domain: String,
        /// Leave the guest paused.
        #[arg(long)]
        paused: bool,
    },
    /// Ask a domain to shut down.
    Shutdown {
        /// Domain name, id or UUID.
        domain: String,
    },
    /// Stop a domain at once.
    Destroy {
        /// Domain name, id or UUID.
        domain: String,
    },
    /// Pause a domain.
    Suspend {
        /// Domain name, id or UUID.
        domain: String,
    },
    /// Resume a paused domain.
    Resume {
        /// Domain name, id or UUID.
        domain: String,
    },
    /// Wait for lifecycle events and print them.
    Event {
        /// Keep waiting after the first event.
        #[arg(long = "loop")]
        repeat: bool,
        /// Stop after this many seconds.
        #[arg(long, value_name = "SECS")]
        timeout: Option<u64>,
        /// Only events of this domain.
        #[arg(long)]
        domain: Option<String>,
        /// Event name; only `lifecycle` is supported.
        #[arg(long, default_value = "lifecycle")]
        event: String,
    },
    /// Connect to a domain's console (Ctrl+] leaves).
    Console {
        /// Domain name, id or UUID.
        domain: String,
        /// The console's alias (`serial0`, `console0`).
        #[arg(long)]
        devname: Option<String>,
        /// Take over an active console session.
        #[arg(long)]
        force: bool,
    },
    /// Take a screenshot of a domain's screen.
    Screenshot {
        /// Domain name, id or UUID.
        domain: String,
        /// Where to save it (default: DOMAIN-DATE.EXT).
        file: Option<PathBuf>,
        /// The screen (head) number.
        #[arg(long, default_value_t = 0)]
        screen: u32,
    },
    /// Upload a file into a storage volume.
    #[command(name = "vol-upload")]
    VolUpload {
        /// Volume name (with --pool), key or path.
        vol: String,
        /// The file to upload.
        file: PathBuf,
        /// The volume's pool.
        #[arg(long)]
        pool: Option<String>,
        /// Volume offset to start at.
        #[arg(long, default_value_t = 0)]
        offset: u64,
        /// Bytes to upload (0: all).
        #[arg(long, default_value_t = 0)]
        length: u64,
        /// Send the file's holes as holes.
        #[arg(long)]
        sparse: bool,
    },
    /// Download a storage volume into a file.
    #[command(name = "vol-download")]
    VolDownload {
        /// Volume name (with --pool), key or path.
        vol: String,
        /// The file to write.
        file: PathBuf,
        /// The volume's pool.
        #[arg(long)]
        pool: Option<String>,
        /// Volume offset to start at.
        #[arg(long, default_value_t = 0)]
        offset: u64,
        /// Bytes to download (0: to the end).
        #[arg(long, default_value_t = 0)]
        length: u64,
        /// Keep the volume's holes as holes in the file.
        #[arg(long)]
        sparse: bool,
    },
}
