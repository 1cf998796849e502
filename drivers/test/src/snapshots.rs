//! Snapshots in the test driver: metadata only, as in libvirt's test driver — taking
//! one records the domain's definition and state, reverting puts them back (with
//! libvirt's FROM_SNAPSHOT lifecycle events), deleting forgets them.

use std::time::{SystemTime, UNIX_EPOCH};

use rvirt_core::api::{
    PausedReason, RunningReason, ShutoffReason, StartedDetail, StateReason, StoppedDetail,
    SuspendedDetail,
};
use rvirt_core::conf::{ConfError, DomainSnapshotDef};
use rvirt_core::driver::{DomainRef, Snapshots};
use rvirt_core::objects::{CREATE_CURRENT, CREATE_REDEFINE, delete_flags, list_flags, no_snapshot};
use rvirt_core::{DomainEvent, Error, ErrorCode, ErrorDomain, Lifecycle, Result};

use crate::connection::TestConnection;
use crate::errors::{check_flags, conf_error};
use crate::ops::stop;

/// `VIR_DOMAIN_SNAPSHOT_CREATE_*` the test driver takes: REDEFINE, CURRENT, HALT,
/// ATOMIC, LIVE, VALIDATE.
const CREATE_FLAGS: u32 = CREATE_REDEFINE | CREATE_CURRENT | HALT | 128 | 256 | 512;
/// `VIR_DOMAIN_SNAPSHOT_CREATE_HALT`.
const HALT: u32 = 8;
/// `VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING`.
const REVERT_RUNNING: u32 = 1;
/// `VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED`.
const REVERT_PAUSED: u32 = 2;
/// `VIR_DOMAIN_SNAPSHOT_REVERT_FORCE`.
const REVERT_FORCE: u32 = 4;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn parse(xml: &str) -> Result<DomainSnapshotDef> {
    DomainSnapshotDef::from_xml(xml).map_err(|e| match e {
        ConfError::WrongRoot { found } => Error::new(
            ErrorCode::XmlError,
            ErrorDomain::Xml,
            format!("expecting root element of 'domainsnapshot', not '{found}'"),
        ),
        e => conf_error(&e),
    })
}

fn missing(name: &str) -> Error {
    no_snapshot(
        ErrorDomain::Test,
        format!("no domain snapshot with matching name '{name}'"),
    )
}

fn lifecycle(l: Lifecycle) -> DomainEvent {
    DomainEvent::Lifecycle(l)
}

impl TestConnection {
    fn snapshot_exists(&self, dom: &DomainRef, name: &str) -> Result<()> {
        self.world().domains.snapshots(dom, |_, t| {
            t.get(name).map(|_| ()).ok_or_else(|| missing(name))
        })
    }
}

impl Snapshots for TestConnection {
    fn snapshot_create_xml(&self, dom: &DomainRef, xml: &str, flags: u32) -> Result<String> {
        check_flags(flags, CREATE_FLAGS, "testDomainSnapshotCreateXML")?;
        let def = parse(xml)?;
        let w = self.world();
        if w.domains.read(dom, |o| Ok(!o.checkpoints.is_empty()))? {
            return Err(Error::new(
                ErrorCode::OperationUnsupported,
                ErrorDomain::Test,
                "cannot create snapshot while checkpoint exists",
            ));
        }
        w.domains
            .snapshot_create(dom, def, flags, now(), |o, _, ev| {
                if flags & HALT != 0 && o.is_active() {
                    stop(
                        w,
                        o,
                        ShutoffReason::FromSnapshot,
                        StoppedDetail::FromSnapshot,
                        ev,
                    );
                }
                Ok(())
            })
    }

    fn snapshot_xml(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        // VIR_DOMAIN_SNAPSHOT_XML_SECURE: passwords of the embedded domain are shown.
        check_flags(flags, 1, "testDomainSnapshotGetXMLDesc")?;
        self.world().domains.snapshots(dom, |_, t| {
            let mut s = t.get(name).cloned().ok_or_else(|| missing(name))?;
            if flags & 1 == 0
                && let Some(d) = s.domain.as_mut()
            {
                d.hide_secrets();
            }
            Ok(s.to_xml())
        })
    }

    fn snapshot_list(&self, dom: &DomainRef, flags: u32) -> Result<Vec<String>> {
        check_flags(flags, list_flags::ALL, "testDomainListAllSnapshots")?;
        self.world()
            .domains
            .snapshots(dom, |_, t| Ok(t.list(flags)))
    }

    fn snapshot_children(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<Vec<String>> {
        check_flags(flags, list_flags::ALL, "testDomainSnapshotListAllChildren")?;
        self.world().domains.snapshots(dom, |_, t| {
            t.get(name).ok_or_else(|| missing(name))?;
            Ok(t.children(name, flags))
        })
    }

    fn snapshot_lookup(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        check_flags(flags, 0, "testDomainSnapshotLookupByName")?;
        self.snapshot_exists(dom, name)
    }

    fn snapshot_current(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        check_flags(flags, 0, "testDomainSnapshotCurrent")?;
        self.world().domains.snapshots(dom, |_, t| {
            t.current().map(str::to_string).ok_or_else(|| {
                no_snapshot(
                    ErrorDomain::Test,
                    "the domain does not have a current snapshot",
                )
            })
        })
    }

    fn has_current_snapshot(&self, dom: &DomainRef, flags: u32) -> Result<bool> {
        check_flags(flags, 0, "testDomainHasCurrentSnapshot")?;
        self.world()
            .domains
            .snapshots(dom, |_, t| Ok(t.current().is_some()))
    }

    fn snapshot_parent(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<String> {
        check_flags(flags, 0, "testDomainSnapshotGetParent")?;
        self.world().domains.snapshots(dom, |_, t| {
            let s = t.get(name).ok_or_else(|| missing(name))?;
            s.parent.clone().ok_or_else(|| {
                no_snapshot(
                    ErrorDomain::Test,
                    format!("snapshot '{name}' does not have a parent"),
                )
            })
        })
    }

    fn snapshot_is_current(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<bool> {
        check_flags(flags, 0, "testDomainSnapshotIsCurrent")?;
        self.world().domains.snapshots(dom, |_, t| {
            t.get(name).ok_or_else(|| missing(name))?;
            Ok(t.current() == Some(name))
        })
    }

    fn snapshot_has_metadata(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<bool> {
        check_flags(flags, 0, "testDomainSnapshotHasMetadata")?;
        self.snapshot_exists(dom, name).map(|()| true)
    }

    fn revert_to_snapshot(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        check_flags(
            flags,
            REVERT_RUNNING | REVERT_PAUSED | REVERT_FORCE,
            "testDomainRevertToSnapshot",
        )?;
        let w = self.world();
        w.domains.change_ref(dom, |o, ev| {
            let snap = o
                .snapshots
                .get(name)
                .cloned()
                .ok_or_else(|| missing(name))?;
            let state = snap.state.as_deref().unwrap_or("shutoff");
            let wants_run = match state {
                "running" | "paused" | "blocked" | "pmsuspended" => true,
                _ => flags & (REVERT_RUNNING | REVERT_PAUSED) != 0,
            };
            let paused =
                flags & REVERT_PAUSED != 0 || (state == "paused" && flags & REVERT_RUNNING == 0);
            if o.is_active() {
                stop(
                    w,
                    o,
                    ShutoffReason::FromSnapshot,
                    StoppedDetail::FromSnapshot,
                    ev,
                );
            }
            if let Some(def) = snap.domain.clone() {
                o.def = def;
                o.next_def = None;
            }
            if wants_run {
                w.start_run(o);
                o.state = StateReason::Running(RunningReason::FromSnapshot);
                ev.push(o.event(lifecycle(Lifecycle::Started(StartedDetail::FromSnapshot))));
                if paused {
                    o.state = StateReason::Paused(PausedReason::FromSnapshot);
                    ev.push(o.event(lifecycle(Lifecycle::Suspended(
                        SuspendedDetail::FromSnapshot,
                    ))));
                }
            } else {
                o.state = StateReason::Shutoff(ShutoffReason::FromSnapshot);
            }
            o.snapshots.set_current(Some(name.to_string()));
            Ok(())
        })
    }

    fn snapshot_delete(&self, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
        check_flags(
            flags,
            delete_flags::CHILDREN | delete_flags::METADATA_ONLY | delete_flags::CHILDREN_ONLY,
            "testDomainSnapshotDelete",
        )?;
        self.world().domains.change_ref(dom, |o, _| {
            o.snapshots.get(name).ok_or_else(|| missing(name))?;
            o.snapshots.remove(
                name,
                flags & delete_flags::CHILDREN != 0,
                flags & delete_flags::CHILDREN_ONLY != 0,
            );
            Ok(())
        })
    }
}
