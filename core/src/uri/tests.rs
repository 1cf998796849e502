//! Unit tests of URI parsing, printing and the embed-root rules.

use super::*;

/// Expected parts of a good URI.
struct Good {
    uri: &'static str,
    scheme: &'static str,
    driver: &'static str,
    transport: Option<&'static str>,
    user: Option<&'static str>,
    host: Option<&'static str>,
    port: Option<u16>,
    path: &'static str,
    query: &'static [(&'static str, &'static str)],
    remote: bool,
}

const fn good(
    uri: &'static str,
    scheme: &'static str,
    driver: &'static str,
    path: &'static str,
) -> Good {
    Good {
        uri,
        scheme,
        driver,
        transport: None,
        user: None,
        host: None,
        port: None,
        path,
        query: &[],
        remote: false,
    }
}

fn good_table() -> Vec<Good> {
    vec![
        good("test:///default", "test", "test", "/default"),
        good("test:///tmp/node.xml", "test", "test", "/tmp/node.xml"),
        good("qemu:///system", "qemu", "qemu", "/system"),
        good("qemu:///session", "qemu", "qemu", "/session"),
        Good {
            query: &[("root", "/tmp/x")],
            ..good("qemu:///embed?root=/tmp/x", "qemu", "qemu", "/embed")
        },
        Good {
            transport: Some("unix"),
            query: &[("socket", "/run/x.sock")],
            remote: true,
            ..good(
                "qemu+unix:///system?socket=/run/x.sock",
                "qemu+unix",
                "qemu",
                "/system",
            )
        },
        Good {
            transport: Some("unix"),
            query: &[("socket", "/tmp/a b")],
            remote: true,
            ..good(
                "test+unix:///default?socket=%2Ftmp%2Fa%20b",
                "test+unix",
                "test",
                "/default",
            )
        },
        Good {
            transport: Some("tcp"),
            host: Some("host"),
            port: Some(16509),
            remote: true,
            ..good(
                "qemu+tcp://host:16509/system",
                "qemu+tcp",
                "qemu",
                "/system",
            )
        },
        Good {
            transport: Some("ssh"),
            user: Some("user"),
            host: Some("host"),
            remote: true,
            ..good("qemu+ssh://user@host/system", "qemu+ssh", "qemu", "/system")
        },
        Good {
            transport: Some("tcp"),
            host: Some("::1"),
            port: Some(1234),
            remote: true,
            ..good(
                "test+tcp://[::1]:1234/default",
                "test+tcp",
                "test",
                "/default",
            )
        },
        good("lxc:///", "lxc", "lxc", "/"),
        good("lxc://", "lxc", "lxc", ""),
        Good {
            host: Some("example.org"),
            remote: true,
            ..good("qemu://example.org/system", "qemu", "qemu", "/system")
        },
        Good {
            transport: Some("libssh2"),
            user: Some("r@t"),
            host: Some("10.0.0.1"),
            query: &[("no_verify", "1"), ("keyfile", "/k"), ("flag", "")],
            remote: true,
            ..good(
                "qemu+LibSSH2://r%40t@10.0.0.1/system?no_verify=1;keyfile=/k&&flag&=dropped",
                "qemu+LibSSH2",
                "qemu",
                "/system",
            )
        },
        Good {
            transport: Some("ext"),
            query: &[("command", "/bin/x a&b=c")],
            remote: true,
            ..good(
                "test+ext:///default?command=/bin/x%20a%26b%3Dc",
                "test+ext",
                "test",
                "/default",
            )
        },
        good("test:///tmp/caf%C3%A9.xml", "test", "test", "/tmp/café.xml"),
        Good {
            transport: Some("tls"),
            host: Some("fe80::1"),
            remote: true,
            ..good("xen+tls://[fe80::1]/", "xen+tls", "xen", "/")
        },
        Good {
            host: Some("h"),
            remote: true,
            ..good("vz.x-1://h:/", "vz.x-1", "vz.x-1", "/")
        },
    ]
}

#[test]
fn parses_good_uris() {
    for g in good_table() {
        let u = Uri::parse(g.uri).unwrap_or_else(|e| panic!("{}: {e}", g.uri));
        assert_eq!(u.as_str(), g.uri);
        assert_eq!(u.scheme(), g.scheme, "{}", g.uri);
        assert_eq!(u.driver(), g.driver, "{}", g.uri);
        assert_eq!(u.transport(), g.transport, "{}", g.uri);
        assert_eq!(u.user(), g.user, "{}", g.uri);
        assert_eq!(u.host(), g.host, "{}", g.uri);
        assert_eq!(u.port(), g.port, "{}", g.uri);
        assert_eq!(u.path(), g.path, "{}", g.uri);
        let query: Vec<(&str, &str)> = u
            .query()
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(query, g.query, "{}", g.uri);
        assert_eq!(u.is_remote(), g.remote, "{}", g.uri);
        assert_eq!(u.fragment(), None);
    }
}

#[test]
fn display_round_trips() {
    let extra = [
        "test:///default#frag%20x?y",
        "qemu+ssh://us%20er:pw@h/system",
        "test:///a%2Fb/c%3Fd%23e",
        "qemu+tcp://h%C3%A9/system",
        "qemu+tcp://:16509/system",
        "qemu+ssh://user@/system",
        "test:///default?%3D%26=%3B%2B%25",
    ];
    let all = good_table().into_iter().map(|g| g.uri).chain(extra);
    for s in all {
        let u = Uri::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        let shown = u.to_string();
        let again = Uri::parse(&shown).unwrap_or_else(|e| panic!("{s} -> {shown}: {e}"));
        assert_eq!(again, u, "{s} -> {shown}");
        assert_eq!(again.to_string(), shown, "display is not stable for {s}");
    }
}

#[test]
fn display_is_canonical() {
    let table = [
        ("qemu:///system", "qemu:///system"),
        (
            "test+unix:///default?socket=%2Ftmp%2Fa%20b",
            "test+unix:///default?socket=/tmp/a%20b",
        ),
        (
            "test+tcp://[::1]:1234/default",
            "test+tcp://[::1]:1234/default",
        ),
        ("qemu+ssh://user@host/system", "qemu+ssh://user@host/system"),
        ("test:///default?a=1;b=2", "test:///default?a=1&b=2"),
        ("test:///a%2db", "test:///a-b"),
        ("lxc://", "lxc://"),
    ];
    for (input, shown) in table {
        assert_eq!(Uri::parse(input).unwrap().to_string(), shown);
    }
    let u: Uri = "test:///a%2db".parse().unwrap();
    assert_eq!(u, Uri::parse("test:///a-b").unwrap());
}

#[test]
fn rejects_bad_uris() {
    use ErrorCode::{InternalError, InvalidArg, NoConnect};
    let table = [
        ("", NoConnect, ErrorDomain::None),
        ("/system", NoConnect, ErrorDomain::None),
        ("default", NoConnect, ErrorDomain::None),
        ("test:/default", NoConnect, ErrorDomain::None),
        ("qemu:system", NoConnect, ErrorDomain::None),
        ("qemu:", NoConnect, ErrorDomain::None),
        ("foo bar", InternalError, ErrorDomain::Uri),
        ("1qemu:///system", InternalError, ErrorDomain::Uri),
        ("qe_mu:///system", InternalError, ErrorDomain::Uri),
        ("qemu system:///", InternalError, ErrorDomain::Uri),
        (":///system", InternalError, ErrorDomain::Uri),
        ("+unix:///system", InternalError, ErrorDomain::Uri),
        (
            "qemu+tcp://host:abc/system",
            InternalError,
            ErrorDomain::Uri,
        ),
        ("qemu+tcp://host:-1/system", InternalError, ErrorDomain::Uri),
        (
            "qemu+tcp://host:65536/system",
            InternalError,
            ErrorDomain::Uri,
        ),
        ("test:///tmp/a%zzb", InternalError, ErrorDomain::Uri),
        ("test:///tmp/a%2", InternalError, ErrorDomain::Uri),
        ("test:///default?x=%", InternalError, ErrorDomain::Uri),
        ("test:///%FF", InternalError, ErrorDomain::Uri),
        (
            "test+tcp://[::1:1234/default",
            InternalError,
            ErrorDomain::Uri,
        ),
        ("test+tcp://[::1]x/default", InternalError, ErrorDomain::Uri),
        ("test+tcp://[zz]/default", InternalError, ErrorDomain::Uri),
        ("test+tcp://::1/default", InternalError, ErrorDomain::Uri),
        ("test+tcp://a[b/default", InternalError, ErrorDomain::Uri),
        ("qemu:///sys tem", InternalError, ErrorDomain::Uri),
        ("qemu:///system#a#b", InternalError, ErrorDomain::Uri),
        ("qemu:///system?a=<b>", InternalError, ErrorDomain::Uri),
        ("qemu:///café", InternalError, ErrorDomain::Uri),
        ("qemu://system", InternalError, ErrorDomain::None),
        ("qemu://session/", InternalError, ErrorDomain::None),
        ("qemu+foo:///system", InvalidArg, ErrorDomain::Remote),
        ("qemu+:///system", InvalidArg, ErrorDomain::Remote),
        ("qemu+ssh+tcp://h/system", InvalidArg, ErrorDomain::Remote),
        ("qemu+unix://host/system", InvalidArg, ErrorDomain::Remote),
    ];
    for (input, code, domain) in table {
        match Uri::parse(input) {
            Ok(u) => panic!("{input:?} parsed as {u:?}"),
            Err(e) => {
                assert_eq!((e.code(), e.domain()), (code, domain), "{input:?}: {e}");
                assert!(!e.message().is_empty());
            }
        }
    }
    // Not a typo of the /system form: these are fine.
    for ok in [
        "test://system/default",
        "qemu+tcp://system/system",
        "qemu://systemd/system",
    ] {
        Uri::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
}

#[test]
fn query_param_lookup() {
    let u = Uri::parse("qemu:///system?Socket=/a&socket=/b&empty").unwrap();
    assert_eq!(u.query_param("socket"), Some("/a"));
    assert_eq!(u.query_param("SOCKET"), Some("/a"));
    assert_eq!(u.query_param("empty"), Some(""));
    assert_eq!(u.query_param("missing"), None);
}

#[test]
fn embed_root_rules() {
    let ok = [
        ("qemu:///embed?root=/tmp/x", Some("/tmp/x")),
        ("secret:///embed?ROOT=/var/r%20s", Some("/var/r s")),
        ("qemu:///system", None),
        ("qemu:///embed/", None),
        ("qemu+unix:///system?root=rel", None),
    ];
    for (input, root) in ok {
        let u = Uri::parse(input).unwrap();
        assert_eq!(u.embed_root().unwrap(), root.map(PathBuf::from), "{input}");
        assert_eq!(u.is_embed(), root.is_some(), "{input}");
    }

    let bad = [
        ("qemu:///embed", ErrorCode::InvalidArg, ErrorDomain::Uri),
        (
            "qemu:///embed?rootdir=/x",
            ErrorCode::InvalidArg,
            ErrorDomain::Uri,
        ),
        (
            "qemu:///embed?root=rel/dir",
            ErrorCode::ConfigUnsupported,
            ErrorDomain::None,
        ),
        (
            "qemu:///embed?root=",
            ErrorCode::ConfigUnsupported,
            ErrorDomain::None,
        ),
        (
            "qemu+unix:///embed?root=/x",
            ErrorCode::NoConnect,
            ErrorDomain::None,
        ),
        (
            "QEMU:///embed?root=/x",
            ErrorCode::NoConnect,
            ErrorDomain::None,
        ),
        (
            "qemu2:///embed?root=/x",
            ErrorCode::NoConnect,
            ErrorDomain::None,
        ),
    ];
    for (input, code, domain) in bad {
        let e = Uri::parse(input).unwrap().embed_root().unwrap_err();
        assert_eq!((e.code(), e.domain()), (code, domain), "{input}: {e}");
    }
}
