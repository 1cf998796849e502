//! What a definition gains on its way to a running guest, as libvirt shows it: a MAC
//! for every NIC (at define), a VNC port (before QEMU starts: the first free one from
//! 5900 on the listen address), and the pty each `pty` serial/console got (from QMP
//! `query-chardev`, after QEMU started).

use std::collections::HashSet;
use std::net::TcpListener;
use std::sync::Mutex;

use rvirt_core::conf::{
    CharDevice, CharDeviceType, CharSource, Device, DomainDef, GraphicsListen, GraphicsType, Mac,
    YesNo,
};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::Value;

use crate::command_line::{VNC_PORT_MIN, vnc_listen, wants_autoport};

/// Ports this process handed to a QEMU that may not have bound them yet.
static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// A locally administered MAC in QEMU's `52:54:00` range, from the kernel's random
/// source.
pub(crate) fn random_mac() -> String {
    let mut b = [0u8; 3];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = std::io::Read::read_exact(&mut f, &mut b);
    }
    format!("52:54:00:{:02x}:{:02x}:{:02x}", b[0], b[1], b[2])
}

/// Gives every `<interface>` without `<mac>` a generated one (kept in the definition,
/// as libvirt does at define).
pub(crate) fn assign_macs(def: &mut DomainDef) {
    for dev in def.devices_mut() {
        if let Device::Interface(nic) = dev
            && nic.mac.is_none()
        {
            nic.mac = Some(Mac::new(random_mac()));
        }
    }
}

/// The first port from [`VNC_PORT_MIN`] that `listen` can bind and this process has
/// not handed out.
fn free_port(listen: &str) -> Result<u16> {
    let mut guard = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
    let handed = guard.get_or_insert_with(HashSet::new);
    for port in VNC_PORT_MIN..=u16::MAX {
        if handed.contains(&port) {
            continue;
        }
        let addr = if listen.contains(':') {
            format!("[{listen}]:{port}")
        } else {
            format!("{listen}:{port}")
        };
        if TcpListener::bind(&addr).is_ok() {
            handed.insert(port);
            return Ok(port);
        }
    }
    Err(Error::new(
        ErrorCode::InternalError,
        ErrorDomain::Qemu,
        format!("Unable to find an unused port for VNC on '{listen}'"),
    ))
}

/// Lets `port` be handed out again (the QEMU that had it stopped).
pub(crate) fn release_ports(def: &DomainDef) {
    let mut guard = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
    let Some(handed) = guard.as_mut() else { return };
    for dev in def.devices() {
        if let Device::Graphics(g) = dev
            && let Some(port) = g.port.and_then(|p| u16::try_from(p).ok())
        {
            handed.remove(&port);
        }
    }
}

/// Fills in the VNC or SPICE port (automatic ones: a free port from 5900 on, shared
/// by both) and the listen address of the
/// live definition, the way libvirt shows them (`port`, `autoport`, `listen` and
/// `<listen type='address'>`).
pub(crate) fn assign_graphics(def: &mut DomainDef) -> Result<()> {
    for dev in def.devices_mut() {
        let Device::Graphics(g) = dev else { continue };
        if !matches!(g.graphics_type, GraphicsType::Vnc | GraphicsType::Spice) {
            continue;
        }
        let listen = vnc_listen(g)?;
        if wants_autoport(g) {
            g.port = Some(i32::from(free_port(&listen)?));
            g.autoport = Some(YesNo::Yes);
        } else if g.autoport.is_none() {
            g.autoport = Some(YesNo::No);
        }
        g.listen = Some(listen.clone());
        for l in g.listens.iter_mut().filter(|l| l.listen_type == "address") {
            l.address.get_or_insert_with(|| listen.clone());
        }
        if g.listens.is_empty() {
            g.listens.push(GraphicsListen {
                listen_type: "address".into(),
                address: Some(listen),
                ..GraphicsListen::default()
            });
        }
    }
    Ok(())
}

/// The pty paths of `query-chardev`'s reply, by chardev label.
fn ptys(reply: &Value) -> Vec<(String, String)> {
    reply
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let label = c.get("label")?.as_str()?;
            let path = c.get("filename")?.as_str()?.strip_prefix("pty:")?;
            Some((label.to_owned(), path.to_owned()))
        })
        .collect()
}

fn set_pty(chr: &mut CharDevice, path: &str, tty_attr: bool) {
    if chr.char_type != CharDeviceType::Pty {
        return;
    }
    chr.sources = vec![CharSource {
        path: Some(path.to_owned()),
        ..CharSource::default()
    }];
    if tty_attr {
        chr.tty = Some(path.to_owned());
    }
}

/// Writes the ptys QEMU opened (`query-chardev` reply `reply`) into the live
/// definition: `<source path=…>` of each pty serial (`charserialN`), and of the first
/// console (which is serial 0) with its `tty=` attribute as well.
pub(crate) fn apply_ptys(def: &mut DomainDef, reply: &Value) {
    let ptys = ptys(reply);
    let path_of = |i: usize| {
        let label = format!("charserial{i}");
        ptys.iter()
            .find(|(l, _)| *l == label)
            .map(|(_, p)| p.clone())
    };
    let mut serial = 0;
    let mut console = 0;
    for dev in def.devices_mut() {
        match dev {
            Device::Serial(s) => {
                if let Some(p) = path_of(serial) {
                    set_pty(s, &p, false);
                }
                serial += 1;
            }
            Device::Console(c) => {
                if console == 0
                    && let Some(p) = path_of(0)
                {
                    set_pty(c, &p, true);
                }
                console += 1;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def(devices: &str) -> DomainDef {
        DomainDef::from_xml(&format!(
            "<domain type='qemu'><name>g</name><memory>65536</memory>\
             <os><type>hvm</type></os><devices>{devices}</devices></domain>"
        ))
        .unwrap()
    }

    #[test]
    fn macs_are_generated_once() {
        let mut d = def("<interface type='user'/><interface type='user'>\
                          <mac address='52:54:00:11:22:33'/></interface>");
        assign_macs(&mut d);
        let xml = d.to_xml().unwrap();
        assert!(xml.contains("52:54:00:11:22:33"), "{xml}");
        assert_eq!(xml.matches("<mac address='52:54:00:").count(), 2, "{xml}");
    }

    #[test]
    fn ptys_go_to_serial_and_console() {
        let mut d = def("<serial type='pty'><target port='0'/></serial>\
                          <console type='pty'><target type='serial' port='0'/></console>");
        apply_ptys(
            &mut d,
            &json!([{"label": "charmonitor", "filename": "unix:/x"},
                    {"label": "charserial0", "filename": "pty:/dev/pts/7"}]),
        );
        let xml = d.to_xml().unwrap();
        assert!(
            xml.contains("<console type='pty' tty='/dev/pts/7'>"),
            "{xml}"
        );
        assert_eq!(
            xml.matches("<source path='/dev/pts/7'/>").count(),
            2,
            "{xml}"
        );
    }

    #[test]
    fn autoport_gets_a_free_port_and_listen() {
        let mut d = def("<graphics type='vnc' port='-1'/>");
        assign_graphics(&mut d).unwrap();
        let Device::Graphics(g) = &d.devices()[0] else {
            panic!()
        };
        let port = g.port.unwrap();
        assert!(port >= 5900, "{port}");
        assert_eq!(g.listen.as_deref(), Some("127.0.0.1"));
        release_ports(&d);
    }

    #[test]
    fn spice_autoport_gets_a_free_port_and_listen() {
        let mut d = def(
            "<graphics type='spice' autoport='yes'><listen type='address'/></graphics>\
                          <graphics type='vnc' port='-1'/>",
        );
        assign_graphics(&mut d).unwrap();
        let ports: Vec<i32> = d
            .devices()
            .iter()
            .filter_map(|dev| match dev {
                Device::Graphics(g) => {
                    assert_eq!(g.listen.as_deref(), Some("127.0.0.1"));
                    g.port
                }
                _ => None,
            })
            .collect();
        assert_eq!(ports.len(), 2);
        assert!(ports.iter().all(|p| *p >= 5900), "{ports:?}");
        assert_ne!(ports[0], ports[1]);
        let xml = d.to_xml().unwrap();
        assert!(
            xml.contains(&format!("<graphics type='spice' port='{}'", ports[0])),
            "{xml}"
        );
        release_ports(&d);
    }
}
