//! Procedure numbers of the ADMIN program (`admin_procedure`). Like REMOTE numbers
//! they never change; unknown ones are answered "unknown procedure: N" (39 / 7).

/// `{u32 flags}` → void; the first call of every admin client.
pub const CONNECT_OPEN: i32 = 1;
/// void → void; the server closes the socket after replying.
pub const CONNECT_CLOSE: i32 = 2;
/// void → `{u64 libVer}`.
pub const CONNECT_GET_LIB_VERSION: i32 = 3;
/// `{u32 need_results; u32 flags}` → `{server servers<>; u32 ret}`.
pub const CONNECT_LIST_SERVERS: i32 = 4;
/// `{string name; u32 flags}` → `{server srv}`.
pub const CONNECT_LOOKUP_SERVER: i32 = 5;
/// `{server srv; u32 flags}` → `{typed_param params<32>}`.
pub const SERVER_GET_THREADPOOL_PARAMETERS: i32 = 6;
/// `{server srv; typed_param params<32>; u32 flags}` → void.
pub const SERVER_SET_THREADPOOL_PARAMETERS: i32 = 7;
/// `{server srv; u32 need_results; u32 flags}` → `{client clients<>; u32 ret}`.
pub const SERVER_LIST_CLIENTS: i32 = 8;
/// `{server srv; u64 id; u32 flags}` → `{client clnt}`.
pub const SERVER_LOOKUP_CLIENT: i32 = 9;
/// `{client clnt; u32 flags}` → `{typed_param params<64>}`.
pub const CLIENT_GET_INFO: i32 = 10;
/// `{client clnt; u32 flags}` → void.
pub const CLIENT_CLOSE: i32 = 11;
/// `{server srv; u32 flags}` → `{typed_param params<32>}`.
pub const SERVER_GET_CLIENT_LIMITS: i32 = 12;
/// `{server srv; typed_param params<32>; u32 flags}` → void.
pub const SERVER_SET_CLIENT_LIMITS: i32 = 13;
/// `{u32 flags}` → `{string outputs; u32 noutputs}`.
pub const CONNECT_GET_LOGGING_OUTPUTS: i32 = 14;
/// `{u32 flags}` → `{string *filters; u32 nfilters}`.
pub const CONNECT_GET_LOGGING_FILTERS: i32 = 15;
/// `{string *outputs; u32 flags}` → void.
pub const CONNECT_SET_LOGGING_OUTPUTS: i32 = 16;
/// `{string *filters; u32 flags}` → void.
pub const CONNECT_SET_LOGGING_FILTERS: i32 = 17;
/// `{server srv; u32 flags}` → void.
pub const SERVER_UPDATE_TLS_FILES: i32 = 18;
/// `{u32 timeout; u32 flags}` → void.
pub const CONNECT_SET_DAEMON_TIMEOUT: i32 = 19;

/// Every ADMIN procedure as `(number, name)`, sorted by number; names are libvirt's
/// without the `ADMIN_PROC_` prefix.
pub const PROCEDURES: &[(i32, &str)] = &[
    (CONNECT_OPEN, "CONNECT_OPEN"),
    (CONNECT_CLOSE, "CONNECT_CLOSE"),
    (CONNECT_GET_LIB_VERSION, "CONNECT_GET_LIB_VERSION"),
    (CONNECT_LIST_SERVERS, "CONNECT_LIST_SERVERS"),
    (CONNECT_LOOKUP_SERVER, "CONNECT_LOOKUP_SERVER"),
    (
        SERVER_GET_THREADPOOL_PARAMETERS,
        "SERVER_GET_THREADPOOL_PARAMETERS",
    ),
    (
        SERVER_SET_THREADPOOL_PARAMETERS,
        "SERVER_SET_THREADPOOL_PARAMETERS",
    ),
    (SERVER_LIST_CLIENTS, "SERVER_LIST_CLIENTS"),
    (SERVER_LOOKUP_CLIENT, "SERVER_LOOKUP_CLIENT"),
    (CLIENT_GET_INFO, "CLIENT_GET_INFO"),
    (CLIENT_CLOSE, "CLIENT_CLOSE"),
    (SERVER_GET_CLIENT_LIMITS, "SERVER_GET_CLIENT_LIMITS"),
    (SERVER_SET_CLIENT_LIMITS, "SERVER_SET_CLIENT_LIMITS"),
    (CONNECT_GET_LOGGING_OUTPUTS, "CONNECT_GET_LOGGING_OUTPUTS"),
    (CONNECT_GET_LOGGING_FILTERS, "CONNECT_GET_LOGGING_FILTERS"),
    (CONNECT_SET_LOGGING_OUTPUTS, "CONNECT_SET_LOGGING_OUTPUTS"),
    (CONNECT_SET_LOGGING_FILTERS, "CONNECT_SET_LOGGING_FILTERS"),
    (SERVER_UPDATE_TLS_FILES, "SERVER_UPDATE_TLS_FILES"),
    (CONNECT_SET_DAEMON_TIMEOUT, "CONNECT_SET_DAEMON_TIMEOUT"),
];

/// The name of an ADMIN procedure number.
pub fn name(number: i32) -> Option<&'static str> {
    PROCEDURES
        .binary_search_by_key(&number, |&(n, _)| n)
        .ok()
        .map(|i| PROCEDURES[i].1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbered_one_to_nineteen() {
        assert!(super::PROCEDURES.windows(2).all(|w| w[0].0 + 1 == w[1].0));
        assert_eq!(super::PROCEDURES.len(), 19);
        assert_eq!(super::name(11), Some("CLIENT_CLOSE"));
        assert_eq!(super::name(20), None);
    }
}
