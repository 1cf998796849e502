//! The secret driver's host state: every secret (definition and value), the files
//! of the persistent ones under `ROOT/secrets`, and the connections secret events go
//! to. The rules are libvirt's (`virsecretobj.c`, `secret_driver.c`).

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rvirt_core::api::{ObjectEvent, SecretEvent, SecretLifecycle};
use rvirt_core::driver::files::RootLock;
use rvirt_core::driver::{ObjectEventFanout, SecretRef};
use rvirt_core::objconf::SecretDef;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, Uuid, log};

use crate::store::Store;
use crate::value::{MAX_VALUE_BYTES, SecretValue};

const D: ErrorDomain = ErrorDomain::Secret;

/// `VIR_CONNECT_LIST_SECRETS_EPHEMERAL`.
pub(crate) const LIST_EPHEMERAL: u32 = 1;
/// `VIR_CONNECT_LIST_SECRETS_NO_EPHEMERAL`.
pub(crate) const LIST_NO_EPHEMERAL: u32 = 2;
/// `VIR_CONNECT_LIST_SECRETS_PRIVATE`.
pub(crate) const LIST_PRIVATE: u32 = 4;
/// `VIR_CONNECT_LIST_SECRETS_NO_PRIVATE`.
pub(crate) const LIST_NO_PRIVATE: u32 = 8;

/// One secret.
#[derive(Debug)]
pub(crate) struct Entry {
    pub def: SecretDef,
    pub value: Option<SecretValue>,
}

impl Entry {
    pub(crate) fn reference(&self) -> SecretRef {
        reference(&self.def)
    }
}

fn reference(def: &SecretDef) -> SecretRef {
    SecretRef {
        uuid: def.uuid,
        usage_type: def.usage_type,
        usage_id: def.usage_id.clone(),
    }
}

/// `VIR_ERR_NO_SECRET` for a UUID.
pub(crate) fn no_secret_uuid(uuid: &Uuid) -> Error {
    Error::new(
        ErrorCode::NoSecret,
        D,
        format!("no secret with matching uuid '{}'", uuid.hyphenated()),
    )
}

/// True if `def` has the usage `(usage_type, usage_id)`; secrets without a usage
/// match none (libvirt's search by usage).
fn has_usage(def: &SecretDef, usage_type: i32, usage_id: &str) -> bool {
    def.usage_type == usage_type && usage_type != 0 && def.usage_id == usage_id
}

/// Where `def` may go among `list`: the index of the secret it redefines, or `None`
/// for a new one. A redefinition keeps the usage and never makes a private secret
/// public; a new secret may not take another's usage.
pub(crate) fn admit(list: &[Entry], def: &SecretDef) -> Result<Option<usize>> {
    if let Some(i) = list.iter().position(|e| e.def.uuid == def.uuid) {
        let old = &list[i].def;
        if old.usage_id != def.usage_id {
            return Err(Error::internal(
                D,
                format!(
                    "a secret with UUID {} is already defined for use with {}",
                    def.uuid.hyphenated(),
                    old.usage_id
                ),
            ));
        }
        if old.private && !def.private {
            return Err(Error::internal(
                D,
                "cannot change private flag on existing secret",
            ));
        }
        return Ok(Some(i));
    }
    if let Some(e) = list
        .iter()
        .find(|e| has_usage(&e.def, def.usage_type, &def.usage_id))
    {
        return Err(Error::internal(
            D,
            format!(
                "a secret with UUID {} already defined for use with {}",
                e.def.uuid.hyphenated(),
                def.usage_id
            ),
        ));
    }
    Ok(None)
}

/// The secret driver's state for one root.
#[derive(Debug)]
pub(crate) struct State {
    store: Store,
    secrets: Mutex<Vec<Entry>>,
    /// Connections receiving secret events.
    pub events: ObjectEventFanout,
    _lock: RootLock,
}

impl State {
    /// Takes `root` and loads its persistent secrets.
    pub(crate) fn start(root: &Path) -> Result<State> {
        let lock = RootLock::acquire_root(
            root,
            &["secrets", "run"],
            "run/driver.pid",
            Duration::from_secs(5),
            D,
            "secret",
        )?;
        let store = Store::open(root.join("secrets"))?;
        let mut list: Vec<Entry> = Vec::new();
        for loaded in store.load_all() {
            match admit(&list, &loaded.def) {
                Ok(None) => list.push(Entry {
                    def: loaded.def,
                    value: loaded.value,
                }),
                Ok(Some(_)) => {}
                Err(e) => log::warning(D, format_args!("Error reading secret: {}", e.message())),
            }
        }
        Ok(State {
            store,
            secrets: Mutex::new(list),
            events: ObjectEventFanout::new(),
            _lock: lock,
        })
    }

    /// The directory of the persistent secrets.
    pub(crate) fn dir(&self) -> &Path {
        self.store.dir()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Vec<Entry>> {
        self.secrets.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn emit(&self, r: SecretRef, ev: SecretEvent) {
        self.events.emit(ObjectEvent::Secret(r, ev));
    }

    /// Runs `f` on the secret with `uuid`.
    pub(crate) fn with<T>(
        &self,
        uuid: &Uuid,
        f: impl FnOnce(&mut Vec<Entry>, usize) -> Result<T>,
    ) -> Result<T> {
        let mut list = self.lock();
        let i = list
            .iter()
            .position(|e| e.def.uuid == *uuid)
            .ok_or_else(|| no_secret_uuid(uuid))?;
        f(&mut list, i)
    }

    /// Secrets matching `virConnectListAllSecretsFlags`.
    pub(crate) fn list(&self, flags: u32) -> Vec<SecretRef> {
        let group = |on: u32, off: u32, v: bool| {
            flags & (on | off) == 0 || (v && flags & on != 0) || (!v && flags & off != 0)
        };
        self.lock()
            .iter()
            .filter(|e| group(LIST_EPHEMERAL, LIST_NO_EPHEMERAL, e.def.ephemeral))
            .filter(|e| group(LIST_PRIVATE, LIST_NO_PRIVATE, e.def.private))
            .map(Entry::reference)
            .collect()
    }

    /// The secret with a usage.
    pub(crate) fn find_usage(&self, usage_type: i32, usage_id: &str) -> Result<SecretRef> {
        self.lock()
            .iter()
            .find(|e| has_usage(&e.def, usage_type, usage_id))
            .map(Entry::reference)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::NoSecret,
                    D,
                    format!("no secret with matching usage '{usage_id}'"),
                )
            })
    }

    /// Defines a new secret or redefines one (same UUID). A persistent definition is
    /// written before it counts (with the value, when an ephemeral secret becomes
    /// persistent); one becoming ephemeral loses its files.
    pub(crate) fn define(&self, xml: &str) -> Result<SecretRef> {
        let def = SecretDef::from_xml(xml)?;
        let mut list = self.lock();
        let slot = admit(&list, &def)?;
        let old = slot.map(|i| (&list[i].def, list[i].value.as_ref()));
        if !def.ephemeral {
            let was_ephemeral = old.is_some_and(|(d, _)| d.ephemeral);
            if was_ephemeral && let Some((_, Some(v))) = old {
                self.store.save_value(&def.uuid, v)?;
            }
            if let Err(e) = self.store.save_def(&def) {
                if was_ephemeral {
                    self.store.delete_value(&def.uuid);
                }
                return Err(e);
            }
        } else if old.is_some_and(|(d, _)| !d.ephemeral) {
            self.store.delete_def(&def.uuid)?;
            self.store.delete_value(&def.uuid);
        }
        let r = reference(&def);
        match slot {
            Some(i) => list[i].def = def,
            None => list.push(Entry { def, value: None }),
        }
        self.emit(r.clone(), SecretEvent::Lifecycle(SecretLifecycle::Defined));
        Ok(r)
    }

    /// Sets the value of the secret with `uuid` (written first unless ephemeral).
    pub(crate) fn set_value(&self, uuid: &Uuid, value: &[u8]) -> Result<()> {
        if value.len() > MAX_VALUE_BYTES {
            return Err(Error::invalid_arg(
                D,
                format!(
                    "secret value of {} bytes is larger than the maximum of {MAX_VALUE_BYTES}",
                    value.len()
                ),
            ));
        }
        self.with(uuid, |list, i| {
            let value = SecretValue::new(value.to_vec());
            if !list[i].def.ephemeral {
                self.store.save_value(uuid, &value)?;
            }
            list[i].value = Some(value);
            self.emit(list[i].reference(), SecretEvent::ValueChanged);
            Ok(())
        })
    }

    /// The value of the secret with `uuid`; a private secret's only for `internal`
    /// callers (a driver, never a client).
    pub(crate) fn value(&self, uuid: &Uuid, internal: bool) -> Result<Vec<u8>> {
        self.with(uuid, |list, i| {
            let e = &list[i];
            if e.def.private && !internal {
                return Err(Error::new(ErrorCode::InvalidSecret, D, "secret is private"));
            }
            e.value.as_ref().map(|v| v.bytes().to_vec()).ok_or_else(|| {
                Error::new(
                    ErrorCode::NoSecret,
                    D,
                    format!("secret '{}' does not have a value", uuid.hyphenated()),
                )
            })
        })
    }

    /// Removes the secret with `uuid` and its files.
    pub(crate) fn undefine(&self, uuid: &Uuid) -> Result<()> {
        self.with(uuid, |list, i| {
            if !list[i].def.ephemeral {
                self.store.delete_def(uuid)?;
            }
            self.store.delete_value(uuid);
            let e = list.remove(i);
            self.emit(
                e.reference(),
                SecretEvent::Lifecycle(SecretLifecycle::Undefined),
            );
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use rvirt_testkit::TempDir;

    use super::*;

    const U1: &str = "11111111-2222-3333-4444-555555555555";
    const U2: &str = "11111111-2222-3333-4444-666666666666";

    fn root(tag: &str) -> TempDir {
        TempDir::new(&format!("secret-{tag}"))
    }

    fn ceph(uuid: &str, name: &str, attrs: &str) -> String {
        format!(
            "<secret {attrs}><uuid>{uuid}</uuid><usage type='ceph'><name>{name}</name></usage></secret>"
        )
    }

    fn uuid(s: &str) -> Uuid {
        Uuid::parse_str(s).unwrap()
    }

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn persistent_secrets_are_stored_private_and_come_back() {
        let dir = root("store");
        {
            let st = State::start(&dir).unwrap();
            st.define(&ceph(U1, "client.admin", "")).unwrap();
            st.set_value(&uuid(U1), b"s3cr3t\x00\xff").unwrap();
            st.define(&ceph(U2, "client.tmp", "ephemeral='yes'"))
                .unwrap();
            st.set_value(&uuid(U2), b"gone").unwrap();
        }
        let secrets = dir.join("secrets");
        assert_eq!(mode(&secrets), 0o700);
        assert_eq!(mode(&secrets.join(format!("{U1}.xml"))), 0o600);
        let b64 = secrets.join(format!("{U1}.base64"));
        assert_eq!(mode(&b64), 0o600);
        assert_eq!(std::fs::read_to_string(&b64).unwrap(), "czNjcjN0AP8=");
        assert!(!secrets.join(format!("{U2}.xml")).exists());
        assert!(!secrets.join(format!("{U2}.base64")).exists());

        let st = State::start(&dir).unwrap();
        assert_eq!(st.list(0).len(), 1, "the ephemeral secret is gone");
        assert_eq!(st.value(&uuid(U1), false).unwrap(), b"s3cr3t\x00\xff");
        assert_eq!(st.find_usage(2, "client.admin").unwrap().uuid, uuid(U1));
        st.undefine(&uuid(U1)).unwrap();
        assert!(!b64.exists() && !secrets.join(format!("{U1}.xml")).exists());
        let e = st.value(&uuid(U1), false).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NoSecret);
        assert_eq!(e.message(), format!("no secret with matching uuid '{U1}'"));
        drop(st);
    }

    #[test]
    fn usage_collisions_and_redefinitions_follow_libvirt() {
        let dir = root("usage");
        let st = State::start(&dir).unwrap();
        st.define(&ceph(U1, "client.admin", "private='yes'"))
            .unwrap();
        let e = st.define(&ceph(U2, "client.admin", "")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InternalError);
        assert_eq!(
            e.message(),
            format!("a secret with UUID {U1} already defined for use with client.admin")
        );
        let e = st
            .define(&ceph(U1, "client.other", "private='yes'"))
            .unwrap_err();
        assert_eq!(
            e.message(),
            format!("a secret with UUID {U1} is already defined for use with client.admin")
        );
        let e = st.define(&ceph(U1, "client.admin", "")).unwrap_err();
        assert_eq!(e.message(), "cannot change private flag on existing secret");
        // The same usage in another type is another usage; secrets without a
        // usage never collide.
        st.define(&format!(
            "<secret><uuid>{U2}</uuid><usage type='tls'><name>client.admin</name></usage></secret>"
        ))
        .unwrap();
        st.define("<secret/>").unwrap();
        st.define("<secret/>").unwrap();
        assert_eq!(st.list(0).len(), 4);
        // A redefinition with the same usage replaces the description.
        st.define(&format!(
            "<secret private='yes'><uuid>{U1}</uuid><description>d</description><usage type='ceph'><name>client.admin</name></usage></secret>"
        ))
        .unwrap();
        assert_eq!(st.list(0).len(), 4);
        assert_eq!(st.list(LIST_PRIVATE).len(), 1);
        assert_eq!(st.list(LIST_NO_PRIVATE).len(), 3);
        assert_eq!(st.list(LIST_EPHEMERAL).len(), 0);
        assert_eq!(st.list(LIST_NO_EPHEMERAL | LIST_PRIVATE).len(), 1);
        drop(st);
    }

    #[test]
    fn private_values_reach_only_internal_callers() {
        let dir = root("private");
        let st = State::start(&dir).unwrap();
        st.define(&ceph(U1, "c", "private='yes'")).unwrap();
        let e = st.value(&uuid(U1), false).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidSecret);
        assert_eq!(e.to_string(), "Invalid secret: secret is private");
        let e = st.value(&uuid(U1), true).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NoSecret);
        assert_eq!(e.message(), format!("secret '{U1}' does not have a value"));
        st.set_value(&uuid(U1), b"pw").unwrap();
        assert_eq!(st.value(&uuid(U1), true).unwrap(), b"pw");
        assert!(st.value(&uuid(U1), false).is_err());
        // Bounded values.
        assert!(st.set_value(&uuid(U1), &vec![7; MAX_VALUE_BYTES]).is_ok());
        let e = st
            .set_value(&uuid(U1), &vec![7; MAX_VALUE_BYTES + 1])
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArg);
        assert_eq!(st.value(&uuid(U1), true).unwrap().len(), MAX_VALUE_BYTES);
        drop(st);
    }

    #[test]
    fn ephemeral_and_persistent_switch_moves_the_files() {
        let dir = root("switch");
        let st = State::start(&dir).unwrap();
        let xml = dir.join("secrets").join(format!("{U1}.xml"));
        let b64 = dir.join("secrets").join(format!("{U1}.base64"));
        st.define(&ceph(U1, "c", "ephemeral='yes'")).unwrap();
        st.set_value(&uuid(U1), b"v").unwrap();
        assert!(!xml.exists() && !b64.exists());
        st.define(&ceph(U1, "c", "ephemeral='no'")).unwrap();
        assert!(
            xml.exists() && b64.exists(),
            "made persistent with its value"
        );
        st.define(&ceph(U1, "c", "ephemeral='yes'")).unwrap();
        assert!(!xml.exists() && !b64.exists(), "made ephemeral");
        assert_eq!(st.value(&uuid(U1), false).unwrap(), b"v");
        drop(st);
    }

    #[test]
    fn hostile_files_are_skipped_at_start() {
        let dir = root("hostile");
        let secrets = dir.join("secrets");
        std::fs::create_dir_all(&secrets).unwrap();
        let put = |name: &str, text: &str| std::fs::write(secrets.join(name), text).unwrap();
        // A good one.
        put(&format!("{U1}.xml"), &ceph(U1, "good", ""));
        put(&format!("{U1}.base64"), "Z29vZA==\n");
        // Named by another UUID.
        put(&format!("{U2}.xml"), &ceph(U1, "other", ""));
        // Not named by a UUID at all.
        put("notauuid.xml", &ceph(U2, "n", ""));
        // Not a secret.
        put(
            "22222222-2222-3333-4444-555555555555.xml",
            "<secret><usage type='bogus'/></secret>",
        );
        put("33333333-2222-3333-4444-555555555555.xml", "<<<");
        // A value that is not base64, and one too large.
        let u4 = "44444444-2222-3333-4444-555555555555";
        put(&format!("{u4}.xml"), &ceph(u4, "bad-value", ""));
        put(&format!("{u4}.base64"), "!!!not base64!!!");
        let u5 = "55555555-2222-3333-4444-555555555555";
        put(&format!("{u5}.xml"), &ceph(u5, "huge-value", ""));
        put(&format!("{u5}.base64"), &"QUFB".repeat(40000));
        // Links planted in place of a definition or a value.
        let u7 = "77777777-2222-3333-4444-555555555555";
        let elsewhere = dir.join("elsewhere.xml");
        std::fs::write(&elsewhere, ceph(u7, "linked", "")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, secrets.join(format!("{u7}.xml"))).unwrap();
        let u8 = "88888888-2222-3333-4444-555555555555";
        put(&format!("{u8}.xml"), &ceph(u8, "linked-value", ""));
        std::fs::write(dir.join("value"), "Z29vZA==").unwrap();
        std::os::unix::fs::symlink(dir.join("value"), secrets.join(format!("{u8}.base64")))
            .unwrap();
        // A usage collision between two files: only one of them is kept.
        let u6 = "66666666-2222-3333-4444-555555555555";
        put(&format!("{u6}.xml"), &ceph(u6, "good", ""));
        let st = State::start(&dir).unwrap();
        let got: Vec<Uuid> = st.list(0).iter().map(|r| r.uuid).collect();
        assert_eq!(got.len(), 1, "{got:?}");
        let kept = got[0];
        assert!(kept == uuid(U1) || kept == uuid(u6));
        if kept == uuid(U1) {
            assert_eq!(st.value(&kept, false).unwrap(), b"good");
        }
        drop(st);
    }

    #[test]
    fn undefine_forgets_the_secret() {
        let dir = root("undefine");
        let st = State::start(&dir).unwrap();
        let r = st.define(&ceph(U1, "c", "")).unwrap();
        assert_eq!(r.usage_type, 2);
        assert_eq!(r.usage_id, "c");
        st.set_value(&r.uuid, b"1").unwrap();
        st.undefine(&r.uuid).unwrap();
        assert!(st.list(0).is_empty());
        assert_eq!(
            st.undefine(&r.uuid).unwrap_err().code(),
            ErrorCode::NoSecret
        );
        drop(st);
    }
}
