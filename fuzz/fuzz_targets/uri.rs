//! Connection URI parsing, with a round-trip property.
//!
//! Whatever [`Uri::parse`] accepts must print (`Display`) as a URI that parses back to
//! an equal value, and printing is a fixed point after one round.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rvirt_core::uri::Uri;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    match Uri::parse(input) {
        Ok(uri) => {
            assert_eq!(uri.as_str(), input);
            let _ = (uri.driver(), uri.transport(), uri.user(), uri.host());
            let _ = (uri.port(), uri.path(), uri.query(), uri.fragment());
            let _ = (uri.is_remote(), uri.is_embed(), uri.query_param("root"));
            let _ = uri.embed_root();
            let printed = uri.to_string();
            let back = Uri::parse(&printed)
                .unwrap_or_else(|e| panic!("{input:?} printed as {printed:?}, which fails: {e}"));
            assert_eq!(back, uri, "{input:?} printed as {printed:?}");
            assert_eq!(back.to_string(), printed, "printing is not stable");
        }
        Err(e) => {
            let _ = (e.to_string(), e.code(), e.domain());
        }
    }
});
