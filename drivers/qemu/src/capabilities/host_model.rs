//! The `host-model` CPU of a TCG domain, as libvirt finds it: the CPU TCG gives
//! (`query-cpu-model-expansion` of `max`, static) described as the closest named model
//! of the same vendor plus the features to require and to disable, the description
//! with the fewest features winning (the earlier model on a tie, as libvirt's x86
//! decoder keeps the first best candidate). libvirt compares against its own CPU map;
//! this driver compares against QEMU's static expansion of each of its models, and
//! names features as QEMU does.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// A CPU as a static expansion describes it: its vendor string and each feature on or
/// off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expansion {
    /// `vendor` (`AuthenticAMD`, `GenuineIntel`), if the expansion has one.
    pub vendor: Option<String>,
    /// Every boolean property: feature name → on.
    pub features: BTreeMap<String, bool>,
}

impl Expansion {
    /// From a `query-cpu-model-expansion` reply (`{"model": {"props": {…}}}`).
    pub fn from_reply(v: &Value) -> Option<Expansion> {
        let props = v.get("model")?.get("props")?.as_object()?;
        Some(Expansion {
            vendor: props
                .get("vendor")
                .and_then(Value::as_str)
                .map(str::to_owned),
            features: props
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_bool()?)))
                .collect(),
        })
    }
}

/// The host-model CPU: a named model, its vendor as libvirt prints it, and the
/// features to require and to disable on top of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostModel {
    /// QEMU's model name (`EPYC`, `Skylake-Client`, …).
    pub name: String,
    /// `AMD`, `Intel` or the vendor string itself.
    pub vendor: String,
    /// Features TCG gives that the model lacks.
    pub require: Vec<String>,
    /// Features the model has that TCG does not give.
    pub disable: Vec<String>,
}

/// libvirt's vendor name for a CPUID vendor string.
pub fn vendor_name(cpuid: &str) -> String {
    match cpuid {
        "AuthenticAMD" => "AMD".to_owned(),
        "GenuineIntel" => "Intel".to_owned(),
        other => other.to_owned(),
    }
}

/// The closest description of `max` among `models` (name, static expansion), in
/// order; `None` when no model shares its vendor.
pub fn decode(max: &Expansion, models: &[(String, Expansion)]) -> Option<HostModel> {
    let mut best: Option<HostModel> = None;
    for (name, m) in models {
        if m.vendor != max.vendor {
            continue;
        }
        let on = |e: &Expansion, f: &str| e.features.get(f).copied().unwrap_or(false);
        let require: Vec<String> = max
            .features
            .keys()
            .filter(|f| on(max, f) && !on(m, f))
            .cloned()
            .collect();
        let disable: Vec<String> = m
            .features
            .keys()
            .filter(|f| on(m, f) && !on(max, f))
            .cloned()
            .collect();
        let count = require.len() + disable.len();
        if best
            .as_ref()
            .is_none_or(|b| count < b.require.len() + b.disable.len())
        {
            best = Some(HostModel {
                name: name.clone(),
                vendor: vendor_name(max.vendor.as_deref().unwrap_or_default()),
                require,
                disable,
            });
        }
    }
    best
}

impl HostModel {
    /// The cache's JSON form.
    pub fn to_json(&self) -> Value {
        json!({"name": self.name, "vendor": self.vendor,
               "require": self.require, "disable": self.disable})
    }

    /// Reads the cache's JSON form.
    pub fn from_json(v: &Value) -> Option<HostModel> {
        let list = |k: &str| -> Option<Vec<String>> {
            v.get(k)?
                .as_array()?
                .iter()
                .map(|s| s.as_str().map(str::to_owned))
                .collect()
        };
        Some(HostModel {
            name: v.get("name")?.as_str()?.to_owned(),
            vendor: v.get("vendor")?.as_str()?.to_owned(),
            require: list("require")?,
            disable: list("disable")?,
        })
    }

    /// `-cpu NAME,feat=on,…,feat=off`.
    pub fn cpu_arg(&self) -> String {
        let mut s = self.name.clone();
        for f in &self.require {
            s.push_str(&format!(",{f}=on"));
        }
        for f in &self.disable {
            s.push_str(&format!(",{f}=off"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp(vendor: &str, on: &[&str], off: &[&str]) -> Expansion {
        let mut features = BTreeMap::new();
        for f in on {
            features.insert(f.to_string(), true);
        }
        for f in off {
            features.insert(f.to_string(), false);
        }
        Expansion {
            vendor: Some(vendor.into()),
            features,
        }
    }

    #[test]
    fn the_closest_model_of_the_same_vendor_wins() {
        let max = exp("AuthenticAMD", &["sse", "ss", "npt"], &["xsavec"]);
        let models = vec![
            (
                "Intelish".into(),
                exp("GenuineIntel", &["sse", "ss", "npt"], &[]),
            ),
            (
                "Far".into(),
                exp("AuthenticAMD", &["xsavec", "avx"], &["sse"]),
            ),
            (
                "Near".into(),
                exp("AuthenticAMD", &["sse", "xsavec"], &["ss"]),
            ),
            ("Tie".into(), exp("AuthenticAMD", &["sse", "avx"], &[])),
        ];
        let m = decode(&max, &models).unwrap();
        assert_eq!(m.name, "Near");
        assert_eq!(m.vendor, "AMD");
        assert_eq!(m.require, ["npt", "ss"]);
        assert_eq!(m.disable, ["xsavec"]);
        assert_eq!(m.cpu_arg(), "Near,npt=on,ss=on,xsavec=off");
        assert_eq!(HostModel::from_json(&m.to_json()), Some(m));
        assert!(decode(&exp("Other", &[], &[]), &models).is_none());
    }
}
