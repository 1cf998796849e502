//! The volume commands `vol-list`, `vol-info`, `vol-dumpxml`, `vol-create-as` and
//! `vol-delete`, printing what virsh prints.

use rvirt_core::Connect;

use crate::commands::{Outcome, fail};
use crate::output::{capacity, field, print_xml, table};
use crate::pools;
use crate::volumes::volume;

/// `virStorageVolType` as `vol-info` names it.
fn type_name(t: i32) -> &'static str {
    match t {
        0 => "file",
        1 => "block",
        2 => "dir",
        3 => "network",
        4 => "netdir",
        5 => "ploop",
        _ => "unknown",
    }
}

/// `vol-list POOL`: name and path, sorted by name.
pub fn list(conn: &Connect, pool: &str) -> Outcome {
    let p = pools::lookup(conn, pool)?;
    let mut vols = p
        .list_all_volumes(0)
        .map_err(|e| fail("Failed to list storage volumes".into(), &e))?;
    vols.sort_by(|a, b| a.name().cmp(b.name()));
    let rows: Vec<Vec<String>> = vols
        .iter()
        .map(|v| {
            let path = v.path().unwrap_or_else(|_| "-".into());
            vec![v.name().to_string(), path]
        })
        .collect();
    print!("{}", table(&["Name", "Path"], &rows));
    Ok(())
}

/// `vol-info VOL [--pool POOL]`.
pub fn info(conn: &Connect, vol: &str, pool: Option<&str>) -> Outcome {
    let v = volume(conn, vol, pool)?;
    let mut out = field("Name", v.name());
    let i = v.info().map_err(|e| vec![e.to_string()])?;
    out += &field("Type", type_name(i.vol_type));
    out += &field("Capacity", capacity(i.capacity));
    out += &field("Allocation", capacity(i.allocation));
    println!("{out}");
    Ok(())
}

/// `vol-dumpxml VOL [--pool POOL]`.
pub fn dumpxml(conn: &Connect, vol: &str, pool: Option<&str>) -> Outcome {
    let v = volume(conn, vol, pool)?;
    let xml = v.xml_desc(0).map_err(|e| vec![e.to_string()])?;
    print_xml(&xml);
    Ok(())
}

/// `vol-delete VOL [--pool POOL]`.
pub fn delete(conn: &Connect, vol: &str, pool: Option<&str>) -> Outcome {
    let v = volume(conn, vol, pool)?;
    v.delete(0)
        .map_err(|e| fail(format!("Failed to delete vol {vol}"), &e))?;
    println!("Vol {vol} deleted\n");
    Ok(())
}

/// `vol-create-as POOL NAME SIZE [--allocation SIZE] [--format FORMAT]`: the volume
/// XML virsh writes for these arguments, created in the pool.
pub fn create_as(
    conn: &Connect,
    pool: &str,
    name: &str,
    size: &str,
    allocation: Option<&str>,
    format: Option<&str>,
) -> Outcome {
    let p = pools::lookup(conn, pool)?;
    let bytes = |s: &str| parse_size(s).ok_or_else(|| vec![format!("Malformed size {s}")]);
    let cap = bytes(size)?;
    let mut xml = format!(
        "<volume>\n  <name>{}</name>\n  <capacity>{cap}</capacity>\n",
        escape(name)
    );
    if let Some(a) = allocation {
        xml += &format!("  <allocation>{}</allocation>\n", bytes(a)?);
    }
    if let Some(f) = format {
        xml += &format!(
            "  <target>\n    <format type='{}'/>\n  </target>\n",
            escape(f)
        );
    }
    xml += "</volume>\n";
    p.create_volume_xml(&xml, 0)
        .map_err(|e| fail(format!("Failed to create vol {name}"), &e))?;
    println!("Vol {name} created\n");
    Ok(())
}

/// A size as virsh reads one (`virScaleInteger` with bytes as the default unit): a
/// number and an optional suffix, `k`/`KiB` powers of 1024, `KB` powers of 1000.
fn parse_size(s: &str) -> Option<u64> {
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: u64 = s[..digits].parse().ok()?;
    let suffix = &s[digits..];
    let (letter, rest) = match suffix.chars().next() {
        None => return Some(n),
        Some(c) => (c.to_ascii_lowercase(), &suffix[1..]),
    };
    let base: u64 = match rest {
        "" | "iB" | "ib" => 1024,
        "B" | "b" => 1000,
        _ => return None,
    };
    let power = match letter {
        'b' if rest.is_empty() => return Some(n),
        'k' => 1,
        'm' => 2,
        'g' => 3,
        't' => 4,
        'p' => 5,
        'e' => 6,
        _ => return None,
    };
    n.checked_mul(base.checked_pow(power)?)
}

/// Text escaped for an XML element or attribute.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_scale_like_virsh() {
        assert_eq!(parse_size("10"), Some(10));
        assert_eq!(parse_size("10b"), Some(10));
        assert_eq!(parse_size("10M"), Some(10 << 20));
        assert_eq!(parse_size("10MiB"), Some(10 << 20));
        assert_eq!(parse_size("1G"), Some(1 << 30));
        assert_eq!(parse_size("2KB"), Some(2000));
        assert_eq!(parse_size("x"), None);
        assert_eq!(parse_size("1Q"), None);
        assert_eq!(parse_size("99999999999E"), None);
        assert_eq!(escape("a<'&"), "a&lt;&apos;&amp;");
    }
}
