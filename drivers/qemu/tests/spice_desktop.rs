//! virt-install's default desktop guest (`--graphics spice`): SPICE with an automatic
//! port, qxl video, ich9 sound on a SPICE audio backend, the SPICE agent channel and
//! two USB redirection channels, defines and starts under real QEMU (TCG); QEMU's
//! SPICE server listens on the port the live XML shows and its PCI buses hold the
//! sound card and the qxl adapter. Every QEMU is killed by pid when the test ends
//! ([`support::Env`]).

mod support;

use rvirt_core::driver::EventSink;
use rvirt_driver_qemu::driver::QemuConnection;
use rvirt_testkit::{LOOP, boot_disk, have_qemu};
use support::setup;

const DESKTOP: &str = r#"<graphics type="spice" autoport="yes">
      <listen type="address"/>
      <image compression="off"/>
    </graphics>
    <video>
      <model type="qxl" ram="65536" vram="65536" vgamem="16384" heads="1" primary="yes"/>
    </video>
    <sound model="ich9"/>
    <audio id="1" type="spice"/>
    <channel type="spicevmc">
      <target type="virtio" name="com.redhat.spice.0"/>
    </channel>
    <redirdev bus="usb" type="spicevmc"/>
    <redirdev bus="usb" type="spicevmc"/>"#;

#[test]
fn spice_desktop_guest_starts() {
    if !have_qemu() {
        return;
    }
    let env = setup("sd");
    let disk = boot_disk(&env.root.join("sd.img"), LOOP);
    let xml = include_str!("../src/command_line/virt_install_q35.xml")
        .replace("/tmp/boot.img", &disk.to_string_lossy())
        .replace("<name>debian11</name>", "<name>sd</name>")
        .replace(
            "<graphics type=\"vnc\" port=\"-1\"/>\n    <video>\n      <model type=\"virtio\"/>\n    </video>",
            DESKTOP,
        );
    assert!(xml.contains("spicevmc"), "{xml}");
    let mut dom = env.conn().define_xml(&xml).unwrap();
    dom.create().unwrap();

    let live = dom.xml_desc(0).unwrap();
    let port: i64 = live
        .split("<graphics type='spice' port='")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no SPICE port in {live}"));
    assert!(port >= 5900, "{live}");

    let qc = QemuConnection::open(&env.root, env.l.shared(), EventSink::detached()).unwrap();
    let spice = qc
        .monitor_command(dom.domain_ref(), "query-spice", None)
        .unwrap();
    assert_eq!(spice["enabled"], true, "{spice}");
    assert_eq!(spice["port"].as_i64(), Some(port), "{spice}");
    assert_eq!(spice["host"], "127.0.0.1", "{spice}");

    let pci = qc
        .monitor_command(dom.domain_ref(), "query-pci", None)
        .unwrap();
    let ids = support::pci_qdev_ids(&pci);
    // On pcie.0 itself: found by bus scan whatever the firmware did so far.
    for want in ["sound0", "video0"] {
        assert!(ids.iter().any(|i| i == want), "{want} not in {ids:?}");
    }
    // Behind root ports (whose secondary buses the firmware may not have numbered
    // yet): QEMU's device tree has them.
    let peripheral = qc
        .monitor_command(
            dom.domain_ref(),
            "qom-list",
            Some(serde_json::json!({"path": "/machine/peripheral"})),
        )
        .unwrap();
    let names: Vec<&str> = peripheral
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for want in ["usb", "virtio-serial0"] {
        assert!(names.contains(&want), "{want} not in {names:?}");
    }
    let qxl = pci
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["devices"].as_array().cloned().unwrap_or_default())
        .find(|d| d["qdev_id"] == "video0")
        .unwrap();
    // Red Hat's qxl: vendor 0x1b36, device 0x0100.
    assert_eq!(qxl["id"]["device"], 0x0100, "{qxl}");

    dom.destroy().unwrap();
    dom.undefine().unwrap();
}
