//! Lifecycle events through the C API on rvirt's default loop, with C-shaped callbacks
//! written in Rust: event/detail numbers, the `opaque` pointer, the per-domain filter and
//! when `freecb` runs (after deregistration, and at close for callbacks still registered).

use std::ffi::{CStr, c_int, c_void};
use std::ptr::null_mut;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rvirt_ffi::*;

/// What the callbacks saw: (label, domain name, event, detail).
static SEEN: Mutex<Vec<(&'static str, String, c_int, c_int)>> = Mutex::new(Vec::new());
static FREED: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn on_lifecycle(
    conn: rvirConnectPtr,
    dom: rvirDomainPtr,
    event: c_int,
    detail: c_int,
    opaque: *mut c_void,
) -> c_int {
    assert!(!conn.is_null());
    // SAFETY: the library passes a live domain and the label we registered.
    let (name, label) = unsafe {
        (
            CStr::from_ptr(rvirDomainGetName(dom))
                .to_string_lossy()
                .into_owned(),
            *opaque.cast::<&'static str>(),
        )
    };
    SEEN.lock().unwrap().push((label, name, event, detail));
    0
}

unsafe extern "C" fn on_free(opaque: *mut c_void) {
    assert!(!opaque.is_null());
    FREED.fetch_add(1, Ordering::SeqCst);
}

fn generic(cb: rvirConnectDomainEventCallback) -> rvirConnectDomainEventGenericCallback {
    // SAFETY: what RVIR_DOMAIN_EVENT_CALLBACK does in C: the library calls it back with the
    // lifecycle shape because it is registered for RVIR_DOMAIN_EVENT_ID_LIFECYCLE.
    unsafe { std::mem::transmute(cb) }
}

/// Fired by a 50 ms timer that keeps blocking loop iterations short.
static TICKS: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn tick(_: c_int, _: *mut c_void) {
    TICKS.fetch_add(1, Ordering::SeqCst);
}

fn wait_for(count: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while SEEN.lock().unwrap().len() < count {
        assert!(Instant::now() < deadline, "event {count} never arrived");
        assert_eq!(rvirEventRunDefaultImpl(), 0);
    }
}

const XML: &CStr = c"<domain type='test'><name>ffi-lifecycle</name>\
    <memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>";

#[test]
fn lifecycle_events_reach_c_callbacks() {
    assert_eq!(rvirEventRegisterDefaultImpl(), 0);
    // A second registration of another loop is refused.
    rvirEventRegisterImpl(None, None, None, None, None, None);
    assert!(!rvirGetLastError().is_null());
    let ticker = rvirEventAddTimeout(50, Some(tick), null_mut(), None);
    assert!(ticker > 0);

    let mut all_label: &'static str = "all";
    let mut one_label: &'static str = "one";
    let mut late_label: &'static str = "late";
    // SAFETY: pointers come from the library; labels outlive their registrations.
    unsafe {
        let conn = rvirConnectOpen(c"test:///default".as_ptr());
        assert!(!conn.is_null());
        let all = rvirConnectDomainEventRegisterAny(
            conn,
            null_mut(),
            rvirDomainEventID::RVIR_DOMAIN_EVENT_ID_LIFECYCLE as c_int,
            generic(Some(on_lifecycle)),
            (&raw mut all_label).cast(),
            Some(on_free),
        );
        assert!(all >= 0);
        // Unsupported event ids are refused with NO_SUPPORT.
        assert_eq!(
            rvirConnectDomainEventRegisterAny(
                conn,
                null_mut(),
                rvirDomainEventID::RVIR_DOMAIN_EVENT_ID_REBOOT as c_int,
                generic(Some(on_lifecycle)),
                null_mut(),
                None
            ),
            -1
        );
        assert_eq!(
            (*rvirGetLastError()).code,
            rvirErrorNumber::RVIR_ERR_NO_SUPPORT as c_int
        );

        let dom = rvirDomainDefineXML(conn, XML.as_ptr());
        assert!(!dom.is_null());
        wait_for(1);
        let one = rvirConnectDomainEventRegisterAny(
            conn,
            dom,
            0,
            generic(Some(on_lifecycle)),
            (&raw mut one_label).cast(),
            Some(on_free),
        );
        assert!(one > all);
        let late = rvirConnectDomainEventRegisterAny(
            conn,
            dom,
            0,
            generic(Some(on_lifecycle)),
            (&raw mut late_label).cast(),
            Some(on_free),
        );
        assert!(late > one);
        assert_eq!(rvirDomainCreate(dom), 0);
        assert_ne!(rvirDomainGetID(dom), u32::MAX);
        wait_for(4);
        assert_eq!(rvirConnectDomainEventDeregisterAny(conn, one), 0);
        assert_eq!(
            FREED.load(Ordering::SeqCst),
            1,
            "freecb runs at deregistration"
        );
        assert_eq!(rvirConnectDomainEventDeregisterAny(conn, one), -1);
        assert_eq!(rvirDomainDestroy(dom), 0);
        assert_eq!(rvirDomainGetID(dom), u32::MAX);
        wait_for(6);
        assert_eq!(rvirDomainUndefine(dom), 0);
        wait_for(8);
        assert_eq!(rvirDomainFree(dom), 0);
        assert_eq!(rvirConnectClose(conn), 0);
        assert_eq!(
            FREED.load(Ordering::SeqCst),
            3,
            "close frees the remaining callbacks"
        );
    }

    assert_eq!(rvirEventRemoveTimeout(ticker), 0);
    assert_eq!(
        rvirEventRemoveTimeout(ticker),
        -1,
        "removed ids are unknown"
    );
    let seen = SEEN.lock().unwrap().clone();
    let name = "ffi-lifecycle".to_string();
    let expected = vec![
        ("all", name.clone(), 0, 0),
        ("all", name.clone(), 2, 0),
        ("one", name.clone(), 2, 0),
        ("late", name.clone(), 2, 0),
        ("all", name.clone(), 5, 1),
        ("late", name.clone(), 5, 1),
        ("all", name.clone(), 1, 0),
        ("late", name.clone(), 1, 0),
    ];
    assert_eq!(seen, expected);
}
