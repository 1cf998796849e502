//! rvirt's remote driver against rvirtd's `qemu:///system` with a Linux guest running
//! Debian's qemu-ga (rvirt-testkit's `linux_guest_with_agent`): the agent passthrough
//! (LIBVIRT_QEMU's DOMAIN_AGENT_COMMAND) and the REMOTE calls the agent answers (guest
//! info, host name, addresses, time read and set, file-system freeze and thaw, a user's
//! password, the agent response timeout, shutdown through the agent), each as the
//! local driver answers them.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rvirt_core::api::TypedValue;
use rvirt_core::{Connect, ErrorCode};
use rvirt_testkit::{
    Daemon, QemuReaper, TempDir, have_qemu, linux_domain_xml, linux_guest_with_agent, qcow2_image,
};

const PING: &str = r#"{"execute":"guest-ping"}"#;

#[test]
fn the_guest_agent_over_the_wire() {
    if !have_qemu() {
        return;
    }
    let root = TempDir::new("remote-agent");
    let Some(guest) = linux_guest_with_agent(&root) else {
        return;
    };
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with(
        "remote-agent",
        &["--qemu-root", root.0.join("qemu").to_str().unwrap()],
    );
    rvirt_driver_remote::register().unwrap();
    let conn = Connect::open(&d.qemu_uri()).unwrap();
    let disk = qcow2_image(&root.join("rga.qcow2"), "64M");
    let mut dom = conn
        .define_xml(&linux_domain_xml("rga", "pc", &guest, &disk))
        .unwrap();
    dom.create().unwrap();

    // Until the guest's qemu-ga opens its port the agent is "not connected".
    let deadline = Instant::now() + Duration::from_secs(150);
    let reply = loop {
        match dom.qemu_agent_command(PING, -1, 0) {
            Ok(r) => break r,
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::AgentUnresponsive, "{e}");
                assert!(Instant::now() < deadline, "{e}\n{}", d.log());
                std::thread::sleep(Duration::from_millis(250));
            }
        }
    };
    assert_eq!(reply, r#"{"return":{}}"#);
    let e = dom.qemu_agent_command("not json", -1, 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InternalError);
    let e = dom.qemu_agent_command(PING, -3, 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg);

    // Guest info: the host name and OS groups only.
    let info = dom.guest_info(8 | 2, 0).unwrap();
    let get = |k: &str| info.iter().find(|p| p.field == k).map(|p| p.value.clone());
    assert_eq!(
        get("hostname"),
        Some(TypedValue::String("rvirt-guest".into()))
    );
    assert_eq!(get("os.machine"), Some(TypedValue::String("x86_64".into())));
    assert!(
        get("fs.count").is_none() && get("user.count").is_none(),
        "{info:?}"
    );
    assert_eq!(dom.guest_hostname(0).unwrap(), "rvirt-guest");

    // The agent response timeout (DOMAIN_AGENT_SET_RESPONSE_TIMEOUT): libvirt's lower
    // bound and flags check, "no wait" failing the next agent call, blocking again.
    let e = dom.agent_set_response_timeout(-3, 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg);
    assert!(
        e.to_string()
            .contains("guest agent timeout '-3' is less than the minimum '-2'"),
        "{e}"
    );
    let e = dom.agent_set_response_timeout(5, 1).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg, "{e}");
    dom.agent_set_response_timeout(0, 0).unwrap();
    let e = dom.guest_hostname(0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::AgentUnresponsive, "{e}");
    dom.agent_set_response_timeout(-2, 0).unwrap();
    assert_eq!(dom.guest_hostname(0).unwrap(), "rvirt-guest");
    // The test driver, like libvirt's, does not support it.
    let test = Connect::open(&d.uri()).unwrap();
    let e = test
        .lookup_domain_by_name("test")
        .unwrap()
        .agent_set_response_timeout(5, 0)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoSupport, "{e}");

    let ifaces = dom.interface_addresses(1, 0).unwrap();
    let eth0 = ifaces.iter().find(|i| i.name == "eth0").expect("eth0");
    assert!(
        eth0.addrs
            .iter()
            .any(|a| a.addr == "10.0.2.15" && a.prefix == 24)
    );

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    dom.set_time(now - 7200, 0, 0).unwrap();
    let (secs, _) = dom.guest_time(0).unwrap();
    assert!(
        (secs - (now - 7200)).abs() < 120,
        "{secs} vs {}",
        now - 7200
    );
    dom.set_time(now, 0, 0).unwrap();

    assert_eq!(dom.fs_freeze(&[], 0).unwrap(), 1);
    assert_eq!(dom.fs_thaw(&[], 0).unwrap(), 1);
    let e = dom.fs_thaw(&["/mnt/data".into()], 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ArgumentUnsupported);
    dom.set_user_password("root", "an0ther", 0).unwrap();
    let e = dom.set_user_password("nobody-here", "x", 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InternalError, "{e}");

    // Shutdown through the agent (VIR_DOMAIN_SHUTDOWN_GUEST_AGENT): the guest powers off.
    dom.shutdown_with_flags(2).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while dom.is_active().unwrap() {
        assert!(Instant::now() < deadline, "{}", d.log());
        std::thread::sleep(Duration::from_millis(200));
    }
    dom.undefine().unwrap();
}
