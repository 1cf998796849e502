//! Finding QEMU processes by their command line (`/proc/PID/cmdline`), for what no
//! state file can be trusted with: a driver instance that finds a status file it
//! cannot read still finds the guest's QEMU (its `-pidfile` lies in the root's state
//! directory), and a start is refused while any QEMU runs with the domain's `-uuid`.

use std::path::{Path, PathBuf};

use rvirt_core::Uuid;

use super::process_alive;

/// What a QEMU command line written by [`build_args`](crate::command_line::build_args)
/// tells about its guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QemuCommandLine {
    /// The process.
    pub pid: u32,
    /// `-name guest=NAME,…`, unescaped.
    pub name: Option<String>,
    /// `-uuid`.
    pub uuid: Option<Uuid>,
    /// `-pidfile`.
    pub pidfile: Option<PathBuf>,
    /// `-m size=Nk`, in KiB.
    pub memory_kib: Option<u64>,
    /// The first number of `-smp`.
    pub vcpus: Option<u32>,
}

impl QemuCommandLine {
    /// Parses the NUL-separated arguments of `pid`'s command line.
    pub fn parse(pid: u32, cmdline: &[u8]) -> QemuCommandLine {
        let mut c = QemuCommandLine {
            pid,
            name: None,
            uuid: None,
            pidfile: None,
            memory_kib: None,
            vcpus: None,
        };
        let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
        for pair in args.windows(2) {
            let value = String::from_utf8_lossy(pair[1]);
            match pair[0] {
                b"-name" => c.name = option_value(&value, "guest"),
                b"-uuid" => c.uuid = Uuid::parse_str(&value).ok(),
                b"-pidfile" => c.pidfile = Some(PathBuf::from(value.as_ref())),
                b"-m" => {
                    c.memory_kib = option_value(&value, "size")
                        .and_then(|s| s.strip_suffix('k').and_then(|n| n.parse().ok()))
                }
                b"-smp" => {
                    c.vcpus = value
                        .split(',')
                        .next()
                        .and_then(|n| n.trim_start_matches("cpus=").parse().ok())
                }
                _ => {}
            }
        }
        c
    }

    /// Reads and parses `pid`'s command line; `None` if the process is gone.
    pub fn read(pid: u32) -> Option<QemuCommandLine> {
        let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        Some(QemuCommandLine::parse(pid, &raw))
    }
}

/// The value of `key=` in QEMU's `key=value,…` syntax, where `,,` stands for a comma.
fn option_value(opts: &str, key: &str) -> Option<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut chars = opts.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == ',' {
            if chars.peek() == Some(&',') {
                chars.next();
                cur.push(',');
            } else {
                fields.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(ch);
        }
    }
    fields.push(cur);
    let prefix = format!("{key}=");
    fields
        .into_iter()
        .find_map(|f| f.strip_prefix(&prefix).map(str::to_string))
}

/// Every live process (not this one) whose command line `keep` accepts.
pub fn scan(keep: impl Fn(&QemuCommandLine) -> bool) -> Vec<QemuCommandLine> {
    let me = std::process::id();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found: Vec<QemuCommandLine> = dir
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| pid != me)
        .filter_map(QemuCommandLine::read)
        .filter(|c| keep(c) && process_alive(c.pid))
        .collect();
    found.sort_by_key(|c| c.pid);
    found
}

/// The QEMUs of one driver root: their `-pidfile` lies directly in `state_dir`.
pub fn qemus_of_root(state_dir: &Path) -> Vec<QemuCommandLine> {
    scan(|c| {
        c.pidfile
            .as_deref()
            .is_some_and(|p| p.parent() == Some(state_dir))
    })
}

/// A live QEMU (of any root) running the domain `uuid`.
pub fn qemu_running_uuid(uuid: &Uuid) -> Option<QemuCommandLine> {
    scan(|c| c.uuid.as_ref() == Some(uuid)).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_build_args_writes() {
        let argv = [
            "/usr/bin/qemu-system-x86_64",
            "-name",
            "guest=a,,b,debug-threads=on",
            "-S",
            "-m",
            "size=32768k",
            "-smp",
            "2,sockets=2,cores=1,threads=1",
            "-uuid",
            "c7a5fdbd-edaf-9455-926a-d65c16db1809",
            "-pidfile",
            "/r/run/qemu/a,b.pid",
        ]
        .join("\0");
        let c = QemuCommandLine::parse(7, argv.as_bytes());
        assert_eq!(c.name.as_deref(), Some("a,b"));
        assert_eq!(c.memory_kib, Some(32768));
        assert_eq!(c.vcpus, Some(2));
        assert_eq!(
            c.uuid,
            Some(Uuid::parse_str("c7a5fdbd-edaf-9455-926a-d65c16db1809").unwrap())
        );
        assert_eq!(c.pidfile.as_deref(), Some(Path::new("/r/run/qemu/a,b.pid")));
        let none = QemuCommandLine::parse(8, b"/bin/sh\0-c\0true");
        assert_eq!((none.name, none.uuid, none.pidfile), (None, None, None));
    }

    #[test]
    fn scanning_skips_this_process() {
        assert!(scan(|c| c.pid == std::process::id()).is_empty());
        assert!(qemu_running_uuid(&Uuid::from_bytes([0xab; 16])).is_none());
    }
}
