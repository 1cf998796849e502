//! [`SecretValue`]: a secret's bytes, kept out of logs and wiped when dropped.

use std::fmt;

/// Largest value a secret may hold (libvirt's `REMOTE_SECRET_VALUE_MAX`).
pub const MAX_VALUE_BYTES: usize = 65536;

/// A secret's value. `Debug` never shows the bytes, and they are overwritten with
/// zeros when the value is dropped (as libvirt clears old values).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SecretValue(Vec<u8>);

impl SecretValue {
    pub(crate) fn new(bytes: Vec<u8>) -> SecretValue {
        SecretValue(bytes)
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretValue({} bytes)", self.0.len())
    }
}

impl Drop for SecretValue {
    fn drop(&mut self) {
        self.0.fill(0);
        std::hint::black_box(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_bytes() {
        let v = SecretValue::new(b"hunter2".to_vec());
        assert_eq!(format!("{v:?}"), "SecretValue(7 bytes)");
        assert_eq!(v.bytes(), b"hunter2");
    }
}
