//! test:///ABSOLUTE/PATH.xml node files.

mod common;

use common::*;
use rvirt_core::api::{
    DomainState, ListFlags, PausedReason, RunningReason, ShutoffReason, StateReason,
};
use rvirt_core::{Connect, ErrorCode, ErrorDomain};
use rvirt_testkit::TempDir;

const NS: &str = "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'";

fn node_file(tag: &str, body: &str) -> (TempDir, String) {
    let dir = TempDir::new(&format!("test-{tag}"));
    let path = dir.join("node.xml");
    std::fs::write(&path, body).unwrap();
    let uri = format!("test://{}", path.display());
    (dir, uri)
}

fn dom(name: &str, extra: &str) -> String {
    format!(
        "<domain type='test' {NS}><name>{name}</name><memory>8192</memory><os><type>hvm</type></os>{extra}</domain>"
    )
}

#[test]
fn loads_domains_states_and_node_info() {
    let body = format!(
        "<node>
  <cpu><mhz>2000</mhz><model>x86_64</model><active>6</active><nodes>1</nodes><sockets>2</sockets><cores>2</cores><threads>2</threads></cpu>
  <memory>1048576</memory>
  {}
  {}
  {}
  <domain file='d.xml'/>
  <network><name>net1</name><uuid>aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee</uuid><bridge name='br9'/></network>
</node>",
        dom("a", ""),
        dom("b", "<test:runstate>5</test:runstate>"),
        dom("c", "<test:runstate>3</test:runstate><test:transient/>"),
    );
    let (dir, uri) = node_file("load", &body);
    std::fs::write(
        dir.join("d.xml"),
        "<domain type='test'><name>d</name><memory>4096</memory><os><type>hvm</type></os></domain>",
    )
    .unwrap();
    let (l, c) = open(&uri);
    let n = c.node_info().unwrap();
    assert_eq!(
        (
            n.model.as_str(),
            n.memory_kib,
            n.cpus,
            n.mhz,
            n.nodes,
            n.sockets,
            n.cores,
            n.threads
        ),
        ("x86_64", 1_048_576, 6, 2000, 1, 2, 2, 2)
    );
    let a = c.lookup_domain_by_name("a").unwrap();
    let b = c.lookup_domain_by_name("b").unwrap();
    let cc = c.lookup_domain_by_name("c").unwrap();
    let d = c.lookup_domain_by_name("d").unwrap();
    // ids in document order, active domains only (as libvirt)
    assert_eq!(
        (a.id(), b.id(), cc.id(), d.id()),
        (Some(1), None, Some(2), Some(3))
    );
    assert_eq!(
        a.state().unwrap(),
        StateReason::Running(RunningReason::Unknown)
    );
    assert_eq!(
        b.state().unwrap(),
        StateReason::Shutoff(ShutoffReason::Unknown)
    );
    assert_eq!(
        cc.state().unwrap(),
        StateReason::Paused(PausedReason::Unknown)
    );
    assert!(!cc.is_persistent().unwrap());
    assert!(b.is_persistent().unwrap());
    assert_eq!(d.info().unwrap().max_mem_kib, 4096);
    assert_eq!(c.list_all_domains(ListFlags::ALL).unwrap().len(), 4);
    assert!(!a.xml_desc(0).unwrap().contains("runstate"));

    // next id continues after the preloaded ones
    let mut b2 = b.clone();
    b2.create().unwrap();
    assert_eq!(b2.id(), Some(4));

    // events work on file worlds too
    let (seen, _) = collect(&c, None);
    cc.resume().unwrap();
    cc.destroy().unwrap();
    drive(&l, || of(&seen, "c").len() >= 2);
    assert_eq!(of(&seen, "c"), vec![(4, 0), (5, 1)]);
    assert_eq!(
        c.lookup_domain_by_name("c").unwrap_err().code(),
        ErrorCode::NoDomain,
        "transient domain must vanish when stopped"
    );

    // every open of a file URI gets a fresh world
    let (_l2, c2) = open(&uri);
    assert_eq!(c2.lookup_domain_by_name("b").unwrap().id(), None);
    assert!(c2.lookup_domain_by_name("c").is_ok());
    assert!(a.is_active().unwrap());
}

#[test]
fn empty_node_uses_default_figures() {
    let (_dir, uri) = node_file("empty", "<node/>");
    let (_l, c) = open(&uri);
    assert!(c.list_all_domains(ListFlags::ALL).unwrap().is_empty());
    let n = c.node_info().unwrap();
    assert_eq!((n.cpus, n.memory_kib, n.mhz), (16, 3_145_728, 1400));
    let mut d = c.define_xml(&xml("first")).unwrap();
    d.create().unwrap();
    assert_eq!(d.id(), Some(1));
    assert_eq!(d.info().unwrap().state, DomainState::Running);
}

#[test]
fn bad_files_fail_with_libvirt_codes() {
    rvirt_driver_test::register().unwrap();
    let check = |body: Option<&str>, code: i32, domain: ErrorDomain| {
        let (_keep, uri) = match body {
            Some(b) => {
                let (dir, uri) = node_file("bad", b);
                (Some(dir), uri)
            }
            None => (None, "test:///nonexistent/rvirt/node.xml".to_string()),
        };
        let e = Connect::open(&uri).unwrap_err();
        assert_eq!(
            (e.code().as_raw(), e.domain()),
            (code, domain),
            "{body:?}: {e}"
        );
        e
    };
    let e = check(None, 27, ErrorDomain::Test);
    assert!(e.message().contains("failed to parse xml document"), "{e}");
    let e = check(Some("<node><domain"), 35, ErrorDomain::Test);
    assert!(e.message().contains("node.xml:1:"), "{e}");
    check(Some("<foo/>"), 27, ErrorDomain::Xml);
    check(
        Some("<node><domain file='missing.xml'/></node>"),
        27,
        ErrorDomain::Test,
    );
    check(
        Some("<node><domain type='test'><name>x</name><os><type>hvm</type></os></domain></node>"),
        27,
        ErrorDomain::Domain,
    );
    let e = check(
        Some(&format!(
            "<node>{}</node>",
            dom("x", "<test:runstate>5</test:runstate><test:transient/>")
        )),
        27,
        ErrorDomain::Test,
    );
    assert!(e.message().contains("transient"), "{e}");
    check(
        Some(&format!(
            "<node>{}</node>",
            dom("x", "<test:runstate>9</test:runstate>")
        )),
        27,
        ErrorDomain::Test,
    );
    check(
        Some(&format!("<node>{}{}</node>", dom("x", ""), dom("x", ""))),
        9,
        ErrorDomain::Domain,
    );
}

#[test]
fn devices_fifos_and_huge_files_are_refused_at_once() {
    rvirt_driver_test::register().unwrap();
    let dir = TempDir::new("test-hostile");
    let fifo = dir.join("fifo.xml");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo(3) with a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let big = dir.join("big.xml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(rvirt_driver_test::MAX_NODE_FILE_BYTES + 1)
        .unwrap();
    let nested = dir.join("nested.xml");
    std::fs::write(&nested, "<node><domain file='fifo.xml'/></node>").unwrap();
    for (path, why) in [
        ("/dev/zero".into(), "not a regular file"),
        (fifo.clone(), "not a regular file"),
        (big.clone(), "larger than"),
        (nested.clone(), "not a regular file"),
    ] {
        let t = std::time::Instant::now();
        let e = Connect::open(&format!("test://{}", path.display())).unwrap_err();
        assert!(
            t.elapsed() < std::time::Duration::from_secs(2),
            "{path:?} blocked"
        );
        assert_eq!(e.code(), ErrorCode::XmlError, "{e}");
        assert!(e.message().contains(why), "{path:?}: {e}");
    }
}
