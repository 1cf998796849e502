//! The monitoring and metadata APIs answer like libvirtd: one python3-libvirt script
//! (`tests/scripts/monitoring_calls.py`: ~80 calls — memory/block/interface stats,
//! vCPU and pinning info, CPU stats, guest facts, GET_ALL_DOMAIN_STATS with filters
//! and ENFORCE, node memory/CPU map/security model, metadata get/set with live and
//! config flags, METADATA_CHANGE events) runs against a private libvirtd 9.0 and
//! against rvirtd, both on the test driver; the two transcripts must be identical.

use rvirt_testkit::libvirtd::Libvirtd;
use rvirt_testkit::{Daemon, have_python_libvirt, python, text};

const SCRIPT: &str = include_str!("../scripts/monitoring_calls.py");

fn transcript(uri: &str) -> String {
    let o = python(SCRIPT, &[uri]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{uri}:\n{out}\n{err}");
    out
}

#[test]
fn monitoring_answers_match_libvirtd() {
    if !have_python_libvirt() {
        return;
    }
    let Some(libvirtd) = Libvirtd::start() else {
        return;
    };
    let want = transcript(&libvirtd.uri());
    let d = Daemon::start("monitoring-parity");
    let got = transcript(&d.uri());
    for (n, (w, g)) in want.lines().zip(got.lines()).enumerate() {
        assert_eq!(
            g,
            w,
            "line {} differs\nlibvirtd:\n{want}\nrvirtd:\n{got}",
            n + 1
        );
    }
    assert_eq!(got.lines().count(), want.lines().count(), "{got}");
    // The transcript says something: both daemons did not fail the same way.
    for line in [
        "stats mine = [('mon', {'state.state': 1, 'state.reason': 1})]",
        "getSecurityModel = ['testSecurity', '']",
        "OSType = 'linux'",
        "getFreeMemory = 3145728",
        "element = '<foo a=\"1\">\\n  <bar>x &amp; y</bar>\\n</foo>'",
        "metadata-change mon 2 http://example.org/app/",
    ] {
        assert!(
            got.lines().any(|l| l == line),
            "missing {line:?} in:\n{got}"
        );
    }
}
