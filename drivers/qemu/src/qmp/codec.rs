//! The sans-io QMP codec: bytes in, [`Message`]s out; commands to bytes.

use serde_json::{Map, Value};

use super::error::QmpError;
use super::message::Message;

/// Default limit for one monitor line: 16 MiB.
pub const DEFAULT_MAX_LINE: usize = 16 * 1024 * 1024;

/// Prefix of the command ids [`QmpCodec::encode_command`] generates (`rvirt-1`, …).
pub const ID_PREFIX: &str = "rvirt-";

/// Incremental QMP decoder and command encoder; does no I/O.
///
/// Feed whatever the socket produced with [`feed`](Self::feed), then drain complete
/// lines with [`next_message`](Self::next_message) until it returns `None`. Lines may
/// be split across feeds and one feed may hold several lines. A line that cannot be
/// decoded yields one `Err` and decoding continues with the following line.
///
/// ```
/// use rvirt_driver_qemu::qmp::{Message, QmpCodec};
///
/// let mut codec = QmpCodec::new();
/// let (id, bytes) = codec.encode_command("query-status", None);
/// assert_eq!(id, "rvirt-1");
/// assert!(bytes.ends_with(b"\r\n"));
///
/// codec.feed(b"{\"return\": {\"running\": true}, \"id\": \"rvi");
/// assert!(codec.next_message().is_none());
/// codec.feed(b"rt-1\"}\r\n");
/// match codec.next_message() {
///     Some(Ok(Message::Return { id, value })) => {
///         assert_eq!(id.as_deref(), Some("rvirt-1"));
///         assert_eq!(value["running"], true);
///     }
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Debug)]
pub struct QmpCodec {
    buf: Vec<u8>,
    /// Bytes of `buf` before this offset were already returned (compacted on `feed`,
    /// so taking many lines out of one read stays linear).
    start: usize,
    /// Bytes of `buf` (from the beginning) already searched for a newline.
    scanned: usize,
    max_line: usize,
    /// Dropping bytes of an oversized line until its newline.
    discarding: bool,
    /// A pending oversized-line error not yet returned.
    overflow: bool,
    next_id: u64,
}

impl Default for QmpCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl QmpCodec {
    /// A codec with the [`DEFAULT_MAX_LINE`] limit.
    pub fn new() -> Self {
        Self::with_max_line(DEFAULT_MAX_LINE)
    }

    /// A codec rejecting lines longer than `max_line` bytes (terminator excluded).
    pub fn with_max_line(max_line: usize) -> Self {
        QmpCodec {
            buf: Vec::new(),
            start: 0,
            scanned: 0,
            max_line: max_line.max(1),
            discarding: false,
            overflow: false,
            next_id: 1,
        }
    }

    /// Appends bytes read from the monitor.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        if self.discarding {
            match bytes.iter().position(|&b| b == b'\n') {
                Some(nl) => {
                    self.discarding = false;
                    bytes = &bytes[nl + 1..];
                }
                None => return,
            }
        }
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.scanned -= self.start;
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
        // Bound memory even if the caller feeds a lot before draining.
        if !self.buf[self.scanned..].contains(&b'\n') && self.unterminated_too_long() {
            self.start_discarding();
        }
    }

    /// Bytes buffered but not yet returned as a message.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// The next complete message, `Some(Err)` for an undecodable or oversized line
    /// (decoding can continue), `None` when more bytes are needed.
    pub fn next_message(&mut self) -> Option<Result<Message, QmpError>> {
        loop {
            if self.overflow {
                self.overflow = false;
                return Some(Err(QmpError::LineTooLong {
                    limit: self.max_line,
                }));
            }
            let Some(rel) = self.buf[self.scanned..].iter().position(|&b| b == b'\n') else {
                self.scanned = self.buf.len();
                if self.unterminated_too_long() {
                    self.start_discarding();
                    continue;
                }
                return None;
            };
            let end = self.scanned + rel;
            let begin = self.start;
            self.start = end + 1;
            self.scanned = self.start;
            let mut line = &self.buf[begin..end];
            if let [rest @ .., b'\r'] = line {
                line = rest;
            }
            if line.len() > self.max_line {
                return Some(Err(QmpError::LineTooLong {
                    limit: self.max_line,
                }));
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(Message::decode(line));
        }
    }

    /// Encodes `{"execute": name, "arguments": args, "id": "rvirt-N"}` followed by
    /// `\r\n`, returning the id and the bytes to write.
    ///
    /// `args` should be an object (or `None` for no `arguments` member).
    pub fn encode_command(&mut self, name: &str, args: Option<Value>) -> (String, Vec<u8>) {
        let id = format!("{ID_PREFIX}{}", self.next_id);
        self.next_id += 1;
        let mut obj = Map::new();
        obj.insert("execute".into(), Value::String(name.to_owned()));
        if let Some(args) = args {
            obj.insert("arguments".into(), args);
        }
        obj.insert("id".into(), Value::String(id.clone()));
        let mut bytes = Value::Object(obj).to_string().into_bytes();
        bytes.extend_from_slice(b"\r\n");
        (id, bytes)
    }

    /// True when the buffered, not yet terminated line is already longer than the
    /// limit. A final `\r` does not count: it may be the first half of the `\r\n`
    /// terminator, split between two reads.
    fn unterminated_too_long(&self) -> bool {
        let len = self.buf.len() - self.start;
        len > self.max_line + 1 || (len == self.max_line + 1 && self.buf.last() != Some(&b'\r'))
    }

    fn start_discarding(&mut self) {
        self.buf.clear();
        self.start = 0;
        self.scanned = 0;
        self.discarding = true;
        self.overflow = true;
    }
}
