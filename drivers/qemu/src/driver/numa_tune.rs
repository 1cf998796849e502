//! `virDomain{Get,Set}NumaParameters` (`virsh numatune`) in the QEMU driver: the
//! `<numatune>` memory mode and nodeset of the live or the persistent definition. A
//! running guest's memory placement would change through a cpuset cgroup, which this
//! driver does not set up, so a live change is refused as libvirt refuses it without
//! that controller; `--config` changes the persistent definition.

use rvirt_core::api::{TypedParam, validate_params};
use rvirt_core::objects::{NUMA_PARAMS, NumaChange, impact, numa_params};
use rvirt_core::{Error, ErrorDomain, Result};

use super::configuration::{persistent_mut, save_config, selected_def};
use super::instance::{Entry, Shared};

impl Shared {
    /// `virDomainGetNumaParameters` of the live or the persistent definition.
    pub(crate) fn numa_parameters(&self, entry: &Entry, flags: u32) -> Result<Vec<TypedParam>> {
        let vm = entry.lock();
        let def = selected_def(&vm, flags)?;
        Ok(numa_params(def))
    }

    /// `virDomainSetNumaParameters`: the persistent definition only.
    ///
    /// Errors: libvirt's refusals of the values; `VIR_ERR_OPERATION_INVALID` for a
    /// live change (no cpuset cgroup).
    pub(crate) fn set_numa_parameters(
        &self,
        entry: &Entry,
        params: &[TypedParam],
        flags: u32,
    ) -> Result<()> {
        validate_params(params, &NUMA_PARAMS, ErrorDomain::Qemu)?;
        let job = entry.begin_job("virDomainSetNumaParameters")?;
        let mut vm = job.lock();
        let (live, config) = impact(&vm, flags)?;
        let change = NumaChange::from_params(params, ErrorDomain::Qemu)?;
        if live {
            return Err(Error::operation_invalid(
                ErrorDomain::Qemu,
                "Cgroup cpuset controller is not mounted",
            ));
        }
        if config {
            let mut def = persistent_mut(&mut vm).clone();
            change.apply(&mut def);
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
        }
        Ok(())
    }
}
