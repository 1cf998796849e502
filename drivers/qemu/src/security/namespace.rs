//! A private mount namespace with its own `/dev` for each QEMU of `qemu:///system`
//! (libvirt's `namespaces = ["mount"]`).
//!
//! Everything is worked out in the daemon before the fork ([`PrivateDev::plan`]):
//! which device nodes to recreate (mode, device number and owner copied from the
//! host's, so a block device chowned for QEMU's user stays its), which symlinks, and
//! which of the host's mounts below `/dev` to carry over (`/dev/pts`, so that the ptys
//! QEMU allocates are the host's `/dev/pts/N` the daemon opens for `virsh console`;
//! `/dev/shm`, `/dev/mqueue`, `/dev/hugepages` where mounted). The forked child then
//! only makes system calls on prepared C strings ([`PrivateDev::enter`]): a new
//! mount namespace, `/` made a slave (host mounts still show up inside, nothing
//! propagates out), a small tmpfs on `/dev`, the nodes made and the mounts bound
//! from the host's `/dev`, still reachable as the working directory entered before the
//! tmpfs covered it (a descriptor opened before the `unshare` would name the host's
//! namespace, whose mounts cannot be bound here).
//!
//! A device hot-plugged later gets its node through `/proc/PID/root`
//! ([`add_to_running`]).

use std::collections::BTreeSet;
use std::ffi::{CString, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Once;

use rvirt_core::conf::DomainDef;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, log};

use super::SecurityConfig;
use super::devices::guest_devices;

/// The host's mounts below `/dev` a QEMU keeps (where they are mount points).
pub const PRESERVED_MOUNTS: [&str; 4] = ["/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/hugepages"];

/// Options of the tmpfs on the private `/dev` (libvirt's, 64 KiB).
const TMPFS_OPTIONS: &str = "mode=755,size=65536";

/// One thing the child does on its new `/dev`, in order.
#[derive(Debug)]
enum Step {
    /// `mkdir(path, 0755)`.
    Dir(CString),
    /// A recursive bind of the host's mount `src` (relative to the covered `/dev`,
    /// the working directory then) on `dst`.
    Bind { src: CString, dst: CString },
    /// `mknod` + `chmod` + `chown` as the host's node.
    Node {
        path: CString,
        mode: libc::mode_t,
        rdev: libc::dev_t,
        uid: libc::uid_t,
        gid: libc::gid_t,
    },
    /// `symlink(target, path)`.
    Symlink { path: CString, target: CString },
}

/// Whether each step below applies, as what it does to `/dev` (for the hot-plug path,
/// which does the same through `/proc/PID/root`).
#[derive(Debug, Default)]
struct Layout {
    dirs: BTreeSet<PathBuf>,
    nodes: Vec<(PathBuf, std::fs::Metadata)>,
    links: Vec<(PathBuf, PathBuf)>,
}

impl Layout {
    /// Adds `path` (below `/dev`): a symlink is recreated and followed, a device node
    /// copied; a missing path is left for QEMU to report, a path in a preserved mount
    /// is there already.
    fn add(&mut self, path: &Path, preserved: &[PathBuf]) {
        if !below_dev(path) || preserved.iter().any(|m| path.starts_with(m)) {
            return;
        }
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return;
        };
        self.add_parents(path);
        if meta.file_type().is_symlink() {
            if self.links.iter().any(|(p, _)| p == path) {
                return;
            }
            let Ok(target) = std::fs::read_link(path) else {
                return;
            };
            self.links.push((path.to_owned(), target));
            if let Ok(real) = std::fs::canonicalize(path) {
                self.add(&real, preserved);
            }
        } else if (meta.file_type().is_char_device() || meta.file_type().is_block_device())
            && !self.nodes.iter().any(|(p, _)| p == path)
        {
            self.nodes.push((path.to_owned(), meta));
        }
    }

    fn add_parents(&mut self, path: &Path) {
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| below_dev(d)) {
            self.dirs.insert(d.to_owned());
            dir = d.parent();
        }
    }
}

/// `path` is strictly below `/dev` (`Path::starts_with` counts `/dev` itself).
pub fn below_dev(path: &Path) -> bool {
    path.starts_with("/dev") && path != Path::new("/dev")
}

fn cstr(p: &Path) -> Result<CString> {
    cstr_os(p.as_os_str())
}

fn cstr_os(s: &OsStr) -> Result<CString> {
    CString::new(s.as_bytes()).map_err(|_| {
        Error::internal(
            ErrorDomain::Qemu,
            format!("path '{}' has a NUL byte", s.to_string_lossy()),
        )
    })
}

fn sys(what: String, e: std::io::Error) -> Error {
    Error::new(
        ErrorCode::SystemError,
        ErrorDomain::Qemu,
        format!("{what}: {e}"),
    )
}

/// The host's mounts of [`PRESERVED_MOUNTS`] (directories on another file system
/// than `/dev`).
fn preserved_mounts() -> Vec<PathBuf> {
    let Ok(dev) = std::fs::metadata("/dev") else {
        return Vec::new();
    };
    PRESERVED_MOUNTS
        .iter()
        .map(PathBuf::from)
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.is_dir() && m.dev() != dev.dev()))
        .collect()
}

/// The private `/dev` of one QEMU, ready to be entered by the forked child.
#[derive(Debug)]
pub struct PrivateDev {
    root: CString,
    dot: CString,
    dev: CString,
    tmpfs: CString,
    options: CString,
    steps: Vec<Step>,
}

impl PrivateDev {
    /// Plans the `/dev` of the QEMU of `def` (`kvm`: accelerated by KVM). Run after
    /// the DAC preparation, so that nodes copy the owners QEMU's user was given.
    pub fn plan(def: &DomainDef, kvm: bool) -> Result<PrivateDev> {
        let preserved = preserved_mounts();
        let mut layout = Layout::default();
        for p in guest_devices(def, kvm) {
            layout.add(&p, &preserved);
        }
        let mut steps = Vec::new();
        let mut dirs = layout.dirs.clone();
        dirs.extend(preserved.iter().cloned());
        for d in &dirs {
            steps.push(Step::Dir(cstr(d)?));
        }
        for m in &preserved {
            let rel = m.strip_prefix("/dev").unwrap_or(m);
            steps.push(Step::Bind {
                src: cstr(rel)?,
                dst: cstr(m)?,
            });
        }
        for (p, meta) in &layout.nodes {
            steps.push(Step::Node {
                path: cstr(p)?,
                mode: meta.mode() as libc::mode_t,
                rdev: meta.rdev() as libc::dev_t,
                uid: meta.uid(),
                gid: meta.gid(),
            });
        }
        for (p, target) in &layout.links {
            steps.push(Step::Symlink {
                path: cstr(p)?,
                target: cstr(target)?,
            });
        }
        Ok(PrivateDev {
            root: c"/".into(),
            dot: c".".into(),
            dev: c"/dev".into(),
            tmpfs: c"tmpfs".into(),
            options: CString::new(TMPFS_OPTIONS).expect("no NUL"),
            steps,
        })
    }

    /// Enters a new mount namespace and builds the private `/dev` there. Called in
    /// the forked child before exec: only system calls on prepared data, no
    /// allocation; a failing step is named on stderr (QEMU's log).
    ///
    /// # Safety
    /// Changes the calling process's mount namespace; meant for a single-threaded
    /// child between fork and exec.
    pub unsafe fn enter(&self) -> std::io::Result<()> {
        fn check(rc: libc::c_int, what: &[u8]) -> std::io::Result<()> {
            if rc == 0 {
                return Ok(());
            }
            let err = std::io::Error::last_os_error();
            super::child::report(b"rvirt: private /dev for QEMU: cannot ", what);
            Err(err)
        }
        let null = std::ptr::null::<libc::c_char>();
        // SAFETY: every pointer is a NUL-terminated string owned by `self` or null
        // where the call allows it; these calls are async-signal-safe.
        unsafe {
            check(
                libc::unshare(libc::CLONE_NEWNS),
                b"unshare the mount namespace",
            )?;
            check(
                libc::mount(
                    null,
                    self.root.as_ptr(),
                    null,
                    libc::MS_SLAVE | libc::MS_REC,
                    std::ptr::null(),
                ),
                b"make / a slave mount",
            )?;
            // The working directory, to come back to before exec.
            let cwd = libc::open(
                self.dot.as_ptr(),
                libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
            );
            check(if cwd < 0 { -1 } else { 0 }, b"open the working directory")?;
            check(libc::chdir(self.dev.as_ptr()), b"enter /dev")?;
            check(
                libc::mount(
                    self.tmpfs.as_ptr(),
                    self.dev.as_ptr(),
                    self.tmpfs.as_ptr(),
                    libc::MS_NOSUID | libc::MS_NOEXEC,
                    self.options.as_ptr().cast(),
                ),
                b"mount a tmpfs on /dev",
            )?;
            for step in &self.steps {
                match step {
                    Step::Dir(p) => check(libc::mkdir(p.as_ptr(), 0o755), b"create a directory")?,
                    Step::Bind { src, dst } => check(
                        libc::mount(
                            src.as_ptr(),
                            dst.as_ptr(),
                            null,
                            libc::MS_BIND | libc::MS_REC,
                            std::ptr::null(),
                        ),
                        b"bind a mount of the host's /dev",
                    )?,
                    Step::Node {
                        path,
                        mode,
                        rdev,
                        uid,
                        gid,
                    } => {
                        check(
                            libc::mknod(path.as_ptr(), *mode, *rdev),
                            b"create a device node",
                        )?;
                        check(
                            libc::chmod(path.as_ptr(), *mode & 0o7777),
                            b"chmod a device node",
                        )?;
                        check(
                            libc::chown(path.as_ptr(), *uid, *gid),
                            b"chown a device node",
                        )?;
                    }
                    Step::Symlink { path, target } => check(
                        libc::symlink(target.as_ptr(), path.as_ptr()),
                        b"create a symlink",
                    )?,
                }
            }
            check(libc::fchdir(cwd), b"return to the working directory")?;
            libc::close(cwd);
        }
        Ok(())
    }

    /// The paths the child creates below `/dev` (nodes and symlinks), for logs and
    /// tests.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.steps
            .iter()
            .filter_map(|s| match s {
                Step::Node { path, .. } | Step::Symlink { path, .. } => {
                    Some(PathBuf::from(OsStr::from_bytes(path.as_bytes())))
                }
                _ => None,
            })
            .collect()
    }
}

fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() }
}

/// The private `/dev` for a QEMU of `def` on a root of kind `system`, or `None` with
/// the reason logged once: only `qemu:///system` of a root daemon gets one (creating a
/// mount namespace needs `CAP_SYS_ADMIN`), and not with `--qemu-namespaces none`.
pub fn private_dev_for(
    def: &DomainDef,
    system: bool,
    kvm: bool,
    config: &SecurityConfig,
) -> Result<Option<PrivateDev>> {
    let skip = if !system {
        Some(
            "qemu:///embed and qemu:///session QEMUs share the host's /dev (no private mount namespace: only qemu:///system has one)",
        )
    } else if !config.mount_namespace {
        Some("namespaces none: QEMUs of qemu:///system share the host's /dev")
    } else if euid() != 0 {
        Some(
            "not running as root: QEMUs of qemu:///system share the host's /dev (a private mount namespace needs CAP_SYS_ADMIN)",
        )
    } else {
        None
    };
    if let Some(why) = skip {
        static EMBED: Once = Once::new();
        static SYSTEM: Once = Once::new();
        let once = if system { &SYSTEM } else { &EMBED };
        once.call_once(|| log::info(ErrorDomain::Qemu, format_args!("{why}")));
        return Ok(None);
    }
    PrivateDev::plan(def, kvm).map(Some)
}

/// The mount namespace of `pid` differs from this process's (its QEMU has a private
/// `/dev`).
pub fn has_own_namespace(pid: u32) -> bool {
    let ns = |p: &str| std::fs::read_link(format!("/proc/{p}/ns/mnt")).ok();
    match (ns(&pid.to_string()), ns("self")) {
        (Some(theirs), Some(ours)) => theirs != ours,
        _ => false,
    }
}

/// Gives the running QEMU `pid` the nodes of `paths` (a hot-plugged device's) in its
/// private `/dev`, through `/proc/PID/root`; nothing when it shares the host's.
pub fn add_to_running(pid: u32, paths: &[PathBuf]) -> Result<()> {
    if paths.is_empty() || !has_own_namespace(pid) {
        return Ok(());
    }
    let mut layout = Layout::default();
    let preserved = preserved_mounts();
    for p in paths {
        layout.add(p, &preserved);
    }
    let root = PathBuf::from(format!("/proc/{pid}/root"));
    let inside = |p: &Path| root.join(p.strip_prefix("/").unwrap_or(p));
    let fail = |p: &Path, e| sys(format!("cannot create '{}' for QEMU {pid}", p.display()), e);
    for d in &layout.dirs {
        match std::fs::create_dir(inside(d)) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(fail(d, e)),
            _ => {}
        }
    }
    for (p, meta) in &layout.nodes {
        let at = cstr(&inside(p))?;
        // SAFETY: `at` is a NUL-terminated path; mknod/chmod/chown write no memory.
        let rc = unsafe {
            let rc = libc::mknod(
                at.as_ptr(),
                meta.mode() as libc::mode_t,
                meta.rdev() as libc::dev_t,
            );
            if rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EEXIST) {
                if libc::chmod(at.as_ptr(), (meta.mode() & 0o7777) as libc::mode_t) == 0 {
                    libc::chown(at.as_ptr(), meta.uid(), meta.gid())
                } else {
                    -1
                }
            } else {
                rc
            }
        };
        if rc != 0 {
            return Err(fail(p, std::io::Error::last_os_error()));
        }
    }
    for (p, target) in &layout.links {
        match std::os::unix::fs::symlink(target, inside(p)) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(fail(p, e)),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(devices: &str) -> DomainDef {
        DomainDef::from_xml(&format!(
            "<domain type='qemu'><name>a</name><memory>1024</memory><os><type>hvm</type></os>\
             <devices>{devices}</devices></domain>"
        ))
        .unwrap()
    }

    /// The defaults present on every host become nodes; /dev/ptmx too unless it is a
    /// symlink into /dev/pts (then it is one here as well); missing devices are not
    /// invented.
    #[test]
    fn plan_copies_the_default_nodes_and_skips_missing_ones() {
        let d = def(
            "<disk type='block' device='disk'><source dev='/dev/rvirt-no-such'/>\
                     <target dev='vda'/></disk>",
        );
        let plan = PrivateDev::plan(&d, false).unwrap();
        let paths = plan.paths();
        for p in [
            "/dev/null",
            "/dev/zero",
            "/dev/full",
            "/dev/random",
            "/dev/urandom",
        ] {
            assert!(paths.contains(&PathBuf::from(p)), "{p} in {paths:?}");
        }
        assert!(paths.contains(&PathBuf::from("/dev/ptmx")));
        assert!(!paths.iter().any(|p| p.ends_with("rvirt-no-such")));
        assert!(!paths.iter().any(|p| p.starts_with("/dev/pts")));
    }

    #[test]
    fn embed_and_namespaces_none_get_no_private_dev() {
        let d = def("");
        let config = SecurityConfig::default();
        assert!(
            private_dev_for(&d, false, false, &config)
                .unwrap()
                .is_none()
        );
        let none = SecurityConfig {
            mount_namespace: false,
            ..SecurityConfig::default()
        };
        assert!(private_dev_for(&d, true, false, &none).unwrap().is_none());
    }
}
