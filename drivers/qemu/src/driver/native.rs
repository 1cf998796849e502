//! `virConnectDomainXMLToNative` (`virsh domxml-to-native qemu-argv`): the command
//! line this driver would start a definition with, as a shell command — the
//! environment libvirt sets, the emulator, then one option with its value per line.
//! What only exists at start (the monitor socket's fd, tap fds, the private
//! directory) is shown as at define, with placeholders.

use rvirt_core::{Error, ErrorDomain, Result};

use super::connection::{check_flags, runnable_def};
use crate::command_line::{RuntimeOptions, build_args, emulator};

/// The native format QEMU has.
const QEMU_ARGV: &str = "qemu-argv";

/// `arg` quoted for a POSIX shell when it needs it.
fn shell_quote(arg: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_=,./:@+%".contains(c);
    if !arg.is_empty() && arg.chars().all(plain) {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// `args` as lines: an option with the value that follows it on one line.
fn lines(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let opt = shell_quote(&args[i]);
        match args.get(i + 1) {
            Some(v) if args[i].starts_with('-') && !v.starts_with('-') => {
                out.push(format!("{opt} {}", shell_quote(v)));
                i += 2;
            }
            _ => {
                out.push(opt);
                i += 1;
            }
        }
    }
    out
}

/// `virConnectDomainXMLToNative` for format `qemu-argv`.
///
/// Errors: `VIR_ERR_INVALID_ARG` for another format; the definition's own refusals.
pub(crate) fn domain_xml_to_native(format: &str, xml: &str, flags: u32) -> Result<String> {
    check_flags(flags, 0, "qemuConnectDomainXMLToNative")?;
    if format != QEMU_ARGV {
        return Err(Error::invalid_arg(
            ErrorDomain::Qemu,
            format!("Unsupported config type {format}"),
        ));
    }
    let mut def = runnable_def(xml)?;
    crate::firmware::placeholder(&mut def);
    let args = build_args(&def, &RuntimeOptions::new(3))?;
    let mut out = vec![
        "LC_ALL=C".to_string(),
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
        shell_quote(&emulator(&def).to_string_lossy()),
    ];
    out.extend(lines(&args));
    Ok(out.join(" \\\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_pair_with_their_values_and_quoting_is_shells() {
        let args: Vec<String> = ["-name", "guest=a b", "-S", "-no-user-config", "-m", "64"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            lines(&args),
            ["-name 'guest=a b'", "-S", "-no-user-config", "-m 64"]
        );
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(
            shell_quote(r#"{"driver":"file"}"#),
            r#"'{"driver":"file"}'"#
        );
    }
}
