//! libvirt's reading of `<graphics>`: the listen list built from the legacy `listen`
//! and `socket` attributes, automatic ports, and the attributes libvirt prints back
//! from that state.

use crate::YesNo;
use crate::devices::{Graphics, GraphicsListen, GraphicsType};
use crate::xml::Element;

fn listen(listen_type: &str) -> GraphicsListen {
    GraphicsListen {
        listen_type: listen_type.into(),
        ..GraphicsListen::default()
    }
}

/// The `<listen>` list as libvirt reads it: the elements given, or one built from the
/// `socket` (VNC) or `listen` attribute.
fn listens(g: &mut Graphics) {
    let socket = (g.graphics_type == GraphicsType::Vnc)
        .then(|| g.socket.clone())
        .flatten();
    let from_attrs = match socket {
        Some(path) => GraphicsListen {
            socket: Some(path),
            ..listen("socket")
        },
        None => GraphicsListen {
            address: g.listen.clone().filter(|a| !a.is_empty()),
            ..listen("address")
        },
    };
    match g.listens.first_mut() {
        None => g.listens.push(from_attrs),
        Some(first)
            if matches!(first.listen_type.as_str(), "address" | "network")
                && from_attrs.listen_type == "socket" =>
        {
            *first = from_attrs;
        }
        Some(_) => {}
    }
}

/// The spice channel names in libvirt's order.
const SPICE_CHANNELS: &[&str] = &[
    "main",
    "display",
    "inputs",
    "cursor",
    "playback",
    "record",
    "smartcard",
    "usbredir",
];

fn spice_channels(channels: &mut Vec<Element>) {
    let mut by_name: Vec<Option<Element>> = vec![None; SPICE_CHANNELS.len()];
    let mut other = Vec::new();
    for c in channels.drain(..) {
        match c
            .attr("name")
            .and_then(|n| SPICE_CHANNELS.iter().position(|k| *k == n))
        {
            Some(i) => by_name[i] = Some(c),
            None => other.push(c),
        }
    }
    channels.extend(by_name.into_iter().flatten());
    channels.extend(other);
}

fn yes_no(b: bool) -> YesNo {
    if b { YesNo::Yes } else { YesNo::No }
}

/// Puts `g` in the form libvirt prints after reading it; `inactive` is libvirt's
/// reading for a stored definition (automatic ports forgotten).
pub(crate) fn normalize(g: &mut Graphics, inactive: bool) {
    match g.graphics_type {
        GraphicsType::Vnc => {
            listens(g);
            let mut port = g.port.unwrap_or(0);
            let mut auto = g.port.is_none();
            if port == -1 {
                auto = true;
                if inactive {
                    port = 0;
                }
            }
            if let Some(a) = g.autoport {
                auto = a == YesNo::Yes;
                if auto && inactive {
                    port = 0;
                }
            }
            let first = g.listens[0].clone();
            g.socket = None;
            g.listen = None;
            g.port = None;
            g.autoport = None;
            match first.listen_type.as_str() {
                "socket" => g.socket = first.socket,
                "address" | "network" => {
                    g.port = if port != 0 && (!auto || !inactive) {
                        Some(port)
                    } else if auto {
                        Some(-1)
                    } else {
                        None
                    };
                    g.autoport = Some(yes_no(auto));
                    if first.listen_type == "address" || !inactive {
                        g.listen = first.address;
                    }
                }
                _ => {}
            }
            if g.websocket == Some(0) {
                g.websocket = None;
            }
        }
        GraphicsType::Spice => {
            listens(g);
            let mut port = g.port.unwrap_or(0);
            let mut tls = g.tls_port.unwrap_or(0);
            let mut auto = g.autoport == Some(YesNo::Yes);
            if port == -1 && tls == -1 {
                auto = true;
            }
            if auto && inactive {
                port = 0;
                tls = 0;
            }
            if g.listens[0].listen_type == "address" && port == 0 && tls == 0 && !auto {
                g.listens[0] = listen("none");
            }
            let first = g.listens[0].clone();
            g.listen = None;
            g.port = None;
            g.tls_port = None;
            g.autoport = None;
            if matches!(first.listen_type.as_str(), "address" | "network") {
                g.port = (port != 0).then_some(port);
                g.tls_port = (tls != 0).then_some(tls);
                g.autoport = Some(yes_no(auto));
                if first.listen_type == "address" || !inactive {
                    g.listen = first.address;
                }
            }
            spice_channels(&mut g.channels);
        }
        GraphicsType::Rdp => {
            listens(g);
            let auto = g.autoport == Some(YesNo::Yes);
            let port = g.port.unwrap_or(0);
            g.port = if port != 0 {
                Some(port)
            } else if auto {
                Some(0)
            } else {
                None
            };
            g.autoport = auto.then_some(YesNo::Yes);
            g.listen = g.listens[0].address.clone();
        }
        GraphicsType::Sdl | GraphicsType::Desktop => {
            if g.fullscreen == Some(YesNo::No) {
                g.fullscreen = None;
            }
        }
        GraphicsType::EglHeadless | GraphicsType::Dbus => {}
    }
    if inactive {
        for l in &mut g.listens {
            if l.listen_type == "network" {
                l.address = None;
            }
        }
    }
}
