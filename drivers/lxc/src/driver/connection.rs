//! [`LxcConnection`]: the public operations of the driver on one root's instance.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use rvirt_core::api::{DefinedDetail, DomainInfo, ListFlags, StateReason, UndefinedDetail};
use rvirt_core::conf::DomainDef;
use rvirt_core::driver::{DomainRef, DriverConnection, EventSink, format_domain_xml};
use rvirt_core::event::SharedLoop;
use rvirt_core::{DomainEvent, Error, ErrorCode, ErrorDomain, Lifecycle, Result, Uuid};

use super::instance::{Entry, Pending, Shared, Vm, lock, not_running};
use crate::paths::{DriverRoot, Layout, sys, write_atomic};
use crate::process::signal;
use crate::xml::ContainerSpec;

/// One open connection to an LXC driver instance. Connections of a process to the same
/// root share the instance; each gets every domain event.
#[derive(Debug)]
pub struct LxcConnection {
    shared: Arc<Shared>,
    client: u64,
}

fn instances() -> &'static Mutex<HashMap<PathBuf, Weak<Shared>>> {
    static INSTANCES: OnceLock<Mutex<HashMap<PathBuf, Weak<Shared>>>> = OnceLock::new();
    INSTANCES.get_or_init(Default::default)
}

/// Parses and completes a definition; it must be runnable by this driver.
pub(crate) fn parse_def(xml: &str) -> Result<DomainDef> {
    let mut def = DomainDef::from_xml(xml)?;
    def.fill_defaults();
    def.id = None;
    ContainerSpec::from_def(&def)?;
    Ok(def)
}

fn flags_unsupported(flags: u32, what: &str) -> Result<()> {
    if flags != 0 {
        return Err(Error::invalid_arg(
            ErrorDomain::Lxc,
            format!("unsupported flags (0x{flags:x}) in function {what}"),
        ));
    }
    Ok(())
}

fn no_domain(what: String) -> Error {
    Error::new(ErrorCode::NoDomain, ErrorDomain::Lxc, what)
}

/// CPU time of `pid` in ns (utime + stime from `/proc/PID/stat`).
fn cpu_time_ns(pid: u32) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    let Some(rest) = stat.rfind(')').and_then(|i| stat.get(i + 1..)) else {
        return 0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = [11, 12, 13, 14]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    // SAFETY: sysconf has no memory-safety preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    ticks.saturating_mul(1_000_000_000 / u64::try_from(hz).unwrap_or(100).max(1))
}

impl LxcConnection {
    /// Opens a connection to `root`'s instance: the one this process already runs, or
    /// a new one, which takes the root lock, loads `etc/lxc/*.xml` and reconnects to
    /// the controllers still running (`run/lxc/*.xml`). A new instance watches
    /// monitors on `event_loop`.
    pub fn open(root: &Path, event_loop: SharedLoop, events: EventSink) -> Result<Self> {
        let mut instances = lock(instances());
        instances.retain(|_, w| w.strong_count() > 0);
        let shared = match instances.get(root).and_then(Weak::upgrade) {
            Some(s) => s,
            None => {
                let root_lock = DriverRoot::acquire(root)?;
                let shared = Arc::new(Shared {
                    layout: Layout::new(root),
                    root: Mutex::new(Some(root_lock)),
                    event_loop,
                    clients: Mutex::new(Vec::new()),
                    next_client: AtomicU64::new(1),
                    doms: Mutex::new(Vec::new()),
                });
                shared.load_definitions();
                shared.reconnect_all();
                instances.insert(root.to_path_buf(), Arc::downgrade(&shared));
                shared
            }
        };
        let client = shared.next_client.fetch_add(1, Ordering::Relaxed);
        lock(&shared.clients).push((client, events));
        Ok(LxcConnection { shared, client })
    }

    /// The container init's host pid of a running domain (for tests and tools).
    pub fn init_pid(&self, dom: &DomainRef) -> Result<u32> {
        let e = self.shared.find(dom)?;
        let vm = lock(&e.vm);
        vm.run
            .as_ref()
            .and_then(|r| r.init_pid)
            .ok_or_else(not_running)
    }

    fn with_vm<T>(
        &self,
        dom: &DomainRef,
        f: impl FnOnce(&mut Vm, &mut Pending) -> Result<T>,
    ) -> Result<T> {
        let e = self.shared.find(dom)?;
        let mut ev = Pending::new();
        let res = f(&mut lock(&e.vm), &mut ev);
        self.shared.emit(ev);
        res
    }

    fn all(&self) -> Vec<Entry> {
        lock(&self.shared.doms).clone()
    }

    fn find_ref(&self, pred: impl Fn(&Vm) -> bool, what: String) -> Result<DomainRef> {
        self.all()
            .iter()
            .find_map(|e| {
                let vm = lock(&e.vm);
                pred(&vm).then(|| vm.to_ref())
            })
            .ok_or_else(|| no_domain(what))
    }
}

impl DriverConnection for LxcConnection {
    fn hypervisor_type(&self) -> &str {
        "LXC"
    }

    fn hostname(&self) -> Result<String> {
        Ok(std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|_| "localhost".into()))
    }

    fn list_all_domains(&self, flags: ListFlags) -> Result<Vec<DomainRef>> {
        Ok(self
            .all()
            .iter()
            .filter_map(|e| {
                let vm = lock(&e.vm);
                flags
                    .accepts(vm.state.state(), vm.persistent, false)
                    .then(|| vm.to_ref())
            })
            .collect())
    }

    fn lookup_by_id(&self, id: u32) -> Result<DomainRef> {
        self.find_ref(
            |vm| vm.id() == Some(id),
            format!("no domain with matching id {id}"),
        )
    }

    fn lookup_by_name(&self, name: &str) -> Result<DomainRef> {
        self.find_ref(
            |vm| vm.def.name == name,
            format!("no domain with matching name '{name}'"),
        )
    }

    fn lookup_by_uuid(&self, uuid: &Uuid) -> Result<DomainRef> {
        self.find_ref(
            |vm| vm.uuid == *uuid,
            format!("no domain with matching uuid '{}'", uuid.hyphenated()),
        )
    }

    fn define_xml(&self, xml: &str) -> Result<DomainRef> {
        let def = parse_def(xml)?;
        let uuid = def.uuid.unwrap_or_default();
        let l = &self.shared.layout;
        l.check_name(&def.name)?;
        let text = def.to_xml()?;
        let mut doms = lock(&self.shared.doms);
        let existing = doms
            .iter()
            .find(|e| e.name == def.name || e.uuid == uuid)
            .cloned();
        if let Some(e) = &existing
            && (e.name != def.name || e.uuid != uuid)
        {
            return Err(Error::new(
                ErrorCode::OperationFailed,
                ErrorDomain::Domain,
                format!(
                    "domain '{}' already exists with uuid {}",
                    e.name,
                    e.uuid.hyphenated()
                ),
            ));
        }
        write_atomic(&l.config_file(&def.name), text.as_bytes())?;
        let Some(e) = existing else {
            let vm = Vm::new(def, true);
            let r = vm.to_ref();
            doms.push(Entry {
                name: r.name.clone(),
                uuid,
                vm: Arc::new(Mutex::new(vm)),
            });
            drop(doms);
            self.shared.emit(vec![(
                r.clone(),
                DomainEvent::Lifecycle(Lifecycle::Defined(DefinedDetail::Added)),
            )]);
            return Ok(r);
        };
        drop(doms);
        let mut vm = lock(&e.vm);
        let detail = if vm.persistent {
            DefinedDetail::Updated
        } else {
            DefinedDetail::Added
        };
        vm.persistent = true;
        if vm.run.is_some() {
            vm.next_def = Some(def);
        } else {
            vm.def = def;
        }
        let r = vm.to_ref();
        drop(vm);
        self.shared.emit(vec![(
            r.clone(),
            DomainEvent::Lifecycle(Lifecycle::Defined(detail)),
        )]);
        Ok(r)
    }

    fn create_xml(&self, xml: &str, flags: u32) -> Result<DomainRef> {
        flags_unsupported(flags, "create_xml")?;
        let def = parse_def(xml)?;
        let uuid = def.uuid.unwrap_or_default();
        let mut doms = lock(&self.shared.doms);
        if let Some(e) = doms.iter().find(|e| e.name == def.name || e.uuid == uuid) {
            return Err(Error::operation_invalid(
                ErrorDomain::Domain,
                format!("domain '{}' already exists", e.name),
            ));
        }
        let entry = Entry {
            name: def.name.clone(),
            uuid,
            vm: Arc::new(Mutex::new(Vm::new(def, false))),
        };
        let mut vm = lock(&entry.vm);
        doms.push(entry.clone());
        drop(doms);
        let mut ev = Pending::new();
        let res = self.shared.start(&entry, &mut vm, &mut ev);
        let r = vm.to_ref();
        drop(vm);
        self.shared.emit(ev);
        if res.is_err() || r.id.is_none() {
            self.shared.forget_if_transient(uuid);
        }
        res.map(|()| r)
    }

    fn undefine(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        flags_unsupported(flags, "undefine")?;
        let l = self.shared.layout.clone();
        self.with_vm(dom, |vm, ev| {
            if !vm.persistent {
                return Err(Error::operation_invalid(
                    ErrorDomain::Domain,
                    "cannot undefine transient domain",
                ));
            }
            let path = l.config_file(&vm.def.name);
            if let Err(e) = std::fs::remove_file(&path)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                return Err(sys(format!("cannot remove '{}'", path.display()), &e));
            }
            vm.persistent = false;
            vm.next_def = None;
            vm.push(
                ev,
                [DomainEvent::Lifecycle(Lifecycle::Undefined(
                    UndefinedDetail::Removed,
                ))],
            );
            Ok(())
        })?;
        self.shared.forget_if_transient(dom.uuid);
        Ok(())
    }

    fn create(&self, dom: &DomainRef, flags: u32) -> Result<DomainRef> {
        flags_unsupported(flags, "create")?;
        let e = self.shared.find(dom)?;
        self.with_vm(dom, |vm, ev| {
            self.shared.start(&e, vm, ev)?;
            Ok(vm.to_ref())
        })
    }

    fn destroy(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        flags_unsupported(flags, "destroy")?;
        self.with_vm(dom, |vm, ev| self.shared.destroy(vm, ev))?;
        self.shared.forget_if_transient(dom.uuid);
        Ok(())
    }

    fn shutdown(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        flags_unsupported(flags, "shutdown")?;
        // SIGTERM to init; STOPPED/SHUTDOWN follows on the loop when it exits. An init
        // without a SIGTERM handler ignores it (the PID-namespace init rule).
        self.with_vm(dom, |vm, _| {
            let init = vm.running()?.init_pid.ok_or_else(not_running)?;
            signal(init, libc::SIGTERM);
            Ok(())
        })
    }

    fn domain_info(&self, dom: &DomainRef) -> Result<DomainInfo> {
        self.with_vm(dom, |vm, _| {
            Ok(DomainInfo {
                state: vm.state.state(),
                max_mem_kib: vm.def.memory_kib(),
                memory_kib: vm.def.current_memory_kib(),
                nr_virt_cpu: vm.def.current_vcpus(),
                cpu_time_ns: vm
                    .run
                    .as_ref()
                    .and_then(|r| r.init_pid)
                    .map_or(0, cpu_time_ns),
            })
        })
    }

    fn domain_state(&self, dom: &DomainRef) -> Result<StateReason> {
        self.with_vm(dom, |vm, _| Ok(vm.state))
    }

    fn domain_xml(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        self.with_vm(dom, |vm, _| {
            format_domain_xml(&vm.def, vm.next_def.as_ref(), vm.id(), flags)
        })
    }

    fn is_persistent(&self, dom: &DomainRef) -> Result<bool> {
        self.with_vm(dom, |vm, _| Ok(vm.persistent))
    }

    fn autostart(&self, dom: &DomainRef) -> Result<bool> {
        self.shared.find(dom).map(|_| false)
    }

    fn close(&self) -> Result<()> {
        let last = {
            let mut instances = lock(instances());
            let mut clients = lock(&self.shared.clients);
            clients.retain(|(id, _)| *id != self.client);
            let last = clients.is_empty();
            if last {
                instances.retain(|_, w| !std::ptr::eq(w.as_ptr(), Arc::as_ptr(&self.shared)));
            }
            last
        };
        if last {
            self.shared.detach_all();
        }
        Ok(())
    }
}
