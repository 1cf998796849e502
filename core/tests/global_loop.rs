//! The process-wide loop slot (libvirt's virEventRegisterImpl/RegisterDefaultImpl).
//! One test function, because the slot is process-global and registration is one-shot.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rvirt_core::event::{self, DefaultLoop, EventError, Interest, TimerInterval};

#[test]
fn process_wide_registration_is_one_shot() {
    assert!(event::registered().is_none());
    assert!(matches!(
        event::require(),
        Err(EventError::NoLoopRegistered)
    ));
    assert!(matches!(
        event::add_timeout(TimerInterval::Disabled, Box::new(|_| {})),
        Err(EventError::NoLoopRegistered)
    ));
    assert!(matches!(
        event::run_default(),
        Err(EventError::NoLoopRegistered)
    ));
    let err: rvirt_core::Error = event::require().unwrap_err().into();
    assert_eq!(err.code(), rvirt_core::ErrorCode::ConfigUnsupported);

    let default = event::register_default().unwrap();
    let again = event::register_default().unwrap();
    let fired = Arc::new(AtomicUsize::new(0));
    let f = fired.clone();
    let t = event::add_timeout(
        TimerInterval::EveryIteration,
        Box::new(move |_| {
            f.fetch_add(1, Ordering::SeqCst);
        }),
    )
    .unwrap();
    event::run_default().unwrap();
    again.run_once().unwrap();
    assert_eq!(
        fired.load(Ordering::SeqCst),
        2,
        "both handles drive the same loop"
    );
    event::update_timeout(t, TimerInterval::Disabled).unwrap();
    event::remove_timeout(t).unwrap();
    assert!(matches!(
        event::remove_timeout(t),
        Err(EventError::UnknownTimer(_))
    ));
    assert!(matches!(
        event::update_handle(
            rvirt_core::event::WatchId::new(99).unwrap(),
            Interest::READABLE
        ),
        Err(EventError::UnknownWatch(_))
    ));

    let other = DefaultLoop::new().unwrap();
    assert!(matches!(
        event::register(other.shared()),
        Err(EventError::AlreadyRegistered)
    ));
    let registered = event::registered().unwrap();
    let t2 = registered
        .add_timeout(TimerInterval::Disabled, Box::new(|_| {}))
        .unwrap();
    assert_eq!(t2.get(), 2, "the registered loop is still the default one");
    default
        .run_once_timeout(std::time::Duration::from_millis(1))
        .unwrap();
}
