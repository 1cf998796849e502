//! `<volume>`: libvirt's storage volume XML ([`VolDef`]).

use crate::error::{Result, XmlError, domain::STORAGE};
use crate::pool::{Permissions, bytes_element};
use crate::tree::{Element, parse_root};
use crate::util::scaled_child;

/// File volume formats (`virStorageFileFormat`).
pub const FILE_FORMATS: &[&str] = &[
    "none", "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd", "ploop",
    "cow", "qcow", "qcow2", "qed", "vmdk",
];

/// `virStorageVolType` names, by number.
pub const VOL_TYPES: &[&str] = &["file", "block", "dir", "network", "netdir", "ploop"];

/// A storage volume definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolDef {
    /// `type` (`file` unless given).
    pub vol_type: String,
    /// Name, unique in its pool.
    pub name: String,
    /// `<key>` (set by the driver; for file volumes the path).
    pub key: Option<String>,
    /// Logical size in bytes.
    pub capacity: u64,
    /// Bytes allocated on the host, when known or asked for.
    pub allocation: Option<u64>,
    /// Bytes of the host file, when known.
    pub physical: Option<u64>,
    /// `<target><path>`.
    pub path: Option<String>,
    /// `<target><format type>`.
    pub format: Option<String>,
    /// `<target><permissions>`.
    pub permissions: Option<Permissions>,
    /// `<target><timestamps>` (live only).
    pub timestamps: Option<Element>,
    /// `<target><compat>` (qcow2).
    pub compat: Option<String>,
    /// `<target><clusterSize>`.
    pub cluster_size: Option<Element>,
    /// `<target><features>` children (`lazy_refcounts`, `extended_l2`).
    pub features: Vec<String>,
    /// `<target><encryption>`, kept.
    pub encryption: Option<Element>,
    /// `<backingStore>`.
    pub backing: Option<Backing>,
}

/// A volume's `<backingStore>`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Backing {
    /// Path of the backing file.
    pub path: String,
    /// Its format.
    pub format: Option<String>,
    /// Its permissions.
    pub permissions: Option<Permissions>,
}

impl VolDef {
    /// Parses a `<volume>` document.
    pub fn from_xml(xml: &str) -> Result<VolDef> {
        let root = parse_root(xml, "volume", "volume_definition", STORAGE)?;
        VolDef::from_element(&root)
    }

    /// Parses a `<volume>` element.
    pub fn from_element(root: &Element) -> Result<VolDef> {
        let name = root
            .child_text("name")
            .ok_or_else(|| XmlError::missing(STORAGE, "volume name element"))?;
        let vol_type = root.get("type").unwrap_or("file").to_string();
        if !VOL_TYPES.contains(&vol_type.as_str()) {
            return Err(XmlError::xml(
                STORAGE,
                format!("unknown volume type '{vol_type}'"),
            ));
        }
        let capacity = scaled_child(root, "capacity", STORAGE)?
            .ok_or_else(|| XmlError::missing(STORAGE, "capacity element"))?;
        let allocation = scaled_child(root, "allocation", STORAGE)?;
        let target = root.find("target");
        let format = target
            .and_then(|t| t.find("format"))
            .and_then(|f| f.get("type"))
            .map(str::to_string);
        if let Some(f) = format.as_deref()
            && !FILE_FORMATS.contains(&f)
        {
            return Err(XmlError::unsupported(
                STORAGE,
                format!("unknown volume format type {f}"),
            ));
        }
        let perms = |e: Option<&Element>| -> Result<Option<Permissions>> {
            e.and_then(|t| t.find("permissions"))
                .map(|p| Permissions::from_element(p, STORAGE))
                .transpose()
        };
        let backing = match root.find("backingStore") {
            Some(b) => {
                let path = b
                    .child_text("path")
                    .ok_or_else(|| XmlError::missing(STORAGE, "backing store path"))?;
                Some(Backing {
                    path,
                    format: b
                        .find("format")
                        .and_then(|f| f.get("type"))
                        .map(str::to_string),
                    permissions: perms(Some(b))?,
                })
            }
            None => None,
        };
        Ok(VolDef {
            vol_type,
            name,
            key: root.child_text("key"),
            capacity,
            allocation,
            physical: None,
            path: target.and_then(|t| t.child_text("path")),
            format,
            permissions: perms(target)?,
            timestamps: None,
            compat: target.and_then(|t| t.child_text("compat")),
            cluster_size: target.and_then(|t| t.find("clusterSize")).cloned(),
            features: target
                .and_then(|t| t.find("features"))
                .map(|f| f.children.iter().map(|c| c.name.clone()).collect())
                .unwrap_or_default(),
            encryption: target.and_then(|t| t.find("encryption")).cloned(),
            backing,
        })
    }

    /// The XML, as libvirt's `virStorageVolDefFormat` writes it.
    pub fn to_xml(&self) -> String {
        let features = (!self.features.is_empty())
            .then(|| Element::new("features").children(self.features.iter().map(Element::new)));
        let target = Element::new("target")
            .opt_child(self.path.as_ref().map(|p| Element::leaf("path", p)))
            .opt_child(
                self.format
                    .as_ref()
                    .map(|f| Element::new("format").attr("type", f)),
            )
            .opt_child(self.permissions.as_ref().map(Permissions::to_element))
            .opt_child(self.timestamps.clone())
            .opt_child(self.compat.as_ref().map(|c| Element::leaf("compat", c)))
            .opt_child(self.cluster_size.clone())
            .opt_child(features)
            .opt_child(self.encryption.clone());
        let backing = self.backing.as_ref().map(|b| {
            Element::new("backingStore")
                .child(Element::leaf("path", &b.path))
                .opt_child(
                    b.format
                        .as_ref()
                        .map(|f| Element::new("format").attr("type", f)),
                )
                .opt_child(b.permissions.as_ref().map(Permissions::to_element))
        });
        Element::new("volume")
            .attr("type", &self.vol_type)
            .child(Element::leaf("name", &self.name))
            .opt_child(self.key.as_ref().map(|k| Element::leaf("key", k)))
            .child(bytes_element("capacity", self.capacity))
            .opt_child(self.allocation.map(|a| bytes_element("allocation", a)))
            .opt_child(self.physical.map(|p| bytes_element("physical", p)))
            .child(target)
            .opt_child(backing)
            .to_xml()
    }

    /// `virStorageVolType` number of [`vol_type`](Self::vol_type).
    pub fn type_number(&self) -> i32 {
        VOL_TYPES
            .iter()
            .position(|t| *t == self.vol_type)
            .map_or(0, |i| i as i32)
    }
}
