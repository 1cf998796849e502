//! The order libvirt keeps disks and controllers in: it inserts each one, as it
//! parses it, after the last one of its bus (disks, by target index) or type
//! (controllers, by index, a USB2 master before its companions).

use super::{Controller, Device, Disk};

/// The index of a disk target name as libvirt computes it (`vda` 0, `sdb` 1, `hdaa`
/// 26); `None` for names libvirt cannot parse.
///
/// ```
/// assert_eq!(rvirt_conf::disk_name_index("vdb"), Some(1));
/// assert_eq!(rvirt_conf::disk_name_index("sdaa"), Some(26));
/// assert_eq!(rvirt_conf::disk_name_index("floppy"), None);
/// ```
pub fn disk_name_index(name: &str) -> Option<u32> {
    let prefix = ["fd", "hd", "vd", "sd", "xvd", "ubd"]
        .into_iter()
        .find(|p| name.starts_with(p))?;
    let letters = &name[prefix.len()..];
    let end = letters
        .bytes()
        .position(|b| !b.is_ascii_lowercase())
        .unwrap_or(letters.len());
    if end == 0 {
        return None;
    }
    // Partition numbers may follow (`sda1`), as libvirt allows.
    if !letters[end..].bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut idx: u32 = 0;
    for b in letters[..end].bytes() {
        idx = idx.checked_mul(26)?.checked_add(u32::from(b - b'a') + 1)?;
    }
    Some(idx - 1)
}

fn disk_position(list: &[Disk], disk: &Disk) -> usize {
    let mut insert_at: Option<usize> = None;
    let index = disk_name_index(&disk.target.dev);
    for (i, d) in list.iter().enumerate().rev() {
        if d.target.bus != disk.target.bus {
            continue;
        }
        if disk_name_index(&d.target.dev).map(i64::from).unwrap_or(-1)
            > index.map(i64::from).unwrap_or(-1)
        {
            insert_at = Some(i);
        } else if insert_at.is_none() {
            insert_at = Some(i + 1);
        }
    }
    insert_at.unwrap_or(list.len())
}

fn controller_position(list: &[Controller], c: &Controller) -> usize {
    let mut insert_at: Option<usize> = None;
    let idx = c.index.map_or(-1, i64::from);
    for (i, cur) in list.iter().enumerate().rev() {
        if cur.controller_type != c.controller_type {
            continue;
        }
        if c.index.is_none() {
            insert_at = Some(i + 1);
            break;
        }
        let cur_idx = cur.index.map_or(-1, i64::from);
        if cur_idx > idx || (c.master.is_none() && cur.master.is_some() && cur_idx == idx) {
            insert_at = Some(i);
        } else if insert_at.is_none() {
            insert_at = Some(i + 1);
        }
    }
    insert_at.unwrap_or(list.len())
}

/// libvirt's order of device kinds under `<devices>` (the order it prints them in).
const KINDS: &[&str] = &[
    "emulator",
    "disk",
    "controller",
    "lease",
    "filesystem",
    "interface",
    "smartcard",
    "serial",
    "parallel",
    "console",
    "channel",
    "input",
    "tpm",
    "graphics",
    "sound",
    "audio",
    "video",
    "hostdev",
    "redirdev",
    "redirfilter",
    "hub",
    "watchdog",
    "memballoon",
    "rng",
    "nvram",
    "panic",
    "shmem",
    "memory",
    "iommu",
    "vsock",
    "crypto",
];

fn kind_rank(d: &Device) -> usize {
    let name = d.element_name();
    KINDS.iter().position(|k| *k == name).unwrap_or(KINDS.len())
}

/// Puts `items` in the order libvirt keeps devices in: grouped by kind (in the order
/// libvirt prints the kinds), disks by bus and target, controllers by type and index,
/// everything else in document order.
pub(crate) fn libvirt_order(items: &mut [Device]) {
    items.sort_by_key(kind_rank);
    let mut disks: Vec<Disk> = Vec::new();
    let mut controllers: Vec<Controller> = Vec::new();
    for d in items.iter() {
        match d {
            Device::Disk(d) => {
                let at = disk_position(&disks, d);
                disks.insert(at, d.clone());
            }
            Device::Controller(c) => {
                let at = controller_position(&controllers, c);
                controllers.insert(at, c.clone());
            }
            _ => {}
        }
    }
    let mut disks = disks.into_iter();
    let mut controllers = controllers.into_iter();
    for d in items.iter_mut() {
        match d {
            Device::Disk(slot) => *slot = disks.next().expect("same count"),
            Device::Controller(slot) => *slot = controllers.next().expect("same count"),
            _ => {}
        }
    }
}
