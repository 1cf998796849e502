//! Acting on a running guest beside its lifecycle: a hard reset (`system_reset`), a
//! non-maskable interrupt (`inject-nmi`) and key presses (`send-key`), each a monitor
//! command under the domain's job.

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::json;

use super::instance::{Entry, Shared};
use super::keycodes::to_qnum;
use super::ops::running;

/// Most keys libvirt presses at once (`VIR_DOMAIN_SEND_KEY_MAX_KEYS`).
const SEND_KEY_MAX: usize = 16;

impl Shared {
    /// `virDomainReset`: QEMU's reset, without asking the guest; QEMU's RESET event
    /// follows.
    pub(crate) fn reset(&self, entry: &Entry) -> Result<()> {
        self.monitor_op_with(
            entry,
            "virDomainReset",
            "system_reset",
            None,
            |vm| running(vm).map(|_| true),
            |_, _, _| {},
        )
    }

    /// `virDomainInjectNMI`.
    pub(crate) fn inject_nmi(&self, entry: &Entry) -> Result<()> {
        self.monitor_op_with(
            entry,
            "virDomainInjectNMI",
            "inject-nmi",
            None,
            |vm| running(vm).map(|_| true),
            |_, _, _| {},
        )
    }

    /// `virDomainSendKey`: `keycodes` of `codeset` pressed together for `holdtime`
    /// ms (QEMU's default when 0).
    ///
    /// Errors: `VIR_ERR_INVALID_ARG` for no keys or more than 16;
    /// `VIR_ERR_INTERNAL_ERROR` for a key that has no qnum.
    pub(crate) fn send_key(
        &self,
        entry: &Entry,
        codeset: u32,
        holdtime: u32,
        keycodes: &[u32],
    ) -> Result<()> {
        if keycodes.is_empty() || keycodes.len() > SEND_KEY_MAX {
            return Err(Error::new(
                ErrorCode::InvalidArg,
                ErrorDomain::Qemu,
                format!(
                    "nkeycodes must be between 1 and {SEND_KEY_MAX}, got {}",
                    keycodes.len()
                ),
            ));
        }
        let keys = keycodes
            .iter()
            .map(|&k| Ok(json!({"type": "number", "data": to_qnum(codeset, k)?})))
            .collect::<Result<Vec<_>>>()?;
        let mut args = json!({ "keys": keys });
        if holdtime > 0 {
            args["hold-time"] = holdtime.into();
        }
        self.monitor_op_with(
            entry,
            "virDomainSendKey",
            "send-key",
            Some(args),
            |vm| running(vm).map(|_| true),
            |_, _, _| {},
        )
    }
}
