//! `<pool>`: libvirt's storage pool XML ([`PoolDef`]).

use uuid::Uuid;

use crate::error::{Result, XmlError, domain::STORAGE, domain::XML};
use crate::tree::{Element, parse_root};
use crate::util::{scaled_child, uuid_of};

/// Pool types libvirt knows (`virStoragePoolType`).
pub const POOL_TYPES: &[&str] = &[
    "dir",
    "fs",
    "netfs",
    "logical",
    "disk",
    "iscsi",
    "iscsi-direct",
    "scsi",
    "mpath",
    "rbd",
    "sheepdog",
    "gluster",
    "zfs",
    "vstorage",
];

/// A storage pool definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolDef {
    /// `type`.
    pub pool_type: String,
    /// Unique name.
    pub name: String,
    /// Unique UUID.
    pub uuid: Uuid,
    /// Bytes in total (a live value; definitions carry what was last seen).
    pub capacity: u64,
    /// Bytes in use.
    pub allocation: u64,
    /// Bytes free.
    pub available: u64,
    /// `<source>`.
    pub source: PoolSource,
    /// `<target><path>`.
    pub target_path: Option<String>,
    /// `<target><permissions>`.
    pub permissions: Option<Permissions>,
    /// `<features>` (`<cow state=…/>` for directory pools on btrfs), kept as written.
    pub features: Option<Element>,
    /// `<refresh>` (`<volume allocation=…/>`), kept as written.
    pub refresh: Option<Element>,
}

/// A pool's `<source>`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PoolSource {
    /// `<host name port/>` elements.
    pub hosts: Vec<Element>,
    /// `<device path=…/>` paths (elements kept: they may carry `<freeExtent>`).
    pub devices: Vec<Element>,
    /// `<dir path=…/>`.
    pub dir: Option<String>,
    /// `<adapter …/>`.
    pub adapter: Option<Element>,
    /// `<name>`.
    pub name: Option<String>,
    /// `<initiator>`, `<auth>`, `<vendor>`, `<product>`, `<protocol>`: kept.
    pub other: Vec<Element>,
    /// `<format type=…/>`.
    pub format: Option<String>,
}

/// `<permissions>` of a pool target or a volume.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Permissions {
    /// Octal mode.
    pub mode: Option<u32>,
    /// Owner uid.
    pub owner: Option<u32>,
    /// Group gid.
    pub group: Option<u32>,
    /// Security label.
    pub label: Option<String>,
}

impl Permissions {
    /// Parses `<permissions>`.
    pub fn from_element(e: &Element, domain: i32) -> Result<Permissions> {
        let bad = |what: &str| XmlError::xml(domain, format!("malformed {what} element"));
        let num = |name: &str, radix: u32| -> Result<Option<u32>> {
            match e.child_text(name) {
                None => Ok(None),
                Some(t) if t == "-1" => Ok(None),
                Some(t) => u32::from_str_radix(&t, radix)
                    .map(Some)
                    .map_err(|_| bad(name)),
            }
        };
        Ok(Permissions {
            mode: num("mode", 8)?,
            owner: num("owner", 10)?,
            group: num("group", 10)?,
            label: e.child_text("label"),
        })
    }

    /// `<permissions>` with what is set.
    pub fn to_element(&self) -> Element {
        Element::new("permissions")
            .opt_child(self.mode.map(|m| Element::leaf("mode", format!("{m:04o}"))))
            .opt_child(self.owner.map(|o| Element::leaf("owner", o.to_string())))
            .opt_child(self.group.map(|g| Element::leaf("group", g.to_string())))
            .opt_child(self.label.as_ref().map(|l| Element::leaf("label", l)))
    }
}

/// A bytes element as libvirt writes it (`<capacity unit='bytes'>N</capacity>`).
pub fn bytes_element(name: &str, value: u64) -> Element {
    Element::leaf(name, value.to_string()).attr("unit", "bytes")
}

/// A path with trailing slashes removed (libvirt's `virFileSanitizePath`).
pub fn sanitize_path(p: &str) -> String {
    let mut s = String::with_capacity(p.len());
    let mut last_slash = false;
    for ch in p.trim().chars() {
        if ch == '/' {
            if last_slash {
                continue;
            }
            last_slash = true;
        } else {
            last_slash = false;
        }
        s.push(ch);
    }
    while s.len() > 1 && s.ends_with('/') {
        s.pop();
    }
    s
}

/// Pool types whose `<source>` needs a device.
fn needs_device(t: &str) -> bool {
    matches!(t, "fs" | "disk")
}

impl PoolDef {
    /// Parses a `<pool>` document.
    pub fn from_xml(xml: &str) -> Result<PoolDef> {
        let root = parse_root(xml, "pool", "pool_definition", STORAGE)?;
        PoolDef::from_element(&root)
    }

    /// Parses a `<pool>` element.
    pub fn from_element(root: &Element) -> Result<PoolDef> {
        let pool_type = root.get("type").ok_or_else(|| {
            XmlError::xml(XML, "Missing required attribute 'type' in element 'pool'")
        })?;
        if !POOL_TYPES.contains(&pool_type) {
            return Err(XmlError::xml(
                XML,
                format!("Invalid value for attribute 'type' in element 'pool': '{pool_type}'."),
            ));
        }
        let name = root
            .child_text("name")
            .ok_or_else(|| XmlError::missing(STORAGE, "pool source name element"))?;
        if name.contains('/') {
            return Err(XmlError::xml(
                STORAGE,
                format!("name {name} cannot contain '/'"),
            ));
        }
        let uuid = match root.child_text("uuid") {
            Some(_) => uuid_of(root, STORAGE)
                .map_err(|_| XmlError::xml(STORAGE, "malformed uuid element"))?,
            None => Uuid::new_v4(),
        };
        let mut source = PoolSource::default();
        if let Some(s) = root.find("source") {
            for c in &s.children {
                match c.name.as_str() {
                    "host" => source.hosts.push(c.clone()),
                    "device" => source.devices.push(c.clone()),
                    "dir" => source.dir = c.get("path").map(sanitize_path),
                    "adapter" => {
                        // A named adapter is a SCSI host unless it says otherwise.
                        let mut a = c.clone();
                        if a.get("type").is_none() && a.get("name").is_some() {
                            let mut attrs = vec![("type".to_string(), "scsi_host".to_string())];
                            attrs.append(&mut a.attrs);
                            a.attrs = attrs;
                        }
                        source.adapter = Some(a);
                    }
                    "name" => source.name = Some(c.trimmed().to_string()),
                    "format" => source.format = c.get("type").map(str::to_string),
                    "auth" => {
                        // libvirt prints the secret's type before the user.
                        let mut a = c.clone();
                        a.attrs.sort_by_key(|(k, _)| match k.as_str() {
                            "type" => 0,
                            "username" => 1,
                            _ => 2,
                        });
                        source.other.push(a);
                    }
                    "initiator" | "vendor" | "product" | "protocol" => source.other.push(c.clone()),
                    _ => {}
                }
            }
        }
        if needs_device(pool_type) && source.devices.is_empty() {
            return Err(XmlError::missing(
                STORAGE,
                "storage pool source device name",
            ));
        }
        if pool_type == "netfs" && source.hosts.is_empty() {
            return Err(XmlError::missing(STORAGE, "storage pool source host name"));
        }
        let target = root.find("target");
        let target_path = target
            .and_then(|t| t.child_text("path"))
            .map(|p| sanitize_path(&p));
        if target_path.is_none()
            && !matches!(pool_type, "rbd" | "sheepdog" | "gluster" | "iscsi-direct")
        {
            return Err(XmlError::missing(STORAGE, "storage pool target path"));
        }
        let permissions = target
            .and_then(|t| t.find("permissions"))
            .map(|p| Permissions::from_element(p, STORAGE))
            .transpose()?;
        Ok(PoolDef {
            pool_type: pool_type.to_string(),
            capacity: scaled_child(root, "capacity", STORAGE)?.unwrap_or(0),
            allocation: scaled_child(root, "allocation", STORAGE)?.unwrap_or(0),
            available: scaled_child(root, "available", STORAGE)?.unwrap_or(0),
            name,
            uuid,
            source,
            target_path,
            permissions,
            features: root.find("features").cloned(),
            refresh: root.find("refresh").cloned(),
        })
    }

    /// The XML, as libvirt's `virStoragePoolDefFormat` writes it.
    pub fn to_xml(&self) -> String {
        let s = &self.source;
        // libvirt's order (virStoragePoolSourceFormat): the initiator before the format,
        // authentication, protocol, vendor and product after it.
        let (initiator, after): (Vec<Element>, Vec<Element>) =
            s.other.iter().cloned().partition(|e| e.name == "initiator");
        let rank = |e: &Element| match e.name.as_str() {
            "auth" => 0,
            "protocol" => 1,
            "vendor" => 2,
            _ => 3,
        };
        let mut after = after;
        after.sort_by_key(rank);
        // Pool types with a format always print one (libvirt's default when none).
        let format = s.format.clone().or_else(|| {
            match self.pool_type.as_str() {
                "fs" | "netfs" => Some("auto"),
                "logical" => Some("lvm2"),
                _ => None,
            }
            .map(str::to_string)
        });
        let mut source = Element::new("source")
            .children(s.hosts.clone())
            .children(s.devices.clone())
            .opt_child(s.dir.as_ref().map(|d| Element::new("dir").attr("path", d)))
            .opt_child(s.adapter.clone())
            .opt_child(s.name.as_ref().map(|n| Element::leaf("name", n)))
            .children(initiator)
            .opt_child(format.map(|f| Element::new("format").attr("type", f)))
            .children(after);
        source.open_close = true;
        let mut root = Element::new("pool")
            .attr("type", &self.pool_type)
            .child(Element::leaf("name", &self.name))
            .child(Element::leaf("uuid", self.uuid.hyphenated().to_string()))
            .child(bytes_element("capacity", self.capacity))
            .child(bytes_element("allocation", self.allocation))
            .child(bytes_element("available", self.available))
            .opt_child(self.features.clone())
            .child(source);
        if self.target_path.is_some() || self.permissions.is_some() {
            root = root.child(
                Element::new("target")
                    .opt_child(self.target_path.as_ref().map(|p| Element::leaf("path", p)))
                    .opt_child(self.permissions.as_ref().map(Permissions::to_element)),
            );
        }
        root = root.opt_child(self.refresh.clone());
        root.to_xml()
    }

    /// True when `other` uses the same storage (libvirt's "Storage source conflict"
    /// check): the same target directory for directory pools, the same device or
    /// host+dir otherwise.
    pub fn same_source(&self, other: &PoolDef) -> bool {
        if self.pool_type != other.pool_type {
            return false;
        }
        match self.pool_type.as_str() {
            "dir" => self.target_path.is_some() && self.target_path == other.target_path,
            "netfs" => {
                self.source.dir == other.source.dir
                    && self.source.hosts.first().and_then(|h| h.get("name"))
                        == other.source.hosts.first().and_then(|h| h.get("name"))
            }
            "logical" => self.source.name.is_some() && self.source.name == other.source.name,
            _ => {
                let dev = |p: &PoolDef| {
                    p.source
                        .devices
                        .first()
                        .and_then(|d| d.get("path"))
                        .map(str::to_string)
                };
                dev(self).is_some() && dev(self) == dev(other)
            }
        }
    }
}
