//! rvirtd's integration tests use the workspace's shared test kit (`rvirt-testkit`):
//! the daemon as a real process, Debian's clients, a raw protocol client.
#![allow(unused_imports)]

pub use rvirt_testkit::*;
