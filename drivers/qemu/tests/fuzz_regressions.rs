//! Inputs found by the `qmp` fuzz target (`fuzz/fuzz_targets/qmp.rs`). The target
//! checks that how the monitor's bytes are split into reads never changes what the
//! codec returns.

use rvirt_driver_qemu::qmp::{Message, QmpCodec, QmpError};

/// Feeds `chunks` one after the other, draining after each as the driver does.
fn decode(max_line: usize, chunks: &[&[u8]]) -> Vec<Result<Message, QmpError>> {
    let mut codec = QmpCodec::with_max_line(max_line);
    let mut out = Vec::new();
    for chunk in chunks {
        codec.feed(chunk);
        out.extend(std::iter::from_fn(|| codec.next_message()));
    }
    out
}

const LINE: &[u8] = br#"{"return": {}, "id": "rvirt-1"}"#;

/// Minimised from the fuzzer's artifacts (crash-3c32789e…, crash-f7a78ff9… and 16
/// more): a line exactly `max_line` bytes long whose `\r\n` terminator is split
/// between two reads. The pending `\r` is counted as part of the line, so the line is
/// discarded as too long — but the same bytes in one read decode fine.
#[test]
fn line_of_exactly_max_line_split_inside_crlf_is_accepted() {
    let max_line = LINE.len();
    let line_cr = [LINE, b"\r"].concat();
    let whole = decode(max_line, &[&[LINE, b"\r\n"].concat()]);
    assert!(
        matches!(whole.as_slice(), [Ok(Message::Return { .. })]),
        "{whole:?}"
    );
    let split = decode(max_line, &[&line_cr, b"\n"]);
    assert_eq!(split, whole);
    // Same when the oversized-line check runs in next_message rather than feed
    // (the `\r` arrives in a read of its own).
    let split = decode(max_line, &[LINE, b"\r", b"\n"]);
    assert_eq!(split, whole);
}

/// A line one byte longer than the limit stays too long, however it is split.
#[test]
fn line_longer_than_max_line_is_rejected_however_split() {
    let max_line = LINE.len() - 1;
    let whole = decode(max_line, &[&[LINE, b"\r\n", b"{\"return\": 2}\n"].concat()]);
    assert!(
        matches!(
            whole.as_slice(),
            [
                Err(QmpError::LineTooLong { .. }),
                Ok(Message::Return { .. })
            ]
        ),
        "{whole:?}"
    );
    for at in 1..LINE.len() + 2 {
        let wire = [LINE, b"\r\n", b"{\"return\": 2}\n"].concat();
        let (a, b) = wire.split_at(at);
        assert_eq!(decode(max_line, &[a, b]), whole, "split at {at}");
    }
}

/// Time one input may take: 1 s (the fuzzing timeout) in an optimised build, ten times
/// that in an unoptimised test build.
const BUDGET: std::time::Duration = if cfg!(debug_assertions) {
    std::time::Duration::from_secs(10)
} else {
    std::time::Duration::from_secs(1)
};

/// Found by feeding whole fuzz inputs scaled up: `next_message` takes each line with
/// `Vec::drain(..=end)`, which moves everything after it, so draining n lines fed at
/// once costs O(n²). The driver's `read_available` reads until `WouldBlock` before it
/// drains, so a monitor that writes fast fills the buffer with many lines.
#[test]
fn many_lines_in_one_feed_decode_in_linear_time() {
    const LINES: usize = 200_000; // 2.8 MB
    let wire = b"{\"return\": 1}\n".repeat(LINES);
    let mut codec = QmpCodec::new();
    let start = std::time::Instant::now();
    codec.feed(&wire);
    let mut n = 0;
    while let Some(m) = codec.next_message() {
        assert!(matches!(m, Ok(Message::Return { .. })), "{m:?}");
        n += 1;
    }
    let took = start.elapsed();
    assert_eq!(n, LINES);
    assert_eq!(codec.buffered(), 0);
    assert!(took < BUDGET, "{LINES} lines took {took:?}");
}

/// Buffered bytes are reported exactly while lines are taken one by one.
#[test]
fn buffered_counts_only_unreturned_bytes() {
    let mut codec = QmpCodec::new();
    codec.feed(b"{\"return\": 1}\n{\"return\": 2}\n{\"ret");
    assert_eq!(codec.buffered(), 33);
    assert!(codec.next_message().unwrap().is_ok());
    assert_eq!(codec.buffered(), 19);
    assert!(codec.next_message().unwrap().is_ok());
    assert_eq!(codec.buffered(), 5);
    assert!(codec.next_message().is_none());
    codec.feed(b"urn\": 3}\r\n");
    assert!(matches!(
        codec.next_message(),
        Some(Ok(Message::Return { .. }))
    ));
    assert_eq!(codec.buffered(), 0);
}
