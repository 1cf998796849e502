//! [`FdTable`]: per-fd entries indexed by the fd number itself.
//!
//! A dispatch looks up the entry of every ready fd. Fd numbers are small and dense (the
//! kernel hands out the lowest free one), so the entries of the low numbers sit in one
//! vector in fd order: no hashing, and the entries of fds that become ready one after the
//! other are neighbours in memory. Numbers from [`DENSE_FDS`] up (a process that raised its
//! open-file limit far and holds that many, or a `dup2` to a high number) go to a map, so a
//! single high fd never makes the vector that long.

use std::os::fd::RawFd;

use super::IdMap;

/// Fd numbers below this one are kept in the vector.
const DENSE_FDS: usize = 1 << 16;

/// Entries by fd number.
#[derive(Debug)]
pub(super) struct FdTable<T> {
    dense: Vec<Option<T>>,
    sparse: IdMap<RawFd, T>,
    len: usize,
}

impl<T> Default for FdTable<T> {
    fn default() -> Self {
        FdTable {
            dense: Vec::new(),
            sparse: IdMap::default(),
            len: 0,
        }
    }
}

/// Where the entry of `fd` lives: its index in the vector, or `None` for the map.
fn dense_index(fd: RawFd) -> Option<usize> {
    usize::try_from(fd).ok().filter(|&i| i < DENSE_FDS)
}

impl<T> FdTable<T> {
    /// How many fds have an entry.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The entry of `fd`.
    pub(super) fn get_mut(&mut self, fd: RawFd) -> Option<&mut T> {
        match dense_index(fd) {
            Some(i) => self.dense.get_mut(i)?.as_mut(),
            None => self.sparse.get_mut(&fd),
        }
    }

    /// The entry of `fd`, made with `T::default()` if it has none.
    pub(super) fn get_or_default(&mut self, fd: RawFd) -> &mut T
    where
        T: Default,
    {
        match dense_index(fd) {
            Some(i) => {
                if i >= self.dense.len() {
                    self.dense.resize_with(i + 1, || None);
                }
                let entry = &mut self.dense[i];
                if entry.is_none() {
                    self.len += 1;
                }
                entry.get_or_insert_with(T::default)
            }
            None => {
                let entries = &mut self.len;
                self.sparse.entry(fd).or_insert_with(|| {
                    *entries += 1;
                    T::default()
                })
            }
        }
    }

    /// Removes the entry of `fd`.
    pub(super) fn remove(&mut self, fd: RawFd) -> Option<T> {
        let removed = match dense_index(fd) {
            Some(i) => self.dense.get_mut(i)?.take(),
            None => self.sparse.remove(&fd),
        };
        if removed.is_some() {
            self.len -= 1;
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_and_high_fds_alike() {
        let mut t: FdTable<u32> = FdTable::default();
        let high = RawFd::try_from(DENSE_FDS).unwrap() + 7;
        for fd in [3, 0, high, 200] {
            *t.get_or_default(fd) += u32::try_from(fd).unwrap();
        }
        assert_eq!(t.len(), 4);
        assert_eq!(t.dense.len(), 201, "the vector stops at the highest low fd");
        assert_eq!(t.get_mut(high).copied(), Some(u32::try_from(high).unwrap()));
        assert_eq!(t.get_mut(200).copied(), Some(200));
        assert_eq!(t.get_mut(4), None);
        assert_eq!(t.get_mut(-1), None);
        assert_eq!(t.get_mut(100_000_000), None);
        *t.get_or_default(3) += 1;
        assert_eq!(t.len(), 4, "an existing entry is not counted again");
        assert_eq!(t.remove(3), Some(4));
        assert_eq!(t.remove(3), None);
        assert_eq!(t.remove(high), Some(u32::try_from(high).unwrap()));
        assert_eq!(t.len(), 2);
    }
}
