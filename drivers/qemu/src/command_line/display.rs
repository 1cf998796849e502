//! `<graphics type='vnc'>` → `-vnc ADDR:DISPLAY`, `<graphics type='spice'>` →
//! `-spice port=N,addr=ADDR,…`, and `<video>` → the adapter's `-device`.

use rvirt_core::Result;
use rvirt_core::conf::{Device, DomainDef, Graphics, GraphicsType, Video, VideoModelType, YesNo};
use serde_json::{Map, Value};

use super::pci::PciBuses;
use super::{escape_opt, unsupported};

/// The first VNC port (display `:0`).
pub const VNC_PORT_MIN: u16 = 5900;

/// The listen address QEMU's VNC server uses when the definition names none.
pub const VNC_DEFAULT_LISTEN: &str = "127.0.0.1";

/// SPICE's `<image compression=…>` values (QEMU's `image-compression`).
const SPICE_IMAGE_COMPRESSION: &[&str] = &["auto_glz", "auto_lz", "quic", "glz", "lz", "off"];

/// The listen address of a VNC or SPICE `<graphics>`: `<listen type='address' address=…>`,
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

/// The port QEMU is told: the one in the definition, which the driver fills in before
/// start (an automatic port included, `autoport='yes'` then stays set); 5900 while it is
/// still automatic (`-1` or none, at define).
fn command_line_port(g: &Graphics) -> i32 {
    g.port
        .filter(|p| *p >= 0)
        .unwrap_or(i32::from(VNC_PORT_MIN))
}

fn push_vnc(g: &Graphics, args: &mut Vec<String>) -> Result<()> {
    if g.socket.is_some() || g.websocket.is_some_and(|w| w != -1) {
        return Err(unsupported(
            "VNC sockets and websockets are not supported yet",
        ));
    }
    let listen = vnc_listen(g)?;
    let port = command_line_port(g);
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
    // The password itself goes over the monitor before the guest runs.
    let password = if g.passwd.is_some() {
        ",password=on"
    } else {
        ""
    };
    args.push(format!("{host}:{display}{password}"));
    Ok(())
}

/// `-spice port=N,addr=ADDR,disable-ticketing=on[,image-compression=C],seamless-migration=on`
/// (libvirt's `qemuBuildGraphicsSPICECommandLine` for a plain-port server).
fn push_spice(g: &Graphics, args: &mut Vec<String>) -> Result<()> {
    if g.tls_port.is_some_and(|p| p > 0)
        || g.gl.is_some()
        || g.audio.is_some()
        || g.default_mode.is_some()
        || g.channels.iter().any(|c| c.attr("mode").is_some())
    {
        return Err(unsupported(
            "SPICE TLS, GL, audio, channel modes and default modes are not supported yet",
        ));
    }
    let listen = vnc_listen(g)?;
    let port = command_line_port(g);
    if !(1..=65535).contains(&port) {
        return Err(unsupported(format!("SPICE port {port} is out of range")));
    }
    // With a password, ticketing stays on and the monitor sets the ticket.
    let mut spec = format!("port={port},addr={}", escape_opt(&listen));
    if g.passwd.is_none() {
        spec.push_str(",disable-ticketing=on");
    }
    if let Some(image) = &g.image {
        match image.attr("compression") {
            None => {}
            Some(c) if SPICE_IMAGE_COMPRESSION.contains(&c) => {
                spec.push_str(&format!(",image-compression={c}"));
            }
            Some(c) => {
                return Err(unsupported(format!(
                    "SPICE image compression '{c}' is not supported"
                )));
            }
        }
    }
    spec.push_str(",seamless-migration=on");
    args.push("-spice".into());
    args.push(spec);
    Ok(())
}

/// True if `def` has a `<graphics type='spice'>`.
pub(super) fn has_spice(def: &DomainDef) -> bool {
    def.devices()
        .iter()
        .any(|d| matches!(d, Device::Graphics(g) if g.graphics_type == GraphicsType::Spice))
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

fn push_video(v: &Video, buses: &PciBuses, args: &mut Vec<String>) -> Result<()> {
    let model = v.model.as_ref();
    if model.and_then(|m| m.heads).is_some_and(|h| h != 1) {
        return Err(unsupported(
            "video with more than one head is not supported yet",
        ));
    }
    let kind = model
        .and_then(|m| m.model_type)
        .unwrap_or(VideoModelType::Vga);
    let Some(driver) = video_driver(kind)? else {
        return Ok(());
    };
    let mut dev = Map::new();
    dev.insert("driver".into(), driver.into());
    dev.insert("id".into(), "video0".into());
    if kind == VideoModelType::Qxl {
        // libvirt: ram/vram in KiB → bytes, vgamem in KiB → MiB.
        let m = model.cloned().unwrap_or_default();
        if m.vram64.is_some() {
            return Err(unsupported("qxl vram64 is not supported yet"));
        }
        if let Some(ram) = m.ram {
            dev.insert("ram_size".into(), (u64::from(ram) * 1024).into());
        }
        if let Some(vram) = m.vram {
            dev.insert("vram_size".into(), (u64::from(vram) * 1024).into());
        }
        if let Some(vgamem) = m.vgamem {
            if vgamem < 1024 || !vgamem.is_power_of_two() {
                return Err(unsupported(format!(
                    "qxl vgamem {vgamem} KiB must be a power of two of at least 1 MiB"
                )));
            }
            dev.insert("vgamem_mb".into(), (vgamem / 1024).into());
        }
        if let Some(heads) = m.heads {
            dev.insert("max_outputs".into(), heads.into());
        }
    } else if let Some(m) = model {
        // Other adapters keep QEMU's sizes: refuse sizes other than libvirt's defaults.
        let default_vram = match kind {
            VideoModelType::Vga | VideoModelType::Cirrus | VideoModelType::Bochs => Some(16 * 1024),
            _ => None,
        };
        if m.ram.is_some()
            || m.vgamem.is_some()
            || m.vram64.is_some()
            || m.vram.is_some_and(|v| Some(v) != default_vram)
        {
            return Err(unsupported(format!(
                "video memory sizes of model '{kind}' are not supported yet"
            )));
        }
    }
    buses.place_map(v.address.as_ref(), &mut dev)?;
    args.push("-device".into());
    args.push(Value::Object(dev).to_string());
    Ok(())
}

/// The graphics and video devices of `def`. One VNC display and one video adapter
/// at most.
pub(super) fn push_display(def: &DomainDef, machine: &str, args: &mut Vec<String>) -> Result<()> {
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
        match g.graphics_type {
            GraphicsType::Vnc => push_vnc(g, args)?,
            GraphicsType::Spice => push_spice(g, args)?,
            other => {
                return Err(unsupported(format!(
                    "device <graphics type='{other}'> is not supported by the QEMU driver yet"
                )));
            }
        }
    }
    for v in videos {
        push_video(v, &PciBuses::new(def, machine), args)?;
    }
    Ok(())
}
