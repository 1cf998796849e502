//! A `HashMap` for small integer keys (watch and timer ids, fd numbers), hashed with one
//! multiply instead of SipHash: loops look ids up on every event, and the keys are not
//! chosen by an attacker.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The hasher of [`IdMap`]: one rotate, xor and multiply per integer key.
#[derive(Debug, Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn write_i32(&mut self, n: i32) {
        // Reinterpreting the bits is all a hash needs.
        self.write_u64(u64::from(n.cast_unsigned()));
    }
}

/// A `HashMap` keyed by ids or fd numbers, hashed with [`IdHasher`].
pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;
