//! `<graphics type='vnc'>` → `-vnc ADDR:DISPLAY`, and `<video>` → the adapter's
//! `-device`.

use rvirt_core::Result;
use rvirt_core::conf::{Device, DomainDef, Graphics, GraphicsType, Video, VideoModelType, YesNo};
use serde_json::json;

use super::unsupported;

/// The first VNC port (display `:0`).
pub const VNC_PORT_MIN: u16 = 5900;

/// The listen address QEMU's VNC server uses when the definition names none.
pub const VNC_DEFAULT_LISTEN: &str = "127.0.0.1";

/// The listen address of a VNC `<graphics>`: `<listen type='address' address=…>`,
/// else the `listen` attribute, else [`VNC_DEFAULT_LISTEN`].
///
/// Errors: `<listen>` of another type (socket, network, none).
pub fn vnc_listen(g: &Graphics) -> Result<String> {
    for l in &g.listens {
        match l.listen_type.as_str() {
            "address" => {
                if let Some(a) = &l.address {
                    return Ok(a.clone());
                }
            }
            other => {
                return Err(unsupported(format!(
                    "graphics listen type '{other}' is not supported yet"
                )));
            }
        }
    }
    Ok(g.listen
        .clone()
        .unwrap_or_else(|| VNC_DEFAULT_LISTEN.to_owned()))
}

/// True if the port of `g` is for the driver to choose (`autoport='yes'`, or no
/// port / `-1`).
pub fn wants_autoport(g: &Graphics) -> bool {
    g.autoport == Some(YesNo::Yes) || g.port.is_none_or(|p| p < 0)
}

fn push_vnc(g: &Graphics, args: &mut Vec<String>) -> Result<()> {
    if g.socket.is_some() || g.websocket.is_some_and(|w| w != -1) || g.passwd.is_some() {
        return Err(unsupported(
            "VNC sockets, websockets and passwords are not supported yet",
        ));
    }
    let listen = vnc_listen(g)?;
    // At define the port may still be automatic; the driver fills it in before start.
    let port = if wants_autoport(g) {
        i32::from(VNC_PORT_MIN)
    } else {
        g.port.unwrap_or(i32::from(VNC_PORT_MIN))
    };
    let display = port - i32::from(VNC_PORT_MIN);
    if !(0..=65535 - i32::from(VNC_PORT_MIN)).contains(&display) {
        return Err(unsupported(format!(
            "VNC port {port} is below {VNC_PORT_MIN} or out of range"
        )));
    }
    let host = if listen.contains(':') {
        format!("[{listen}]")
    } else {
        listen
    };
    args.push("-vnc".into());
    args.push(format!("{host}:{display}"));
    Ok(())
}

/// QEMU's device for a primary video adapter of `model` (`None`: no device).
fn video_driver(model: VideoModelType) -> Result<Option<&'static str>> {
    Ok(Some(match model {
        VideoModelType::Vga => "VGA",
        VideoModelType::Cirrus => "cirrus-vga",
        VideoModelType::Virtio => "virtio-vga",
        VideoModelType::Qxl => "qxl-vga",
        VideoModelType::Bochs => "bochs-display",
        VideoModelType::None => return Ok(None),
        other => {
            return Err(unsupported(format!(
                "video model '{other}' is not supported yet"
            )));
        }
    }))
}

fn push_video(v: &Video, args: &mut Vec<String>) -> Result<()> {
    let model = v.model.as_ref();
    if model.and_then(|m| m.heads).is_some_and(|h| h != 1) {
        return Err(unsupported(
            "video with more than one head is not supported yet",
        ));
    }
    let kind = model
        .and_then(|m| m.model_type)
        .unwrap_or(VideoModelType::Vga);
    if let Some(driver) = video_driver(kind)? {
        args.push("-device".into());
        args.push(json!({"driver": driver, "id": "video0"}).to_string());
    }
    Ok(())
}

/// The graphics and video devices of `def`. One VNC display and one video adapter
/// at most.
pub(super) fn push_display(def: &DomainDef, args: &mut Vec<String>) -> Result<()> {
    let graphics: Vec<&Graphics> = def
        .devices()
        .iter()
        .filter_map(|d| match d {
            Device::Graphics(g) => Some(g),
            _ => None,
        })
        .collect();
    let videos: Vec<&Video> = def
        .devices()
        .iter()
        .filter_map(|d| match d {
            Device::Video(v) => Some(v),
            _ => None,
        })
        .collect();
    if graphics.len() > 1 || videos.len() > 1 {
        return Err(unsupported(
            "more than one <graphics> or <video> is not supported yet",
        ));
    }
    for g in graphics {
        if g.graphics_type != GraphicsType::Vnc {
            return Err(unsupported(format!(
                "device <graphics type='{}'> is not supported by the QEMU driver yet",
                g.graphics_type
            )));
        }
        push_vnc(g, args)?;
    }
    for v in videos {
        push_video(v, args)?;
    }
    Ok(())
}
