//! The memory, blkio and NUMA parameters over the wire: the count first, then that
//! many (as libvirt's clients ask), and sets as one typed-parameter list.

use rvirt_core::Result;
use rvirt_core::api::{Tunable, TypedParam};
use rvirt_core::driver::DomainRef;
use rvirt_rpc::procs;
use rvirt_rpc::tuning::{
    DomainGetTuningParametersArgs, DomainGetTuningParametersRet, DomainSetTuningParametersArgs,
    TUNING_PARAMETERS_MAX,
};

use crate::connection::RemoteConnection;
use crate::wire::to_wire;

/// The (get, set) procedures of `what`.
fn procs_of(what: &Tunable) -> (i32, i32) {
    match what {
        Tunable::Memory => (
            procs::DOMAIN_GET_MEMORY_PARAMETERS,
            procs::DOMAIN_SET_MEMORY_PARAMETERS,
        ),
        Tunable::Blkio => (
            procs::DOMAIN_GET_BLKIO_PARAMETERS,
            procs::DOMAIN_SET_BLKIO_PARAMETERS,
        ),
        Tunable::Numa => (
            procs::DOMAIN_GET_NUMA_PARAMETERS,
            procs::DOMAIN_SET_NUMA_PARAMETERS,
        ),
    }
}

/// libvirt's `VIR_TYPED_PARAM_STRING_OKAY`: this client takes string parameters.
const STRING_OKAY: u32 = 4;

impl RemoteConnection {
    pub(crate) fn get_tuning(
        &self,
        dom: &DomainRef,
        what: &Tunable,
        flags: u32,
    ) -> Result<Vec<TypedParam>> {
        let (get, _) = procs_of(what);
        let ask = |nparams: i32| -> Result<DomainGetTuningParametersRet> {
            let args = DomainGetTuningParametersArgs {
                dom: to_wire(dom),
                nparams,
                flags: flags | STRING_OKAY,
            };
            self.client().call(get, &args)
        };
        let count = ask(0)?.nparams.clamp(0, TUNING_PARAMETERS_MAX as i32);
        if count == 0 {
            return Ok(Vec::new());
        }
        Ok(ask(count)?.params.into_iter().map(Into::into).collect())
    }

    pub(crate) fn set_tuning(
        &self,
        dom: &DomainRef,
        what: &Tunable,
        params: &[TypedParam],
        flags: u32,
    ) -> Result<()> {
        let (_, set) = procs_of(what);
        let args = DomainSetTuningParametersArgs {
            dom: to_wire(dom),
            params: params.iter().cloned().map(Into::into).collect(),
            flags,
        };
        self.client().call::<_, ()>(set, &args)
    }
}
