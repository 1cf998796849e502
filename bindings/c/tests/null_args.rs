//! Every pointer argument is checked: NULL gives -1/NULL and `RVIR_ERR_INVALID_ARG`, and a
//! failure never crashes. Also the error paths of connections and event registration.

use std::ffi::CStr;
use std::ptr::{null, null_mut};

use rvirt_ffi::*;

fn last_code() -> i32 {
    let e = rvirGetLastError();
    assert!(!e.is_null(), "an error must be set");
    // SAFETY: valid until the next call on this thread.
    unsafe { (*e).code }
}

const INVALID_ARG: i32 = rvirErrorNumber::RVIR_ERR_INVALID_ARG as i32;

#[test]
fn null_pointers_are_invalid_arguments() {
    // SAFETY: every call below gets NULL where a pointer is expected, which is checked.
    unsafe {
        assert!(rvirConnectOpen(null()).is_null());
        assert_eq!(last_code(), INVALID_ARG);
        assert!(rvirConnectOpenReadOnly(null()).is_null());
        assert_eq!(last_code(), INVALID_ARG);
        assert_eq!(rvirConnectClose(null_mut()), -1);
        assert_eq!(last_code(), INVALID_ARG);
        assert_eq!(rvirConnectListAllDomains(null_mut(), null_mut(), 0), -1);
        assert_eq!(last_code(), INVALID_ARG);
        assert!(rvirDomainLookupByName(null_mut(), c"x".as_ptr()).is_null());
        assert!(rvirDomainLookupByUUIDString(null_mut(), c"x".as_ptr()).is_null());
        assert!(rvirDomainDefineXML(null_mut(), c"x".as_ptr()).is_null());
        assert_eq!(last_code(), INVALID_ARG);
        for f in [
            rvirDomainCreate,
            rvirDomainDestroy,
            rvirDomainShutdown,
            rvirDomainSuspend,
            rvirDomainResume,
            rvirDomainUndefine,
            rvirDomainFree,
        ] {
            assert_eq!(f(null_mut()), -1);
            assert_eq!(last_code(), INVALID_ARG);
        }
        assert!(rvirDomainGetName(null_mut()).is_null());
        assert_eq!(rvirDomainGetID(null_mut()), u32::MAX);
        assert_eq!(rvirDomainGetUUIDString(null_mut(), null_mut()), -1);
        assert_eq!(rvirDomainGetInfo(null_mut(), null_mut()), -1);
        assert!(rvirDomainGetXMLDesc(null_mut(), 0).is_null());
        assert_eq!(rvirConnectListAllNetworks(null_mut(), null_mut(), 0), -1);
        assert_eq!(
            rvirConnectListAllStoragePools(null_mut(), null_mut(), 0),
            -1
        );
        assert_eq!(rvirConnectListAllSecrets(null_mut(), null_mut(), 0), -1);
        assert_eq!(last_code(), INVALID_ARG);
        assert!(rvirNetworkLookupByName(null_mut(), c"x".as_ptr()).is_null());
        assert!(rvirStoragePoolLookupByName(null_mut(), c"x".as_ptr()).is_null());
        assert_eq!(last_code(), INVALID_ARG);
        for f in [
            rvirNetworkIsActive,
            rvirNetworkCreate,
            rvirNetworkDestroy,
            rvirNetworkFree,
        ] {
            assert_eq!(f(null_mut()), -1);
            assert_eq!(last_code(), INVALID_ARG);
        }
        assert!(rvirNetworkGetName(null_mut()).is_null());
        assert_eq!(rvirNetworkGetUUIDString(null_mut(), null_mut()), -1);
        assert!(rvirNetworkGetXMLDesc(null_mut(), 0).is_null());
        assert!(rvirStoragePoolGetName(null_mut()).is_null());
        assert_eq!(rvirStoragePoolGetInfo(null_mut(), null_mut()), -1);
        assert_eq!(rvirStoragePoolListAllVolumes(null_mut(), null_mut(), 0), -1);
        assert!(rvirStorageVolCreateXML(null_mut(), c"x".as_ptr(), 0).is_null());
        assert_eq!(rvirStoragePoolFree(null_mut()), -1);
        assert!(rvirStorageVolGetName(null_mut()).is_null());
        assert!(rvirStorageVolGetPath(null_mut()).is_null());
        assert_eq!(rvirStorageVolGetInfo(null_mut(), null_mut()), -1);
        assert_eq!(rvirStorageVolDelete(null_mut(), 0), -1);
        assert_eq!(rvirStorageVolFree(null_mut()), -1);
        assert_eq!(rvirSecretGetUUIDString(null_mut(), null_mut()), -1);
        assert_eq!(rvirSecretGetUsageType(null_mut()), -1);
        assert!(rvirSecretGetUsageID(null_mut()).is_null());
        assert_eq!(rvirSecretFree(null_mut()), -1);
        assert_eq!(last_code(), INVALID_ARG);
        assert_eq!(rvirConnectListAllNodeDevices(null_mut(), null_mut(), 0), -1);
        assert_eq!(last_code(), INVALID_ARG);
        assert!(rvirNodeDeviceLookupByName(null_mut(), c"x".as_ptr()).is_null());
        assert_eq!(last_code(), INVALID_ARG);
        assert!(rvirNodeDeviceGetName(null_mut()).is_null());
        assert!(rvirNodeDeviceGetParent(null_mut()).is_null());
        assert_eq!(last_code(), INVALID_ARG);
        assert_eq!(rvirNodeDeviceNumOfCaps(null_mut()), -1);
        assert_eq!(rvirNodeDeviceListCaps(null_mut(), null_mut(), 1), -1);
        assert!(rvirNodeDeviceGetXMLDesc(null_mut(), 0).is_null());
        assert_eq!(rvirNodeDeviceFree(null_mut()), -1);
        assert_eq!(last_code(), INVALID_ARG);
        assert_eq!(rvirConnectListAllInterfaces(null_mut(), null_mut(), 0), -1);
        assert!(rvirInterfaceLookupByName(null_mut(), c"x".as_ptr()).is_null());
        assert!(rvirInterfaceLookupByMACString(null_mut(), c"x".as_ptr()).is_null());
        assert!(rvirInterfaceGetName(null_mut()).is_null());
        assert!(rvirInterfaceGetMACString(null_mut()).is_null());
        assert_eq!(rvirInterfaceIsActive(null_mut()), -1);
        assert!(rvirInterfaceGetXMLDesc(null_mut(), 0).is_null());
        assert_eq!(rvirInterfaceFree(null_mut()), -1);
        assert_eq!(last_code(), INVALID_ARG);
        assert_eq!(rvirConnectListAllNWFilters(null_mut(), null_mut(), 0), -1);
        assert!(rvirNWFilterLookupByName(null_mut(), c"x".as_ptr()).is_null());
        assert!(rvirNWFilterDefineXML(null_mut(), c"x".as_ptr()).is_null());
        assert!(rvirNWFilterGetName(null_mut()).is_null());
        assert_eq!(rvirNWFilterGetUUIDString(null_mut(), null_mut()), -1);
        assert!(rvirNWFilterGetXMLDesc(null_mut(), 0).is_null());
        assert_eq!(rvirNWFilterUndefine(null_mut()), -1);
        assert_eq!(rvirNWFilterFree(null_mut()), -1);
        assert_eq!(last_code(), INVALID_ARG);
        assert_eq!(
            rvirConnectListAllNWFilterBindings(null_mut(), null_mut(), 0),
            -1
        );
        assert!(rvirNWFilterBindingLookupByPortDev(null_mut(), c"x".as_ptr()).is_null());
        assert!(rvirNWFilterBindingCreateXML(null_mut(), c"x".as_ptr(), 0).is_null());
        assert!(rvirNWFilterBindingGetPortDev(null_mut()).is_null());
        assert!(rvirNWFilterBindingGetFilterName(null_mut()).is_null());
        assert!(rvirNWFilterBindingGetXMLDesc(null_mut(), 0).is_null());
        assert_eq!(rvirNWFilterBindingDelete(null_mut()), -1);
        assert_eq!(rvirNWFilterBindingFree(null_mut()), -1);
        assert_eq!(last_code(), INVALID_ARG);
        assert_eq!(
            rvirConnectDomainEventRegisterAny(null_mut(), null_mut(), 0, None, null_mut(), None),
            -1
        );
        assert_eq!(rvirConnectDomainEventDeregisterAny(null_mut(), 0), -1);
        assert_eq!(last_code(), INVALID_ARG);
        assert_eq!(rvirEventAddTimeout(0, None, null_mut(), None), -1);
        assert_eq!(rvirEventAddHandle(0, 1, None, null_mut(), None), -1);
        assert_eq!(last_code(), INVALID_ARG);
    }
    // A NULL event function is refused and registers nothing.
    rvirEventRegisterImpl(None, None, None, None, None, None);
    assert_eq!(last_code(), INVALID_ARG);
    assert!(rvirt_core::event::registered().is_none());
}

#[test]
fn connection_round_trip_and_errors() {
    // SAFETY: pointers come from the library and are released exactly once.
    unsafe {
        let conn = rvirConnectOpen(c"nosuchdriver:///x".as_ptr());
        assert!(conn.is_null());
        assert_ne!(last_code(), 0);

        let conn = rvirConnectOpenReadOnly(c"test:///default".as_ptr());
        assert!(
            !conn.is_null(),
            "{:?}",
            CStr::from_ptr(rvirGetLastErrorMessage())
        );
        assert!(rvirGetLastError().is_null());

        let mut list: *mut rvirDomainPtr = null_mut();
        let n = rvirConnectListAllDomains(conn, &mut list, 0);
        assert!(n >= 1);
        assert_eq!(rvirConnectListAllDomains(conn, null_mut(), 0), n);
        assert!((*list.add(n as usize)).is_null(), "NULL-terminated");
        for i in 0..n as usize {
            assert_eq!(rvirDomainFree(*list.add(i)), 0);
        }
        libc::free(list.cast());

        let dom = rvirDomainLookupByName(conn, c"test".as_ptr());
        assert!(!dom.is_null());
        assert_eq!(CStr::from_ptr(rvirDomainGetName(dom)).to_str(), Ok("test"));
        let mut uuid = [0 as std::ffi::c_char; RVIR_UUID_STRING_BUFLEN];
        assert_eq!(rvirDomainGetUUIDString(dom, uuid.as_mut_ptr()), 0);
        let again = rvirDomainLookupByUUIDString(conn, uuid.as_ptr());
        assert!(!again.is_null());
        assert_eq!(rvirDomainGetID(again), rvirDomainGetID(dom));
        let mut info = rvirDomainInfo::default();
        assert_eq!(rvirDomainGetInfo(dom, &mut info), 0);
        assert_eq!(
            i32::from(info.state),
            rvirDomainState::RVIR_DOMAIN_RUNNING as i32
        );

        // Read-only: changes are denied with libvirt's code.
        assert_eq!(rvirDomainDestroy(dom), -1);
        assert_eq!(
            last_code(),
            rvirErrorNumber::RVIR_ERR_OPERATION_DENIED as i32
        );
        // No event loop registered in this test binary: events cannot be delivered.
        assert_eq!(
            rvirConnectDomainEventRegisterAny(conn, null_mut(), 0, Some(noop), null_mut(), None),
            -1
        );
        assert_eq!(last_code(), rvirErrorNumber::RVIR_ERR_INTERNAL_ERROR as i32);
        assert!(rvirDomainLookupByUUIDString(conn, c"not-a-uuid".as_ptr()).is_null());
        assert_eq!(last_code(), INVALID_ARG);

        rvirDomainFree(again);
        rvirDomainFree(dom);
        assert_eq!(rvirConnectClose(conn), 0);
    }
}

unsafe extern "C" fn noop(_: rvirConnectPtr, _: rvirDomainPtr, _: *mut std::ffi::c_void) {}
