//! `virDomainOpenGraphicsFD` of a running domain: a socket connected to the VNC or
//! SPICE server of its `idx`-th `<graphics>`, for a viewer (virt-manager's console)
//! to speak the protocol on.
//!
//! libvirt hands QEMU one end of a socketpair (`add_client`); this driver connects to
//! the server's listening address and port from the live definition instead, which
//! gives the viewer the same byte stream. Graphics passwords are not supported by the
//! driver, so `VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH` changes nothing.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::os::fd::OwnedFd;
use std::time::Duration;

use rvirt_core::conf::{Device, GraphicsType};
use rvirt_core::driver::DomainRef;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::connection::check_flags;
use super::instance::{Shared, not_running};
use crate::command_line::vnc_listen;

/// `VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH`.
const SKIPAUTH: u32 = 1;

/// How long connecting to the local graphics server may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

fn internal(message: String) -> Error {
    Error::new(ErrorCode::InternalError, ErrorDomain::Qemu, message)
}

/// Where a server listening on `listen`:`port` is reached from this host: the
/// loopback address for a wildcard listener.
fn reach(listen: &str, port: u16) -> Result<SocketAddr> {
    let ip: IpAddr = listen.trim_matches(['[', ']']).parse().map_err(|_| {
        internal(format!(
            "cannot connect to graphics listen address '{listen}'"
        ))
    })?;
    let ip = match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    Ok(SocketAddr::new(ip, port))
}

impl Shared {
    /// See the module documentation.
    pub(crate) fn open_graphics_fd(
        &self,
        dom: &DomainRef,
        idx: u32,
        flags: u32,
    ) -> Result<OwnedFd> {
        check_flags(flags, SKIPAUTH, "qemuDomainOpenGraphicsFD")?;
        let addr = self.domains.read(dom, |vm| {
            if vm.run.is_none() {
                return Err(not_running());
            }
            let g = vm
                .def
                .devices()
                .iter()
                .filter_map(|d| match d {
                    Device::Graphics(g) => Some(g),
                    _ => None,
                })
                .nth(idx as usize)
                .ok_or_else(|| internal(format!("No graphics backend with index {idx}")))?;
            if !matches!(g.graphics_type, GraphicsType::Vnc | GraphicsType::Spice) {
                return Err(internal(format!(
                    "Can only open VNC or SPICE graphics backends, not {}",
                    g.graphics_type.as_str()
                )));
            }
            let port = g
                .port
                .and_then(|p| u16::try_from(p).ok())
                .filter(|p| *p > 0)
                .ok_or_else(|| internal("graphics server has no port".to_string()))?;
            reach(&vnc_listen(g)?, port)
        })?;
        let stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT).map_err(|e| {
            Error::new(
                ErrorCode::SystemError,
                ErrorDomain::Qemu,
                format!("unable to connect to graphics server at {addr}: {e}"),
            )
        })?;
        Ok(stream.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_listeners_are_reached_on_loopback() {
        assert_eq!(
            reach("0.0.0.0", 5901).unwrap().to_string(),
            "127.0.0.1:5901"
        );
        assert_eq!(reach("::", 5900).unwrap().to_string(), "[::1]:5900");
        assert_eq!(reach("[::1]", 5900).unwrap().to_string(), "[::1]:5900");
        assert_eq!(
            reach("192.0.2.1", 5900).unwrap().to_string(),
            "192.0.2.1:5900"
        );
        assert!(reach("host.example", 5900).is_err());
    }
}
