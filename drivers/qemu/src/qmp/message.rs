//! Decoded QMP messages: the envelope is classified by key, never by shape.

use serde_json::{Map, Value};

use super::error::{QmpError, excerpt};
use super::event::QmpEvent;

/// QEMU's version triple as reported in the greeting and by `query-version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct QemuVersion {
    /// Major version.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
    /// Micro version.
    pub micro: u32,
}

impl QemuVersion {
    /// libvirt's single-number form: `major * 1_000_000 + minor * 1_000 + micro`.
    pub fn as_number(self) -> u64 {
        u64::from(self.major) * 1_000_000 + u64::from(self.minor) * 1_000 + u64::from(self.micro)
    }

    /// Reads `{"qemu": {"major", "minor", "micro"}, "package"}` (the greeting's
    /// `version` member and `query-version`'s return value). Returns the version and
    /// the package string.
    pub fn from_qmp(v: &Value) -> Option<(QemuVersion, String)> {
        let q = v.get("qemu")?;
        let num = |k: &str| q.get(k)?.as_u64().and_then(|n| u32::try_from(n).ok());
        Some((
            QemuVersion {
                major: num("major")?,
                minor: num("minor")?,
                micro: num("micro")?,
            },
            v.get("package")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim()
                .to_owned(),
        ))
    }
}

impl std::fmt::Display for QemuVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.micro)
    }
}

/// An event's `timestamp` member (host wall clock when QEMU emitted it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timestamp {
    /// Seconds since the epoch.
    pub seconds: i64,
    /// Microseconds within the second.
    pub microseconds: i64,
}

/// One message received from QEMU's monitor.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Message {
    /// The greeting QEMU sends on connect (`{"QMP": {...}}`).
    Greeting {
        /// QEMU's version (zeros if the greeting omits it).
        version: QemuVersion,
        /// `package` string from the version, e.g. `Debian 1:7.2+dfsg-7`.
        package: String,
        /// Offered capabilities, e.g. `oob`.
        capabilities: Vec<String>,
    },
    /// Successful command reply.
    Return {
        /// The `id` of the command (string ids as is, other JSON as its text).
        id: Option<String>,
        /// The `return` member.
        value: Value,
    },
    /// Failed command reply.
    Error {
        /// The `id` of the command.
        id: Option<String>,
        /// `error.class`, e.g. `GenericError`, `CommandNotFound`.
        class: String,
        /// `error.desc`.
        desc: String,
    },
    /// Asynchronous event.
    Event {
        /// The event name.
        name: String,
        /// The `data` member (`Value::Null` if absent).
        data: Value,
        /// The `timestamp` member (zeros if absent).
        timestamp: Timestamp,
        /// The typed form of `name` + `data`.
        event: QmpEvent,
    },
}

impl Message {
    /// Decodes one line (without its line terminator).
    pub fn decode(line: &[u8]) -> Result<Message, QmpError> {
        let value: Value = serde_json::from_slice(line).map_err(|e| QmpError::InvalidJson {
            line: excerpt(line),
            reason: e.to_string(),
        })?;
        let Value::Object(mut obj) = value else {
            return Err(QmpError::NotAnObject {
                line: excerpt(line),
            });
        };
        let unknown = || QmpError::UnknownReply {
            line: excerpt(line),
        };
        if let Some(greeting) = obj.remove("QMP") {
            let (version, package) = greeting
                .get("version")
                .and_then(QemuVersion::from_qmp)
                .unwrap_or_default();
            let capabilities = greeting
                .get("capabilities")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            return Ok(Message::Greeting {
                version,
                package,
                capabilities,
            });
        }
        if let Some(name) = obj.remove("event") {
            let Value::String(name) = name else {
                return Err(unknown());
            };
            let data = obj.remove("data").unwrap_or(Value::Null);
            let timestamp = obj
                .get("timestamp")
                .map(|t| Timestamp {
                    seconds: t.get("seconds").and_then(Value::as_i64).unwrap_or(0),
                    microseconds: t.get("microseconds").and_then(Value::as_i64).unwrap_or(0),
                })
                .unwrap_or_default();
            let event = QmpEvent::parse(&name, &data);
            return Ok(Message::Event {
                name,
                data,
                timestamp,
                event,
            });
        }
        let id = take_id(&mut obj);
        if let Some(value) = obj.remove("return") {
            return Ok(Message::Return { id, value });
        }
        if let Some(err) = obj.remove("error") {
            let field = |k: &str| err.get(k).and_then(Value::as_str).map(str::to_owned);
            let (Some(class), desc) = (field("class"), field("desc")) else {
                return Err(unknown());
            };
            return Ok(Message::Error {
                id,
                class,
                desc: desc.unwrap_or_default(),
            });
        }
        Err(unknown())
    }
}

fn take_id(obj: &mut Map<String, Value>) -> Option<String> {
    match obj.remove("id")? {
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}
