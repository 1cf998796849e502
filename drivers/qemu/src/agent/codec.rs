//! The sans-io agent codec: one command at a time, each behind a sync handshake.
//!
//! The agent speaks QMP-like JSON lines but has no ids and no greeting; whatever a
//! previous, abandoned command left in the channel may still arrive. So every command
//! starts with a 0xFF byte (the agent's JSON parser resets on it) and
//! `{"execute":"guest-sync-delimited","arguments":{"id":N}}` with a fresh random `N`.
//! The agent answers with its own 0xFF, then `{"return": N}`. Everything before that
//! delimiter is stale and dropped; a sync reply with another id is a stale handshake
//! and dropped too (the codec waits for the next delimiter). Once synced, the command
//! goes out and the next line is its reply.

use serde_json::{Map, Value};

/// Largest reply line accepted: 8 MiB (a larger one fails the command).
pub const DEFAULT_MAX_REPLY: usize = 8 * 1024 * 1024;

/// The agent's delimiter byte (never part of UTF-8 text).
const DELIMITER: u8 = 0xFF;

/// What the codec waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    /// No command: incoming bytes are stale and dropped.
    Idle,
    /// The handshake of sync id `id` is out; `delimited` once its 0xFF arrived.
    Syncing {
        id: u64,
        delimited: bool,
        command: Vec<u8>,
    },
    /// The command is out; the next line is its reply.
    Command,
}

/// What decoding produced.
#[derive(Debug, Clone, PartialEq)]
pub enum AgentOutput {
    /// The handshake completed: write these bytes (the command).
    Synced(Vec<u8>),
    /// The command succeeded with this `return` value.
    Return(Value),
    /// The agent refused the command (`{"error": {"class", "desc"}}`).
    Error {
        /// The error class, e.g. `CommandNotFound`.
        class: String,
        /// The agent's description.
        desc: String,
    },
    /// The exchange failed; the codec is idle again.
    Failed(AgentError),
}

/// Why an exchange failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentError {
    /// The sync reply after the delimiter was not `{"return": ID}`.
    Unsynced(String),
    /// A reply line longer than the limit.
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A reply that is not a JSON object with `return` or `error`.
    Invalid(String),
}

impl std::fmt::Display for AgentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AgentError::Unsynced(why) => write!(f, "guest-sync-delimited failed: {why}"),
            AgentError::TooLarge { limit } => {
                write!(f, "reply from the guest agent is larger than {limit} bytes")
            }
            AgentError::Invalid(why) => write!(f, "unexpected reply from the guest agent: {why}"),
        }
    }
}

/// The incremental agent codec: [`begin`](Self::begin) a command, write the bytes it
/// returns, [`feed`](Self::feed) what the socket produced and drain
/// [`next_output`](Self::next_output) until `None`.
///
/// ```
/// use rvirt_driver_qemu::agent::{AgentCodec, AgentOutput};
///
/// let mut codec = AgentCodec::new();
/// let hello = codec.begin(42, "guest-ping", None);
/// assert_eq!(hello[0], 0xFF);
/// codec.feed(b"stale}\n\xff{\"return\": 42}\n");
/// let Some(AgentOutput::Synced(cmd)) = codec.next_output() else { panic!() };
/// assert_eq!(cmd, b"{\"execute\":\"guest-ping\"}\n");
/// codec.feed(b"{\"return\": {}}\n");
/// assert_eq!(codec.next_output(), Some(AgentOutput::Return(serde_json::json!({}))));
/// assert!(codec.is_idle());
/// ```
#[derive(Debug)]
pub struct AgentCodec {
    buf: Vec<u8>,
    max_reply: usize,
    phase: Phase,
}

impl Default for AgentCodec {
    fn default() -> Self {
        Self::new()
    }
}

/// One JSON line: `{"execute": name, "arguments": args}` and a newline.
fn command_line(execute: &str, arguments: Option<Value>) -> Vec<u8> {
    let mut obj = Map::new();
    obj.insert("execute".into(), Value::String(execute.to_owned()));
    if let Some(args) = arguments {
        obj.insert("arguments".into(), args);
    }
    let mut bytes = Value::Object(obj).to_string().into_bytes();
    bytes.push(b'\n');
    bytes
}

impl AgentCodec {
    /// A codec with the [`DEFAULT_MAX_REPLY`] limit.
    pub fn new() -> Self {
        Self::with_max_reply(DEFAULT_MAX_REPLY)
    }

    /// A codec failing replies longer than `max_reply` bytes.
    pub fn with_max_reply(max_reply: usize) -> Self {
        AgentCodec {
            buf: Vec::new(),
            max_reply: max_reply.max(16),
            phase: Phase::Idle,
        }
    }

    /// True when no command is in flight.
    pub fn is_idle(&self) -> bool {
        self.phase == Phase::Idle
    }

    /// True once the handshake of the command in flight completed.
    pub fn is_synced(&self) -> bool {
        self.phase == Phase::Command
    }

    /// Starts `execute` with sync id `sync_id` (random, fresh for each command),
    /// abandoning any exchange in flight; returns the handshake's bytes to write. The
    /// command itself comes out as [`AgentOutput::Synced`].
    pub fn begin(&mut self, sync_id: u64, execute: &str, arguments: Option<Value>) -> Vec<u8> {
        self.begin_line(sync_id, command_line(execute, arguments))
    }

    /// [`begin`](Self::begin) for a whole command object given by an application
    /// (`virDomainQemuAgentCommand`), sent as one line.
    pub fn begin_json(&mut self, sync_id: u64, command: &Value) -> Vec<u8> {
        let mut line = command.to_string().into_bytes();
        line.push(b'\n');
        self.begin_line(sync_id, line)
    }

    fn begin_line(&mut self, sync_id: u64, command: Vec<u8>) -> Vec<u8> {
        self.buf.clear();
        self.phase = Phase::Syncing {
            id: sync_id,
            delimited: false,
            command,
        };
        let mut out = vec![DELIMITER];
        out.extend(command_line(
            "guest-sync-delimited",
            Some(serde_json::json!({ "id": sync_id })),
        ));
        out
    }

    /// Abandons the exchange in flight (a timeout): what still arrives for it is
    /// dropped.
    pub fn cancel(&mut self) {
        self.buf.clear();
        self.phase = Phase::Idle;
    }

    /// Appends bytes read from the agent's socket. Bytes nobody waits for are dropped
    /// at once, and a line past the limit is never buffered beyond it.
    pub fn feed(&mut self, bytes: &[u8]) {
        match &mut self.phase {
            Phase::Idle => {}
            Phase::Syncing {
                delimited: false, ..
            } => {
                if let Some(at) = bytes.iter().rposition(|&b| b == DELIMITER) {
                    self.buf.clear();
                    if let Phase::Syncing { delimited, .. } = &mut self.phase {
                        *delimited = true;
                    }
                    self.append(&bytes[at + 1..]);
                }
            }
            _ => self.append(bytes),
        }
    }

    fn append(&mut self, bytes: &[u8]) {
        // Room for the limit, its newline and a following line's start: beyond that the
        // line is too long whatever follows.
        let room = (self.max_reply + 2).saturating_sub(self.buf.len());
        self.buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    /// The next result of decoding, `None` when more bytes are needed.
    pub fn next_output(&mut self) -> Option<AgentOutput> {
        loop {
            if matches!(
                self.phase,
                Phase::Idle
                    | Phase::Syncing {
                        delimited: false,
                        ..
                    }
            ) {
                return None;
            }
            let Some(nl) = self.buf.iter().position(|&b| b == b'\n') else {
                if self.buf.len() > self.max_reply {
                    self.cancel();
                    return Some(AgentOutput::Failed(AgentError::TooLarge {
                        limit: self.max_reply,
                    }));
                }
                return None;
            };
            if nl > self.max_reply {
                self.cancel();
                return Some(AgentOutput::Failed(AgentError::TooLarge {
                    limit: self.max_reply,
                }));
            }
            let line: Vec<u8> = self.buf.drain(..=nl).collect();
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{FFFD}');
            if text.is_empty() {
                continue;
            }
            let parsed = serde_json::from_str::<Value>(text);
            let phase = std::mem::replace(&mut self.phase, Phase::Idle);
            match phase {
                Phase::Syncing { id, command, .. } => match parsed.ok().as_ref().map(sync_id) {
                    Some(Ok(got)) if got == id => {
                        self.phase = Phase::Command;
                        return Some(AgentOutput::Synced(command));
                    }
                    // A stale handshake's reply: wait for the next delimiter.
                    Some(Ok(_)) => {
                        let rest = std::mem::take(&mut self.buf);
                        self.phase = Phase::Syncing {
                            id,
                            delimited: false,
                            command,
                        };
                        self.feed(&rest);
                        continue;
                    }
                    Some(Err(why)) => {
                        self.buf.clear();
                        return Some(AgentOutput::Failed(AgentError::Unsynced(why)));
                    }
                    None => {
                        self.buf.clear();
                        return Some(AgentOutput::Failed(AgentError::Unsynced(format!(
                            "not JSON: {}",
                            excerpt(text)
                        ))));
                    }
                },
                Phase::Command => {
                    self.buf.clear();
                    return Some(match parsed {
                        Ok(v) => reply(v, text),
                        Err(e) => AgentOutput::Failed(AgentError::Invalid(format!(
                            "{e}: {}",
                            excerpt(text)
                        ))),
                    });
                }
                Phase::Idle => return None,
            }
        }
    }
}

/// The id of a sync reply, or why it is none.
fn sync_id(v: &Value) -> Result<u64, String> {
    if let Some(err) = v.get("error") {
        let desc = err.get("desc").and_then(Value::as_str).unwrap_or("unknown");
        return Err(format!("the agent refused it: {desc}"));
    }
    v.get("return")
        .and_then(Value::as_u64)
        .ok_or_else(|| format!("unexpected reply {}", excerpt(&v.to_string())))
}

fn reply(v: Value, text: &str) -> AgentOutput {
    match v {
        Value::Object(mut obj) => {
            if let Some(ret) = obj.remove("return") {
                AgentOutput::Return(ret)
            } else if let Some(err) = obj.get("error") {
                let s = |k: &str| {
                    err.get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                AgentOutput::Error {
                    class: s("class"),
                    desc: s("desc"),
                }
            } else {
                AgentOutput::Failed(AgentError::Invalid(excerpt(text)))
            }
        }
        _ => AgentOutput::Failed(AgentError::Invalid(excerpt(text))),
    }
}

/// The start of a long text, for messages.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(120) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}
