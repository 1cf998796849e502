//! The remote driver's secrets against both daemons: libvirtd 9.0's own secret
//! driver (`secret:///system` in a private libvirtd) and rvirtd's (`qemu:///system`).
//! The same calls, through rvirt's API on rvirt's loop, must give the same answers
//! and the same secret events.

use std::sync::mpsc;
use std::time::Duration;

use rvirt_core::api::{OpenOptions, SecretEventId};
use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, Uuid};
use rvirt_testkit::Daemon;
use rvirt_testkit::libvirtd::{Libvirtd, Options};

const WAIT: Duration = Duration::from_secs(10);
const U1: &str = "0e6f5d4c-3b2a-4198-8776-655443322101";
const U2: &str = "0e6f5d4c-3b2a-4198-8776-655443322102";

fn open(uri: &str, l: &DefaultLoop, read_only: bool) -> Connect {
    rvirt_driver_remote::register().unwrap();
    Connect::open_with(
        uri,
        OpenOptions {
            event_loop: Some(l.shared()),
            read_only,
        },
    )
    .unwrap()
}

/// One answer, as text: the value or the error's code, domain and message.
fn show<T: std::fmt::Debug>(r: rvirt_core::Result<T>) -> String {
    match r {
        Ok(v) => format!("{v:?}"),
        Err(e) => format!("error {:?} {:?} {}", e.code(), e.domain(), e),
    }
}

/// The same calls on `rw` (and `ro`, read-only) of one daemon; their answers and
/// the events seen, one per line.
fn session(rw: &str, ro: &str) -> Vec<String> {
    let l = DefaultLoop::new().unwrap();
    let c = open(rw, &l, false);
    let r = open(ro, &l, true);
    let (tx, events) = mpsc::channel();
    let tx2 = tx.clone();
    c.secret_event_register_any(None, SecretEventId::Lifecycle, move |s, ev| {
        let _ = tx.send(format!("{} {ev:?}", s.uuid()));
    })
    .unwrap();
    c.secret_event_register_any(None, SecretEventId::ValueChanged, move |s, ev| {
        let _ = tx2.send(format!("{} {ev:?}", s.uuid()));
    })
    .unwrap();
    let u1 = Uuid::parse_str(U1).unwrap();
    let mut out = vec![
        show(c.secret_define_xml(
            &format!("<secret private='yes'><uuid>{U1}</uuid><usage type='iscsi'><target>iqn.2024-01.org.example:disk</target></usage></secret>"),
            0,
        )
        .map(|s| (*s.uuid(), s.usage_type(), s.usage_id().to_string()))),
        show(c.secret_define_xml(
            &format!("<secret ephemeral='yes'><uuid>{U2}</uuid><usage type='tls'><name>client</name></usage></secret>"),
            0,
        )
        .map(|s| *s.uuid())),
    ];
    let s1 = c.lookup_secret_by_uuid(&u1).unwrap();
    out.push(show(s1.set_value(b"chap secret", 0)));
    out.push(show(s1.value(0)));
    out.push(show(r.lookup_secret_by_uuid(&u1).and_then(|s| s.value(0))));
    out.push(show(
        r.lookup_secret_by_uuid(&u1)
            .and_then(|s| s.set_value(b"x", 0)),
    ));
    out.push(show(
        c.lookup_secret_by_usage(3, "iqn.2024-01.org.example:disk")
            .map(|s| *s.uuid()),
    ));
    out.push(show(
        c.lookup_secret_by_usage(4, "nobody").map(|s| *s.uuid()),
    ));
    for flags in [0, 1, 2, 4, 8] {
        let mut uuids: Vec<Uuid> = c
            .list_all_secrets(flags)
            .unwrap()
            .iter()
            .map(|s| *s.uuid())
            .collect();
        uuids.sort();
        out.push(format!("list {flags}: {uuids:?}"));
    }
    out.push(show(s1.xml_desc(0)));
    out.push(show(
        c.lookup_secret_by_uuid(&Uuid::parse_str(U2).unwrap())
            .and_then(|s| s.undefine()),
    ));
    out.push(show(s1.undefine()));
    out.push(show(s1.value(0)));
    for _ in 0..5 {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            if let Ok(ev) = events.try_recv() {
                out.push(ev);
                break;
            }
            assert!(std::time::Instant::now() < deadline, "no event: {out:#?}");
            l.run_once_timeout(Duration::from_millis(20)).unwrap();
        }
    }
    out
}

#[test]
fn secrets_answer_alike_from_libvirtd_and_rvirtd() {
    let Some(lv) = Libvirtd::start_with(Options {
        secret_driver: true,
        ..Options::default()
    }) else {
        return;
    };
    let theirs = session(
        &format!("secret+unix:///system?socket={}", lv.socket().display()),
        &format!(
            "secret+unix:///system?socket={}",
            lv.dir.join("sock/libvirt-sock-ro").display()
        ),
    );
    let d = Daemon::start("remote-secrets");
    let ours = session(
        &d.qemu_uri(),
        &format!("qemu+unix:///system?socket={}", d.ro_socket().display()),
    );
    assert!(
        theirs.iter().any(|l| l.contains("secret is private")),
        "{theirs:#?}"
    );
    assert_eq!(theirs, ours);
}
