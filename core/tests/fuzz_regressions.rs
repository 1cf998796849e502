//! Inputs found by the `uri` fuzz target (`fuzz/fuzz_targets/uri.rs`) that once broke
//! [`Uri::parse`]. A parser of untrusted input must answer every string with a typed
//! error, never a panic.

use rvirt_core::uri::Uri;
use rvirt_core::{ErrorCode, ErrorDomain};

/// The fuzzer's original input (artifact crash-6c3fc43d…): a bad `%2` escape whose
/// third byte is the first byte of a two-byte `Й`.
const FUZZ_ORIGINAL: &str = "te+stsshi-://eist=%1Ftmp%2Fa%2\u{419}";

/// A `%` followed by something that is not two hex digits, where the three bytes after
/// the `%` end inside a multi-byte character, in every part of a URI that `check`
/// validates.
const BAD_ESCAPES_ENDING_MID_CHAR: [&str; 9] = [
    "%a\u{e9}",                    // relative reference (no scheme): 2-byte char
    "%\u{20ac}",                   // relative reference: 3-byte char right after '%'
    "test:///%a\u{e9}",            // path
    "test:///tmp/%\u{1f600}",      // path, 4-byte char
    "test://h%x\u{e9}/default",    // host
    "test://u%a\u{e9}@h/default",  // user
    "test:///default?k=%a\u{e9}",  // query value
    "test:///default?%\u{20ac}=v", // query name
    "test:///default#%a\u{e9}",    // fragment
];

#[test]
fn bad_percent_escape_before_multibyte_char_is_a_syntax_error() {
    for input in std::iter::once(FUZZ_ORIGINAL).chain(BAD_ESCAPES_ENDING_MID_CHAR) {
        let result = std::panic::catch_unwind(|| Uri::parse(input));
        let Ok(result) = result else {
            panic!("Uri::parse({input:?}) panicked");
        };
        let err = result.expect_err(input);
        assert_eq!(err.code(), ErrorCode::InternalError, "{input:?}: {err}");
        assert_eq!(err.domain(), ErrorDomain::Uri, "{input:?}: {err}");
        assert!(err.message().contains("percent-escape"), "{input:?}: {err}");
    }
}

/// Bad escapes that end on a character boundary already worked; they pin the message
/// the fix must keep.
#[test]
fn bad_percent_escape_on_char_boundary_is_a_syntax_error() {
    for (input, shown) in [
        ("test:///tmp/a%zzb", "'%zz'"),
        ("test:///a%2", "'%2'"),
        ("%\u{e9}", "'%\u{e9}'"),
    ] {
        let err = Uri::parse(input).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InternalError, "{input:?}: {err}");
        assert!(
            err.message()
                .contains(&format!("bad percent-escape {shown}")),
            "{input:?}: {err}"
        );
    }
}
