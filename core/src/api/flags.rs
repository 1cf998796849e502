//! [`ListFlags`]: `virConnectListAllDomainsFlags` and the filter they describe;
//! [`XmlFlags`]: `virDomainXMLFlags`.

use std::ops::BitOr;

use super::DomainState;

/// Filter flags of `virConnectListAllDomains`, with libvirt's bit values.
///
/// Flags come in groups (active/inactive, persistent/transient, state, autostart, …). Within
/// a group, setting no flag or every flag means "no filter"; otherwise a domain must match
/// one of the set flags.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct ListFlags(pub u32);

impl ListFlags {
    /// No filtering.
    pub const ALL: ListFlags = ListFlags(0);
    /// Running, paused, … (has an id).
    pub const ACTIVE: ListFlags = ListFlags(1);
    /// Shut off.
    pub const INACTIVE: ListFlags = ListFlags(2);
    /// Has a persistent definition.
    pub const PERSISTENT: ListFlags = ListFlags(4);
    /// Has no persistent definition.
    pub const TRANSIENT: ListFlags = ListFlags(8);
    /// State is running.
    pub const RUNNING: ListFlags = ListFlags(16);
    /// State is paused.
    pub const PAUSED: ListFlags = ListFlags(32);
    /// State is shut off.
    pub const SHUTOFF: ListFlags = ListFlags(64);
    /// Any other state.
    pub const OTHER: ListFlags = ListFlags(128);
    /// Has a managed save image.
    pub const MANAGEDSAVE: ListFlags = ListFlags(256);
    /// Has no managed save image.
    pub const NO_MANAGEDSAVE: ListFlags = ListFlags(512);
    /// Starts automatically.
    pub const AUTOSTART: ListFlags = ListFlags(1024);
    /// Does not start automatically.
    pub const NO_AUTOSTART: ListFlags = ListFlags(2048);
    /// Has snapshots.
    pub const HAS_SNAPSHOT: ListFlags = ListFlags(4096);
    /// Has no snapshots.
    pub const NO_SNAPSHOT: ListFlags = ListFlags(8192);
    /// Has checkpoints.
    pub const HAS_CHECKPOINT: ListFlags = ListFlags(16384);
    /// Has no checkpoints.
    pub const NO_CHECKPOINT: ListFlags = ListFlags(32768);

    fn has(self, f: ListFlags) -> bool {
        self.0 & f.0 != 0
    }

    /// Applies a two-flag group: `yes` selects domains with the property, `no` without.
    fn group(self, yes: ListFlags, no: ListFlags, value: bool) -> bool {
        match (self.has(yes), self.has(no)) {
            (true, false) => value,
            (false, true) => !value,
            _ => true,
        }
    }

    /// True when a domain with these properties passes the filter.
    ///
    /// ```
    /// use rvirt_core::api::{DomainState, ListFlags, ListedFacts};
    /// let mut facts = ListedFacts::new(DomainState::Shutoff, true);
    /// assert!(ListFlags::NO_SNAPSHOT.accepts(&facts));
    /// facts.has_snapshot = true;
    /// assert!(ListFlags::HAS_SNAPSHOT.accepts(&facts));
    /// assert!(!(ListFlags::HAS_SNAPSHOT | ListFlags::RUNNING).accepts(&facts));
    /// ```
    pub fn accepts(self, facts: &ListedFacts) -> bool {
        let states = ListFlags(Self::RUNNING.0 | Self::PAUSED.0 | Self::SHUTOFF.0 | Self::OTHER.0);
        let state = facts.state;
        let state_ok = self.0 & states.0 == 0
            || match state {
                DomainState::Running => self.has(Self::RUNNING),
                DomainState::Paused => self.has(Self::PAUSED),
                DomainState::Shutoff => self.has(Self::SHUTOFF),
                _ => self.has(Self::OTHER),
            };
        state_ok
            && self.group(Self::ACTIVE, Self::INACTIVE, state.is_active())
            && self.group(Self::PERSISTENT, Self::TRANSIENT, facts.persistent)
            && self.group(Self::AUTOSTART, Self::NO_AUTOSTART, facts.autostart)
            && self.group(Self::MANAGEDSAVE, Self::NO_MANAGEDSAVE, facts.managed_save)
            && self.group(Self::HAS_SNAPSHOT, Self::NO_SNAPSHOT, facts.has_snapshot)
            && self.group(
                Self::HAS_CHECKPOINT,
                Self::NO_CHECKPOINT,
                facts.has_checkpoint,
            )
    }
}

/// What [`ListFlags`] filter on, of one domain.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ListedFacts {
    /// Its state.
    pub state: DomainState,
    /// It has a persistent definition.
    pub persistent: bool,
    /// It starts with the driver.
    pub autostart: bool,
    /// It has a managed save image.
    pub managed_save: bool,
    /// It has snapshot metadata.
    pub has_snapshot: bool,
    /// It has checkpoint metadata.
    pub has_checkpoint: bool,
}

impl ListedFacts {
    /// A domain in `state`, persistent or not, with none of the other properties.
    pub fn new(state: DomainState, persistent: bool) -> ListedFacts {
        ListedFacts {
            state,
            persistent,
            autostart: false,
            managed_save: false,
            has_snapshot: false,
            has_checkpoint: false,
        }
    }
}

impl BitOr for ListFlags {
    type Output = ListFlags;
    fn bitor(self, rhs: ListFlags) -> ListFlags {
        ListFlags(self.0 | rhs.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DomainState::*;

    #[test]
    fn groups_filter_like_libvirt() {
        let f = |state, persistent, autostart, managed_save| ListedFacts {
            autostart,
            managed_save,
            ..ListedFacts::new(state, persistent)
        };
        let all = ListFlags::ALL;
        assert!(all.accepts(&f(Running, true, false, false)));
        assert!(all.accepts(&f(Shutoff, false, true, false)));
        assert!(ListFlags::ACTIVE.accepts(&f(Paused, true, false, false)));
        assert!(!ListFlags::ACTIVE.accepts(&f(Shutoff, true, false, false)));
        assert!(ListFlags::INACTIVE.accepts(&f(Shutoff, true, false, false)));
        assert!((ListFlags::ACTIVE | ListFlags::INACTIVE).accepts(&f(Shutoff, true, false, false)));
        assert!(!ListFlags::TRANSIENT.accepts(&f(Running, true, false, false)));
        assert!(ListFlags::PAUSED.accepts(&f(Paused, true, false, false)));
        assert!(!ListFlags::PAUSED.accepts(&f(Running, true, false, false)));
        assert!(ListFlags::OTHER.accepts(&f(Crashed, true, false, false)));
        assert!(
            !(ListFlags::ACTIVE | ListFlags::AUTOSTART).accepts(&f(Running, true, false, false))
        );
        assert!(!ListFlags::MANAGEDSAVE.accepts(&f(Shutoff, true, false, false)));
        assert!(ListFlags::NO_SNAPSHOT.accepts(&f(Shutoff, true, false, false)));
        assert!(ListFlags::MANAGEDSAVE.accepts(&f(Shutoff, true, false, true)));
        assert!(!ListFlags::NO_MANAGEDSAVE.accepts(&f(Shutoff, true, false, true)));
    }

    #[test]
    fn snapshot_and_checkpoint_groups() {
        let mut facts = ListedFacts::new(Running, true);
        assert!(!ListFlags::HAS_SNAPSHOT.accepts(&facts));
        assert!(!ListFlags::HAS_CHECKPOINT.accepts(&facts));
        facts.has_checkpoint = true;
        assert!(ListFlags::HAS_CHECKPOINT.accepts(&facts));
        assert!(!ListFlags::NO_CHECKPOINT.accepts(&facts));
        assert!(ListFlags::NO_SNAPSHOT.accepts(&facts));
        facts.has_snapshot = true;
        assert!(!ListFlags::NO_SNAPSHOT.accepts(&facts));
        assert!((ListFlags::HAS_SNAPSHOT | ListFlags::NO_SNAPSHOT).accepts(&facts));
    }
}

/// Flags of [`Domain::xml_desc`](crate::Domain::xml_desc) (`virDomainXMLFlags`), with
/// libvirt's bit values.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct XmlFlags;

impl XmlFlags {
    /// `VIR_DOMAIN_XML_SECURE`: include secrets (graphics passwords); refused on
    /// read-only connections.
    pub const SECURE: u32 = 1;
    /// `VIR_DOMAIN_XML_INACTIVE`: the persistent definition the next start uses.
    pub const INACTIVE: u32 = 2;
    /// `VIR_DOMAIN_XML_UPDATE_CPU`.
    pub const UPDATE_CPU: u32 = 4;
    /// `VIR_DOMAIN_XML_MIGRATABLE`.
    pub const MIGRATABLE: u32 = 8;
}

/// `virDomainCreateFlags`: how `create`/`create_xml` start a domain, with libvirt's bit
/// values.
///
/// ```
/// use rvirt_core::api::create_flags;
/// assert_eq!(create_flags::START_PAUSED | create_flags::START_AUTODESTROY, 3);
/// ```
pub mod create_flags {
    /// The domain stays paused once started.
    pub const START_PAUSED: u32 = 1;
    /// The domain is destroyed when the connection that started it closes — and with
    /// the process, for drivers embedded in it, however the process ends.
    pub const START_AUTODESTROY: u32 = 2;
    /// Restores from a managed save image bypass the file system cache.
    pub const START_BYPASS_CACHE: u32 = 4;
    /// A managed save image is discarded: the domain boots afresh.
    pub const START_FORCE_BOOT: u32 = 8;
    /// The XML is validated against libvirt's schema.
    pub const START_VALIDATE: u32 = 16;
    /// The UEFI variable store is reset from its template.
    pub const START_RESET_NVRAM: u32 = 32;
}
