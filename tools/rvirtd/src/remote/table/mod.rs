//! The REMOTE procedure table: number → access rule → handler, one row each. Public
//! libvirt functions rvirtd does not serve answer "not supported" as libvirtd does for
//! a driver without them ([`unserved`]); other numbers get "unknown procedure: N" (39 /
//! 7), which clients turn into `VIR_ERR_NO_SUPPORT` and fall back from. The access
//! rules are applied by [`super::access::check`] before a handler decodes its
//! arguments. The rows live by family ([`domains`], [`objects`]) and are merged in
//! order of number once.

use std::sync::LazyLock;

#[cfg(test)]
use rvirt_rpc::procs as p;
use rvirt_rpc_server::Procedure;

use super::{Access, Session};

mod api_names;
mod domains;
mod objects;
mod unserved;

/// Every procedure rvirtd answers, sorted by number.
pub(crate) fn table() -> &'static [Procedure<Session, Access>] {
    static TABLE: LazyLock<Vec<Procedure<Session, Access>>> = LazyLock::new(|| {
        let mut rows: Vec<_> = domains::ROWS
            .iter()
            .chain(objects::ROWS)
            .map(|r| Procedure {
                number: r.number,
                access: r.access,
                handler: r.handler,
            })
            .collect();
        let served: Vec<i32> = rows.iter().map(|r| r.number).collect();
        rows.extend(unserved::rows(&served));
        rows.sort_by_key(|r| r.number);
        rows
    });
    &TABLE
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::program;

    #[test]
    fn table_is_sorted_and_named() {
        assert!(program().is_sorted());
        for row in table() {
            assert!(
                p::name(row.number).is_some() || unserved::api_of(row.number).is_some(),
                "proc {} missing from rvirt_rpc::procs",
                row.number
            );
        }
        assert!(program().find(p::DOMAIN_GET_SECURITY_LABEL).is_some());
        assert!(program().find(61).is_none(), "DOMAIN_MIGRATE_PREPARE");
        assert!(program().find(9999).is_none());
        assert_eq!(
            unserved::api_of(p::DOMAIN_GET_JOB_INFO),
            Some(("virDomainGetJobInfo", 20))
        );
        assert_eq!(
            unserved::api_of(90),
            Some(("virStoragePoolSetAutostart", 18))
        );
        assert_eq!(
            program().find(p::DOMAIN_DESTROY).unwrap().access,
            Access::Write("virDomainDestroy")
        );
        assert_eq!(
            program().find(p::AUTH_POLKIT).unwrap().access,
            Access::Unauthenticated
        );
    }
}
