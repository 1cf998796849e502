//! [`LxcConnection`]: the public operations of the driver on one root's instance.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rvirt_core::api::{DefinedDetail, DomainInfo, ListFlags, StateReason, UndefinedDetail};
use rvirt_core::conf::DomainDef;
use rvirt_core::driver::{DomainRef, DriverConnection, EventSink, Instances};
use rvirt_core::event::SharedLoop;
use rvirt_core::objects::{Add, Added, ConfigDir, DomainObjList, EventFanout, Events};
use rvirt_core::{DomainEvent, Error, ErrorDomain, Lifecycle, Result, Uuid};

use super::instance::{Entry, Shared, Vm, not_running, running};
use crate::paths::{DriverRoot, Layout};
use crate::process::signal;
use crate::xml::ContainerSpec;

/// One open connection to an LXC driver instance. Connections of a process to the same
/// root share the instance; each gets every domain event.
#[derive(Debug)]
pub struct LxcConnection {
    shared: Arc<Shared>,
}

/// The instances this process runs, by root.
pub(crate) static INSTANCES: Instances<Shared> = Instances::new();

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

impl Shared {
    /// Sets up the instance of `root`: takes the root lock, loads `etc/lxc/*.xml` and
    /// reconnects to the controllers still running (`run/lxc/*.xml`); monitors are
    /// watched on `event_loop`.
    pub(crate) fn create(root: &Path, event_loop: SharedLoop) -> Result<Arc<Shared>> {
        let root_lock = DriverRoot::acquire(root)?;
        let layout = Layout::new(root);
        let shared = Arc::new(Shared {
            configs: ConfigDir::new(layout.config_dir(), ErrorDomain::Lxc),
            layout,
            root: Mutex::new(Some(root_lock)),
            event_loop,
            domains: DomainObjList::new(ErrorDomain::Lxc),
            fanout: EventFanout::new(),
        });
        shared.load_definitions();
        shared.reconnect_all();
        Ok(shared)
    }

    /// Runs `f` on the domain `dom` under its lock; its events are delivered once the
    /// lock is released.
    fn change<T>(
        &self,
        dom: &DomainRef,
        f: impl FnOnce(&Entry, &mut Vm, &mut Events) -> Result<T>,
    ) -> Result<T> {
        let entry = self.domains.get(dom)?;
        let result = {
            let mut vm = entry.lock();
            let mut ev = Events::new();
            let r = f(&entry, &mut vm, &mut ev);
            self.fanout.queue(ev);
            r
        };
        self.fanout.flush();
        result
    }
}

impl LxcConnection {
    /// Opens a connection to `root`'s instance: the one this process already runs, or
    /// a new one ([`Shared::create`]). A new instance watches monitors on `event_loop`.
    pub fn open(root: &Path, event_loop: SharedLoop, events: EventSink) -> Result<Self> {
        let shared = INSTANCES.acquire(root, || Shared::create(root, event_loop))?;
        shared.fanout.add(events);
        Ok(LxcConnection { shared })
    }

    /// The container init's host pid of a running domain (for tests and tools).
    pub fn init_pid(&self, dom: &DomainRef) -> Result<u32> {
        let e = self.shared.domains.get(dom)?;
        let mut vm = e.lock();
        running(&mut vm)?.init_pid.ok_or_else(not_running)
    }

    fn read<T>(&self, dom: &DomainRef, f: impl FnOnce(&Vm) -> Result<T>) -> Result<T> {
        f(&self.shared.domains.get(dom)?.lock())
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
        Ok(self.shared.domains.list(flags))
    }

    fn lookup_by_id(&self, id: u32) -> Result<DomainRef> {
        self.shared.domains.lookup_by_id(id)
    }

    fn lookup_by_name(&self, name: &str) -> Result<DomainRef> {
        self.shared.domains.lookup_by_name(name)
    }

    fn lookup_by_uuid(&self, uuid: &Uuid) -> Result<DomainRef> {
        self.shared.domains.lookup_by_uuid(uuid)
    }

    fn define_xml(&self, xml: &str) -> Result<DomainRef> {
        let def = parse_def(xml)?;
        self.shared.layout.check_name(&def.name)?;
        let s = &self.shared;
        let (entry, def) = match s.domains.add(def, Add::Define)? {
            Added::New(entry) => {
                let saved = s.configs.save(&entry.lock().def);
                if let Err(e) = saved {
                    s.domains.remove(&entry.uuid());
                    return Err(e);
                }
                (entry, None)
            }
            Added::Existing(entry, def) => {
                s.configs.save(&def)?;
                (entry, Some(*def))
            }
        };
        let r = {
            let mut vm = entry.lock();
            let detail = match def {
                Some(def) => vm.redefine(def),
                None => DefinedDetail::Added,
            };
            s.fanout.queue(vec![
                vm.event(DomainEvent::Lifecycle(Lifecycle::Defined(detail))),
            ]);
            vm.to_ref()
        };
        s.fanout.flush();
        Ok(r)
    }

    fn create_xml(&self, xml: &str, flags: u32) -> Result<DomainRef> {
        flags_unsupported(flags, "create_xml")?;
        let def = parse_def(xml)?;
        let s = &self.shared;
        let (entry, live) = match s.domains.add(def, Add::Live)? {
            Added::New(entry) => (entry, None),
            Added::Existing(entry, def) => (entry, Some(*def)),
        };
        let res = {
            let mut vm = entry.lock();
            if let Some(live) = live {
                vm.use_for_this_run(live);
            }
            let mut ev = Events::new();
            let res = s.start(&entry, &mut vm, &mut ev).map(|()| vm.to_ref());
            if res.is_err()
                && let Some(persistent) = vm.next_def.take()
            {
                vm.def = persistent;
            }
            s.fanout.queue(ev);
            res
        };
        s.fanout.flush();
        s.domains.remove_if_transient(&entry.uuid());
        res
    }

    fn undefine(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        flags_unsupported(flags, "undefine")?;
        let configs = self.shared.configs.clone();
        self.shared.change(dom, |_, vm, ev| {
            if !vm.persistent {
                return Err(Error::operation_invalid(
                    ErrorDomain::Domain,
                    "cannot undefine transient domain",
                ));
            }
            configs.delete(vm.name())?;
            vm.make_transient();
            ev.push(vm.event(DomainEvent::Lifecycle(Lifecycle::Undefined(
                UndefinedDetail::Removed,
            ))));
            Ok(())
        })?;
        self.shared.domains.remove_if_transient(&dom.uuid);
        Ok(())
    }

    fn create(&self, dom: &DomainRef, flags: u32) -> Result<DomainRef> {
        flags_unsupported(flags, "create")?;
        let s = &self.shared;
        s.change(dom, |entry, vm, ev| {
            s.start(entry, vm, ev)?;
            Ok(vm.to_ref())
        })
    }

    fn destroy(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        flags_unsupported(flags, "destroy")?;
        let entry = self.shared.domains.get(dom)?;
        self.shared.destroy(&entry)
    }

    fn shutdown(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        flags_unsupported(flags, "shutdown")?;
        // SIGTERM to init; STOPPED/SHUTDOWN follows on the loop when it exits. An init
        // without a SIGTERM handler ignores it (the PID-namespace init rule).
        self.read(dom, |vm| {
            let init = vm
                .run
                .as_ref()
                .ok_or_else(not_running)?
                .init_pid
                .ok_or_else(not_running)?;
            signal(init, libc::SIGTERM);
            Ok(())
        })
    }

    fn domain_info(&self, dom: &DomainRef) -> Result<DomainInfo> {
        self.read(dom, |vm| {
            let cpu = vm
                .run
                .as_ref()
                .and_then(|r| r.init_pid)
                .map_or(0, cpu_time_ns);
            Ok(vm.info(cpu))
        })
    }

    fn domain_state(&self, dom: &DomainRef) -> Result<StateReason> {
        self.read(dom, |vm| Ok(vm.state))
    }

    fn domain_xml(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        self.read(dom, |vm| vm.xml(flags))
    }

    fn is_persistent(&self, dom: &DomainRef) -> Result<bool> {
        self.read(dom, |vm| Ok(vm.persistent))
    }

    fn autostart(&self, dom: &DomainRef) -> Result<bool> {
        self.read(dom, |vm| Ok(vm.autostart))
    }

    fn set_autostart(&self, dom: &DomainRef, autostart: bool) -> Result<()> {
        let configs = self.shared.configs.clone();
        self.shared.change(dom, |_, vm, _| {
            if !vm.persistent {
                return Err(Error::operation_invalid(
                    ErrorDomain::Domain,
                    "cannot set autostart for transient domain",
                ));
            }
            configs.set_autostart(vm.name(), autostart)?;
            vm.autostart = autostart;
            Ok(())
        })
    }

    fn close(&self) -> Result<()> {
        // Like libvirt's embedded driver, running containers outlive the instance: the
        // next instance on this root (this process or another) reconnects to them.
        self.shared.fanout.prune();
        if INSTANCES.release(&self.shared) {
            self.shared.detach_all();
        }
        Ok(())
    }
}
