use super::*;
use rvirt_core::api::domain_event_sample::sample;
use rvirt_core::api::{DefinedDetail, Lifecycle};
use rvirt_testkit::bytes::hex;

fn dom() -> RemoteNonnullDomain {
    RemoteNonnullDomain {
        name: "demo".into(),
        uuid: [
            0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
            0xde, 0xf0,
        ],
        id: -1,
    }
}

#[test]
fn every_event_round_trips_in_both_forms() {
    for &id in DomainEventId::ALL {
        let ev = sample(id);
        let (p, bytes) = encode(EventForm::Callback(42), &dom(), &ev).unwrap();
        assert_eq!(event_of_procedure(p), Some((id, false)));
        let got = decode(p, &bytes).unwrap();
        assert_eq!(got.callback_id, Some(42));
        assert_eq!(got.dom, dom());
        assert_eq!(got.event, ev, "{id:?}");
        match encode(EventForm::Legacy, &dom(), &ev) {
            Some((p, bytes)) => {
                assert!(id.as_raw() < 16, "{id:?} has no legacy form");
                assert_eq!(event_of_procedure(p), Some((id, true)));
                let got = decode(p, &bytes).unwrap();
                assert_eq!(got.callback_id, None);
                // The legacy form of a PM event has no reason; the sample's is 0.
                assert_eq!(got.event, ev, "{id:?} legacy");
            }
            None => assert!(id.as_raw() >= 16, "{id:?} lost its legacy form"),
        }
        // A truncated payload is refused, never mis-decoded.
        assert_eq!(decode(p, &bytes[..bytes.len() - 1]), None, "{id:?}");
    }
}

#[test]
fn lifecycle_matches_libvirtds_traced_bytes() {
    // The "Defined Added" body libvirtd 9.0 sent (reference/traces, proc 318).
    let want = hex(
        "00000001 00000004 64656d6f 123456789abcdef0123456789abcdef0 ffffffff
         00000000 00000000",
    );
    let ev = DomainEvent::Lifecycle(Lifecycle::Defined(DefinedDetail::Added));
    assert_eq!(
        encode(EventForm::Callback(1), &dom(), &ev),
        Some((318, want))
    );
}

#[test]
fn power_management_reason_sits_before_the_domain() {
    let ev = DomainEvent::PmSuspend { reason: 5 };
    let (p, bytes) = encode(EventForm::Callback(9), &dom(), &ev).unwrap();
    assert_eq!(p, 330);
    assert_eq!(&bytes[..8], &hex("00000009 00000005")[..]);
    assert_eq!(&bytes[8..12], &hex("00000004")[..], "then the domain name");
    let (p, legacy) = encode(EventForm::Legacy, &dom(), &ev).unwrap();
    assert_eq!(p, 270);
    assert_eq!(legacy, bytes[8..].to_vec());
}

#[test]
fn unknown_numbers_and_procedures_are_refused() {
    let (p, mut bytes) = encode(
        EventForm::Callback(1),
        &dom(),
        &DomainEvent::TrayChange {
            dev_alias: "x".into(),
            reason: rvirt_core::api::TrayChangeReason::Open,
        },
    )
    .unwrap();
    let n = bytes.len();
    bytes[n - 4..].copy_from_slice(&7i32.to_be_bytes());
    assert_eq!(decode(p, &bytes), None, "tray reason 7 does not exist");
    assert_eq!(decode(999, &bytes), None);
    assert_eq!(
        event_of_procedure(362),
        None,
        "connection-closed is not a domain event"
    );
    assert_eq!(procedure(DomainEventId::DeviceAdded, true), None);
    assert_eq!(procedure(DomainEventId::DeviceRemoved, true), Some(311));
    assert_eq!(
        procedure(DomainEventId::MemoryDeviceSizeChange, false),
        Some(438)
    );
}
