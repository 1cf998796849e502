//! [`OwnerBound`]: a value that is only touched (read or dropped) on the thread that made it.

use std::mem::ManuallyDrop;
use std::thread::{self, ThreadId};

use glib::MainContext;

/// Holds a value that need not be `Send` and hands it out on its owner thread only.
///
/// Dropped on another thread, the value is sent back to the owner's context to be dropped
/// there; if that context is then dispatched on yet another thread, the value is leaked
/// rather than dropped on the wrong thread.
pub(crate) struct OwnerBound<T: 'static> {
    value: ManuallyDrop<T>,
    owner: ThreadId,
    ctx: MainContext,
}

// SAFETY: the value is reached only through `get`, which checks that the calling thread is
// the owner, and is dropped only on the owner thread (or leaked): it never crosses threads
// in a way that lets another thread use it.
unsafe impl<T: 'static> Send for OwnerBound<T> {}
// SAFETY: as above; `&OwnerBound` gives access to the value on the owner thread only.
unsafe impl<T: 'static> Sync for OwnerBound<T> {}

impl<T: 'static> OwnerBound<T> {
    /// Binds `value` to the calling thread; `ctx` is where it is sent back to be dropped.
    pub(crate) fn new(value: T, ctx: MainContext) -> OwnerBound<T> {
        OwnerBound {
            value: ManuallyDrop::new(value),
            owner: thread::current().id(),
            ctx,
        }
    }

    /// The value, if the calling thread is its owner.
    pub(crate) fn get(&self) -> Option<&T> {
        (thread::current().id() == self.owner).then(|| &*self.value)
    }
}

impl<T: 'static> Drop for OwnerBound<T> {
    fn drop(&mut self) {
        if thread::current().id() == self.owner {
            // SAFETY: on the owner thread, and `value` is not used again.
            unsafe { ManuallyDrop::drop(&mut self.value) };
            return;
        }
        // SAFETY: `value` is not used again after being taken.
        let value = unsafe { ManuallyDrop::take(&mut self.value) };
        let orphan = Orphan {
            value: ManuallyDrop::new(value),
            owner: self.owner,
        };
        self.ctx.invoke(move || drop(orphan));
    }
}

/// A value on its way back to its owner thread to be dropped; leaked anywhere else.
struct Orphan<T> {
    value: ManuallyDrop<T>,
    owner: ThreadId,
}

// SAFETY: an orphan's value is never read, and dropped on the owner thread only.
unsafe impl<T> Send for Orphan<T> {}

impl<T> Drop for Orphan<T> {
    fn drop(&mut self) {
        if thread::current().id() == self.owner {
            // SAFETY: on the owner thread, and `value` is not used again.
            unsafe { ManuallyDrop::drop(&mut self.value) };
        }
    }
}
