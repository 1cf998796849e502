use super::sample::sample;
use super::*;

#[test]
fn every_id_has_exactly_its_own_variant() {
    for &id in DomainEventId::ALL {
        let ev = sample(id);
        assert_eq!(ev.id(), id);
        for &other in DomainEventId::ALL {
            assert_eq!(ev.delivered_to(other), other == id, "{ev:?} to {other:?}");
        }
    }
}

#[test]
fn io_errors_and_block_jobs_raise_libvirts_pairs() {
    let [a, b] = DomainEvent::io_error_pair("/a", "virtio-disk0", IoErrorAction::Pause, "enospc");
    assert_eq!(a.id(), DomainEventId::IoError);
    assert_eq!(b.id(), DomainEventId::IoErrorReason);
    assert!(matches!(b, DomainEvent::IoErrorReason { ref reason, .. } if reason == "enospc"));
    let both = DomainEvent::block_job_pair(
        Some("/a"),
        "vda",
        BlockJobType::Pull,
        BlockJobStatus::Completed,
    );
    let ids: Vec<_> = both.iter().map(DomainEvent::id).collect();
    assert_eq!(ids, [DomainEventId::BlockJob, DomainEventId::BlockJob2]);
    // A network disk has no host path: only block-job-2.
    let one = DomainEvent::block_job_pair(None, "vdb", BlockJobType::Copy, BlockJobStatus::Ready);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].id(), DomainEventId::BlockJob2);
}
