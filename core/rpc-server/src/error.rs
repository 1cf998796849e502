//! The errors a call fails with, and the ones the library itself answers with, worded
//! as libvirtd words them.

use rvirt_rpc::RemoteError;

/// libvirt's `VIR_ERR_RPC`.
pub const ERR_RPC: i32 = 39;
/// libvirt's `VIR_FROM_RPC`.
pub const FROM_RPC: i32 = 7;

/// The result of a procedure step: by default its encoded return value; or the error
/// to send.
pub type CallResult<T = Vec<u8>> = Result<T, CallError>;

/// The `remote_error` a call fails with (boxed: it is large and travels through every
/// `?`).
#[derive(Debug)]
pub struct CallError(pub Box<RemoteError>);

impl From<RemoteError> for CallError {
    fn from(e: RemoteError) -> Self {
        CallError(Box::new(e))
    }
}

impl From<rvirt_core::Error> for CallError {
    fn from(e: rvirt_core::Error) -> Self {
        CallError(Box::new(RemoteError::from(&e)))
    }
}

/// An error as libvirtd sends it without details (see [`RemoteError::new`]).
pub fn err(code: i32, domain: i32, message: impl Into<String>) -> CallError {
    RemoteError::new(code, domain, message).into()
}

/// An error whose message is the code's description and a detail, as libvirt words
/// them: message "PREFIX: DETAIL", str1 "PREFIX: %s", str2 DETAIL.
pub fn detailed(code: i32, domain: i32, prefix: &str, detail: String) -> CallError {
    let mut e = RemoteError::new(code, domain, format!("{prefix}: {detail}"));
    e.str1 = Some(format!("{prefix}: %s"));
    e.str2 = Some(detail);
    e.into()
}

/// "unknown procedure: N" (39 / 7): clients turn it into `VIR_ERR_NO_SUPPORT`.
pub fn unknown(proc_: i32) -> CallError {
    RemoteError::unknown_procedure(proc_).into()
}

/// libvirtd's answer to arguments that do not decode (39 / 7 "Unable to decode message
/// payload"), also when an array is longer than the protocol allows.
pub fn bad_payload() -> CallError {
    err(ERR_RPC, FROM_RPC, "Unable to decode message payload")
}

/// "Cannot find program N version V" (39 / 7): a call to a program the server does not
/// host.
pub fn no_program(prog: u32, vers: u32) -> CallError {
    err(
        ERR_RPC,
        FROM_RPC,
        format!("Cannot find program {prog} version {vers}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libvirtd_words() {
        let e = detailed(29, 20, "operation forbidden", "x".into()).0;
        assert_eq!(e.message.as_deref(), Some("operation forbidden: x"));
        assert_eq!(e.str1.as_deref(), Some("operation forbidden: %s"));
        let e = bad_payload().0;
        assert_eq!((e.code, e.domain), (39, 7));
        let e = no_program(7, 1).0;
        assert_eq!(
            e.message.as_deref(),
            Some("Cannot find program 7 version 1")
        );
        assert!(unknown(9999).0.is_unknown_procedure());
    }
}
