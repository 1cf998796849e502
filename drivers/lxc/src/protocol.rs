//! The controller monitor protocol: asynchronous MESSAGE packets from a container's
//! controller to the driver, on the remote protocol's framing (rvirt-rpc [`Header`] +
//! XDR payload).
//!
//! Program [`PROGRAM`] (the number libvirt's LXC monitor uses), version [`VERSION`]:
//!
//! | proc | name | payload |
//! |---|---|---|
//! | 1 | EXIT event | `int status` ([`ExitStatus`]) |
//! | 2 | INIT event | `unsigned hyper initpid` |
//!
//! Sans-io: [`encode`] gives bytes to write, [`MonitorDecoder`] turns bytes read into
//! [`MonitorEvent`]s.

use rvirt_rpc::{FrameDecoder, FrameError, Header, Message, MessageStatus, MessageType};
use serde::{Deserialize, Serialize};

/// Program number of the controller monitor protocol.
pub const PROGRAM: u32 = 0x1234_1234;
/// Program version.
pub const VERSION: u32 = 1;
/// Procedure number of the EXIT event.
pub const PROC_EXIT_EVENT: i32 = 1;
/// Procedure number of the INIT event.
pub const PROC_INIT_EVENT: i32 = 2;

/// Why the controller is exiting (the EXIT event's payload).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum ExitStatus {
    /// The container failed (init killed, setup error): wire value 0.
    Error,
    /// The container's init exited: wire value 1.
    Shutdown,
    /// The container asked to reboot (init died from SIGHUP): wire value 2.
    Reboot,
}

impl ExitStatus {
    /// The wire value.
    pub fn as_raw(self) -> i32 {
        match self {
            ExitStatus::Error => 0,
            ExitStatus::Shutdown => 1,
            ExitStatus::Reboot => 2,
        }
    }

    /// From the wire value; unknown values count as [`ExitStatus::Error`].
    pub fn from_raw(raw: i32) -> ExitStatus {
        match raw {
            1 => ExitStatus::Shutdown,
            2 => ExitStatus::Reboot,
            _ => ExitStatus::Error,
        }
    }
}

/// One event sent by a controller.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum MonitorEvent {
    /// The controller is about to exit.
    Exit(ExitStatus),
    /// The container's init runs with this pid (in the controller's pid namespace).
    Init {
        /// Host pid of the container's init.
        pid: u64,
    },
}

#[derive(Serialize, Deserialize)]
struct ExitEventMsg {
    status: i32,
}

#[derive(Serialize, Deserialize)]
struct InitEventMsg {
    initpid: u64,
}

fn header(proc_: i32, serial: u32) -> Header {
    Header {
        prog: PROGRAM,
        vers: VERSION,
        proc_,
        msg_type: MessageType::MESSAGE,
        serial,
        status: MessageStatus::OK,
    }
}

/// Encodes `event` as one packet (length word included).
pub fn encode(event: MonitorEvent, serial: u32) -> Vec<u8> {
    let res = match event {
        MonitorEvent::Exit(st) => rvirt_rpc::encode_message_with(
            &header(PROC_EXIT_EVENT, serial),
            &ExitEventMsg {
                status: st.as_raw(),
            },
        ),
        MonitorEvent::Init { pid } => rvirt_rpc::encode_message_with(
            &header(PROC_INIT_EVENT, serial),
            &InitEventMsg { initpid: pid },
        ),
    };
    // Both payloads are a few fixed-size words: encoding cannot fail.
    res.unwrap_or_default()
}

/// Why bytes from a controller could not be understood.
#[derive(Debug)]
pub enum ProtocolError {
    /// Broken framing (the stream cannot be resynchronised).
    Frame(FrameError),
    /// A packet of another program, version, type or an unknown procedure.
    Unexpected(Header),
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProtocolError::Frame(e) => write!(f, "bad packet from the LXC controller: {e}"),
            ProtocolError::Unexpected(h) => {
                write!(f, "unexpected packet from the LXC controller: {h:?}")
            }
        }
    }
}

impl std::error::Error for ProtocolError {}

/// Decodes a controller's byte stream into events.
#[derive(Debug, Default)]
pub struct MonitorDecoder {
    frames: FrameDecoder,
}

impl MonitorDecoder {
    /// A decoder with nothing buffered.
    pub fn new() -> MonitorDecoder {
        MonitorDecoder::default()
    }

    /// Adds bytes read from the socket.
    pub fn feed(&mut self, data: &[u8]) -> Result<(), ProtocolError> {
        self.frames.feed(data).map_err(ProtocolError::Frame)
    }

    /// The next complete event, if any.
    pub fn next_event(&mut self) -> Option<Result<MonitorEvent, ProtocolError>> {
        let msg = self.frames.next_message()?;
        Some(decode(&msg))
    }
}

fn decode(msg: &Message) -> Result<MonitorEvent, ProtocolError> {
    let h = msg.header;
    if h.prog != PROGRAM || h.vers != VERSION || h.msg_type != MessageType::MESSAGE {
        return Err(ProtocolError::Unexpected(h));
    }
    match h.proc_ {
        PROC_EXIT_EVENT => {
            let m: ExitEventMsg = msg.decode_payload().map_err(ProtocolError::Frame)?;
            Ok(MonitorEvent::Exit(ExitStatus::from_raw(m.status)))
        }
        PROC_INIT_EVENT => {
            let m: InitEventMsg = msg.decode_payload().map_err(ProtocolError::Frame)?;
            Ok(MonitorEvent::Init { pid: m.initpid })
        }
        _ => Err(ProtocolError::Unexpected(h)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_byte_by_byte() {
        let mut wire = encode(MonitorEvent::Init { pid: 4242 }, 1);
        wire.extend(encode(MonitorEvent::Exit(ExitStatus::Reboot), 2));
        let mut dec = MonitorDecoder::new();
        let mut got = Vec::new();
        for b in &wire {
            dec.feed(std::slice::from_ref(b)).unwrap();
            while let Some(ev) = dec.next_event() {
                got.push(ev.unwrap());
            }
        }
        assert_eq!(
            got,
            [
                MonitorEvent::Init { pid: 4242 },
                MonitorEvent::Exit(ExitStatus::Reboot)
            ]
        );
    }

    #[test]
    fn wire_layout_matches_libvirts_monitor_program() {
        let wire = encode(MonitorEvent::Exit(ExitStatus::Shutdown), 1);
        assert_eq!(wire.len(), 4 + 24 + 4);
        assert_eq!(&wire[0..4], &32u32.to_be_bytes());
        assert_eq!(&wire[4..8], &0x1234_1234u32.to_be_bytes());
        assert_eq!(&wire[12..16], &1i32.to_be_bytes());
        assert_eq!(&wire[16..20], &2i32.to_be_bytes()); // MESSAGE
        assert_eq!(&wire[28..32], &1i32.to_be_bytes()); // SHUTDOWN
        let init = encode(MonitorEvent::Init { pid: 7 }, 1);
        assert_eq!(init.len(), 4 + 24 + 8);
    }

    #[test]
    fn foreign_packets_and_unknown_statuses() {
        let other =
            rvirt_rpc::encode_message(&Header::call(PROGRAM, VERSION, 1, 1), &[0; 4]).unwrap();
        let mut dec = MonitorDecoder::new();
        dec.feed(&other).unwrap();
        assert!(matches!(
            dec.next_event(),
            Some(Err(ProtocolError::Unexpected(_)))
        ));
        assert_eq!(ExitStatus::from_raw(9), ExitStatus::Error);
        for s in [ExitStatus::Error, ExitStatus::Shutdown, ExitStatus::Reboot] {
            assert_eq!(ExitStatus::from_raw(s.as_raw()), s);
        }
    }
}
