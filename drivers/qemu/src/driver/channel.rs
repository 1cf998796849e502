//! `virDomainOpenChannel` as libvirt 9.0's QEMU driver serves it: a connection to the
//! host side of one of the domain's `<channel type='unix'>` sockets (QEMU listens on it;
//! the guest sees the other end as `/dev/virtio-ports/NAME`), handed to the client as a
//! stream, one session per channel (`VIR_DOMAIN_CHANNEL_FORCE` takes it over). A channel
//! is named by its alias (`channel0`) or its target name; without a name, the first one.

use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;

use rvirt_core::conf::{CharDevice, CharDeviceType, DomainDef};
use rvirt_core::driver::{Console, DomainRef};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::connection::check_flags;
use super::instance::{Shared, not_running};

/// `VIR_DOMAIN_CHANNEL_FORCE`.
const CHANNEL_FORCE: u32 = 1;

/// The domain's channels with their aliases and target names.
fn channels(def: &DomainDef) -> Vec<(String, Option<String>, &CharDevice)> {
    crate::event_map::channels_of(def)
        .map(|(n, c)| {
            let name = c.target.as_ref().and_then(|t| t.name.clone());
            (format!("channel{n}"), name, c)
        })
        .collect()
}

/// The socket of channel `name` (alias or target name; `None`: the first) of `def`, whose
/// run keeps its sockets in `priv_dir`.
fn channel_socket(
    def: &DomainDef,
    name: Option<&str>,
    priv_dir: &std::path::Path,
) -> Result<PathBuf> {
    let all = channels(def);
    let found = match name {
        None => all.first(),
        Some(n) => all
            .iter()
            .find(|(alias, target, _)| alias == n || target.as_deref() == Some(n)),
    };
    let Some((alias, target, chan)) = found else {
        return Err(Error::internal(
            ErrorDomain::Qemu,
            format!("cannot find channel {}", name.unwrap_or("<null>")),
        ));
    };
    if chan.char_type != CharDeviceType::Unix {
        return Err(Error::new(
            ErrorCode::ArgumentUnsupported,
            ErrorDomain::Qemu,
            format!(
                "channel {} is not using a UNIX socket",
                name.unwrap_or(alias)
            ),
        ));
    }
    let path = chan.sources.iter().find_map(|s| s.path.as_deref());
    Ok(match (path, target) {
        (Some(p), _) => PathBuf::from(p),
        (None, Some(t)) => priv_dir.join(t),
        (None, None) => {
            return Err(Error::internal(
                ErrorDomain::Qemu,
                format!("channel {alias} has no socket"),
            ));
        }
    })
}

impl Shared {
    /// `virDomainOpenChannel`: the channel's socket, connected, with its session lease.
    pub(crate) fn open_channel(
        &self,
        dom: &DomainRef,
        name: Option<&str>,
        flags: u32,
    ) -> Result<Console> {
        check_flags(flags, CHANNEL_FORCE, "qemuDomainOpenChannel")?;
        let path = self.domains.read(dom, |vm| {
            let run = vm.run.as_ref().ok_or_else(not_running)?;
            channel_socket(&vm.def, name, &run.priv_dir)
        })?;
        let lease = self.consoles.acquire(
            &format!("{}/{}", dom.uuid, path.display()),
            flags & CHANNEL_FORCE != 0,
            ErrorDomain::Qemu,
        )?;
        let sock = UnixStream::connect(&path).map_err(|e| {
            Error::new(
                ErrorCode::SystemError,
                ErrorDomain::Qemu,
                format!(
                    "Unable to connect to UNIX socket '{}': {}",
                    path.display(),
                    rvirt_core::driver::save_file::strerror(&e)
                ),
            )
        })?;
        sock.set_nonblocking(true)
            .map_err(|e| Error::new(ErrorCode::SystemError, ErrorDomain::Qemu, e.to_string()))?;
        Ok(Console {
            fd: OwnedFd::from(sock),
            lease,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_by_alias_or_target_name() {
        let def = DomainDef::from_xml(
            "<domain type='qemu'><name>g</name><memory>65536</memory><os><type>hvm</type></os>\
             <devices><channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>\
             <channel type='unix'><source mode='bind' path='/run/x.sock'/><target type='virtio' name='org.rvirt.test'/></channel>\
             <channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/></channel>\
             </devices></domain>",
        )
        .unwrap();
        let dir = std::path::Path::new("/run/priv");
        assert_eq!(
            channel_socket(&def, None, dir).unwrap(),
            dir.join("org.qemu.guest_agent.0")
        );
        assert_eq!(
            channel_socket(&def, Some("org.rvirt.test"), dir).unwrap(),
            PathBuf::from("/run/x.sock")
        );
        assert_eq!(
            channel_socket(&def, Some("channel1"), dir).unwrap(),
            PathBuf::from("/run/x.sock")
        );
        let e = channel_socket(&def, Some("com.redhat.spice.0"), dir).unwrap_err();
        assert_eq!(
            e.to_string(),
            "argument unsupported: channel com.redhat.spice.0 is not using a UNIX socket"
        );
        let e = channel_socket(&def, Some("nope"), dir).unwrap_err();
        assert_eq!(e.to_string(), "internal error: cannot find channel nope");
    }
}
