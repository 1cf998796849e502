//! The tuning parameters over the wire (memory, blkio, NUMA, a disk's throttle, a
//! NIC's bandwidth; perf events answer in one go): the count first, then that
//! many (as libvirt's clients ask), and sets as one typed-parameter list.

use rvirt_core::Result;
use rvirt_core::api::{Tunable, TypedParam};
use rvirt_core::driver::DomainRef;
use rvirt_rpc::procs;
use rvirt_rpc::tuning::{
    BLOCK_IO_TUNE_PARAMETERS_MAX, DomainGetBlockIoTuneArgs, DomainGetInterfaceParametersArgs,
    DomainGetPerfEventsArgs, DomainGetPerfEventsRet, DomainGetTuningParametersArgs,
    DomainGetTuningParametersRet, DomainSetDeviceTuningArgs, DomainSetTuningParametersArgs,
    INTERFACE_PARAMETERS_MAX, TUNING_PARAMETERS_MAX,
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
        Tunable::BlockIo(_) => (
            procs::DOMAIN_GET_BLOCK_IO_TUNE,
            procs::DOMAIN_SET_BLOCK_IO_TUNE,
        ),
        Tunable::Interface(_) => (
            procs::DOMAIN_GET_INTERFACE_PARAMETERS,
            procs::DOMAIN_SET_INTERFACE_PARAMETERS,
        ),
        Tunable::Perf => (procs::DOMAIN_GET_PERF_EVENTS, procs::DOMAIN_SET_PERF_EVENTS),
    }
}

const STRING_OKAY: u32 = 4;

impl RemoteConnection {
    pub(crate) fn get_tuning(
        &self,
        dom: &DomainRef,
        what: &Tunable,
        flags: u32,
    ) -> Result<Vec<TypedParam>> {
        let (get, _) = procs_of(what);
        let flags = flags | STRING_OKAY;
        let ask = |nparams: i32| -> Result<DomainGetTuningParametersRet> {
            match what {
                Tunable::BlockIo(disk) => {
                    let args = DomainGetBlockIoTuneArgs {
                        dom: to_wire(dom),
                        disk: Some(disk.clone()),
                        nparams,
                        flags,
                    };
                    self.client().call(get, &args)
                }
                Tunable::Interface(device) => {
                    let args = DomainGetInterfaceParametersArgs {
                        dom: to_wire(dom),
                        device: device.clone(),
                        nparams,
                        flags,
                    };
                    self.client().call(get, &args)
                }
                _ => {
                    let args = DomainGetTuningParametersArgs {
                        dom: to_wire(dom),
                        nparams,
                        flags,
                    };
                    self.client().call(get, &args)
                }
            }
        };
        if *what == Tunable::Perf {
            let args = DomainGetPerfEventsArgs {
                dom: to_wire(dom),
                flags: flags & !STRING_OKAY,
            };
            let ret: DomainGetPerfEventsRet = self.client().call(get, &args)?;
            return Ok(ret.params.into_iter().map(Into::into).collect());
        }
        let max = match what {
            Tunable::BlockIo(_) => BLOCK_IO_TUNE_PARAMETERS_MAX,
            Tunable::Interface(_) => INTERFACE_PARAMETERS_MAX,
            _ => TUNING_PARAMETERS_MAX,
        };
        let count = ask(0)?.nparams.clamp(0, max as i32);
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
        let params = params.iter().cloned().map(Into::into).collect();
        match what {
            Tunable::BlockIo(device) | Tunable::Interface(device) => {
                let args = DomainSetDeviceTuningArgs {
                    dom: to_wire(dom),
                    device: device.clone(),
                    params,
                    flags,
                };
                self.client().call::<_, ()>(set, &args)
            }
            _ => {
                let args = DomainSetTuningParametersArgs {
                    dom: to_wire(dom),
                    params,
                    flags,
                };
                self.client().call::<_, ()>(set, &args)
            }
        }
    }
}
