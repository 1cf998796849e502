//! The sans-io QMP codec on hostile monitor output.
//!
//! Input: one control byte, then what the monitor socket produced. The bytes go
//! through a [`QmpCodec`] twice — in one piece and in chunks derived from the control
//! byte, draining after every feed as the driver does — and both runs must yield the
//! same sequence of messages and errors. With the control byte's top bit set the
//! codec gets a tiny line limit, to exercise the oversized-line path. Every line is
//! also decoded directly with [`Message::decode`], and every event is mapped to domain
//! state changes from a few states.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rvirt_core::api::StateReason;
use rvirt_driver_qemu::event_map::{MapContext, map_event, map_monitor_eof};
use rvirt_driver_qemu::qmp::{Message, QmpCodec, QmpError};

fn run(
    stream: &[u8],
    max_line: Option<usize>,
    chunks: impl Iterator<Item = usize>,
) -> Vec<Result<Message, QmpError>> {
    let mut codec = match max_line {
        Some(n) => QmpCodec::with_max_line(n),
        None => QmpCodec::new(),
    };
    let mut out = Vec::new();
    let mut rest = stream;
    for size in chunks {
        if rest.is_empty() {
            break;
        }
        let (now, later) = rest.split_at(size.clamp(1, rest.len()));
        rest = later;
        codec.feed(now);
        while let Some(m) = codec.next_message() {
            out.push(m);
        }
        if let Some(limit) = max_line {
            // Memory stays bounded by the line limit (plus what one feed added).
            assert!(codec.buffered() <= limit + now.len());
        }
    }
    out
}

fn check_message(m: &Message) {
    if let Message::Event { name, event, .. } = m {
        assert_eq!(event.name(), name);
        for (state, reason) in [(1, 1), (3, 1), (5, 2), (4, 1), (7, 0), (6, 1)] {
            let Some(current) = StateReason::from_raw(state, reason) else {
                continue;
            };
            for ctx in [
                MapContext::default(),
                MapContext {
                    starting: true,
                    fake_reboot: true,
                    shutdown_seen: true,
                    ..MapContext::default()
                },
            ] {
                let _ = map_event(event, current, &ctx);
                let _ = map_monitor_eof(current, &ctx);
            }
        }
    }
    if let Message::Greeting { version, .. } = m {
        let _ = version.as_number();
        let _ = version.to_string();
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, stream)) = data.split_first() else {
        return;
    };
    let max_line = (ctl & 0x80 != 0).then_some(usize::from(ctl & 0x3f) + 1);
    let whole = run(stream, max_line, std::iter::once(stream.len()));
    let max = usize::from(ctl % 29) + 1;
    let mut state = u32::from(ctl) | 1;
    let sizes = std::iter::repeat_with(move || {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (state >> 16) as usize % max + 1
    });
    let chunked = run(stream, max_line, sizes);
    assert_eq!(whole, chunked, "chunking changed the codec's output");

    for item in &whole {
        match item {
            Ok(m) => check_message(m),
            Err(e) => {
                let _ = e.to_string();
                let _ = rvirt_core::Error::from(e.clone());
            }
        }
    }
    // The line decoder on its own, for every line (terminators stripped).
    for line in stream.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Ok(m) = Message::decode(line) {
            check_message(&m);
        }
    }
});
