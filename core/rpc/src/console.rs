//! The procedures that open a stream on a domain: DOMAIN_OPEN_CONSOLE (201) and
//! DOMAIN_SCREENSHOT (211), whose data follows the reply as STREAM packets on the
//! call's serial, and DOMAIN_OPEN_GRAPHICS_FD (343), whose reply carries a socket.

use serde::{Deserialize, Serialize};

use crate::types::RemoteNonnullDomain;

/// `remote_domain_open_console_args` (the return value is void).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainOpenConsoleArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The console's alias (`serial0`, `console0`), or `None` for the first one.
    pub dev_name: Option<String>,
    /// `VIR_DOMAIN_CONSOLE_FORCE` (1), `VIR_DOMAIN_CONSOLE_SAFE` (2).
    pub flags: u32,
}

/// `remote_domain_open_graphics_fd_args` (the return value is void; the reply is a
/// REPLY_WITH_FDS whose payload starts with the number of descriptors, 1, and the
/// descriptor follows the packet on the unix socket, as `SCM_RIGHTS` with one byte).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainOpenGraphicsFdArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The index of the `<graphics>` device in the domain's live XML.
    pub idx: u32,
    /// `VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH` (1).
    pub flags: u32,
}

/// `remote_domain_screenshot_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainScreenshotArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The screen (head) number.
    pub screen: u32,
    /// None defined.
    pub flags: u32,
}

/// `remote_domain_screenshot_ret`: the image's MIME type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainScreenshotRet {
    /// e.g. `image/x-portable-pixmap`.
    pub mime: Option<String>,
}
