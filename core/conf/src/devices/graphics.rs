//! `<graphics>`: the guest display exported by the host (VNC, SPICE, SDL, …).

use serde::{Deserialize, Serialize};

use crate::YesNo;

string_enum! {
    /// `<graphics type=…>`.
    pub enum GraphicsType ("graphics type") {
        /// SDL window.
        Sdl = "sdl",
        /// VNC server.
        Vnc = "vnc",
        /// SPICE server.
        Spice = "spice",
        /// RDP server.
        Rdp = "rdp",
        /// Desktop window (VirtualBox).
        Desktop = "desktop",
        /// Headless OpenGL.
        EglHeadless = "egl-headless",
        /// D-Bus display.
        Dbus = "dbus",
    }
}

/// `<graphics>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Graphics {
    /// `type`.
    #[serde(rename = "@type")]
    pub graphics_type: GraphicsType,
    /// `port` (`-1` = allocate).
    #[serde(rename = "@port", default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// `autoport`.
    #[serde(rename = "@autoport", default, skip_serializing_if = "Option::is_none")]
    pub autoport: Option<YesNo>,
    /// `websocket`.
    #[serde(
        rename = "@websocket",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub websocket: Option<i32>,
    /// `tlsPort` (SPICE).
    #[serde(rename = "@tlsPort", default, skip_serializing_if = "Option::is_none")]
    pub tls_port: Option<i32>,
    /// `listen` address (legacy form of `<listen>`).
    #[serde(rename = "@listen", default, skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    /// `passwd`.
    #[serde(rename = "@passwd", default, skip_serializing_if = "Option::is_none")]
    pub passwd: Option<String>,
    /// `keymap`.
    #[serde(rename = "@keymap", default, skip_serializing_if = "Option::is_none")]
    pub keymap: Option<String>,
    /// `display` (SDL).
    #[serde(rename = "@display", default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// `xauth` (SDL).
    #[serde(rename = "@xauth", default, skip_serializing_if = "Option::is_none")]
    pub xauth: Option<String>,
    /// `fullscreen` (SDL).
    #[serde(
        rename = "@fullscreen",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub fullscreen: Option<YesNo>,
    /// `<listen>` elements.
    #[serde(rename = "listen", default, skip_serializing_if = "Vec::is_empty")]
    pub listens: Vec<GraphicsListen>,
    /// `<gl>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gl: Option<GraphicsGl>,
}

/// `<graphics><listen/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GraphicsListen {
    /// `type` (`address`, `network`, `socket`, `none`).
    #[serde(rename = "@type")]
    pub listen_type: String,
    /// `address`.
    #[serde(rename = "@address", default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// `network`.
    #[serde(rename = "@network", default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// `socket`.
    #[serde(rename = "@socket", default, skip_serializing_if = "Option::is_none")]
    pub socket: Option<String>,
}

/// `<graphics><gl/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GraphicsGl {
    /// `enable`.
    #[serde(rename = "@enable", default, skip_serializing_if = "Option::is_none")]
    pub enable: Option<YesNo>,
    /// `rendernode`.
    #[serde(
        rename = "@rendernode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub rendernode: Option<String>,
}
