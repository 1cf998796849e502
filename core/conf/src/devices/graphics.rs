//! `<graphics>`: remote displays (VNC, SPICE, …) and their listen addresses.

use crate::YesNo;
use crate::xml::{Element, Extra};

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
        /// Desktop window.
        Desktop = "desktop",
        /// Headless EGL.
        EglHeadless = "egl-headless",
        /// D-Bus display.
        Dbus = "dbus",
    }
}

xml_struct! {
    /// `<graphics>`.
    pub struct Graphics {
        /// `type`.
        attr_req graphics_type: GraphicsType = "type",
        /// `port` (`-1` asks for an automatic port).
        attr port: i32 = "port",
        /// `autoport`.
        attr autoport: YesNo = "autoport",
        /// `websocket`.
        attr websocket: i32 = "websocket",
        /// `tlsPort` (SPICE).
        attr tls_port: i32 = "tlsPort",
        /// `socket` (VNC over a UNIX socket).
        attr socket: String = "socket",
        /// `listen` address (legacy form of `<listen>`).
        attr listen: String = "listen",
        /// `passwd`.
        attr passwd: String = "passwd",
        /// `passwdValidTo`.
        attr passwd_valid_to: String = "passwdValidTo",
        /// `connected`.
        attr connected: String = "connected",
        /// `keymap`.
        attr keymap: String = "keymap",
        /// `sharePolicy` (VNC).
        attr share_policy: String = "sharePolicy",
        /// `defaultMode` (SPICE).
        attr default_mode: String = "defaultMode",
        /// `display` (SDL, desktop).
        attr display: String = "display",
        /// `xauth` (SDL).
        attr xauth: String = "xauth",
        /// `fullscreen` (SDL, desktop).
        attr fullscreen: YesNo = "fullscreen",
        /// `<listen>` elements.
        children listens: GraphicsListen = "listen",
        /// `<channel>` elements (SPICE).
        children channels: Element = "channel",
        /// `<image compression=…/>` (SPICE).
        child image: Element = "image",
        /// `<gl>`.
        child gl: GraphicsGl = "gl",
        /// `<audio id=…/>`.
        child audio: Element = "audio",
    }
}

impl Graphics {
    /// A display of `graphics_type` with nothing else set.
    ///
    /// ```
    /// use rvirt_conf::{Graphics, GraphicsType};
    /// let vnc = Graphics::new(GraphicsType::Vnc);
    /// assert!(vnc.listens.is_empty());
    /// ```
    pub fn new(graphics_type: GraphicsType) -> Graphics {
        Graphics {
            graphics_type,
            port: None,
            autoport: None,
            websocket: None,
            tls_port: None,
            socket: None,
            listen: None,
            passwd: None,
            passwd_valid_to: None,
            connected: None,
            keymap: None,
            share_policy: None,
            default_mode: None,
            display: None,
            xauth: None,
            fullscreen: None,
            listens: Vec::new(),
            channels: Vec::new(),
            image: None,
            gl: None,
            audio: None,
            extra: Extra::default(),
        }
    }
}

xml_struct! {
    /// `<graphics><listen/>`.
    #[derive(Default)]
    pub struct GraphicsListen {
        /// `type` (`address`, `network`, `socket`, `none`).
        attr_req listen_type: String = "type",
        /// `address`.
        attr address: String = "address",
        /// `network`.
        attr network: String = "network",
        /// `socket`.
        attr socket: String = "socket",
    }
}

xml_struct! {
    /// `<graphics><gl/>`.
    #[derive(Default)]
    pub struct GraphicsGl {
        /// `enable`.
        attr enable: YesNo = "enable",
        /// `rendernode`.
        attr rendernode: String = "rendernode",
    }
}
