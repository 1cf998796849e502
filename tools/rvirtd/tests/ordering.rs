//! With a connection's calls running concurrently, what must stay ordered still is:
//! an event registration pipelined among lookups is answered after the calls before it
//! and before the calls after it, a deregistration finds the registration sent before
//! it (so registering the same event again succeeds), and CONNECT_CLOSE is answered
//! after every call sent before it, then the connection ends.

mod common;

use common::{Daemon, Raw};
use rvirt_rpc::types::*;
use rvirt_rpc::{Header, Message, MessageStatus, REMOTE_PROGRAM, encode_message, procs};

fn frame<T: serde::Serialize>(proc_: i32, serial: u32, args: &T) -> Vec<u8> {
    let payload = Message::with_body(Header::call(0, 0, 0, 0), args)
        .unwrap()
        .payload;
    encode_message(&Header::call(REMOTE_PROGRAM, 1, proc_, serial), &payload).unwrap()
}

#[test]
fn registration_and_close_keep_their_order_among_concurrent_calls() {
    let d = Daemon::start("ordering");
    let mut c = Raw::connect(&d.rw_socket());
    c.open();
    let lookup = DomainLookupByNameArgs {
        name: "test".into(),
    };
    let register = ConnectDomainEventCallbackRegisterAnyArgs {
        event_id: 0,
        dom: None,
    };
    let mut serial = c.serial;
    let mut next = || {
        serial += 1;
        serial - 1
    };
    let mut frames = Vec::new();
    let before: Vec<u32> = (0..40).map(|_| next()).collect();
    for s in &before {
        frames.extend(frame(procs::DOMAIN_LOOKUP_BY_NAME, *s, &lookup));
    }
    let reg = next();
    frames.extend(frame(
        procs::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
        reg,
        &register,
    ));
    let after: Vec<u32> = (0..40).map(|_| next()).collect();
    for s in &after {
        frames.extend(frame(procs::DOMAIN_LOOKUP_BY_NAME, *s, &lookup));
    }
    let dereg = next();
    frames.extend(frame(
        procs::CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
        dereg,
        &ConnectDomainEventCallbackDeregisterAnyArgs { callback_id: 0 },
    ));
    let again = next();
    frames.extend(frame(
        procs::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
        again,
        &register,
    ));
    let close = next();
    frames.extend(frame(procs::CONNECT_CLOSE, close, &()));
    c.send_raw(&frames);

    let mut order = Vec::new();
    while let Some(m) = c.read() {
        assert_eq!(m.header.status, MessageStatus::OK, "{:?}", m.header);
        if m.header.serial == again {
            let r: ConnectDomainEventCallbackRegisterAnyRet = m.decode_payload().unwrap();
            assert_eq!(r.callback_id, 1);
        }
        order.push(m.header.serial);
    }
    assert_eq!(order.len(), 84, "{order:?}");
    let pos = |s: u32| order.iter().position(|&x| x == s).unwrap();
    assert!(before.iter().all(|&s| pos(s) < pos(reg)), "{order:?}");
    assert!(after.iter().all(|&s| pos(reg) < pos(s)), "{order:?}");
    assert!(after.iter().all(|&s| pos(s) < pos(dereg)), "{order:?}");
    assert_eq!(
        &order[order.len() - 3..],
        &[dereg, again, close],
        "{order:?}"
    );
}
