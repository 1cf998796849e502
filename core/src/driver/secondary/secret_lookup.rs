//! How a driver reads the value of a secret that one of its objects names (an
//! encrypted disk's `<secret type='passphrase' uuid=…/>`): libvirt's
//! `virSecretLookupTypeDef` and `virSecretGetSecretString`. The driver asks the
//! shared secret driver through core, never the secret driver's crate.

use std::sync::Arc;

use uuid::Uuid;

use super::{SecretDriver, open_shared_detached};
use crate::uri::Uri;
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// `VIR_SECRET_USAGE_TYPE_VOLUME`: the usage of volume passphrases.
pub const SECRET_USAGE_VOLUME: i32 = 1;

/// Names of `virSecretUsageType` values, as libvirt prints them.
fn usage_name(usage: i32) -> &'static str {
    match usage {
        0 => "none",
        1 => "volume",
        2 => "ceph",
        3 => "iscsi",
        4 => "tls",
        5 => "vtpm",
        _ => "unknown",
    }
}

/// Which secret an object names: by UUID or by usage id.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum SecretLookup {
    /// `uuid='…'`.
    Uuid(Uuid),
    /// `usage='…'` (for a volume: its path).
    Usage(String),
}

/// The shared secret driver serving `uri` (`qemu:///system`), opened without events
/// (each call opens afresh, so a restarted secret state is the one asked);
/// `VIR_ERR_NO_SUPPORT` when the process has none (as libvirt's lookup on a
/// connection without a secret driver).
pub fn shared_secret_driver(uri: &Uri) -> Result<Arc<dyn SecretDriver>> {
    open_shared_detached(uri)?
        .secret
        .ok_or_else(|| Error::no_support(ErrorDomain::Secret, "virSecretLookupByUUID"))
}

/// The value of the secret `lookup` names, read as a driver reads it (private
/// secrets answer too). A secret found by UUID must have usage `usage_type` (or
/// none): `VIR_ERR_INVALID_ARG` otherwise, as libvirt's `virSecretGetSecretString`.
/// Missing secrets and values give the secret driver's `VIR_ERR_NO_SECRET`.
pub fn secret_value(
    secrets: &dyn SecretDriver,
    lookup: &SecretLookup,
    usage_type: i32,
) -> Result<Vec<u8>> {
    let sec = match lookup {
        SecretLookup::Uuid(u) => secrets.secret_lookup_by_uuid(u)?,
        SecretLookup::Usage(id) => secrets.secret_lookup_by_usage(usage_type, id)?,
    };
    if sec.usage_type != 0 && sec.usage_type != usage_type {
        return Err(Error::new(
            ErrorCode::InvalidArg,
            ErrorDomain::Secret,
            format!(
                "secret with uuid {} is of type '{}' not expected '{}' type",
                sec.uuid.hyphenated(),
                usage_name(sec.usage_type),
                usage_name(usage_type)
            ),
        ));
    }
    secrets.secret_get_value(&sec, 0, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::SecretRef;
    use std::sync::Mutex;

    struct One {
        sec: SecretRef,
        asked: Mutex<Vec<bool>>,
    }

    impl SecretDriver for One {
        fn secret_lookup_by_uuid(&self, uuid: &Uuid) -> Result<SecretRef> {
            if *uuid == self.sec.uuid {
                Ok(self.sec.clone())
            } else {
                Err(Error::new(
                    ErrorCode::NoSecret,
                    ErrorDomain::Secret,
                    format!("no secret with matching uuid '{uuid}'"),
                ))
            }
        }
        fn secret_lookup_by_usage(&self, t: i32, id: &str) -> Result<SecretRef> {
            if t == self.sec.usage_type && id == self.sec.usage_id {
                Ok(self.sec.clone())
            } else {
                Err(Error::new(
                    ErrorCode::NoSecret,
                    ErrorDomain::Secret,
                    format!("no secret with matching usage '{id}'"),
                ))
            }
        }
        fn secret_get_value(&self, _: &SecretRef, _: u32, internal: bool) -> Result<Vec<u8>> {
            self.asked.lock().unwrap().push(internal);
            Ok(b"pass".to_vec())
        }
    }

    fn one(usage_type: i32) -> One {
        One {
            sec: SecretRef {
                uuid: Uuid::from_u128(7),
                usage_type,
                usage_id: "/img".into(),
            },
            asked: Mutex::new(Vec::new()),
        }
    }

    #[test]
    fn by_uuid_and_usage_read_as_a_driver() {
        let d = one(SECRET_USAGE_VOLUME);
        let u = SecretLookup::Uuid(Uuid::from_u128(7));
        assert_eq!(secret_value(&d, &u, SECRET_USAGE_VOLUME).unwrap(), b"pass");
        let by_usage = SecretLookup::Usage("/img".into());
        assert_eq!(
            secret_value(&d, &by_usage, SECRET_USAGE_VOLUME).unwrap(),
            b"pass"
        );
        assert_eq!(*d.asked.lock().unwrap(), vec![true, true]);
        let other = SecretLookup::Usage("/other".into());
        let e = secret_value(&d, &other, SECRET_USAGE_VOLUME).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NoSecret);
    }

    #[test]
    fn a_secret_of_another_usage_is_refused() {
        let d = one(2);
        let u = SecretLookup::Uuid(Uuid::from_u128(7));
        let e = secret_value(&d, &u, SECRET_USAGE_VOLUME).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArg);
        assert_eq!(
            e.message(),
            "secret with uuid 00000000-0000-0000-0000-000000000007 is of type 'ceph' not expected 'volume' type"
        );
        assert!(d.asked.lock().unwrap().is_empty());
        // No usage at all is accepted.
        assert_eq!(
            secret_value(&one(0), &u, SECRET_USAGE_VOLUME).unwrap(),
            b"pass"
        );
    }
}
