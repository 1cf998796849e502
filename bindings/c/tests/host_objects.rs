//! librvirt's network, storage pool, volume, secret, node device, interface and network
//! filter calls against a real rvirtd through the remote driver, checked against what
//! Debian's virsh reports on the same daemon: secrets, node devices, host interfaces and
//! network filters of its `qemu:///system` (private roots), networks and pools of its
//! test driver (`test:///default`).

use std::ffi::{CStr, CString, c_char};
use std::ptr::null_mut;

use rvirt_ffi::*;
use rvirt_testkit::{Daemon, have_virsh, virsh_ok};

fn last_code() -> i32 {
    let e = rvirGetLastError();
    assert!(!e.is_null(), "an error must be set");
    // SAFETY: valid until the next call on this thread.
    unsafe { (*e).code }
}

fn open(uri: &str) -> rvirConnectPtr {
    let uri = CString::new(uri).unwrap();
    // SAFETY: a NUL-terminated URI.
    let conn = unsafe { rvirConnectOpen(uri.as_ptr()) };
    assert!(!conn.is_null(), "open {uri:?}");
    conn
}

/// A borrowed C string as Rust text.
///
/// # Safety
/// `p` is a live NUL-terminated string.
unsafe fn text(p: *const c_char) -> String {
    assert!(!p.is_null());
    // SAFETY: per this function's contract.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// Takes an array from a list-all call: each handle through `f`, then freed by `free`,
/// then the array with `free()`.
///
/// # Safety
/// `array` holds `n` live handles and a NULL, from librvirt.
unsafe fn drain<H>(
    array: *mut *mut H,
    n: i32,
    mut f: impl FnMut(*mut H),
    free: unsafe extern "C" fn(*mut H) -> i32,
) {
    assert!(n >= 0, "list failed: {}", last_code());
    // SAFETY: per this function's contract.
    unsafe {
        assert!(array.add(n as usize).read().is_null(), "NULL-terminated");
        for i in 0..n as usize {
            let h = array.add(i).read();
            f(h);
            assert_eq!(free(h), 0);
        }
        libc::free(array.cast());
    }
}

#[test]
fn secrets_through_rvirtd_are_virshs() {
    if !have_virsh() {
        return;
    }
    let d = Daemon::start("ffi-secrets");
    let uri = d.qemu_uri();
    let ceph = "0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f";
    let vol = "1a81f5b2-8403-7b23-c8d6-21ccc2f80d6f";
    for (uuid, usage) in [
        (
            ceph,
            "<usage type='ceph'><name>client.admin secret</name></usage>",
        ),
        (
            vol,
            "<usage type='volume'><volume>/var/lib/img/a.qcow2</volume></usage>",
        ),
    ] {
        let f = d.dir.0.join(format!("{uuid}.xml"));
        std::fs::write(
            &f,
            format!("<secret ephemeral='no' private='yes'><uuid>{uuid}</uuid>{usage}</secret>"),
        )
        .unwrap();
        virsh_ok(&uri, &["secret-define", f.to_str().unwrap()]);
    }
    let listed = virsh_ok(&uri, &["secret-list"]);
    let conn = open(&uri);
    let mut seen = Vec::new();
    // SAFETY: handles and arrays from librvirt, freed as its API asks.
    unsafe {
        assert_eq!(rvirConnectListAllSecrets(conn, null_mut(), 0), 2);
        let mut list = null_mut();
        let n = rvirConnectListAllSecrets(conn, &mut list, 0);
        assert_eq!(n, 2);
        drain(
            list,
            n,
            |s| {
                let mut buf = [0 as c_char; RVIR_UUID_STRING_BUFLEN];
                assert_eq!(rvirSecretGetUUIDString(s, buf.as_mut_ptr()), 0);
                let uuid = text(buf.as_ptr());
                let usage = rvirSecretGetUsageType(s);
                let id = text(rvirSecretGetUsageID(s));
                seen.push((uuid, usage, id));
            },
            rvirSecretFree,
        );
        // Private secrets only: both; ephemeral ones: none.
        let private = RVIR_CONNECT_LIST_SECRETS_PRIVATE;
        assert_eq!(rvirConnectListAllSecrets(conn, null_mut(), private), 2);
        let ephemeral = RVIR_CONNECT_LIST_SECRETS_EPHEMERAL;
        assert_eq!(rvirConnectListAllSecrets(conn, null_mut(), ephemeral), 0);
        assert_eq!(rvirConnectClose(conn), 0);
    }
    seen.sort();
    assert_eq!(
        seen,
        vec![
            (ceph.to_string(), 2, "client.admin secret".to_string()),
            (vol.to_string(), 1, "/var/lib/img/a.qcow2".to_string()),
        ]
    );
    // virsh lists the same secrets with the same usages.
    assert!(
        listed.contains(&format!("{ceph}   ceph client.admin secret")),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("{vol}   volume /var/lib/img/a.qcow2")),
        "{listed}"
    );
}

#[test]
fn networks_pools_and_volumes_through_rvirtd_are_virshs() {
    if !have_virsh() {
        return;
    }
    let d = Daemon::start("ffi-hostobjs");
    let uri = d.uri();
    let u = uri.as_str();
    virsh_ok(u, &["vol-create-as", "default-pool", "made-by-virsh", "2M"]);
    virsh_ok(u, &["net-destroy", "default"]);
    let conn = open(u);
    // SAFETY: handles and arrays from librvirt, freed as its API asks.
    unsafe {
        // The network virsh stopped is inactive here, and started here it is active
        // for virsh.
        let mut nets = null_mut();
        let n = rvirConnectListAllNetworks(conn, &mut nets, RVIR_CONNECT_LIST_NETWORKS_INACTIVE);
        assert_eq!(n, 1);
        drain(
            nets,
            n,
            |net| {
                assert_eq!(text(rvirNetworkGetName(net)), "default");
                assert_eq!(rvirNetworkIsActive(net), 0);
                assert_eq!(rvirNetworkCreate(net), 0);
            },
            rvirNetworkFree,
        );
        let info = virsh_ok(u, &["net-info", "default"]);
        assert!(info.contains("Active:         yes\n"), "{info}");
        let net = rvirNetworkLookupByName(conn, c"default".as_ptr());
        assert!(!net.is_null());
        let xml = rvirNetworkGetXMLDesc(net, 0);
        assert_eq!(
            text(xml),
            virsh_ok(u, &["net-dumpxml", "default"])
                .trim_end()
                .to_string()
                + "\n"
        );
        libc::free(xml.cast());
        // Started twice: libvirt's "already running".
        assert_eq!(rvirNetworkCreate(net), -1);
        assert_eq!(
            last_code(),
            rvirErrorNumber::RVIR_ERR_OPERATION_INVALID as i32
        );
        assert_eq!(rvirNetworkDestroy(net), 0);
        assert_eq!(rvirNetworkFree(net), 0);
        assert!(virsh_ok(u, &["net-info", "default"]).contains("Active:         no\n"));
        assert!(rvirNetworkLookupByName(conn, c"nosuch".as_ptr()).is_null());
        assert_eq!(last_code(), rvirErrorNumber::RVIR_ERR_NO_NETWORK as i32);

        // The pool and the volume virsh created, with virsh's sizes.
        let pool = rvirStoragePoolLookupByName(conn, c"default-pool".as_ptr());
        assert!(!pool.is_null());
        let mut pinfo = rvirStoragePoolInfo::default();
        assert_eq!(rvirStoragePoolGetInfo(pool, &mut pinfo), 0);
        assert_eq!(pinfo.state, RVIR_STORAGE_POOL_RUNNING);
        assert_eq!(pinfo.capacity, 100 << 30);
        let mut vols = null_mut();
        let n = rvirStoragePoolListAllVolumes(pool, &mut vols, 0);
        assert_eq!(n, 1);
        drain(
            vols,
            n,
            |v| {
                assert_eq!(text(rvirStorageVolGetName(v)), "made-by-virsh");
                let path = rvirStorageVolGetPath(v);
                assert_eq!(text(path), "/default-pool/made-by-virsh");
                libc::free(path.cast());
                let mut vinfo = rvirStorageVolInfo::default();
                assert_eq!(rvirStorageVolGetInfo(v, &mut vinfo), 0);
                assert_eq!(
                    (vinfo.r#type, vinfo.capacity),
                    (RVIR_STORAGE_VOL_FILE, 2 << 20)
                );
                assert_eq!(rvirStorageVolDelete(v, 0), 0);
            },
            rvirStorageVolFree,
        );
        let left = virsh_ok(u, &["vol-list", "default-pool"]);
        assert!(!left.contains("made-by-virsh"), "{left}");
        assert_eq!(rvirStoragePoolFree(pool), 0);
        let mut pools = null_mut();
        let n = rvirConnectListAllStoragePools(conn, &mut pools, 0);
        assert_eq!(n, 1);
        drain(
            pools,
            n,
            |p| assert_eq!(text(rvirStoragePoolGetName(p)), "default-pool"),
            rvirStoragePoolFree,
        );
        assert!(rvirStoragePoolLookupByName(conn, c"nosuch".as_ptr()).is_null());
        assert_eq!(
            last_code(),
            rvirErrorNumber::RVIR_ERR_NO_STORAGE_POOL as i32
        );
        assert_eq!(rvirConnectClose(conn), 0);
    }
}

#[test]
fn node_devices_interfaces_and_nwfilters_through_rvirtd_are_virshs() {
    if !have_virsh() {
        return;
    }
    let d = Daemon::start("ffi-hostdevs");
    let uri = d.qemu_uri();
    let u = uri.as_str();
    let filter = d.dir.0.join("filter.xml");
    std::fs::write(
        &filter,
        "<filter name='ffi-allow-arp' chain='arp'><rule action='accept' direction='inout' \
         priority='500'/></filter>",
    )
    .unwrap();
    virsh_ok(u, &["nwfilter-define", filter.to_str().unwrap()]);
    let virsh_devices: Vec<String> = virsh_ok(u, &["nodedev-list"])
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    let virsh_ifaces = virsh_ok(u, &["iface-list", "--all"]);
    let conn = open(u);
    // SAFETY: handles, strings and arrays from librvirt, freed as its API asks.
    unsafe {
        // Node devices: the same names as virsh's, each with its parent's and
        // capabilities; `computer` has no parent.
        let mut devs = null_mut();
        let n = rvirConnectListAllNodeDevices(conn, &mut devs, 0);
        let mut names = Vec::new();
        drain(
            devs,
            n,
            |dev| {
                let name = text(rvirNodeDeviceGetName(dev));
                let parent = rvirNodeDeviceGetParent(dev);
                if name == "computer" {
                    assert!(parent.is_null());
                } else {
                    assert!(!parent.is_null(), "{name} has a parent");
                    libc::free(parent.cast());
                }
                let ncaps = rvirNodeDeviceNumOfCaps(dev);
                assert!(ncaps >= 1, "{name}: {ncaps} capabilities");
                let mut caps = vec![null_mut::<c_char>(); ncaps as usize];
                assert_eq!(rvirNodeDeviceListCaps(dev, caps.as_mut_ptr(), ncaps), ncaps);
                let xml = rvirNodeDeviceGetXMLDesc(dev, 0);
                let xml_text = text(xml);
                libc::free(xml.cast());
                for cap in caps {
                    let cap_name = text(cap);
                    assert!(
                        xml_text.contains(&format!("<capability type='{cap_name}'")),
                        "{xml_text}"
                    );
                    libc::free(cap.cast());
                }
                names.push(name);
            },
            rvirNodeDeviceFree,
        );
        names.sort();
        let mut want = virsh_devices.clone();
        want.sort();
        assert_eq!(names, want);
        let systems = RVIR_CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM;
        assert_eq!(rvirConnectListAllNodeDevices(conn, null_mut(), systems), 1);
        assert!(rvirNodeDeviceLookupByName(conn, c"no_such_device".as_ptr()).is_null());
        assert_eq!(last_code(), rvirErrorNumber::RVIR_ERR_NO_NODE_DEVICE as i32);

        // Host interfaces: every one virsh lists (loopback is not one), found again by
        // its MAC, and up exactly when virsh says "active".
        let mut ifaces = null_mut();
        let n = rvirConnectListAllInterfaces(conn, &mut ifaces, 0);
        let mut listed = 0;
        drain(
            ifaces,
            n,
            |i| {
                let name = text(rvirInterfaceGetName(i));
                let mac = text(rvirInterfaceGetMACString(i));
                let state = if rvirInterfaceIsActive(i) == 1 {
                    "active"
                } else {
                    "inactive"
                };
                assert!(
                    virsh_ifaces.lines().any(|l| {
                        let f: Vec<&str> = l.split_whitespace().collect();
                        f == [name.as_str(), state, mac.as_str()]
                    }),
                    "{name} {state} {mac} not in\n{virsh_ifaces}"
                );
                listed += 1;
            },
            rvirInterfaceFree,
        );
        assert_eq!(
            listed,
            virsh_ifaces
                .lines()
                .skip(2)
                .filter(|l| !l.trim().is_empty())
                .count()
        );
        assert!(rvirInterfaceLookupByName(conn, c"no-such-if".as_ptr()).is_null());
        assert_eq!(last_code(), rvirErrorNumber::RVIR_ERR_NO_INTERFACE as i32);

        // Network filters: the one virsh defined, with virsh's XML; one defined here is
        // listed by virsh and undefined again.
        let f = rvirNWFilterLookupByName(conn, c"ffi-allow-arp".as_ptr());
        assert!(!f.is_null(), "lookup: {}", last_code());
        let mut buf = [0 as c_char; RVIR_UUID_STRING_BUFLEN];
        assert_eq!(rvirNWFilterGetUUIDString(f, buf.as_mut_ptr()), 0);
        let xml = rvirNWFilterGetXMLDesc(f, 0);
        assert_eq!(
            text(xml).trim_end(),
            virsh_ok(u, &["nwfilter-dumpxml", "ffi-allow-arp"]).trim_end()
        );
        assert!(text(xml).contains(&text(buf.as_ptr())));
        libc::free(xml.cast());
        assert_eq!(rvirNWFilterFree(f), 0);
        let made = rvirNWFilterDefineXML(
            conn,
            c"<filter name='ffi-made' chain='root'><filterref filter='ffi-allow-arp'/></filter>"
                .as_ptr(),
        );
        assert!(!made.is_null(), "define: {}", last_code());
        assert_eq!(text(rvirNWFilterGetName(made)), "ffi-made");
        assert!(virsh_ok(u, &["nwfilter-list"]).contains("ffi-made"));
        let mut filters = null_mut();
        let n = rvirConnectListAllNWFilters(conn, &mut filters, 0);
        let mut fnames = Vec::new();
        drain(
            filters,
            n,
            |f| fnames.push(text(rvirNWFilterGetName(f))),
            rvirNWFilterFree,
        );
        fnames.sort();
        assert_eq!(fnames, ["ffi-allow-arp", "ffi-made"]);
        assert_eq!(rvirNWFilterUndefine(made), 0);
        assert_eq!(rvirNWFilterFree(made), 0);
        assert!(!virsh_ok(u, &["nwfilter-list"]).contains("ffi-made"));
        assert!(rvirNWFilterLookupByName(conn, c"ffi-made".as_ptr()).is_null());
        assert_eq!(last_code(), rvirErrorNumber::RVIR_ERR_NO_NWFILTER as i32);

        // No binding yet: none listed, none found by port device.
        assert_eq!(rvirConnectListAllNWFilterBindings(conn, null_mut(), 0), 0);
        assert!(rvirNWFilterBindingLookupByPortDev(conn, c"vnet9".as_ptr()).is_null());
        assert_eq!(
            last_code(),
            rvirErrorNumber::RVIR_ERR_NO_NWFILTER_BINDING as i32
        );
        assert_eq!(rvirConnectClose(conn), 0);
    }
}
