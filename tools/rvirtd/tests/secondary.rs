//! The secondary drivers' procedures (networks, storage pools and volumes, node
//! devices, interfaces; secrets and network filters refused) of rvirtd's test driver,
//! compared with libvirtd 9.0's test driver: the same python3-libvirt script, and the
//! same virsh commands, must give the same answers from both daemons.

mod common;

use rvirt_testkit::libvirtd::Libvirtd;

use common::{Daemon, have_python_libvirt, have_virsh, python, text, virsh};

const SCRIPT: &str = include_str!("scripts/secondary_objects.py");

/// Both daemons, fresh; `None` when this machine cannot run a private libvirtd.
fn daemons(tag: &str) -> Option<(Libvirtd, Daemon)> {
    let theirs = Libvirtd::start()?;
    Some((theirs, Daemon::start(tag)))
}

fn ro_uri(lv: &Libvirtd) -> String {
    format!(
        "test+unix:///default?socket={}",
        lv.dir.join("sock/libvirt-sock-ro").display()
    )
}

/// Lines of `a` and `b` that differ, for the failure message.
fn diff(a: &str, b: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let mut out = String::new();
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i).copied(), b.get(i).copied());
        if x != y {
            out.push_str(&format!(
                "line {}:\n  libvirtd: {x:?}\n  rvirtd:   {y:?}\n",
                i + 1
            ));
        }
    }
    out
}

#[test]
fn python_answers_match_libvirtd() {
    if !have_python_libvirt() {
        return;
    }
    let Some((lv, d)) = daemons("py-objects") else {
        return;
    };
    let theirs = python(SCRIPT, &[&lv.uri(), &ro_uri(&lv)]);
    let ours = python(SCRIPT, &[&d.uri(), &d.ro_uri()]);
    let (t_out, t_err) = text(&theirs);
    let (o_out, o_err) = text(&ours);
    assert!(
        theirs.status.success(),
        "libvirtd run failed: {t_out}\n{t_err}"
    );
    assert!(ours.status.success(), "rvirtd run failed: {o_out}\n{o_err}");
    // The script must have reached its end (events are printed last).
    assert!(
        t_out.contains("event ('dev', 'scsi_host12', 1, 0)"),
        "{t_out}"
    );
    assert!(t_out.lines().count() > 150, "{t_out}");
    assert!(o_out == t_out, "answers differ:\n{}", diff(&t_out, &o_out));
}

#[test]
fn virsh_answers_match_libvirtd() {
    if !have_virsh() {
        return;
    }
    let Some((lv, d)) = daemons("virsh-objects") else {
        return;
    };
    let commands: &[&[&str]] = &[
        &["net-list", "--all"],
        &["net-info", "default"],
        &["net-dumpxml", "default"],
        &["net-uuid", "default"],
        &["pool-list", "--all", "--details"],
        &["pool-info", "default-pool"],
        &["pool-dumpxml", "default-pool"],
        &["vol-list", "default-pool"],
        &["nodedev-list"],
        &["nodedev-list", "--tree"],
        &["nodedev-list", "--cap", "scsi_host"],
        &["nodedev-dumpxml", "scsi_host2"],
        &["iface-list", "--all"],
        &["iface-dumpxml", "eth1"],
        &["iface-mac", "eth1"],
        &["secret-list"],
        &["nwfilter-list"],
        &["net-dumpxml", "nosuch"],
        &["pool-info", "nosuch"],
    ];
    for args in commands {
        let a = virsh(&lv.uri(), args);
        let b = virsh(&d.uri(), args);
        let (ta, ea) = text(&a);
        let (tb, eb) = text(&b);
        assert_eq!(
            (a.status.code(), ta.as_str(), ea.as_str()),
            (b.status.code(), tb.as_str(), eb.as_str()),
            "virsh {args:?}"
        );
    }
}

#[test]
fn rvirt_remote_driver_against_rvirtd() {
    use rvirt_core::api::{NetworkEvent, NetworkEventId, NetworkLifecycle};
    use rvirt_core::event::DefaultLoop;
    use rvirt_core::{Connect, OpenOptions};

    let d = Daemon::start("remote-objects");
    rvirt_driver_remote::register().unwrap();
    let l = DefaultLoop::new().unwrap();
    let c = Connect::open_with(
        &d.uri(),
        OpenOptions {
            event_loop: Some(l.shared()),
            read_only: false,
        },
    )
    .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    c.network_event_register_any(None, NetworkEventId::Lifecycle, move |n, ev| {
        let _ = tx.send((n.name().to_string(), *ev));
    })
    .unwrap();
    let n = c
        .network_create_xml(
            "<network><name>rr</name><ip address='10.5.0.1' prefix='24'/></network>",
            0,
        )
        .unwrap();
    n.update(3, 4, -1, "<host mac='52:54:00:00:00:05' ip='10.5.0.5'/>", 0)
        .unwrap();
    assert!(
        n.xml_desc(0)
            .unwrap()
            .contains("<host mac='52:54:00:00:00:05' ip='10.5.0.5'/>")
    );
    n.destroy().unwrap();
    let mut got = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while got.len() < 2 && std::time::Instant::now() < deadline {
        l.run_once_timeout(std::time::Duration::from_millis(20))
            .unwrap();
        got.extend(rx.try_iter());
    }
    assert_eq!(
        got,
        [
            (
                "rr".to_string(),
                NetworkEvent::Lifecycle(NetworkLifecycle::Started)
            ),
            (
                "rr".to_string(),
                NetworkEvent::Lifecycle(NetworkLifecycle::Stopped)
            ),
        ]
    );
    let pool = c.lookup_storage_pool_by_name("default-pool").unwrap();
    assert_eq!(pool.info().unwrap().state, 2);
    assert_eq!(c.list_all_node_devices(0).unwrap().len(), 4);
}
