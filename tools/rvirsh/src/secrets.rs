//! The secret commands (`secret-*`), printing what virsh prints. Values travel base64
//! encoded on the command line and in files, as with virsh.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rvirt_core::Connect;
use rvirt_core::api::Secret;

use crate::commands::{Failure, Outcome, fail, read_xml_file};
use crate::networks::uuid_arg;
use crate::output::{print_xml, table};

/// virsh's bound on a `secret-set-value --file` (1 KiB).
const MAX_VALUE_FILE: usize = 1024;

/// A secret by UUID.
fn lookup(conn: &Connect, arg: &str) -> Result<Secret, Failure> {
    let failed = |e| fail(format!("failed to get secret '{arg}'"), &e);
    // libvirt refuses a malformed UUID before asking the driver.
    let uuid = uuid_arg(arg).ok_or_else(|| {
        vec![
            format!("failed to get secret '{arg}'"),
            "uuidstr in virSecretLookupByUUIDString must be a valid UUID".into(),
        ]
    })?;
    conn.lookup_secret_by_uuid(&uuid).map_err(failed)
}

/// `virSecretUsageType` as libvirt names it.
fn usage_name(t: i32) -> Option<&'static str> {
    Some(match t {
        0 => "none",
        1 => "volume",
        2 => "ceph",
        3 => "iscsi",
        4 => "tls",
        5 => "vtpm",
        _ => return None,
    })
}

/// `secret-list`: UUID and usage, sorted by UUID.
pub fn list(conn: &Connect) -> Outcome {
    let mut secrets = conn
        .list_all_secrets(0)
        .map_err(|e| fail("Failed to list secrets".into(), &e))?;
    secrets.sort_by_key(|s| s.uuid().to_string());
    let rows: Vec<Vec<String>> = secrets
        .iter()
        .map(|s| {
            let usage = match usage_name(s.usage_type()) {
                Some(t) if s.usage_type() != 0 => format!("{t} {}", s.usage_id()),
                _ => "Unused".into(),
            };
            vec![s.uuid().to_string(), usage]
        })
        .collect();
    print!("{}", table(&["UUID", "Usage"], &rows));
    Ok(())
}

/// `secret-define FILE`.
pub fn define(conn: &Connect, file: &Path) -> Outcome {
    let xml = read_xml_file(file)?;
    let s = conn.secret_define_xml(&xml, 0).map_err(|e| {
        fail(
            format!("Failed to set attributes from {}", file.display()),
            &e,
        )
    })?;
    println!("Secret {} created\n", s.uuid());
    Ok(())
}

/// `secret-dumpxml SECRET`.
pub fn dumpxml(conn: &Connect, arg: &str) -> Outcome {
    let s = lookup(conn, arg)?;
    let xml = s.xml_desc(0).map_err(|e| vec![e.to_string()])?;
    print_xml(&xml);
    Ok(())
}

/// `secret-set-value SECRET [BASE64] [--file FILE] [--plain]`: the value base64
/// encoded on the command line or in the file (at most 1 KiB), or the file's bytes
/// as they are with `--plain`.
pub fn set_value(
    conn: &Connect,
    arg: &str,
    base64: Option<&str>,
    file: Option<&Path>,
    plain: bool,
) -> Outcome {
    let s = lookup(conn, arg)?;
    let text: Vec<u8> = match (base64, file) {
        (Some(_), Some(_)) => {
            return Err(vec![
                "Options --base64 and --file are mutually exclusive".into(),
            ]);
        }
        (Some(b), None) => b.as_bytes().to_vec(),
        (None, Some(f)) => read_value_file(f)?,
        (None, None) => return Err(vec!["Input secret value is missing".into()]),
    };
    let value = if plain {
        text
    } else {
        let compact: Vec<u8> = text
            .into_iter()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        STANDARD
            .decode(compact)
            .map_err(|_| vec!["Invalid base64 data".to_string()])?
    };
    s.set_value(&value, 0)
        .map_err(|e| fail("Failed to set secret value".into(), &e))?;
    println!("Secret value set\n");
    Ok(())
}

/// A value file of at most [`MAX_VALUE_FILE`] bytes.
fn read_value_file(file: &Path) -> Result<Vec<u8>, Failure> {
    let failed = |e: String| vec![format!("Failed to read file '{}': {e}", file.display())];
    let f = std::fs::File::open(file).map_err(|e| failed(e.to_string()))?;
    let mut data = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(f, MAX_VALUE_FILE as u64 + 1),
        &mut data,
    )
    .map_err(|e| failed(e.to_string()))?;
    if data.len() > MAX_VALUE_FILE {
        return Err(failed("file too large".into()));
    }
    Ok(data)
}

/// `secret-get-value SECRET [--plain]`: the value base64 encoded, or as it is.
pub fn get_value(conn: &Connect, arg: &str, plain: bool) -> Outcome {
    let s = lookup(conn, arg)?;
    let value = s.value(0).map_err(|e| vec![e.to_string()])?;
    // One line, with no blank line after it (unlike virsh's other commands).
    if plain {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        out.write_all(&value)
            .and_then(|()| out.write_all(b"\n"))
            .map_err(|e| vec![format!("failed to write the value: {e}")])?;
    } else {
        println!("{}", STANDARD.encode(&value));
    }
    Ok(())
}

/// `secret-undefine SECRET`.
pub fn undefine(conn: &Connect, arg: &str) -> Outcome {
    let s = lookup(conn, arg)?;
    s.undefine()
        .map_err(|e| fail(format!("Failed to delete secret {arg}"), &e))?;
    println!("Secret {arg} deleted\n");
    Ok(())
}
