//! The guest's own view of its vCPUs through the QEMU guest agent, as libvirt 9.0's QEMU
//! driver reads and changes it (`virsh guestvcpus`): `guest-get-vcpus` gives each logical
//! CPU, whether it is online and whether the guest can take it offline;
//! `guest-set-vcpus` brings some online or offline. The checks and their words are
//! libvirt's: every CPU asked for must exist in the guest, and only offlinable ones go
//! offline.

use rvirt_core::api::{TypedParam, TypedValue};
use rvirt_core::conf::bitmap::CpuSet;
use rvirt_core::driver::DomainRef;
use rvirt_core::{Error, ErrorDomain, Result};
use serde_json::{Value, json};

use super::instance::Shared;

/// One logical CPU of `guest-get-vcpus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct GuestCpu {
    id: u32,
    online: bool,
    offlinable: bool,
}

fn malformed() -> Error {
    Error::internal(ErrorDomain::Qemu, "malformed guest-get-vcpus reply")
}

/// The CPUs of a `guest-get-vcpus` reply.
fn parse_vcpus(v: &Value) -> Result<Vec<GuestCpu>> {
    v.as_array()
        .ok_or_else(malformed)?
        .iter()
        .map(|c| {
            Some(GuestCpu {
                id: u32::try_from(c.get("logical-id")?.as_u64()?).ok()?,
                online: c.get("online")?.as_bool()?,
                offlinable: c
                    .get("can-offline")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(malformed)
}

/// The CPU list of the CPUs `pick` selects ("" for none).
fn list(cpus: &[GuestCpu], pick: fn(&GuestCpu) -> bool) -> String {
    CpuSet(cpus.iter().filter(|c| pick(c)).map(|c| c.id).collect()).to_string()
}

/// The `guest-set-vcpus` entries bringing the CPUs of `wanted` to `online`, checked
/// against the guest's `cpus`.
fn changes(cpus: &[GuestCpu], wanted: &CpuSet, online: bool) -> Result<Vec<Value>> {
    wanted
        .0
        .iter()
        .map(|&id| {
            let cpu = cpus.iter().find(|c| c.id == id).ok_or_else(|| {
                Error::invalid_arg(
                    ErrorDomain::Qemu,
                    format!("requested vcpu '{id}' is not present in the guest"),
                )
            })?;
            if !online && !cpu.offlinable {
                return Err(Error::invalid_arg(
                    ErrorDomain::Qemu,
                    format!("vCPU '{id}' is not offlinable"),
                ));
            }
            Ok(json!({"logical-id": id, "online": online}))
        })
        .collect()
}

impl Shared {
    fn agent_vcpus(&self, dom: &DomainRef) -> Result<Vec<GuestCpu>> {
        parse_vcpus(&self.agent_run(dom, "guest-get-vcpus", None)?)
    }

    /// `virDomainGetGuestVcpus`: `vcpus`, `online` and `offlinable` as CPU lists.
    pub(crate) fn guest_vcpus(&self, dom: &DomainRef) -> Result<Vec<TypedParam>> {
        let cpus = self.agent_vcpus(dom)?;
        Ok([
            ("vcpus", list(&cpus, |_| true)),
            ("online", list(&cpus, |c| c.online)),
            ("offlinable", list(&cpus, |c| c.offlinable)),
        ]
        .into_iter()
        .map(|(k, v)| TypedParam::new(k, TypedValue::String(v)))
        .collect())
    }

    /// `virDomainSetGuestVcpus`: the CPUs of `cpumap` online or offline.
    pub(crate) fn set_guest_vcpus(
        &self,
        dom: &DomainRef,
        cpumap: &str,
        online: bool,
    ) -> Result<()> {
        let wanted = CpuSet::parse(cpumap).ok_or_else(|| {
            Error::invalid_arg(
                ErrorDomain::Qemu,
                format!("Failed to parse bitmap '{cpumap}'"),
            )
        })?;
        let cpus = self.agent_vcpus(dom)?;
        let vcpus = changes(&cpus, &wanted, online)?;
        let wanted_count = vcpus.len() as u64;
        let done = self.agent_run(dom, "guest-set-vcpus", Some(json!({ "vcpus": vcpus })))?;
        if done.as_u64() != Some(wanted_count) {
            return Err(Error::new(
                rvirt_core::ErrorCode::OperationFailed,
                ErrorDomain::Qemu,
                format!(
                    "guest agent set {} of the {wanted_count} vCPUs asked for",
                    done.as_u64().unwrap_or(0)
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpus() -> Vec<GuestCpu> {
        parse_vcpus(&json!([
            {"logical-id": 0, "online": true, "can-offline": false},
            {"logical-id": 1, "online": true, "can-offline": true},
            {"logical-id": 2, "online": false, "can-offline": true},
        ]))
        .unwrap()
    }

    #[test]
    fn lists_as_libvirt_formats_them() {
        let c = cpus();
        assert_eq!(list(&c, |_| true), "0-2");
        assert_eq!(list(&c, |c| c.online), "0-1");
        assert_eq!(list(&c, |c| c.offlinable), "1-2");
        assert_eq!(list(&[], |_| true), "");
        assert!(parse_vcpus(&json!([{"online": true}])).is_err());
    }

    #[test]
    fn changes_are_checked_against_the_guest() {
        let c = cpus();
        let set = |s: &str| CpuSet::parse(s).unwrap();
        assert_eq!(
            changes(&c, &set("1-2"), false).unwrap(),
            [
                json!({"logical-id": 1, "online": false}),
                json!({"logical-id": 2, "online": false})
            ]
        );
        let e = changes(&c, &set("0"), false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid argument: vCPU '0' is not offlinable"
        );
        assert!(changes(&c, &set("0"), true).is_ok());
        let e = changes(&c, &set("5"), true).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid argument: requested vcpu '5' is not present in the guest"
        );
    }
}
