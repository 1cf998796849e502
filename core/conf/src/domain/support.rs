//! [`DomainDef::unsupported_part`]: the first part of a definition outside what a
//! driver carries out, so that drivers refuse at define what they would otherwise
//! accept and ignore.

use std::collections::HashSet;

use super::DomainDef;
use crate::ConfError;
use crate::error::UnsupportedKind;
use crate::xml::Element;

/// What a driver carries out, as paths below `<domain>`: `devices/disk` allows the
/// element, `devices/disk/@cache` one attribute, `devices/disk/@*` all its attributes,
/// `metadata/**` the element and everything in it. `@type` is an attribute of the
/// root.
#[derive(Debug, Clone)]
pub struct Support {
    exact: HashSet<String>,
    subtrees: Vec<String>,
}

impl Support {
    /// Support for exactly the listed paths.
    ///
    /// ```
    /// use rvirt_conf::{DomainDef, Support};
    /// let support = Support::new(&["@type", "name", "memory", "memory/@unit", "os", "os/type"]);
    /// let def = DomainDef::from_xml(
    ///     "<domain type='kvm'><name>g</name><memory>1024</memory>\
    ///      <os><type>hvm</type></os><pm><suspend-to-mem enabled='no'/></pm></domain>",
    /// )?;
    /// let e = def.unsupported_part(&support).unwrap();
    /// assert_eq!(e.to_string(), "unsupported configuration: unsupported element <domain/pm>");
    /// # Ok::<(), rvirt_conf::ConfError>(())
    /// ```
    pub fn new(paths: &[&str]) -> Support {
        let mut exact = HashSet::new();
        let mut subtrees = Vec::new();
        for p in paths {
            match p.strip_suffix("/**") {
                Some(prefix) => {
                    exact.insert(prefix.to_owned());
                    subtrees.push(format!("{prefix}/"));
                }
                None => {
                    exact.insert((*p).to_owned());
                }
            }
        }
        Support { exact, subtrees }
    }

    fn allows(&self, path: &str) -> bool {
        self.exact.contains(path) || self.subtrees.iter().any(|s| path.starts_with(s.as_str()))
    }

    fn allows_attr(&self, path: &str, attr: &str) -> bool {
        let full = if path.is_empty() {
            format!("@{attr}")
        } else {
            format!("{path}/@{attr}")
        };
        let any = if path.is_empty() {
            "@*".to_owned()
        } else {
            format!("{path}/@*")
        };
        self.allows(&full) || self.exact.contains(&any)
    }

    fn check(&self, el: &Element, path: &str) -> Result<(), ConfError> {
        let shown = |p: &str| {
            if p.is_empty() {
                "domain".to_owned()
            } else {
                format!("domain/{p}")
            }
        };
        for (n, _) in &el.attrs {
            if !self.allows_attr(path, n) {
                return Err(ConfError::Unsupported {
                    path: shown(path),
                    kind: UnsupportedKind::Attribute(n.clone()),
                });
            }
        }
        for c in el.elements() {
            let cpath = if path.is_empty() {
                c.name.clone()
            } else {
                format!("{path}/{}", c.name)
            };
            if !self.allows(&cpath) {
                return Err(ConfError::Unsupported {
                    path: shown(&cpath),
                    kind: UnsupportedKind::Element,
                });
            }
            self.check(c, &cpath)?;
        }
        Ok(())
    }
}

impl DomainDef {
    /// The first element or attribute of this definition that `support` does not
    /// cover, as [`ConfError::Unsupported`] (`VIR_ERR_CONFIG_UNSUPPORTED`), or `None`.
    pub fn unsupported_part(&self, support: &Support) -> Option<ConfError> {
        support.check(&self.to_element(), "").err()
    }
}
