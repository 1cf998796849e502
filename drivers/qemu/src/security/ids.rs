//! The user and group QEMU runs as: names (or libvirt's `+N` numbers) resolved to
//! ids, with the user's supplementary groups (`kvm` for `/dev/kvm`).

use std::ffi::{CStr, CString};

use rvirt_core::{Error, ErrorDomain, Result};

/// Ids a QEMU child switches to before exec (`setgroups`, `setgid`, `setuid`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunAs {
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Supplementary groups (the primary one included).
    pub groups: Vec<u32>,
}

/// libvirt's `+N`: a number, not a name.
fn numeric(spec: &str) -> Option<u32> {
    spec.strip_prefix('+').and_then(|n| n.parse().ok())
}

fn lookup_failed(what: &str, name: &str) -> Error {
    Error::internal(
        ErrorDomain::Qemu,
        format!("Failed to find {what} record for name '{name}'"),
    )
}

/// `(uid, primary gid)` of user `name` (getpwnam_r).
fn user_ids(name: &str) -> Result<(u32, u32)> {
    let c = CString::new(name).map_err(|_| lookup_failed("user", name))?;
    let mut buf = vec![0 as libc::c_char; 16384];
    // SAFETY: an all-zero passwd is a valid value to be overwritten by getpwnam_r.
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut out: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; buf's length is passed.
    let rc =
        unsafe { libc::getpwnam_r(c.as_ptr(), &mut pw, buf.as_mut_ptr(), buf.len(), &mut out) };
    if rc != 0 || out.is_null() {
        return Err(lookup_failed("user", name));
    }
    Ok((pw.pw_uid, pw.pw_gid))
}

/// The id of group `name` (getgrnam_r).
fn group_id(name: &str) -> Result<u32> {
    if let Some(n) = numeric(name) {
        return Ok(n);
    }
    let c = CString::new(name).map_err(|_| lookup_failed("group", name))?;
    let mut buf = vec![0 as libc::c_char; 65536];
    // SAFETY: an all-zero group is a valid value to be overwritten by getgrnam_r.
    let mut gr: libc::group = unsafe { std::mem::zeroed() };
    let mut out: *mut libc::group = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; buf's length is passed.
    let rc =
        unsafe { libc::getgrnam_r(c.as_ptr(), &mut gr, buf.as_mut_ptr(), buf.len(), &mut out) };
    if rc != 0 || out.is_null() {
        return Err(lookup_failed("group", name));
    }
    Ok(gr.gr_gid)
}

/// The groups of user `name` with primary group `gid` (getgrouplist).
fn group_list(name: &CStr, gid: u32) -> Vec<u32> {
    let mut n: libc::c_int = 64;
    loop {
        let mut groups = vec![0 as libc::gid_t; usize::try_from(n).unwrap_or(64)];
        let mut count = n;
        // SAFETY: groups holds `count` entries; getgrouplist writes at most that many
        // and sets `count` to the number it needs when they do not fit.
        let rc = unsafe { libc::getgrouplist(name.as_ptr(), gid, groups.as_mut_ptr(), &mut count) };
        if rc >= 0 {
            groups.truncate(usize::try_from(count).unwrap_or(0));
            return groups;
        }
        if count <= n {
            return vec![gid];
        }
        n = count;
    }
}

impl RunAs {
    /// Resolves `user` (a name or `+UID`) and `group` (a name or `+GID`; the user's
    /// primary group when `None`). A named user brings its supplementary groups.
    ///
    /// Errors: libvirt's "Failed to find user record for name '…'" (or group).
    pub fn resolve(user: &str, group: Option<&str>) -> Result<RunAs> {
        let (uid, primary, name) = match numeric(user) {
            Some(uid) => (uid, None, None),
            None => {
                let (uid, gid) = user_ids(user)?;
                (uid, Some(gid), CString::new(user).ok())
            }
        };
        let gid = match (group, primary) {
            (Some(g), _) => group_id(g)?,
            (None, Some(g)) => g,
            (None, None) => uid,
        };
        let mut groups = match &name {
            Some(n) => group_list(n, gid),
            None => vec![gid],
        };
        if !groups.contains(&gid) {
            groups.push(gid);
        }
        Ok(RunAs { uid, gid, groups })
    }

    /// A static DAC `<label>`: `USER:GROUP` (names or `+N`).
    pub fn from_label(label: &str) -> Result<RunAs> {
        let (user, group) = label.split_once(':').ok_or_else(|| {
            Error::invalid_arg(
                ErrorDomain::Qemu,
                format!("Failed to parse DAC seclabel '{label}' for domain"),
            )
        })?;
        RunAs::resolve(user, Some(group))
    }

    /// True for root (no switch needed).
    pub fn is_root(&self) -> bool {
        self.uid == 0
    }

    /// True if these ids may search (`x`) or read (`r`) an entry with `meta`'s
    /// owner and mode bits (`want` is 1 for x, 4 for r; ACLs are not consulted).
    pub fn may(&self, meta: &std::fs::Metadata, want: u32) -> bool {
        use std::os::unix::fs::MetadataExt;
        if self.uid == 0 {
            return true;
        }
        let mode = meta.mode();
        let bits = if meta.uid() == self.uid {
            mode >> 6
        } else if self.groups.contains(&meta.gid()) || meta.gid() == self.gid {
            mode >> 3
        } else {
            mode
        };
        bits & want == want
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_root() {
        let r = RunAs::resolve("+0", Some("+0")).unwrap();
        assert_eq!((r.uid, r.gid, r.is_root()), (0, 0, true));
        let r = RunAs::from_label("+107:+108").unwrap();
        assert_eq!((r.uid, r.gid, r.groups), (107, 108, vec![108]));
        let root = RunAs::resolve("root", None).unwrap();
        assert_eq!((root.uid, root.gid), (0, 0));
    }

    #[test]
    fn unknown_names_read_as_libvirt() {
        let e = RunAs::resolve("no-such-user-rvirt", None).unwrap_err();
        assert!(
            e.message()
                .contains("Failed to find user record for name 'no-such-user-rvirt'")
        );
        let e = RunAs::resolve("+5", Some("no-such-group-rvirt")).unwrap_err();
        assert!(e.message().contains("Failed to find group record"));
        assert!(RunAs::from_label("nocolon").is_err());
    }
}
