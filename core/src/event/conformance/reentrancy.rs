//! Registration calls made from inside callbacks.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::fds::EventFd;
use super::probe::{DropProbe, ProbeState};
use super::{Backend, PATIENCE};
use crate::event::{Interest, TimerInterval, WatchId};

/// A handle callback adds a watch and a timer and pauses itself; the timer callback later
/// removes the new watch and itself. Everything added runs, everything removed is freed.
pub fn callbacks_can_add_update_and_remove(b: &dyn Backend) {
    let l = b.event_loop();
    let (fa, fc) = (Arc::new(EventFd::new()), Arc::new(EventFd::new()));
    fa.signal();
    fc.signal();
    let a_calls = Arc::new(AtomicUsize::new(0));
    let c_calls = Arc::new(AtomicUsize::new(0));
    let t_calls = Arc::new(AtomicUsize::new(0));
    let probes = ProbeState::new();
    let added: Arc<Mutex<Option<WatchId>>> = Arc::new(Mutex::new(None));

    let (l1, fc1, ac, cc, tc, pr, add1) = (
        l.clone(),
        fc.clone(),
        a_calls.clone(),
        c_calls.clone(),
        t_calls.clone(),
        probes.clone(),
        added.clone(),
    );
    l.add_handle(
        fa.raw(),
        Interest::READABLE,
        Box::new(move |me, _, _| {
            ac.fetch_add(1, Ordering::SeqCst);
            // Pause ourselves: never consumed, so without this we would run forever.
            l1.update_handle(me, Interest::NONE).expect("pause self");
            let p = DropProbe(pr.clone());
            let cc = cc.clone();
            let w = l1
                .add_handle(
                    fc1.raw(),
                    Interest::READABLE,
                    Box::new(move |_, _, _| {
                        let _ = &p;
                        cc.fetch_add(1, Ordering::SeqCst);
                    }),
                )
                .expect("add watch from a callback");
            *add1.lock().unwrap() = Some(w);
            let (l2, tc, add2) = (l1.clone(), tc.clone(), add1.clone());
            let p = DropProbe(pr.clone());
            l1.add_timeout(
                TimerInterval::EveryIteration,
                Box::new(move |me| {
                    let _ = &p;
                    tc.fetch_add(1, Ordering::SeqCst);
                    if tc.load(Ordering::SeqCst) == 3 {
                        if let Some(w) = add2.lock().unwrap().take() {
                            l2.remove_handle(w).expect("remove watch from a timer");
                        }
                        l2.remove_timeout(me).expect("remove self from a timer");
                    }
                }),
            )
            .expect("add timer from a callback");
        }),
    )
    .unwrap();

    assert!(
        b.run_until(PATIENCE, &mut || probes.drops() == 2),
        "watch and timer added from a callback must run and, once removed, be freed \
         (a={}, c={}, t={}, freed={})",
        a_calls.load(Ordering::SeqCst),
        c_calls.load(Ordering::SeqCst),
        t_calls.load(Ordering::SeqCst),
        probes.drops()
    );
    b.run_for(std::time::Duration::from_millis(30));
    assert_eq!(a_calls.load(Ordering::SeqCst), 1, "paused watch ran again");
    assert!(c_calls.load(Ordering::SeqCst) >= 1, "added watch never ran");
    assert_eq!(
        t_calls.load(Ordering::SeqCst),
        3,
        "timer ran after removing itself"
    );
}
