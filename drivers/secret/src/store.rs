//! The secrets' files: `DIR/UUID.xml` (the definition) and `DIR/UUID.base64` (the
//! value, base64 without line breaks), libvirt's layout. Every file is private (0600,
//! in a 0700 directory) and replaced atomically; ephemeral secrets never get here.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rvirt_core::driver::files::{Durability, read_bounded, system_error, write_replace};
use rvirt_core::objconf::SecretDef;
use rvirt_core::objects::XmlStore;
use rvirt_core::{ErrorDomain, Result, Uuid, log};

use crate::value::{MAX_VALUE_BYTES, SecretValue};

const D: ErrorDomain = ErrorDomain::Secret;

/// Largest `.base64` file read back: a full-size value, encoded, with room for a
/// trailing newline written by hand.
const MAX_BASE64_BYTES: u64 = (MAX_VALUE_BYTES as u64).div_ceil(3) * 4 + 16;

/// One directory of secrets.
#[derive(Debug)]
pub(crate) struct Store {
    xml: XmlStore,
}

/// A secret read back from disk.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub def: SecretDef,
    pub value: Option<SecretValue>,
}

fn key(uuid: &Uuid) -> String {
    uuid.hyphenated().to_string()
}

impl Store {
    /// The secrets of `dir`, created private if missing.
    pub(crate) fn open(dir: impl Into<PathBuf>) -> Result<Store> {
        Ok(Store {
            xml: XmlStore::open(dir, D)?,
        })
    }

    /// The directory.
    pub(crate) fn dir(&self) -> &Path {
        self.xml.dir()
    }

    fn value_path(&self, uuid: &Uuid) -> PathBuf {
        self.dir().join(format!("{}.base64", key(uuid)))
    }

    /// Writes the definition (synced).
    pub(crate) fn save_def(&self, def: &SecretDef) -> Result<()> {
        self.xml.save(&key(&def.uuid), &def.to_xml(), true)
    }

    /// Removes the definition; a missing file is no error.
    pub(crate) fn delete_def(&self, uuid: &Uuid) -> Result<()> {
        self.xml.delete(&key(uuid))
    }

    /// Writes the value (synced).
    pub(crate) fn save_value(&self, uuid: &Uuid, value: &SecretValue) -> Result<()> {
        let mut text = STANDARD.encode(value.bytes()).into_bytes();
        let res = write_replace(&self.value_path(uuid), &text, Durability::Synced, D);
        // The encoded copy is the secret too: wiped before it is freed.
        text.fill(0);
        std::hint::black_box(&text);
        res
    }

    /// Removes the value file; errors are logged only (the definition is gone, so
    /// the value is never loaded again).
    pub(crate) fn delete_value(&self, uuid: &Uuid) {
        let path = self.value_path(uuid);
        if let Err(e) = std::fs::remove_file(&path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            log::warning(
                D,
                format_args!(
                    "{}",
                    system_error(D, format_args!("cannot unlink '{}'", path.display()), &e)
                        .message()
                ),
            );
        }
    }

    fn load_value(&self, uuid: &Uuid) -> std::result::Result<Option<SecretValue>, String> {
        let path = self.value_path(uuid);
        match std::fs::symlink_metadata(&path) {
            Err(_) => return Ok(None),
            Ok(m) if m.file_type().is_symlink() => {
                return Err(format!("'{}' is a symbolic link", path.display()));
            }
            Ok(_) => {}
        }
        let text = read_bounded(&path, MAX_BASE64_BYTES)
            .map_err(|e| format!("cannot read '{}': {e}", path.display()))?;
        // The reason never quotes the file: it is the secret.
        let bytes = STANDARD
            .decode(text.trim_end())
            .map_err(|_| format!("'{}' is not valid base64", path.display()))?;
        if bytes.len() > MAX_VALUE_BYTES {
            return Err(format!(
                "'{}' holds more than {MAX_VALUE_BYTES} bytes",
                path.display()
            ));
        }
        Ok(Some(SecretValue::new(bytes)))
    }

    /// Every secret of the directory. A file that is not a secret definition, whose
    /// `<uuid>` differs from its name, or whose value cannot be read is skipped with a
    /// log line (libvirt's "Error reading secret").
    pub(crate) fn load_all(&self) -> Vec<Loaded> {
        let mut out = Vec::new();
        for (stem, text) in self.xml.load_all() {
            // Only the daemon writes here: a link was planted to make it read
            // something else.
            let file = self.dir().join(format!("{stem}.xml"));
            if std::fs::symlink_metadata(&file).is_ok_and(|m| m.file_type().is_symlink()) {
                log::warning(
                    D,
                    format_args!(
                        "Error reading secret: '{}' is a symbolic link",
                        file.display()
                    ),
                );
                continue;
            }
            let def = match SecretDef::from_xml(&text) {
                Ok(def) => def,
                Err(e) => {
                    log::warning(
                        D,
                        format_args!("Error reading secret: {stem}.xml: {}", e.message),
                    );
                    continue;
                }
            };
            if key(&def.uuid) != stem {
                log::warning(
                    D,
                    format_args!(
                        "Error reading secret: <uuid> does not match secret file name '{stem}.xml'"
                    ),
                );
                continue;
            }
            match self.load_value(&def.uuid) {
                Ok(value) => out.push(Loaded { def, value }),
                Err(why) => log::warning(D, format_args!("Error reading secret: {why}")),
            }
        }
        out
    }
}
