//! The storage driver in process: dir pools and raw/qcow2 volumes on a temp
//! directory, its persistence across a restart of the state, and its refusals.

use std::path::Path;

use rvirt_core::driver::{
    EventSink, ObjectEventSink, OpenContext, SecondaryDriver, StateContext, StorageDriver,
    StoragePoolRef,
};
use rvirt_core::event::DefaultLoop;
use rvirt_core::uri::Uri;
use rvirt_core::{ErrorCode, ErrorDomain};
use rvirt_driver_storage::HostStorage;
use rvirt_testkit::TempDir;

fn start(root: &Path, l: &DefaultLoop) -> (HostStorage, std::sync::Arc<dyn StorageDriver>) {
    let drv = HostStorage::with_root(root);
    drv.state_initialize(&StateContext {
        event_loop: l.shared(),
    })
    .unwrap();
    let ctx = OpenContext {
        event_loop: None,
        events: EventSink::detached(),
        read_only: false,
        object_events: ObjectEventSink::detached(),
    };
    let set = drv
        .open(&Uri::parse("qemu:///system").unwrap(), &ctx)
        .unwrap();
    assert!(
        drv.open(&Uri::parse("qemu:///session").unwrap(), &ctx)
            .unwrap()
            .storage
            .is_none()
    );
    (drv, set.storage.expect("storage for qemu:///system"))
}

fn have_qemu_img() -> bool {
    std::process::Command::new("qemu-img")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn dir_pool_volumes_and_restart() {
    let tmp = TempDir::new("storage-pool");
    let l = DefaultLoop::new().unwrap();
    let root = tmp.0.join("root");
    let dir = tmp.0.join("images");
    let (drv, s) = start(&root, &l);
    let xml = format!(
        "<pool type='dir'><name>default</name><target><path>{}/</path></target></pool>",
        dir.display()
    );
    let p = s.storage_pool_define_xml(&xml, 0).unwrap();
    let e = s.storage_pool_create(&p, 0).unwrap_err();
    assert_eq!(
        (e.code(), e.domain()),
        (ErrorCode::SystemError, ErrorDomain::Storage)
    );
    s.storage_pool_build(&p, 0).unwrap();
    assert!(dir.is_dir());
    s.storage_pool_create(&p, 0).unwrap();
    s.storage_pool_set_autostart(&p, true).unwrap();
    let info = s.storage_pool_info(&p).unwrap();
    assert_eq!(info.state, 2);
    assert!(info.capacity > 0 && info.available <= info.capacity);
    let text = s.storage_pool_xml_desc(&p, 0).unwrap();
    assert!(
        text.contains(&format!("<path>{}</path>", dir.display())),
        "{text}"
    );
    assert!(text.contains("<mode>0711</mode>"), "{text}");

    let raw = s
        .storage_vol_create_xml(
            &p,
            "<volume><name>a.img</name><capacity unit='M'>8</capacity><allocation unit='M'>1</allocation></volume>",
            0,
        )
        .unwrap();
    assert_eq!(raw.key, dir.join("a.img").display().to_string());
    let i = s.storage_vol_info(&raw).unwrap();
    assert_eq!((i.vol_type, i.capacity), (0, 8 << 20));
    assert!(i.allocation >= 1 << 20, "{i:?}");
    assert_eq!(
        s.storage_vol_info_flags(&raw, 1).unwrap().allocation,
        8 << 20
    );
    assert_eq!(std::fs::metadata(dir.join("a.img")).unwrap().len(), 8 << 20);
    let e = s
        .storage_vol_create_xml(
            &p,
            "<volume><name>a.img</name><capacity>1</capacity></volume>",
            0,
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageVolExist);
    let e = s
        .storage_vol_create_xml(
            &p,
            "<volume><name>../x</name><capacity>1</capacity></volume>",
            0,
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg);
    assert!(!tmp.0.join("x").exists());
    let clone = s
        .storage_vol_create_xml_from(
            &p,
            "<volume><name>b.img</name><capacity unit='M'>16</capacity></volume>",
            &raw,
            0,
        )
        .unwrap();
    assert_eq!(s.storage_vol_info(&clone).unwrap().capacity, 16 << 20);
    s.storage_vol_resize(&raw, 32 << 20, 0).unwrap();
    assert_eq!(s.storage_vol_info(&raw).unwrap().capacity, 32 << 20);
    assert_eq!(
        s.storage_vol_resize(&raw, 1 << 20, 0).unwrap_err().code(),
        ErrorCode::InvalidArg
    );
    s.storage_vol_resize(&raw, 4 << 20, 4).unwrap();
    s.storage_vol_wipe(&raw, 0).unwrap();
    if have_qemu_img() {
        let q = s
            .storage_vol_create_xml(
                &p,
                "<volume><name>q.qcow2</name><capacity unit='G'>2</capacity><target><format type='qcow2'/></target></volume>",
                0,
            )
            .unwrap();
        let x = s.storage_vol_xml_desc(&q, 0).unwrap();
        assert!(
            x.contains("<format type='qcow2'/>") && x.contains("<compat>1.1</compat>"),
            "{x}"
        );
        assert_eq!(s.storage_vol_info(&q).unwrap().capacity, 2 << 30);
        let overlay = format!(
            "<volume><name>o.qcow2</name><capacity unit='G'>2</capacity><target><format type='qcow2'/></target><backingStore><path>{}</path><format type='qcow2'/></backingStore></volume>",
            q.key
        );
        let o = s.storage_vol_create_xml(&p, &overlay, 0).unwrap();
        assert!(
            s.storage_vol_xml_desc(&o, 0)
                .unwrap()
                .contains(&format!("<backingStore>\n    <path>{}</path>", q.key))
        );
        s.storage_vol_resize(&q, 3 << 30, 0).unwrap();
        assert_eq!(s.storage_vol_info(&q).unwrap().capacity, 3 << 30);
        let conv = s
            .storage_vol_create_xml_from(
                &p,
                "<volume><name>c.qcow2</name><capacity>0</capacity><target><format type='qcow2'/></target></volume>",
                &clone,
                0,
            )
            .unwrap();
        assert_eq!(s.storage_vol_info(&conv).unwrap().capacity, 16 << 20);
    }
    std::fs::write(dir.join("dropped.img"), b"data").unwrap();
    s.storage_pool_refresh(&p, 0).unwrap();
    let found = s
        .storage_vol_lookup_by_path(&dir.join("dropped.img").display().to_string())
        .unwrap();
    s.storage_vol_delete(&found, 0).unwrap();
    assert!(!dir.join("dropped.img").exists());

    // A new state on the same root finds the pool running, with its volumes.
    drop(s);
    drv.state_cleanup();
    let (drv, s) = start(&root, &l);
    let p2: StoragePoolRef = s.lookup_storage_pool_by_name("default").unwrap();
    assert_eq!(p2.uuid, p.uuid);
    assert!(s.storage_pool_is_active(&p2).unwrap() && s.storage_pool_autostart(&p2).unwrap());
    assert!(s.storage_vol_lookup_by_name(&p2, "b.img").is_ok());
    assert_eq!(
        s.storage_pool_undefine(&p2).unwrap_err().code(),
        ErrorCode::OperationInvalid
    );
    s.storage_pool_destroy(&p2).unwrap();
    for v in ["a.img", "b.img", "q.qcow2", "o.qcow2", "c.qcow2"] {
        let _ = std::fs::remove_file(dir.join(v));
    }
    s.storage_pool_delete(&p2, 0).unwrap();
    assert!(!dir.exists());
    s.storage_pool_undefine(&p2).unwrap();
    assert!(!root.join("etc/storage/default.xml").exists());
    drv.state_cleanup();
}

#[test]
fn refusals() {
    let tmp = TempDir::new("storage-refuse");
    let l = DefaultLoop::new().unwrap();
    let (drv, s) = start(&tmp.0.join("root"), &l);
    let e = s
        .storage_pool_define_xml(
            "<pool type='logical'><name>vg</name><source><name>vg</name></source><target><path>/dev/vg</path></target></pool>",
            0,
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoSupport);
    let e = s
        .storage_pool_define_xml(
            "<pool type='fs'><name>f</name><target><path>/f</path></target></pool>",
            0,
        )
        .unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (
            ErrorCode::XmlError,
            "missing storage pool source device name"
        )
    );
    let dir = tmp.0.join("p");
    let x = format!(
        "<pool type='dir'><name>p</name><target><path>{}</path></target></pool>",
        dir.display()
    );
    s.storage_pool_define_xml(&x, 0).unwrap();
    let e = s
        .storage_pool_define_xml(&x.replace("<name>p</name>", "<name>q</name>"), 0)
        .unwrap_err();
    assert_eq!(e.message(), "Storage source conflict with pool: 'p'");
    assert_eq!(
        s.lookup_storage_pool_by_name("nope").unwrap_err().code(),
        ErrorCode::NoStoragePool
    );
    drv.state_cleanup();
}
