//! The whole backend conformance suite against rvirt's default loop.

rvirt_core::conformance_tests!(rvirt_core::event::conformance::DefaultBackend::new());
