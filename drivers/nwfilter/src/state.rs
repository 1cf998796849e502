//! The network filter driver's host state: every filter definition (persistent
//! under `ROOT/nwfilter/NAME.xml`) and every filter binding (run-time status under
//! `ROOT/run/nwfilter-binding/PORTDEV.xml`). The rules are libvirt's
//! (`virnwfilterobj.c`, `nwfilter_driver.c`); a binding's rules are instantiated
//! with nftables ([`crate::instantiate`]) when it is created, again when a filter of
//! its tree is redefined and when the state starts, and removed with it.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rvirt_core::driver::files::RootLock;
use rvirt_core::driver::{NwFilterBindingRef, NwFilterRef};
use rvirt_core::objconf::NwFilterDef;
use rvirt_core::objconf::error::domain::NWFILTER;
use rvirt_core::objconf::tree::parse_root;
use rvirt_core::objects::XmlStore;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, Uuid, log};

use crate::binding::BindingDef;
use crate::instantiate;

const D: ErrorDomain = ErrorDomain::Nwfilter;

/// Everything the state holds, under one lock.
#[derive(Debug, Default)]
pub(crate) struct Objects {
    pub filters: Vec<NwFilterDef>,
    pub bindings: Vec<BindingDef>,
}

/// A filter's reference.
pub(crate) fn filter_ref(def: &NwFilterDef) -> NwFilterRef {
    NwFilterRef {
        name: def.name.clone(),
        uuid: def.uuid,
    }
}

/// A binding's reference.
pub(crate) fn binding_ref(def: &BindingDef) -> NwFilterBindingRef {
    NwFilterBindingRef {
        port_dev: def.port_dev.clone(),
        filter: def.filter().to_string(),
    }
}

/// `VIR_ERR_NO_NWFILTER`.
pub(crate) fn no_filter(what: &str, value: &str) -> Error {
    Error::new(
        ErrorCode::NoNwfilter,
        D,
        format!("no nwfilter with matching {what} '{value}'"),
    )
}

/// `VIR_ERR_NO_NWFILTER_BINDING`.
pub(crate) fn no_binding(port_dev: &str) -> Error {
    Error::new(
        ErrorCode::NoNwfilterBinding,
        D,
        format!("no nwfilter binding for port dev '{port_dev}'"),
    )
}

/// The names `def` references through `<filterref filter=…>`.
fn references(def: &NwFilterDef) -> impl Iterator<Item = &str> {
    def.entries
        .iter()
        .filter(|e| e.name == "filterref")
        .filter_map(|e| e.get("filter"))
}

/// True if following `def`'s references through `filters` reaches `target`. Walked
/// with a work list, not recursion: a client may chain any number of filters.
fn reaches(filters: &[NwFilterDef], def: &NwFilterDef, target: &str) -> bool {
    let by_name: HashMap<&str, &NwFilterDef> =
        filters.iter().map(|f| (f.name.as_str(), f)).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut todo: Vec<&NwFilterDef> = vec![def];
    while let Some(d) = todo.pop() {
        for r in references(d) {
            if r == target {
                return true;
            }
            if seen.insert(r)
                && let Some(next) = by_name.get(r)
            {
                todo.push(next);
            }
        }
    }
    false
}

/// Where `def` may go among `filters`: the index of the filter it redefines, or
/// `None` for a new one. Name and UUID must both match an existing filter or neither,
/// and the filter may not reach itself through its references.
pub(crate) fn admit(filters: &[NwFilterDef], def: &NwFilterDef) -> Result<Option<usize>> {
    let failed = |msg: String| Error::new(ErrorCode::OperationFailed, D, msg);
    if let Some(f) = filters.iter().find(|f| f.uuid == def.uuid) {
        if f.name != def.name {
            return Err(failed(format!(
                "filter with same UUID but different name ('{}') already exists",
                f.name
            )));
        }
    } else if let Some(f) = filters.iter().find(|f| f.name == def.name) {
        return Err(failed(format!(
            "filter '{}' already exists with uuid {}",
            def.name,
            f.uuid.hyphenated()
        )));
    }
    if reaches(filters, def, &def.name) {
        return Err(failed("filter would introduce a loop".to_string()));
    }
    Ok(filters.iter().position(|f| f.name == def.name))
}

/// The network filter driver's state for one root.
#[derive(Debug)]
pub(crate) struct State {
    config: XmlStore,
    status: XmlStore,
    objects: Mutex<Objects>,
    _lock: RootLock,
}

impl State {
    /// Takes `root` and loads its filters and bindings.
    pub(crate) fn start(root: &Path) -> Result<State> {
        let lock = RootLock::acquire_root(
            root,
            &["nwfilter", "run/nwfilter-binding"],
            "run/driver.pid",
            Duration::from_secs(5),
            D,
            "nwfilter",
        )?;
        let config = XmlStore::open(root.join("nwfilter"), D)?;
        let status = XmlStore::open(root.join("run/nwfilter-binding"), D)?;
        let mut objects = Objects::default();
        for (name, text) in config.load_all() {
            let loaded = NwFilterDef::from_xml(&text)
                .map_err(|e| e.message)
                .and_then(|def| {
                    if def.name != name {
                        return Err(format!(
                            "network filter config filename '{name}.xml' does not match name '{}'",
                            def.name
                        ));
                    }
                    admit(&objects.filters, &def)
                        .map(|_| def)
                        .map_err(|e| e.message().to_string())
                });
            match loaded {
                Ok(def) => {
                    // A definition without a UUID got one now: keep it (as libvirt).
                    let has_uuid = parse_root(&text, "filter", "nwfilter_definition", NWFILTER)
                        .is_ok_and(|r| r.find("uuid").is_some());
                    if !has_uuid && let Err(e) = config.save(&name, &def.to_xml(), true) {
                        log::warning(D, format_args!("{}", e.message()));
                    }
                    objects.filters.push(def)
                }
                Err(why) => log::warning(D, format_args!("skipping filter '{name}.xml': {why}")),
            }
        }
        for (name, text) in status.load_all() {
            match BindingDef::from_xml(&text) {
                Ok(b)
                    if b.port_dev == name
                        && objects.bindings.iter().all(|o| o.port_dev != name) =>
                {
                    objects.bindings.push(b)
                }
                Ok(_) => log::warning(
                    D,
                    format_args!("skipping binding '{name}.xml': its port dev differs"),
                ),
                Err(e) => log::warning(
                    D,
                    format_args!("skipping binding '{name}.xml': {}", e.message()),
                ),
            }
        }
        // The rules of bindings found again (their devices' tables may be gone).
        for b in &objects.bindings {
            let done = instantiate::build(&objects.filters, b)
                .and_then(|s| instantiate::apply(&b.port_dev, &s));
            if let Err(e) = done {
                log::warning(
                    D,
                    format_args!(
                        "filter binding '{}' not instantiated: {}",
                        b.port_dev,
                        e.message()
                    ),
                );
            }
        }
        Ok(State {
            config,
            status,
            objects: Mutex::new(objects),
            _lock: lock,
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Objects> {
        self.objects.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A filter by UUID.
    pub(crate) fn by_uuid(&self, uuid: &Uuid) -> Result<NwFilterDef> {
        self.lock()
            .filters
            .iter()
            .find(|f| f.uuid == *uuid)
            .cloned()
            .ok_or_else(|| no_filter("uuid", &uuid.hyphenated().to_string()))
    }

    /// A filter by name.
    pub(crate) fn by_name(&self, name: &str) -> Result<NwFilterDef> {
        self.lock()
            .filters
            .iter()
            .find(|f| f.name == name)
            .cloned()
            .ok_or_else(|| no_filter("name", name))
    }

    /// Defines a filter or redefines one (same name and UUID); written before it
    /// counts.
    pub(crate) fn define(&self, xml: &str) -> Result<NwFilterRef> {
        let def = NwFilterDef::from_xml(xml)?;
        let mut objs = self.lock();
        let slot = admit(&objs.filters, &def)?;
        let mut next = objs.filters.clone();
        match slot {
            Some(i) => next[i] = def.clone(),
            None => next.push(def.clone()),
        }
        // The bindings whose tree holds the filter, instantiated anew: all or none.
        let mut scripts = Vec::new();
        for b in objs.bindings.iter() {
            let root = next.iter().find(|f| f.name == b.filter());
            if b.filter() == def.name || root.is_some_and(|r| reaches(&next, r, &def.name)) {
                scripts.push((b.port_dev.clone(), instantiate::build(&next, b)?));
            }
        }
        self.config.save(&def.name, &def.to_xml(), true)?;
        for (dev, script) in &scripts {
            if let Err(e) = instantiate::apply(dev, script) {
                log::warning(
                    D,
                    format_args!("filter binding '{dev}' not reinstantiated: {}", e.message()),
                );
            }
        }
        let r = filter_ref(&def);
        objs.filters = next;
        Ok(r)
    }

    /// Removes the filter with `uuid`; one a binding's tree uses stays.
    pub(crate) fn undefine(&self, uuid: &Uuid) -> Result<()> {
        let mut objs = self.lock();
        let i = objs
            .filters
            .iter()
            .position(|f| f.uuid == *uuid)
            .ok_or_else(|| no_filter("uuid", &uuid.hyphenated().to_string()))?;
        let name = objs.filters[i].name.clone();
        let used = objs.bindings.iter().any(|b| {
            b.filter() == name
                || objs
                    .filters
                    .iter()
                    .find(|f| f.name == b.filter())
                    .is_some_and(|r| reaches(&objs.filters, r, &name))
        });
        if used {
            return Err(Error::operation_invalid(D, "nwfilter is in use"));
        }
        self.config.delete(&name)?;
        objs.filters.remove(i);
        Ok(())
    }

    /// Creates a binding of an existing filter to a port device.
    pub(crate) fn create_binding(&self, xml: &str) -> Result<NwFilterBindingRef> {
        let def = BindingDef::from_xml(xml)?;
        let mut objs = self.lock();
        if objs.bindings.iter().any(|b| b.port_dev == def.port_dev) {
            return Err(Error::new(
                ErrorCode::OperationFailed,
                D,
                format!("binding '{}' already exists", def.port_dev),
            ));
        }
        if !objs.filters.iter().any(|f| f.name == def.filter()) {
            return Err(Error::internal(
                D,
                format!("referenced filter '{}' is missing", def.filter()),
            ));
        }
        let script = instantiate::build(&objs.filters, &def)?;
        instantiate::apply(&def.port_dev, &script)?;
        if let Err(e) = self.status.save(&def.port_dev, &def.to_xml(), false) {
            instantiate::remove(&def.port_dev);
            return Err(e);
        }
        let r = binding_ref(&def);
        objs.bindings.push(def);
        Ok(r)
    }

    /// The binding of `port_dev`.
    pub(crate) fn binding(&self, port_dev: &str) -> Result<BindingDef> {
        self.lock()
            .bindings
            .iter()
            .find(|b| b.port_dev == port_dev)
            .cloned()
            .ok_or_else(|| no_binding(port_dev))
    }

    /// Deletes the binding of `port_dev`.
    pub(crate) fn delete_binding(&self, port_dev: &str) -> Result<()> {
        let mut objs = self.lock();
        let i = objs
            .bindings
            .iter()
            .position(|b| b.port_dev == port_dev)
            .ok_or_else(|| no_binding(port_dev))?;
        self.status.delete(port_dev)?;
        objs.bindings.remove(i);
        instantiate::remove(port_dev);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use rvirt_testkit::TempDir;
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn root(tag: &str) -> TempDir {
        TempDir::new(&format!("nwfilter-{tag}"))
    }

    fn filter(name: &str, uuid: &str, refs: &[&str]) -> String {
        let refs: String = refs
            .iter()
            .map(|r| format!("<filterref filter='{r}'/>"))
            .collect();
        format!(
            "<filter name='{name}' chain='ipv4' priority='-700'><uuid>{uuid}</uuid>\
             <rule action='accept' direction='out' priority='100'><ip srcipaddr='10.0.0.1'/></rule>\
             {refs}<rule action='drop' direction='inout'/></filter>"
        )
    }

    const UA: &str = "aaaaaaaa-2222-3333-4444-555555555555";
    const UB: &str = "bbbbbbbb-2222-3333-4444-555555555555";
    const UC: &str = "cccccccc-2222-3333-4444-555555555555";

    #[test]
    fn filters_are_stored_in_order_and_come_back() {
        let dir = root("store");
        {
            let st = State::start(&dir).unwrap();
            st.define(&filter("a", UA, &["b"])).unwrap();
            st.define(&filter("b", UB, &[])).unwrap();
        }
        let file = dir.join("nwfilter/a.xml");
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let st = State::start(&dir).unwrap();
        let a = st.by_name("a").unwrap();
        assert_eq!(a.uuid, Uuid::parse_str(UA).unwrap());
        let xml = a.to_xml();
        // Rules and references as written, in their order.
        let accept = xml.find("action='accept'").unwrap();
        let fref = xml.find("<filterref filter='b'/>").unwrap();
        let drop_rule = xml.find("action='drop'").unwrap();
        assert!(accept < fref && fref < drop_rule, "{xml}");
        assert!(
            xml.starts_with("<filter name='a' chain='ipv4' priority='-700'>"),
            "{xml}"
        );
        st.undefine(&a.uuid).unwrap();
        assert!(!file.exists());
        let e = st.by_name("a").unwrap_err();
        assert_eq!(e.code(), ErrorCode::NoNwfilter);
        assert_eq!(e.message(), "no nwfilter with matching name 'a'");
        drop(st);
    }

    #[test]
    fn loops_and_name_uuid_clashes_are_refused() {
        let dir = root("loops");
        let st = State::start(&dir).unwrap();
        let e = st.define(&filter("a", UA, &["a"])).unwrap_err();
        assert_eq!(e.code(), ErrorCode::OperationFailed);
        assert_eq!(e.message(), "filter would introduce a loop");
        st.define(&filter("a", UA, &["b"])).unwrap();
        st.define(&filter("b", UB, &["c"])).unwrap();
        let e = st.define(&filter("c", UC, &["a"])).unwrap_err();
        assert_eq!(e.message(), "filter would introduce a loop");
        st.define(&filter("c", UC, &["missing"])).unwrap();
        // Redefining b to point back at a closes a loop too.
        let e = st.define(&filter("b", UB, &["a"])).unwrap_err();
        assert_eq!(e.message(), "filter would introduce a loop");
        let e = st.define(&filter("b", UC, &[])).unwrap_err();
        assert_eq!(
            e.message(),
            "filter with same UUID but different name ('c') already exists"
        );
        let e = st
            .define(&filter("b", "dddddddd-2222-3333-4444-555555555555", &[]))
            .unwrap_err();
        assert_eq!(
            e.message(),
            format!("filter 'b' already exists with uuid {UB}")
        );
        // Names that are not file names never reach the disk.
        assert!(
            st.define(&filter("../x", "eeeeeeee-2222-3333-4444-555555555555", &[]))
                .is_err()
        );
        assert!(!dir.join("x.xml").exists());
        assert_eq!(st.lock().filters.len(), 3);
        drop(st);
    }

    #[test]
    fn long_reference_chains_are_followed() {
        let mut filters: Vec<NwFilterDef> = Vec::new();
        for i in 0..20_000 {
            let refs = if i > 0 {
                vec![format!("f{}", i - 1)]
            } else {
                vec![]
            };
            let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
            let uuid = Uuid::from_u128(i as u128 + 1).hyphenated().to_string();
            filters.push(NwFilterDef::from_xml(&filter(&format!("f{i}"), &uuid, &refs)).unwrap());
        }
        // f0 referring to the last one closes a loop 20,000 filters long.
        let closing = NwFilterDef::from_xml(&filter(
            "f0",
            &Uuid::from_u128(1).hyphenated().to_string(),
            &["f19999"],
        ))
        .unwrap();
        let e = admit(&filters, &closing).unwrap_err();
        assert_eq!(e.message(), "filter would introduce a loop");
        let fine = NwFilterDef::from_xml(&filter("top", UC, &["f19999"])).unwrap();
        assert_eq!(admit(&filters, &fine).unwrap(), None);
    }

    #[test]
    fn hostile_files_are_skipped_at_start() {
        let dir = root("hostile");
        let nw = dir.join("nwfilter");
        std::fs::create_dir_all(&nw).unwrap();
        std::fs::write(nw.join("good.xml"), filter("good", UA, &[])).unwrap();
        std::fs::write(nw.join("other.xml"), filter("renamed", UB, &[])).unwrap();
        std::fs::write(nw.join("bad.xml"), "<filter").unwrap();
        std::fs::write(nw.join("dup.xml"), filter("dup", UA, &[])).unwrap();
        let st = State::start(&dir).unwrap();
        let names: Vec<String> = st.lock().filters.iter().map(|f| f.name.clone()).collect();
        assert!(
            names.len() == 1 && (names[0] == "good" || names[0] == "dup"),
            "{names:?}"
        );
        drop(st);
    }

    #[test]
    fn bindings_need_their_filter_and_keep_it() {
        // Bindings load nftables rules: only inside a namespace of this thread's own.
        if !rvirt_testkit::enter_netns() {
            return;
        }
        let dir = root("bindings");
        let xml = "<filterbinding><owner><name>vm1</name>\
            <uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid></owner>\
            <portdev name='vnet0'/><mac address='52:54:00:7b:35:93'/>\
            <filterref filter='a'/></filterbinding>";
        {
            let st = State::start(&dir).unwrap();
            let e = st.create_binding(xml).unwrap_err();
            assert_eq!(e.message(), "referenced filter 'a' is missing");
            st.define(&filter("a", UA, &[])).unwrap();
            let r = st.create_binding(xml).unwrap();
            assert_eq!((r.port_dev.as_str(), r.filter.as_str()), ("vnet0", "a"));
            let e = st.create_binding(xml).unwrap_err();
            assert_eq!(e.message(), "binding 'vnet0' already exists");
            let e = st.undefine(&Uuid::parse_str(UA).unwrap()).unwrap_err();
            assert_eq!(e.code(), ErrorCode::OperationInvalid);
        }
        let st = State::start(&dir).unwrap();
        assert_eq!(st.binding("vnet0").unwrap().filter(), "a");
        st.delete_binding("vnet0").unwrap();
        assert_eq!(
            st.binding("vnet0").unwrap_err().code(),
            ErrorCode::NoNwfilterBinding
        );
        st.undefine(&Uuid::parse_str(UA).unwrap()).unwrap();
        drop(st);
    }
}
