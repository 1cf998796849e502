//! Round trips of real domain XML through the typed model.

mod common;

use common::{FIXTURES, fixture, tree};
use rvirt_conf::*;

#[test]
fn fixtures_round_trip_to_equal_structs_and_trees() {
    for name in FIXTURES {
        let input = fixture(name);
        let def = DomainDef::from_xml(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
        let out = def.to_xml().unwrap();
        let again =
            DomainDef::from_xml(&out).unwrap_or_else(|e| panic!("{name} reparse: {e}\n{out}"));
        assert_eq!(def, again, "{name}: struct changed on round trip");
        // The fixtures use canonical units, so the element trees must match exactly.
        assert_eq!(
            tree(&input),
            tree(&out),
            "{name}: tree changed on round trip:\n{out}"
        );
        // Output is stable.
        assert_eq!(out, again.to_xml().unwrap(), "{name}: output not stable");
    }
}
