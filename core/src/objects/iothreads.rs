//! A definition's I/O threads, shared by the drivers: `<iothreads>` and
//! `<iothreadids>` (ids 1..=N implied by the count alone, as libvirt reads them) and
//! their `<cputune><iothreadpin>` pins.

use crate::conf::xml::Element;
use crate::conf::{Cputune, DomainDef, Iothread, Iothreadids};

/// The ids of `def`'s I/O threads, in order.
pub fn iothread_ids(def: &DomainDef) -> Vec<u32> {
    match &def.iothreadids {
        Some(ids) if !ids.iothreads.is_empty() => ids.iothreads.iter().map(|t| t.id).collect(),
        _ => (1..=def.iothreads.unwrap_or(0)).collect(),
    }
}

/// Writes `ids` back as `<iothreadids>` and the `<iothreads>` count (both dropped
/// when empty); the pins of threads no longer there go.
pub fn set_iothread_ids(def: &mut DomainDef, ids: Vec<u32>) {
    if let Some(t) = def.cputune.as_mut() {
        t.iothreadpins.retain(|p| {
            p.attr("iothread")
                .and_then(|v| v.parse::<u32>().ok())
                .is_some_and(|id| ids.contains(&id))
        });
    }
    def.iothreads = (!ids.is_empty()).then_some(ids.len() as u32);
    // Threads still there keep what they had (their worker pool bounds).
    let mut old = def
        .iothreadids
        .take()
        .map(|t| t.iothreads)
        .unwrap_or_default();
    def.iothreadids = (!ids.is_empty()).then(|| Iothreadids {
        iothreads: ids
            .into_iter()
            .map(|id| match old.iter().position(|t| t.id == id) {
                Some(i) => old.swap_remove(i),
                None => Iothread {
                    id,
                    ..Default::default()
                },
            })
            .collect(),
        extra: Default::default(),
    });
}

/// The `cpuset` thread `id` is pinned to, if any.
pub fn iothread_pin(def: &DomainDef, id: u32) -> Option<&str> {
    let id = id.to_string();
    def.cputune
        .as_ref()?
        .iothreadpins
        .iter()
        .find(|p| p.attr("iothread") == Some(id.as_str()))?
        .attr("cpuset")
}

/// Pins thread `id` to `cpuset` (a `<cputune><iothreadpin>`, replaced if there is one).
pub fn set_iothread_pin(def: &mut DomainDef, id: u32, cpuset: &str) {
    let tune = def.cputune.get_or_insert_with(Cputune::default);
    let key = id.to_string();
    match tune
        .iothreadpins
        .iter_mut()
        .find(|p| p.attr("iothread") == Some(key.as_str()))
    {
        Some(p) => p.set_attr("cpuset", cpuset),
        None => {
            let mut p = Element::new("iothreadpin");
            p.set_attr("iothread", key);
            p.set_attr("cpuset", cpuset);
            tune.iothreadpins.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implied_ids_become_explicit_and_pins_follow_their_threads() {
        let mut def = DomainDef::from_xml(
            "<domain type='test'><name>i</name><memory>1024</memory><iothreads>2</iothreads>\
             <os><type>hvm</type></os></domain>",
        )
        .unwrap();
        assert_eq!(iothread_ids(&def), [1, 2]);
        set_iothread_pin(&mut def, 2, "0");
        assert_eq!(iothread_pin(&def, 2), Some("0"));
        set_iothread_ids(&mut def, vec![1, 7]);
        assert_eq!(iothread_ids(&def), [1, 7]);
        assert_eq!(def.iothreads, Some(2));
        assert_eq!(iothread_pin(&def, 2), None, "the pin went with its thread");
    }
}
