//! The stats parsers on replies QEMU 7.2 gave for a TCG guest with an IDE disk (after
//! the BIOS read its boot sector), an empty IDE CD-ROM and a virtio balloon.

use serde_json::{Value, json};

use super::*;

fn blockstats_reply() -> Value {
    json!([
        {"device": "", "node-name": "libvirt-1-format", "qdev": "ide0-0-0",
         "parent": {"node-name": "libvirt-1-storage", "stats": {"rd_operations": 0}},
         "stats": {"unmap_operations": 0, "flush_total_time_ns": 7, "wr_highest_offset": 4096,
                   "wr_total_time_ns": 11, "wr_bytes": 1024, "rd_total_time_ns": 109482,
                   "flush_operations": 3, "wr_operations": 2, "rd_bytes": 512,
                   "idle_time_ns": 1382961790u64, "rd_operations": 1, "timed_stats": []}},
        {"device": "", "qdev": "ide0-1-0",
         "stats": {"rd_operations": 0, "rd_bytes": 0, "wr_operations": 0}}
    ])
}

#[test]
fn block_stats_are_found_by_alias_or_node() {
    let stats = block_stats(&blockstats_reply());
    assert_eq!(stats.len(), 2);
    let hda = find_block_stats(&stats, "ide0-0-0", None).unwrap();
    assert_eq!(
        *hda,
        BlockStatsEntry {
            qdev: Some("ide0-0-0".into()),
            node: Some("libvirt-1-format".into()),
            rd_operations: 1,
            rd_bytes: 512,
            rd_total_time_ns: 109482,
            wr_operations: 2,
            wr_bytes: 1024,
            wr_total_time_ns: 11,
            flush_operations: 3,
            flush_total_time_ns: 7,
            wr_highest_offset: 4096,
        }
    );
    assert_eq!(
        find_block_stats(&stats, "nope", Some("libvirt-1-format")),
        Some(hda)
    );
    let cd = find_block_stats(&stats, "ide0-1-0", Some("libvirt-2-format")).unwrap();
    assert_eq!((cd.node.as_deref(), cd.rd_operations), (None, 0));
    // A device without an id is named by its QOM path.
    let by_path = block_stats(
        &json!([{"qdev": "/machine/peripheral/virtio-disk0/virtio-backend",
                                        "stats": {"rd_operations": 5}}]),
    );
    assert_eq!(
        find_block_stats(&by_path, "virtio-disk0", None).map(|e| e.rd_operations),
        Some(5)
    );
    assert!(block_stats(&json!({})).is_empty());
}

#[test]
fn named_nodes_give_image_sizes() {
    let reply = json!([
        {"node-name": "libvirt-1-format", "drv": "raw",
         "image": {"virtual-size": 512, "filename": "/d.img", "format": "raw", "actual-size": 4096}},
        {"node-name": "libvirt-1-storage", "drv": "file",
         "image": {"virtual-size": 512, "format": "file"}},
        {"node-name": "odd"}
    ]);
    assert_eq!(
        named_nodes(&reply),
        vec![
            NodeImage {
                node: "libvirt-1-format".into(),
                virtual_size: 512,
                actual_size: Some(4096)
            },
            NodeImage {
                node: "libvirt-1-storage".into(),
                virtual_size: 512,
                actual_size: None
            },
        ]
    );
}

#[test]
fn vcpu_threads_come_in_vcpu_order() {
    let reply = json!([
        {"thread-id": 29015, "props": {"core-id": 1}, "cpu-index": 1, "target": "x86_64"},
        {"thread-id": 29014, "props": {"core-id": 0}, "cpu-index": 0, "target": "x86_64"},
        {"cpu-index": 2}
    ]);
    assert_eq!(vcpu_threads(&reply), vec![29014, 29015]);
}

#[test]
fn guest_stats_skip_what_the_guest_never_filled_in() {
    let never = json!({"stats": {"stat-swap-in": u64::MAX, "stat-free-memory": u64::MAX,
                                 "stat-total-memory": u64::MAX}, "last-update": 0});
    assert_eq!(
        guest_memory_stats(&never),
        GuestMemoryStats {
            stats: vec![],
            last_update: 0
        }
    );
    let filled = json!({"stats": {"stat-swap-in": 2048, "stat-major-faults": 7,
                                  "stat-free-memory": 1048576, "stat-total-memory": 4194304,
                                  "stat-available-memory": 2097152, "stat-htlb-pgfail": u64::MAX},
                        "last-update": 1700000000});
    let got = guest_memory_stats(&filled);
    assert_eq!(got.last_update, 1_700_000_000);
    use MemoryStatTag as T;
    assert_eq!(
        got.stats,
        vec![
            (T::SwapIn, 2),
            (T::MajorFault, 7),
            (T::Unused, 1024),
            (T::Available, 4096),
            (T::Usable, 2048)
        ]
    );
    assert_eq!(
        balloon_actual(&json!({"actual": 67108864})),
        Some(67_108_864)
    );
    assert_eq!(balloon_actual(&json!({})), None);
}

#[test]
fn dirty_rate_reports_a_rate_only_once_measured() {
    let unstarted = json!({"status": "unstarted", "sample-pages": 0, "mode": "page-sampling",
                           "start-time": 0, "calc-time": 0});
    assert_eq!(
        dirty_rate(&unstarted),
        DirtyRate {
            status: 0,
            start_time: 0,
            period: 0,
            megabytes_per_second: None,
            mode: Some("page-sampling".into()),
            vcpus: vec![]
        }
    );
    let measured = json!({"status": "measured", "dirty-rate": 12, "mode": "dirty-ring",
                          "start-time": 3605, "calc-time": 1,
                          "vcpu-dirty-rate": [{"id": 0, "dirty-rate": 5}, {"id": 1, "dirty-rate": 7}]});
    let r = dirty_rate(&measured);
    assert_eq!((r.status, r.start_time, r.period), (2, 3605, 1));
    assert_eq!(r.megabytes_per_second, Some(12));
    assert_eq!(r.vcpus, vec![(0, 5), (1, 7)]);
}

#[test]
fn io_errors_name_failed_devices() {
    let reply = json!([
        {"io-status": "ok", "qdev": "ide0-0-0"},
        {"io-status": "nospace", "qdev": "virtio-disk1"},
        {"io-status": "failed", "qdev": "virtio-disk2"},
        {"qdev": "ide0-1-0"}
    ]);
    assert_eq!(
        io_errors(&reply),
        vec![("virtio-disk1".into(), 2), ("virtio-disk2".into(), 1)]
    );
}
