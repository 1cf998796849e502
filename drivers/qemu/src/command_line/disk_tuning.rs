//! `<disk><driver cache io detect_zeroes error_policy rerror_policy queues>` and
//! `<shareable/>` → the properties of the disk's blockdev nodes and device (libvirt's
//! `qemuDomainDiskCachemodeFlags` and `qemuBuildDiskDeviceProps`).
//!
//! A cache mode is three switches: the guest-visible write cache (`write-cache` on
//! the device), `O_DIRECT` on the host file (`cache.direct`) and ignored flushes
//! (`cache.no-flush`), set on both nodes. `io` is the storage node's `aio`;
//! `detect_zeroes` the format node's (`unmap` only with `discard='unmap'`, `on`
//! otherwise, as libvirt downgrades it).

use rvirt_core::Result;
use rvirt_core::conf::Disk;
use serde_json::{Map, Value, json};

use super::unsupported;

/// What a disk's `<driver>` and `<shareable/>` ask of QEMU.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Tuning {
    /// `(write_cache, direct, no_flush)` for a cache mode other than the default.
    cache: Option<(bool, bool, bool)>,
    aio: Option<&'static str>,
    detect_zeroes: Option<&'static str>,
    werror: Option<&'static str>,
    rerror: Option<&'static str>,
    queues: Option<u32>,
    share_rw: bool,
    /// `<driver iothread=N>`: the disk's I/O thread (`iothreadN`).
    pub(super) iothread: Option<u32>,
}

fn policy(p: &str, what: &str) -> Result<&'static str> {
    Ok(match p {
        "stop" => "stop",
        "report" => "report",
        "ignore" => "ignore",
        "enospace" => "enospc",
        other => return Err(unsupported(format!("unknown disk {what} '{other}'"))),
    })
}

/// The tuning of `disk`.
///
/// Errors: `VIR_ERR_CONFIG_UNSUPPORTED` for an `iothread` or `queues` on a bus other
/// than virtio (libvirt's "IOThreads not available for bus …"); whether the thread
/// exists is checked with the domain's threads ([`super::iothreads`]).
pub(super) fn tuning(disk: &Disk, bus: &str) -> Result<Tuning> {
    let virtio = bus == "virtio";
    let mut t = Tuning {
        share_rw: disk.shareable,
        ..Tuning::default()
    };
    let Some(d) = &disk.driver else {
        return Ok(t);
    };
    let target = &disk.target.dev;
    if let Some(n) = d.iothread {
        if !virtio {
            return Err(unsupported(format!(
                "IOThreads not available for bus {bus} target {target}"
            )));
        }
        t.iothread = Some(n);
    }
    t.cache = match d.cache.map(|c| c.to_string()).as_deref() {
        None | Some("default") => None,
        Some("none") => Some((true, true, false)),
        Some("writethrough") => Some((false, false, false)),
        Some("writeback") => Some((true, false, false)),
        Some("directsync") => Some((false, true, false)),
        Some("unsafe") => Some((true, false, true)),
        Some(other) => return Err(unsupported(format!("unknown disk cache mode '{other}'"))),
    };
    t.aio = match d.io.map(|i| i.to_string()).as_deref() {
        None => None,
        Some("native") => Some("native"),
        Some("threads") => Some("threads"),
        Some("io_uring") => Some("io_uring"),
        Some(other) => return Err(unsupported(format!("unknown disk io mode '{other}'"))),
    };
    let unmap = d.discard.is_some_and(|v| v.to_string() == "unmap");
    t.detect_zeroes = match d.detect_zeroes.map(|z| z.to_string()).as_deref() {
        None | Some("off") => None,
        Some("on") => Some("on"),
        Some("unmap") if unmap => Some("unmap"),
        Some("unmap") => Some("on"),
        Some(other) => {
            return Err(unsupported(format!("unknown disk detect_zeroes '{other}'")));
        }
    };
    if let Some(p) = d.error_policy {
        t.werror = Some(policy(&p.to_string(), "error_policy")?);
    }
    if let Some(p) = d.rerror_policy {
        t.rerror = Some(policy(&p.to_string(), "rerror_policy")?);
    }
    if t.rerror == Some("enospc") {
        return Err(unsupported("rerror_policy 'enospace' is not allowed"));
    }
    if let Some(q) = d.queues {
        if !virtio {
            return Err(unsupported(format!(
                "disk queues on '{target}' need bus='virtio'"
            )));
        }
        t.queues = Some(q);
    }
    Ok(t)
}

impl Tuning {
    /// Sets the cache switches (and `aio` on a storage node) on a blockdev node.
    pub(super) fn apply_node(&self, node: &mut Value, storage: bool) {
        if let Some((_, direct, no_flush)) = self.cache {
            node["cache"] = json!({"direct": direct, "no-flush": no_flush});
        }
        if storage && let Some(aio) = self.aio {
            node["aio"] = aio.into();
        }
        if !storage && let Some(z) = self.detect_zeroes {
            node["detect-zeroes"] = z.into();
        }
    }

    /// Sets the guest-visible write cache, error policies, queues and sharing on the
    /// disk's device.
    pub(super) fn apply_device(&self, dev: &mut Map<String, Value>) {
        if let Some((write_cache, _, _)) = self.cache {
            dev.insert(
                "write-cache".into(),
                if write_cache { "on" } else { "off" }.into(),
            );
        }
        if let Some(w) = self.werror {
            dev.insert("werror".into(), w.into());
        }
        if let Some(r) = self.rerror {
            dev.insert("rerror".into(), r.into());
        }
        if let Some(q) = self.queues {
            dev.insert("num-queues".into(), q.into());
        }
        if self.share_rw {
            dev.insert("share-rw".into(), true.into());
        }
        if let Some(n) = self.iothread {
            dev.insert("iothread".into(), format!("iothread{n}").into());
        }
    }
}
