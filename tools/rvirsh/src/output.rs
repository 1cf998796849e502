//! virsh-style text: the `list` table, state names, `dominfo` lines.

use rvirt_core::api::DomainState;

/// virsh's name for a state (`vshDomainStateToString`).
pub fn state_name(state: DomainState) -> &'static str {
    match state {
        DomainState::NoState => "no state",
        DomainState::Running => "running",
        DomainState::Blocked => "idle",
        DomainState::Paused => "paused",
        DomainState::Shutdown => "in shutdown",
        DomainState::Shutoff => "shut off",
        DomainState::Crashed => "crashed",
        DomainState::PmSuspended => "pmsuspended",
    }
}

/// A table as virsh draws it: a leading space, columns padded to their widest cell and
/// separated by three spaces, a dash rule under the header, and a blank line after.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::from(" ");
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                s.push_str(&format!("{cell:<w$}   "));
            }
        }
        s.push('\n');
        s
    };
    let head: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let mut out = line(&head);
    let rule = widths.iter().sum::<usize>() + 3 * widths.len();
    out.push_str(&"-".repeat(rule));
    out.push('\n');
    for row in rows {
        out.push_str(&line(row));
    }
    out.push('\n');
    out
}

/// One `dominfo` line: label padded to 15 columns.
pub fn field(label: &str, value: impl std::fmt::Display) -> String {
    format!("{:<15} {value}\n", format!("{label}:"))
}

/// virsh's `yes`/`no`.
pub fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// An XML document as virsh prints it: the text, its last line ended, then the blank
/// line virsh prints after every command.
pub fn print_xml(xml: &str) {
    print!("{xml}");
    if !xml.ends_with('\n') {
        println!();
    }
    println!();
}

/// A size as virsh prints it (`vshPrettyCapacity`): two decimals in the largest
/// binary unit not above it.
pub fn capacity(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut unit = 0;
    while unit + 1 < UNITS.len() && bytes >= 1u64 << (10 * (unit + 1)) {
        unit += 1;
    }
    let value = bytes as f64 / (1u64 << (10 * unit)) as f64;
    format!("{value:.2} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_table_matches_virsh() {
        let rows = vec![
            vec!["1".into(), "test".into(), "running".into()],
            vec!["-".into(), "demo-longer-name".into(), "shut off".into()],
        ];
        let t = table(&["Id", "Name", "State"], &rows);
        assert_eq!(
            t,
            " Id   Name               State\n\
             -----------------------------------\n \
             1    test               running\n \
             -    demo-longer-name   shut off\n\n"
        );
        let one = table(
            &["Id", "Name", "State"],
            &[vec!["1".into(), "test".into(), "running".into()]],
        );
        assert_eq!(
            one,
            " Id   Name   State\n----------------------\n 1    test   running\n\n"
        );
    }

    #[test]
    fn dominfo_fields_and_states() {
        assert_eq!(field("Id", 1), "Id:             1\n");
        assert_eq!(field("Security model", "x"), "Security model: x\n");
        assert_eq!(state_name(DomainState::Shutoff), "shut off");
        assert_eq!(state_name(DomainState::Blocked), "idle");
        assert_eq!(capacity(0), "0.00 B");
        assert_eq!(capacity(1023), "1023.00 B");
        assert_eq!(capacity(10 << 20), "10.00 MiB");
        assert_eq!(capacity(107_374_182_400), "100.00 GiB");
        assert_eq!(capacity(1536), "1.50 KiB");
    }
}
