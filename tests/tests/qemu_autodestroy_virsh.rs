//! `VIR_DOMAIN_START_AUTODESTROY` through rvirtd (libguestfs starts its appliance this
//! way): `virsh create --autodestroy` starts a guest that is gone as soon as that
//! virsh — its connection — exits, QEMU process included, while a guest started
//! without the flag keeps running.

use rvirt_testkit::{
    Daemon, HALT, QemuReaper, TempDir, have_qemu, have_virsh, virsh_ok, write_guest,
};
use std::time::{Duration, Instant};

#[test]
fn autodestroy_guest_dies_with_its_connection() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-autod");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let gone = write_guest(&root, "vgone", HALT);
    let stays = write_guest(&root, "vstays", HALT);

    let out = virsh_ok(&uri, &["create", "--autodestroy", gone.to_str().unwrap()]);
    assert!(out.contains("Domain 'vgone' created"), "{out}");
    virsh_ok(&uri, &["create", stays.to_str().unwrap()]);

    // That virsh has exited: the daemon saw its connection close.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let list = virsh_ok(&uri, &["list", "--all", "--name"]);
        if !list.contains("vgone") {
            assert!(list.contains("vstays"), "{list}");
            break;
        }
        assert!(Instant::now() < deadline, "vgone still there: {list}");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        !root.join("run/qemu/vgone.pid").exists(),
        "QEMU of vgone left behind"
    );
    virsh_ok(&uri, &["destroy", "vstays"]);
}
