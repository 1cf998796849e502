//! Golden tests for the ADMIN program: payloads recorded between Debian's virt-admin
//! 9.0 and libvirtd 9.0 (a byte-logging proxy in front of `libvirt-admin-sock`)
//! decode into rvirt's types and encode back to the same bytes.

use rvirt_rpc::admin::types::*;
use rvirt_rpc::admin::{param, transport};
use rvirt_rpc::typed_param::{TypedParam, TypedParamValue};
use rvirt_testkit::hex;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

/// Decodes `payload` as a `T`, checks it equals `want` and re-encodes to the same bytes.
fn golden<T: Serialize + DeserializeOwned + PartialEq + Debug>(payload: &str, want: T) {
    let bytes = hex(payload);
    let got: T = rvirt_xdr::from_bytes_exact(&bytes).unwrap();
    assert_eq!(got, want);
    assert_eq!(rvirt_xdr::to_bytes(&got).unwrap(), bytes);
}

fn server(name: &str) -> AdminNonnullServer {
    AdminNonnullServer { name: name.into() }
}

fn uint(field: &str, v: u32) -> TypedParam {
    TypedParam::new(field, TypedParamValue::UInt(v))
}

#[test]
fn servers() {
    golden(
        "00000001 00000000",
        ConnectListServersArgs {
            need_results: 1,
            flags: 0,
        },
    );
    golden(
        "00000002 00000008 6c696276 69727464 00000005 61646d69 6e000000 00000002",
        ConnectListServersRet {
            servers: vec![server("libvirtd"), server("admin")],
            ret: 2,
        },
    );
    golden(
        "00000008 6c696276 69727464 00000000",
        ConnectLookupServerArgs {
            name: "libvirtd".into(),
            flags: 0,
        },
    );
    golden(
        "00000008 6c696276 69727464",
        ConnectLookupServerRet {
            srv: server("libvirtd"),
        },
    );
    golden(
        "00000000 00895440",
        ConnectGetLibVersionRet { lib_ver: 9_000_000 },
    );
}

#[test]
fn clients() {
    let client = |id, timestamp| AdminNonnullClient {
        srv: server("libvirtd"),
        id,
        timestamp,
        transport: transport::UNIX,
    };
    golden(
        "00000002 00000008 6c696276 69727464 00000000 00000001 00000000 6b154090 00000000
                  00000008 6c696276 69727464 00000000 00000002 00000000 6b154090 00000000
         00000002",
        ServerListClientsRet {
            clients: vec![client(1, 0x6b15_4090), client(2, 0x6b15_4090)],
            ret: 2,
        },
    );
    golden(
        "00000008 6c696276 69727464 00000000 00000001 00000000",
        ServerLookupClientArgs {
            srv: server("libvirtd"),
            id: 1,
            flags: 0,
        },
    );
    golden(
        "00000008 6c696276 69727464 00000000 00000001 00000000 6b154090 00000000 00000000",
        ClientArgs {
            clnt: client(1, 0x6b15_4090),
            flags: 0,
        },
    );
}

#[test]
fn threadpool_and_limits() {
    golden(
        "00000006
         0000000a 6d696e57 6f726b65 72730000 00000002 00000002
         0000000a 6d617857 6f726b65 72730000 00000002 00000014
         00000008 6e576f72 6b657273 00000002 00000005
         0000000b 66726565 576f726b 65727300 00000002 00000005
         0000000b 7072696f 576f726b 65727300 00000002 00000003
         0000000d 6a6f6251 75657565 44657074 68000000 00000002 00000000",
        TypedParamsRet {
            params: vec![
                uint(param::THREADPOOL_WORKERS_MIN, 2),
                uint(param::THREADPOOL_WORKERS_MAX, 20),
                uint(param::THREADPOOL_WORKERS_CURRENT, 5),
                uint(param::THREADPOOL_WORKERS_FREE, 5),
                uint(param::THREADPOOL_WORKERS_PRIORITY, 3),
                uint(param::THREADPOOL_JOB_QUEUE_DEPTH, 0),
            ],
        },
    );
    golden(
        "00000008 6c696276 69727464 00000001 0000000a 6d696e57 6f726b65 72730000
         00000002 00000002 00000000",
        ServerSetParamsArgs {
            srv: server("libvirtd"),
            params: vec![uint(param::THREADPOOL_WORKERS_MIN, 2)],
            flags: 0,
        },
    );
    golden(
        "00000004
         0000000c 6e636c69 656e7473 5f6d6178 00000002 00001388
         00000008 6e636c69 656e7473 00000002 00000002
         00000013 6e636c69 656e7473 5f756e61 7574685f 6d617800 00000002 00000014
         0000000f 6e636c69 656e7473 5f756e61 75746800 00000002 00000000",
        TypedParamsRet {
            params: vec![
                uint(param::SERVER_CLIENTS_MAX, 5000),
                uint(param::SERVER_CLIENTS_CURRENT, 2),
                uint(param::SERVER_CLIENTS_UNAUTH_MAX, 20),
                uint(param::SERVER_CLIENTS_UNAUTH_CURRENT, 0),
            ],
        },
    );
}

/// `virt-admin client-info libvirtd 3` for a read-write virsh on the unix socket.
#[test]
fn client_info() {
    let s = |f: &str, v: &str| TypedParam::new(f, TypedParamValue::String(v.into()));
    let i = |f: &str, v: i32| TypedParam::new(f, TypedParamValue::Int(v));
    golden(
        "00000006
         00000008 72656164 6f6e6c79 00000006 00000000
         0000000c 756e6978 5f757365 725f6964 00000001 00000000
         0000000e 756e6978 5f757365 725f6e61 6d650000 00000007 00000004 726f6f74
         0000000d 756e6978 5f67726f 75705f69 64000000 00000001 00000000
         0000000f 756e6978 5f67726f 75705f6e 616d6500 00000007 00000004 726f6f74
         0000000f 756e6978 5f70726f 63657373 5f696400 00000001 000069f5",
        TypedParamsRet {
            params: vec![
                TypedParam::new(param::CLIENT_INFO_READONLY, TypedParamValue::Boolean(false)),
                i(param::CLIENT_INFO_UNIX_USER_ID, 0),
                s(param::CLIENT_INFO_UNIX_USER_NAME, "root"),
                i(param::CLIENT_INFO_UNIX_GROUP_ID, 0),
                s(param::CLIENT_INFO_UNIX_GROUP_NAME, "root"),
                i(param::CLIENT_INFO_UNIX_PROCESS_ID, 0x69f5),
            ],
        },
    );
}
