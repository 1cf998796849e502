//! Ten thousand watches, one eventfd each.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::fds::{EventFd, consume_raw};
use super::probe::{DropProbe, ProbeState};
use super::{Backend, PATIENCE};
use crate::event::Interest;

/// Registers 10,000 eventfd watches, makes every 7th ready: exactly those fire, each once per
/// write; removing all of them frees all 10,000 callbacks.
pub fn ten_thousand_watches(b: &dyn Backend) {
    const N: usize = 10_000;
    let l = b.event_loop();
    let fds: Vec<EventFd> = (0..N).map(|_| EventFd::new()).collect();
    let hits: Arc<Vec<AtomicUsize>> = Arc::new((0..N).map(|_| AtomicUsize::new(0)).collect());
    let probes = ProbeState::new();
    let mut watches = Vec::with_capacity(N);
    for (i, fd) in fds.iter().enumerate() {
        let (h, p) = (hits.clone(), DropProbe(probes.clone()));
        watches.push(
            l.add_handle(
                fd.raw(),
                Interest::READABLE,
                Box::new(move |_, fd, _| {
                    let _ = &p;
                    if consume_raw(fd) {
                        h[i].fetch_add(1, Ordering::SeqCst);
                    }
                }),
            )
            .expect("add watch"),
        );
    }
    let ready: Vec<usize> = (0..N).step_by(7).collect();
    for &i in &ready {
        fds[i].signal();
    }
    let total = || hits.iter().map(|h| h.load(Ordering::SeqCst)).sum::<usize>();
    assert!(
        b.run_until(PATIENCE, &mut || total() == ready.len()),
        "{} of {} ready watches fired",
        total(),
        ready.len()
    );
    b.run_for(std::time::Duration::from_millis(20));
    for (i, h) in hits.iter().enumerate() {
        let expected = usize::from(i % 7 == 0);
        assert_eq!(h.load(Ordering::SeqCst), expected, "watch #{i}");
    }
    for w in watches {
        l.remove_handle(w).expect("remove watch");
    }
    assert!(
        b.run_until(PATIENCE, &mut || probes.drops() == N),
        "only {} of {N} callbacks freed",
        probes.drops()
    );
    drop(fds);
}
