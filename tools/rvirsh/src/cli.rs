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
    /// List networks (active ones unless --all).
    #[command(name = "net-list")]
    NetList {
        /// Inactive networks too.
        #[arg(long)]
        all: bool,
    },
    /// Network information.
    #[command(name = "net-info")]
    NetInfo {
        /// Network name or UUID.
        network: String,
    },
    /// Network XML.
    #[command(name = "net-dumpxml")]
    NetDumpxml {
        /// Network name or UUID.
        network: String,
        /// The persistent definition rather than the live one.
        #[arg(long)]
        inactive: bool,
    },
    /// Define (but do not start) a network from an XML file.
    #[command(name = "net-define")]
    NetDefine {
        /// XML file.
        file: PathBuf,
    },
    /// Start a defined network.
    #[command(name = "net-start")]
    NetStart {
        /// Network name or UUID.
        network: String,
    },
    /// Stop a network.
    #[command(name = "net-destroy")]
    NetDestroy {
        /// Network name or UUID.
        network: String,
    },
    /// Remove a network's persistent definition.
    #[command(name = "net-undefine")]
    NetUndefine {
        /// Network name or UUID.
        network: String,
    },
    /// Mark a network to start with the host (or not, with --disable).
    #[command(name = "net-autostart")]
    NetAutostart {
        /// Network name or UUID.
        network: String,
        /// Unmark it.
        #[arg(long)]
        disable: bool,
    },
    /// A network's DHCP leases.
    #[command(name = "net-dhcp-leases")]
    NetDhcpLeases {
        /// Network name or UUID.
        network: String,
        /// Only the leases of this MAC address.
        #[arg(long)]
        mac: Option<String>,
    },
    /// List storage pools (active ones unless --all).
    #[command(name = "pool-list")]
    PoolList {
        /// Inactive pools too.
        #[arg(long)]
        all: bool,
    },
    /// Storage pool information.
    #[command(name = "pool-info")]
    PoolInfo {
        /// Pool name or UUID.
        pool: String,
    },
    /// Storage pool XML.
    #[command(name = "pool-dumpxml")]
    PoolDumpxml {
        /// Pool name or UUID.
        pool: String,
        /// The persistent definition rather than the live one.
        #[arg(long)]
        inactive: bool,
    },
    /// Define (but do not start) a storage pool from an XML file.
    #[command(name = "pool-define")]
    PoolDefine {
        /// XML file.
        file: PathBuf,
    },
    /// Start a defined storage pool.
    #[command(name = "pool-start")]
    PoolStart {
        /// Pool name or UUID.
        pool: String,
    },
    /// Stop a storage pool.
    #[command(name = "pool-destroy")]
    PoolDestroy {
        /// Pool name or UUID.
        pool: String,
    },
    /// Remove a storage pool's persistent definition.
    #[command(name = "pool-undefine")]
    PoolUndefine {
        /// Pool name or UUID.
        pool: String,
    },
    /// Rescan a storage pool's volumes.
    #[command(name = "pool-refresh")]
    PoolRefresh {
        /// Pool name or UUID.
        pool: String,
    },
    /// List a pool's volumes.
    #[command(name = "vol-list")]
    VolList {
        /// Pool name or UUID.
        pool: String,
    },
    /// Storage volume information.
    #[command(name = "vol-info")]
    VolInfo {
        /// Volume name (with --pool), key or path.
        vol: String,
        /// The volume's pool.
        #[arg(long)]
        pool: Option<String>,
    },
    /// Storage volume XML.
    #[command(name = "vol-dumpxml")]
    VolDumpxml {
        /// Volume name (with --pool), key or path.
        vol: String,
        /// The volume's pool.
        #[arg(long)]
        pool: Option<String>,
    },
    /// Create a volume from a name and a size.
    #[command(name = "vol-create-as")]
    VolCreateAs {
        /// Pool name or UUID.
        pool: String,
        /// The new volume's name.
        name: String,
        /// Its capacity (bytes, or with a suffix: k, M, G, T, KB, MiB…).
        capacity: String,
        /// Bytes to allocate now.
        #[arg(long)]
        allocation: Option<String>,
        /// Its format (`raw`, `qcow2`…).
        #[arg(long)]
        format: Option<String>,
    },
    /// Delete a storage volume.
    #[command(name = "vol-delete")]
    VolDelete {
        /// Volume name (with --pool), key or path.
        vol: String,
        /// The volume's pool.
        #[arg(long)]
        pool: Option<String>,
    },
    /// List secrets.
    #[command(name = "secret-list")]
    SecretList,
    /// Define a secret from an XML file.
    #[command(name = "secret-define")]
    SecretDefine {
        /// XML file.
        file: PathBuf,
    },
    /// Secret XML.
    #[command(name = "secret-dumpxml")]
    SecretDumpxml {
        /// Secret UUID.
        secret: String,
    },
    /// Set a secret's value.
    #[command(name = "secret-set-value")]
    SecretSetValue {
        /// Secret UUID.
        secret: String,
        /// The value, base64 encoded.
        base64: Option<String>,
        /// Read the value (base64 encoded unless --plain) from this file.
        #[arg(long)]
        file: Option<PathBuf>,
        /// The file holds the value itself, not base64.
        #[arg(long)]
        plain: bool,
    },
    /// Print a secret's value, base64 encoded.
    #[command(name = "secret-get-value")]
    SecretGetValue {
        /// Secret UUID.
        secret: String,
        /// Print the value itself.
        #[arg(long)]
        plain: bool,
    },
    /// Delete a secret.
    #[command(name = "secret-undefine")]
    SecretUndefine {
        /// Secret UUID.
        secret: String,
    },
}
