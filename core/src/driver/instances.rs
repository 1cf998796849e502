//! [`Instances`]: one driver instance per root directory in a process, shared by every
//! holder (connections, and the host's driver state), set up by the first and let go by
//! the last.
//!
//! A stateful driver (QEMU, LXC) keeps one instance per root: its domains, its root
//! lock, its monitor watches. Every connection to that root is a view on it; a host
//! that runs the driver's state (a daemon at start-up) holds it too, so it lives while
//! no client is connected. When the last holder lets go the driver detaches it (its
//! guests run on, to be reconnected by the next instance).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::Result;

/// The instances of one driver in this process, by root.
#[derive(Debug)]
pub struct Instances<S> {
    map: Mutex<Vec<Slot<S>>>,
}

#[derive(Debug)]
struct Slot<S> {
    root: PathBuf,
    instance: Arc<S>,
    holders: usize,
}

impl<S> Default for Instances<S> {
    fn default() -> Self {
        Instances::new()
    }
}

impl<S> Instances<S> {
    /// No instance yet.
    pub const fn new() -> Instances<S> {
        Instances {
            map: Mutex::new(Vec::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Slot<S>>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The instance of `root` for one more holder: the existing one, or a new one from
    /// `create` (called with the map locked, so two first holders never make two).
    pub fn acquire(&self, root: &Path, create: impl FnOnce() -> Result<Arc<S>>) -> Result<Arc<S>> {
        let mut map = self.lock();
        if let Some(slot) = map.iter_mut().find(|s| s.root == root) {
            slot.holders += 1;
            return Ok(slot.instance.clone());
        }
        let instance = create()?;
        map.push(Slot {
            root: root.to_path_buf(),
            instance: instance.clone(),
            holders: 1,
        });
        Ok(instance)
    }

    /// One holder of `instance` lets go; true if it was the last (the instance is no
    /// longer shared and the caller detaches it).
    pub fn release(&self, instance: &Arc<S>) -> bool {
        let mut map = self.lock();
        let Some(pos) = map.iter().position(|s| Arc::ptr_eq(&s.instance, instance)) else {
            return false;
        };
        map[pos].holders -= 1;
        if map[pos].holders > 0 {
            return false;
        }
        map.remove(pos);
        true
    }

    /// How many holders `root`'s instance has (0: none).
    pub fn holders(&self, root: &Path) -> usize {
        self.lock()
            .iter()
            .find(|s| s.root == root)
            .map_or(0, |s| s.holders)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_holder_releases_the_instance() {
        let m: Instances<u32> = Instances::new();
        let root = Path::new("/r");
        let a = m.acquire(root, || Ok(Arc::new(1))).unwrap();
        let b = m.acquire(root, || panic!("created twice")).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(m.holders(root), 2);
        assert!(!m.release(&a));
        assert!(m.release(&b));
        assert_eq!(m.holders(root), 0);
        let c = m.acquire(root, || Ok(Arc::new(2))).unwrap();
        assert_eq!(*c, 2);
    }
}
